package dev.flowsync.core.event;

import java.time.Instant;

/**
 * Something that happened, published after the store write that made it true succeeded. Transport
 * fan-out, webhooks and metrics all hang on these.
 */
public sealed interface FlowSyncEvent permits RoomEvent, TokenRevoked {
  /** When it happened, by the server's clock. */
  Instant at();
}

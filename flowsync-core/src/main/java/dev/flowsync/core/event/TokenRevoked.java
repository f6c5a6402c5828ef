package dev.flowsync.core.event;

import java.time.Instant;

/** An access token was revoked: connections that authenticated with it must close (4401). */
public record TokenRevoked(String tokenId, String userId, Instant at) implements FlowSyncEvent {}

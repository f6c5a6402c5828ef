package dev.flowsync.core.store.memory;

import dev.flowsync.core.cluster.LocalClusterBus;
import dev.flowsync.core.store.Stores;

/**
 * Real, thread-safe in-memory stores for one node: the default, and what applications' own
 * integration tests run on. Nothing survives the process.
 */
public final class InMemoryStores {
  private InMemoryStores() {}

  /** A fresh, empty set of in-memory stores with a single-node cluster bus. */
  public static Stores create() {
    return new Stores(
        new InMemoryRoomStore(),
        new InMemoryPresenceStore(),
        new InMemoryTimerStore(),
        new InMemoryMessageStore(),
        new InMemorySessionStore(),
        new InMemoryTokenStore(),
        new LocalClusterBus());
  }
}

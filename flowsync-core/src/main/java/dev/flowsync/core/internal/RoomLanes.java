package dev.flowsync.core.internal;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One logical lane per room: changes to one room are serialized (so its events come out in the
 * order the store applied them), different rooms run in parallel. Striped locks keep the memory
 * fixed however many rooms exist; two rooms sharing a stripe only costs a little parallelism.
 */
public final class RoomLanes {
  private final ReentrantLock[] stripes;

  public RoomLanes(int stripeCount) {
    stripes = new ReentrantLock[Integer.highestOneBit(Math.max(1, stripeCount - 1)) << 1];
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /** Runs {@code work} while holding the room's lane. */
  public <T> T inLane(String room, Supplier<T> work) {
    int h = room.hashCode();
    ReentrantLock lock = stripes[(h ^ (h >>> 16)) & (stripes.length - 1)];
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }
}

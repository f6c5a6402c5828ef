package dev.flowsync.core.timer;

import java.util.Map;
import java.util.Optional;

/**
 * Persists each room's timer with optimistic concurrency: every write is a compare-and-set on
 * {@link TimerState#version()}, so when several engines (nodes) race to advance the same phase,
 * exactly one wins.
 */
public interface TimerStore {

  /** The room's timer, if one was ever stored. */
  Optional<TimerState> find(String room);

  /**
   * Stores {@code next} only if the stored version equals {@code expectedVersion} (0 = nothing
   * stored yet).
   *
   * @return true if stored; false if another writer got there first (nothing changed)
   */
  boolean compareAndSet(String room, long expectedVersion, TimerState next);

  /** Forgets the room's timer. */
  void delete(String room);

  /** Every timer whose status is running, by room: engines schedule or catch up on these. */
  Map<String, TimerState> running();
}

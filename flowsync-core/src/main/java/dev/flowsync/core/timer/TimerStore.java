package dev.flowsync.core.timer;

import java.util.Map;
import java.util.Optional;

/**
 * Persists each room's timer with optimistic concurrency: every write is a compare-and-set on
 * {@link TimerState#version()}, so when several engines (nodes) race to advance the same phase,
 * exactly one wins. No argument is ever null. The contract kit ({@code TimerStoreContract} in
 * {@code flowsync-store-tck}) is the executable form of this specification.
 */
public interface TimerStore {

  /**
   * The room's timer.
   *
   * @param room the room id
   * @return the stored state, exactly as written; empty if none was ever stored (or it was deleted)
   */
  Optional<TimerState> find(String room);

  /**
   * Stores {@code next} only if the stored version equals {@code expectedVersion}, in one atomic
   * step.
   *
   * @param room the room id
   * @param expectedVersion the version the caller read; 0 when nothing is stored yet
   * @param next the new state, stored as given (its version is normally expected + 1)
   * @return true if stored; false if the stored version differs (nothing changed)
   */
  boolean compareAndSet(String room, long expectedVersion, TimerState next);

  /**
   * Forgets the room's timer; the next write expects version 0 again. Harmless if none is stored.
   *
   * @param room the room id
   */
  void delete(String room);

  /**
   * Every running timer: engines schedule or catch up on these at start-up.
   *
   * @return the states whose status is running, by room id
   */
  Map<String, TimerState> running();

  /**
   * Writes a state a node remembers back into a store that lost it (for example Redis restarted
   * empty): stored only if nothing is stored for the room or the stored version is older, never
   * over an equal or newer version. Several nodes restoring the same timer at once leave exactly
   * one state, the newest they knew. The default is a compare-and-set loop, atomic wherever {@link
   * #compareAndSet} is.
   *
   * @param room the room id
   * @param state the remembered state (version at least 1)
   * @return true if this call stored it
   */
  default boolean restore(String room, TimerState state) {
    while (true) {
      long stored = find(room).map(TimerState::version).orElse(0L);
      if (stored >= state.version()) {
        return false;
      }
      if (compareAndSet(room, stored, state)) {
        return true;
      }
    }
  }
}

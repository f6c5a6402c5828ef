package dev.flowsync.core.timer;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A room's shared timer, exactly as every member sees it (PROTOCOL.md §1.5).
 *
 * @param status idle, running, paused or finished
 * @param phases the phases in order; empty when idle and never started
 * @param phaseIndex index of the current phase
 * @param round 1 for the first pass through the phases, +1 per repeat
 * @param repeat whether the phases start over after the last
 * @param endsAt when the current phase ends while running; null otherwise
 * @param remainingMs time left in the current phase (frozen while paused)
 * @param version increases by exactly 1 per change; 0 means "never stored"
 * @param updatedBy the user of the last change, or null for server-driven advances
 */
public record TimerState(
    TimerStatus status,
    List<Phase> phases,
    int phaseIndex,
    int round,
    boolean repeat,
    Instant endsAt,
    long remainingMs,
    long version,
    String updatedBy) {

  /**
   * Copies the phases.
   *
   * @throws NullPointerException if {@code status} or {@code phases} is null
   */
  public TimerState {
    Objects.requireNonNull(status, "status");
    phases = List.copyOf(phases);
  }

  /** The timer of a room nobody has started a timer in. */
  public static TimerState idle() {
    return new TimerState(TimerStatus.IDLE, List.of(), 0, 1, false, null, 0, 0, null);
  }

  /** The current phase, or null when there are no phases. */
  public Phase currentPhase() {
    return phases.isEmpty() ? null : phases.get(phaseIndex);
  }
}

package dev.flowsync.core.timer;

import java.util.Objects;

/**
 * One phase of a timer, e.g. {@code focus} for 25 minutes.
 *
 * @param name a label of 1 to 64 characters
 * @param durationMs length in milliseconds, at least 1
 */
public record Phase(String name, long durationMs) {
  /**
   * Checks the phase.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code durationMs} is below 1
   */
  public Phase {
    Objects.requireNonNull(name, "name");
    if (durationMs < 1) {
      throw new IllegalArgumentException("durationMs must be >= 1, was " + durationMs);
    }
  }
}

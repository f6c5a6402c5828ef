package dev.flowsync.core.timer;

import java.time.Instant;
import java.util.List;

/**
 * The timer's state machine as pure functions of (state, now). Each returns the next state with
 * {@code version + 1}, or null when the command does not fit the state.
 */
public final class TimerMath {
  private TimerMath() {}

  /** Starts from the first phase. Fits idle and finished timers. */
  public static TimerState start(
      TimerState s, List<Phase> phases, boolean repeat, Instant now, String by) {
    if (s.status() == TimerStatus.RUNNING || s.status() == TimerStatus.PAUSED) {
      return null;
    }
    long d = phases.get(0).durationMs();
    return new TimerState(
        TimerStatus.RUNNING, phases, 0, 1, repeat, now.plusMillis(d), d, s.version() + 1, by);
  }

  /** Freezes the remaining time. Fits running timers. */
  public static TimerState pause(TimerState s, Instant now, String by) {
    if (s.status() != TimerStatus.RUNNING) {
      return null;
    }
    long remaining = Math.max(0, s.endsAt().toEpochMilli() - now.toEpochMilli());
    return new TimerState(
        TimerStatus.PAUSED,
        s.phases(),
        s.phaseIndex(),
        s.round(),
        s.repeat(),
        null,
        remaining,
        s.version() + 1,
        by);
  }

  /** Runs on from the frozen remaining time. Fits paused timers. */
  public static TimerState resume(TimerState s, Instant now, String by) {
    if (s.status() != TimerStatus.PAUSED) {
      return null;
    }
    return new TimerState(
        TimerStatus.RUNNING,
        s.phases(),
        s.phaseIndex(),
        s.round(),
        s.repeat(),
        now.plusMillis(s.remainingMs()),
        s.remainingMs(),
        s.version() + 1,
        by);
  }

  /** Back to idle at the first phase, keeping the phases. Fits any timer that is not idle. */
  public static TimerState reset(TimerState s, String by) {
    if (s.status() == TimerStatus.IDLE) {
      return null;
    }
    long d = s.phases().isEmpty() ? 0 : s.phases().get(0).durationMs();
    return new TimerState(
        TimerStatus.IDLE, s.phases(), 0, 1, s.repeat(), null, d, s.version() + 1, by);
  }

  /** Ends the current phase now. Fits running and paused timers. */
  public static TimerState skip(TimerState s, Instant now, String by) {
    if (s.status() != TimerStatus.RUNNING && s.status() != TimerStatus.PAUSED) {
      return null;
    }
    int next = s.phaseIndex() + 1;
    int round = s.round();
    if (next == s.phases().size()) {
      if (!s.repeat()) {
        return finished(s, by);
      }
      next = 0;
      round++;
    }
    long d = s.phases().get(next).durationMs();
    boolean running = s.status() == TimerStatus.RUNNING;
    return new TimerState(
        s.status(),
        s.phases(),
        next,
        round,
        s.repeat(),
        running ? now.plusMillis(d) : null,
        d,
        s.version() + 1,
        by);
  }

  /**
   * Applies every phase end at or before {@code now}, exactly: a timer that ran unobserved for an
   * hour lands on the phase, round and endsAt it would have had. Returns null when no phase has
   * ended. One call is one change (one version step), however many phases it crossed.
   */
  public static TimerState advance(TimerState s, Instant now) {
    if (s.status() != TimerStatus.RUNNING || s.endsAt().isAfter(now)) {
      return null;
    }
    List<Phase> phases = s.phases();
    long endsAt = s.endsAt().toEpochMilli();
    long nowMs = now.toEpochMilli();
    int index = s.phaseIndex();
    int round = s.round();
    if (s.repeat()) {
      long cycle = 0;
      for (Phase p : phases) {
        cycle += p.durationMs();
      }
      // Skip whole cycles arithmetically so a long-idle timer catches up in O(phases).
      long behind = nowMs - endsAt;
      long wholeCycles = behind / cycle;
      endsAt += wholeCycles * cycle;
      round += (int) Math.min(Integer.MAX_VALUE - round, wholeCycles);
    }
    while (endsAt <= nowMs) {
      index++;
      if (index == phases.size()) {
        if (!s.repeat()) {
          return finished(s, null);
        }
        index = 0;
        round++;
      }
      endsAt += phases.get(index).durationMs();
    }
    return new TimerState(
        TimerStatus.RUNNING,
        phases,
        index,
        round,
        s.repeat(),
        Instant.ofEpochMilli(endsAt),
        endsAt - nowMs,
        s.version() + 1,
        null);
  }

  /** The state as seen at {@code now}: remainingMs recomputed for a running timer. */
  public static TimerState observedAt(TimerState s, Instant now) {
    if (s.status() != TimerStatus.RUNNING) {
      return s;
    }
    long remaining = Math.max(0, s.endsAt().toEpochMilli() - now.toEpochMilli());
    return new TimerState(
        s.status(),
        s.phases(),
        s.phaseIndex(),
        s.round(),
        s.repeat(),
        s.endsAt(),
        remaining,
        s.version(),
        s.updatedBy());
  }

  private static TimerState finished(TimerState s, String by) {
    return new TimerState(
        TimerStatus.FINISHED,
        s.phases(),
        s.phases().size() - 1,
        s.round(),
        s.repeat(),
        null,
        0,
        s.version() + 1,
        by);
  }
}

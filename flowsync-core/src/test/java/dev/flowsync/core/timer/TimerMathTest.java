package dev.flowsync.core.timer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TimerMath")
class TimerMathTest {
  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  /** The obvious, slow definition: apply one phase end at a time until none is due. */
  private static TimerState stepByStep(TimerState s, Instant now) {
    int index = s.phaseIndex();
    int round = s.round();
    long endsAt = s.endsAt().toEpochMilli();
    if (endsAt > now.toEpochMilli()) {
      return null;
    }
    while (endsAt <= now.toEpochMilli()) {
      index++;
      if (index == s.phases().size()) {
        if (!s.repeat()) {
          return new TimerState(
              TimerStatus.FINISHED,
              s.phases(),
              s.phases().size() - 1,
              round,
              false,
              null,
              0,
              s.version() + 1,
              null);
        }
        index = 0;
        round++;
      }
      endsAt += s.phases().get(index).durationMs();
    }
    return new TimerState(
        TimerStatus.RUNNING,
        s.phases(),
        index,
        round,
        s.repeat(),
        Instant.ofEpochMilli(endsAt),
        endsAt - now.toEpochMilli(),
        s.version() + 1,
        null);
  }

  @Test
  @DisplayName("catching up in one step equals applying every phase end one at a time")
  void catchUpIsExact() {
    Random random = new Random(20261121);
    for (int trial = 0; trial < 5_000; trial++) {
      List<Phase> phases = new ArrayList<>();
      int count = 1 + random.nextInt(5);
      for (int i = 0; i < count; i++) {
        phases.add(new Phase("p" + i, 1 + random.nextInt(random.nextBoolean() ? 10 : 100_000)));
      }
      boolean repeat = random.nextBoolean();
      TimerState started = TimerMath.start(TimerState.idle(), phases, repeat, T0, "u");
      // Start from a random point of a random round, as a stored running timer would be.
      TimerState running = TimerMath.advance(started, T0.plusMillis(random.nextInt(50_000)));
      TimerState s = running == null ? started : running;
      if (s.status() != TimerStatus.RUNNING) {
        continue;
      }
      Instant now = s.endsAt().plusMillis(random.nextInt(2_000_000) - 1_000);

      assertThat(TimerMath.advance(s, now))
          .as("trial %d: %s at %s", trial, s, now)
          .isEqualTo(stepByStep(s, now));
    }
  }

  @Test
  @DisplayName("a year of 1-second phases catches up at once and lands on the exact round")
  void longGap() {
    List<Phase> phases = List.of(new Phase("a", 1000), new Phase("b", 1000));
    TimerState s = TimerMath.start(TimerState.idle(), phases, true, T0, "u");
    long year = 365L * 24 * 3600 * 1000;

    TimerState after = TimerMath.advance(s, T0.plusMillis(year + 1500));

    assertThat(after.round()).isEqualTo((int) (year / 2000) + 1);
    assertThat(after.phaseIndex()).isEqualTo(1); // 1.5 s into a cycle of a (1 s) then b (1 s)
    assertThat(after.endsAt()).isEqualTo(T0.plusMillis(year + 2000));
    assertThat(after.remainingMs()).isEqualTo(500);
    assertThat(after.version()).isEqualTo(s.version() + 1);
  }
}

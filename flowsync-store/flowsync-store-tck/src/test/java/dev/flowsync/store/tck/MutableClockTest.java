package dev.flowsync.store.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MutableClock")
class MutableClockTest {
  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  @Test
  @DisplayName("stands still until moved, then moves by exactly the amount given")
  void moves() {
    MutableClock clock = MutableClock.at(T0);

    assertThat(clock.instant()).isEqualTo(T0);
    assertThat(clock.millis()).isEqualTo(T0.toEpochMilli());
    assertThat(clock.advance(Duration.ofMinutes(5))).isEqualTo(T0.plusSeconds(300));
    assertThat(clock.advanceMillis(1)).isEqualTo(T0.plusSeconds(300).plusMillis(1));
    clock.set(T0);
    assertThat(clock.instant()).isEqualTo(T0);
  }

  @Test
  @DisplayName("a view in another zone shares the time")
  void zones() {
    MutableClock clock = MutableClock.at(T0);
    var paris = clock.withZone(ZoneId.of("Europe/Paris"));

    clock.advance(Duration.ofHours(1));

    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(paris.instant()).isEqualTo(T0.plusSeconds(3600));
  }

  @Test
  @DisplayName("startingNow starts at the current time in whole milliseconds")
  void startingNow() {
    Instant before = Instant.now().minusMillis(1);
    Instant start = MutableClock.startingNow().instant();

    assertThat(start).isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    assertThat(start.getNano() % 1_000_000).isZero();
  }
}

package dev.flowsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.presence.Member;
import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerState;
import dev.flowsync.core.timer.TimerStatus;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CodecTest {
  private static final String NASTY = "a\\b\nc\\n\\0|:\u00e9\ud83d\ude00";

  @Test
  @DisplayName("fields with backslashes, newlines, escapes and null survive a round trip")
  void fieldsRoundTrip() {
    String[] fields = {NASTY, "", null, "\\0", "\\", "\n", "plain"};
    assertThat(Codec.split(Codec.join(fields))).containsExactlyElementsOf(Arrays.asList(fields));
  }

  @Test
  @DisplayName("an escaped id never contains a raw newline, so scripts can split on it")
  void escapedIdsHaveNoNewline() {
    assertThat(Codec.esc(NASTY)).doesNotContain("\n");
    assertThat(Codec.unesc(Codec.esc(NASTY))).isEqualTo(NASTY);
    assertThat(Codec.esc("room-1")).isEqualTo("room-1");
  }

  @Test
  @DisplayName("lists keep empty strings and their length")
  void listsRoundTrip() {
    assertThat(Codec.splitAll(Codec.joinAll(List.of()))).isEmpty();
    assertThat(Codec.splitAll(Codec.joinAll(List.of("")))).containsExactly("");
    assertThat(Codec.splitAll(Codec.joinAll(List.of(NASTY, "x")))).containsExactly(NASTY, "x");
  }

  @Test
  @DisplayName("members, timers and tokens decode to equal records, nanoseconds included")
  void recordsRoundTrip() {
    Instant t = Instant.parse("2026-11-21T10:15:30.123456789Z");
    Member m = new Member("r\n1", "c\\1", "u1", NASTY, "{\"a\":\"x\\ny\"}", t, "node\n1");
    assertThat(RedisPresenceStore.decode(RedisPresenceStore.encode(m))).isEqualTo(m);

    TimerState timer =
        new TimerState(
            TimerStatus.RUNNING,
            List.of(new Phase("focus\nnow", 1_500_000), new Phase("", 1)),
            1,
            3,
            true,
            t,
            42,
            7,
            null);
    assertThat(RedisTimerStore.decode(RedisTimerStore.encode(timer))).isEqualTo(timer);
    assertThat(RedisTimerStore.decode(RedisTimerStore.encode(TimerState.idle())))
        .isEqualTo(TimerState.idle());

    AccessToken token = new AccessToken("id", "u", NASTY, Set.of("*", "r\n2", ""), t, t);
    assertThat(RedisTokenStore.decode(RedisTokenStore.encode(token))).isEqualTo(token);
  }

  @Test
  @DisplayName("scores order instants below a millisecond")
  void scoresKeepSubMillisecondOrder() {
    Instant a = Instant.parse("2026-11-21T10:15:30.123400Z");
    Instant b = a.plusNanos(1_000);
    assertThat(Codec.score(a)).isLessThan(Codec.score(b));
    assertThat(Codec.score(a)).isEqualTo(Codec.score(Instant.parse("2026-11-21T10:15:30.1234Z")));
  }
}

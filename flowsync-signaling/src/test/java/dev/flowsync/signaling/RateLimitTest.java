package dev.flowsync.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowsync.signaling.internal.TokenBucket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RateLimit: the FLOWSYNC_RATE_LIMIT format and the token bucket")
class RateLimitTest {

  @Test
  @DisplayName("parses rate and burst")
  void parses() {
    assertThat(RateLimit.parse("50/s,burst=100")).isEqualTo(new RateLimit(50, 100));
    assertThat(RateLimit.parse(" 50 / s , burst = 100 ")).isEqualTo(new RateLimit(50, 100));
    assertThat(RateLimit.parse("10/s")).isEqualTo(new RateLimit(10, 20));
    assertThat(RateLimit.parse("600/min,burst=5")).isEqualTo(new RateLimit(10, 5));
    assertThat(RateLimit.parse("off")).isEqualTo(RateLimit.UNLIMITED);
    assertThat(RateLimit.DEFAULT.toString()).isEqualTo("50/s,burst=100");
    assertThat(RateLimit.parse(RateLimit.DEFAULT.toString())).isEqualTo(RateLimit.DEFAULT);
  }

  @Test
  @DisplayName("rejects what it cannot read, naming the value")
  void rejects() {
    for (String bad :
        new String[] {"", "fast", "50", "50/h", "0/s", "50/s,burst=0", "50/s;burst=1"}) {
      assertThatThrownBy(() -> RateLimit.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> RateLimit.parse("fast")).hasMessageContaining("'fast'");
  }

  @Test
  @DisplayName("the bucket allows a burst, then refills at the rate")
  void bucket() {
    long t = 0;
    TokenBucket b = new TokenBucket(new RateLimit(10, 3), t);
    assertThat(b.tryTake(t)).isTrue();
    assertThat(b.tryTake(t)).isTrue();
    assertThat(b.tryTake(t)).isTrue();
    assertThat(b.tryTake(t)).isFalse();
    t += 100_000_000; // 100 ms = one token at 10/s
    assertThat(b.tryTake(t)).isTrue();
    assertThat(b.tryTake(t)).isFalse();
    t += 10_000_000_000L; // a long pause refills to the burst, no more
    for (int i = 0; i < 3; i++) {
      assertThat(b.tryTake(t)).isTrue();
    }
    assertThat(b.tryTake(t)).isFalse();
  }
}

package dev.flowsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.auth.TokenStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RedisTokenStore")
class RedisTokenStoreIntegrationTest {
  // Deliberately long ago: validity must follow expiresAt, never Redis's own clock.
  private static final Instant T0 = Instant.parse("2020-01-01T00:00:00Z");

  private RedisFixture fixture;
  private TokenStore store;

  @BeforeEach
  void setUp() {
    fixture = new RedisFixture();
    store = fixture.newStores().tokens();
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  private static AccessToken token(String id, Duration lifetime) {
    return new AccessToken(id, "u-" + id, "User " + id, Set.of("r1", "*"), T0, T0.plus(lifetime));
  }

  @Test
  @DisplayName("finds a saved token by id, even one issued long before Redis's clock")
  void saveAndFind() {
    AccessToken t = token("t1", Duration.ofHours(24));
    store.save(t);
    assertThat(store.find("t1")).contains(t);
    assertThat(store.find("t2")).isEmpty();
  }

  @Test
  @DisplayName("gives the key a native TTL of the token's lifetime plus the margin, as a backstop")
  void nativeTtlIsABackstop() {
    store.save(token("t1", Duration.ofHours(24)));
    long pttl = fixture.admin.pttl(fixture.prefix + "token:t1");
    assertThat(pttl)
        .isGreaterThan(Duration.ofHours(24).toMillis())
        .isLessThanOrEqualTo(Duration.ofHours(24).plusMinutes(5).toMillis());
  }

  @Test
  @DisplayName("deletes a token once, then reports it as not stored")
  void delete() {
    store.save(token("t1", Duration.ofHours(1)));
    assertThat(store.delete("t1")).isTrue();
    assertThat(store.delete("t1")).isFalse();
    assertThat(store.find("t1")).isEmpty();
    assertThat(fixture.keys()).isEmpty();
  }

  @Test
  @DisplayName("deletes exactly the tokens that expired at or before now")
  void deleteExpired() {
    store.save(token("short", Duration.ofMinutes(1)));
    store.save(token("exact", Duration.ofMinutes(2)));
    store.save(token("long", Duration.ofHours(24)));
    assertThat(store.deleteExpired(T0.plusSeconds(30))).isZero();
    assertThat(store.deleteExpired(T0.plus(Duration.ofMinutes(2)))).isEqualTo(2);
    assertThat(store.find("short")).isEmpty();
    assertThat(store.find("exact")).isEmpty();
    assertThat(store.find("long")).isPresent();
    assertThat(store.deleteExpired(T0.plus(Duration.ofMinutes(2)))).isZero();
  }

  @Test
  @DisplayName("deletes more expired tokens than one batch holds")
  void deleteManyExpired() {
    for (int i = 0; i < 2_345; i++) {
      store.save(token("t" + i, Duration.ofSeconds(1 + i % 10)));
    }
    assertThat(store.deleteExpired(T0.plus(Duration.ofDays(1)))).isEqualTo(2_345);
    assertThat(fixture.keys()).isEmpty();
  }
}

package dev.flowsync.store.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.auth.TokenStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The contract of {@link TokenStore}. */
@DisplayName("TokenStore")
public abstract class TokenStoreContract extends StoreContract {

  /** Skips these contracts for a backend without a token store. */
  @BeforeEach
  protected final void requireTokenStore() {
    requireCapability(StoreCapability.TOKENS);
  }

  private TokenStore tokens() {
    return stores().tokens();
  }

  private AccessToken token(String id, Set<String> rooms, Duration ttl) {
    Instant now = clock.instant();
    return new AccessToken(id, "u-" + id, "Name " + id, rooms, now, now.plus(ttl));
  }

  private static String hash(int n) {
    return String.format("%064x", n);
  }

  /** Saving, finding and deleting. */
  @Nested
  @DisplayName("keeping tokens")
  class Keeping {
    @Test
    @DisplayName("a saved token is found by its id, field for field")
    void saveFind() {
      AccessToken t =
          new AccessToken(
              hash(1),
              "u42",
              "Ana Ñ",
              Set.of("standup", "retro"),
              clock.instant(),
              clock.instant().plus(Duration.ofHours(24)));

      tokens().save(t);

      assertThat(tokens().find(hash(1))).contains(t);
    }

    @Test
    @DisplayName("a grant for every room round-trips")
    void wildcard() {
      AccessToken t = token(hash(2), Set.of("*"), Duration.ofHours(1));
      tokens().save(t);

      assertThat(tokens().find(hash(2)))
          .hasValueSatisfying(f -> assertThat(f.grants("any")).isTrue());
    }

    @Test
    @DisplayName("a token without room grants round-trips with none")
    void noGrants() {
      AccessToken t = token(hash(3), Set.of(), Duration.ofHours(1));
      tokens().save(t);

      assertThat(tokens().find(hash(3))).contains(t);
    }

    @Test
    @DisplayName("an unknown id finds nothing")
    void unknown() {
      assertThat(tokens().find(hash(404))).isEmpty();
    }

    @Test
    @DisplayName("delete removes the token and answers true once, then false")
    void delete() {
      tokens().save(token(hash(1), Set.of("*"), Duration.ofHours(1)));
      tokens().save(token(hash(2), Set.of("*"), Duration.ofHours(1)));

      assertThat(tokens().delete(hash(1))).isTrue();
      assertThat(tokens().delete(hash(1))).isFalse();
      assertThat(tokens().find(hash(1))).isEmpty();
      assertThat(tokens().find(hash(2))).isPresent();
    }
  }

  /** Purging expired tokens. */
  @Nested
  @DisplayName("expiry")
  class Expiry {
    @Test
    @DisplayName("deleteExpired deletes tokens that expired at or before now, and counts them")
    void purge() {
      tokens().save(token(hash(1), Set.of("*"), Duration.ofHours(1)));
      tokens().save(token(hash(2), Set.of("*"), Duration.ofHours(2)));
      tokens().save(token(hash(3), Set.of("*"), Duration.ofHours(3)));

      int deleted = tokens().deleteExpired(clock.instant().plus(Duration.ofHours(2)));

      assertThat(deleted).isEqualTo(2);
      assertThat(tokens().find(hash(1))).isEmpty();
      assertThat(tokens().find(hash(2))).isEmpty();
      assertThat(tokens().find(hash(3))).isPresent();
    }

    @Test
    @DisplayName("nothing expired: nothing deleted")
    void nothing() {
      tokens().save(token(hash(1), Set.of("*"), Duration.ofHours(1)));

      assertThat(tokens().deleteExpired(clock.instant())).isZero();
      assertThat(tokens().find(hash(1))).isPresent();
    }
  }
}

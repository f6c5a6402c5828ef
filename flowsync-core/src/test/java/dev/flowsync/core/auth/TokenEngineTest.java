package dev.flowsync.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.UnauthorizedException;
import dev.flowsync.core.event.TokenRevoked;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.support.Harness;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TokenEngine")
class TokenEngineTest {
  private final Harness h = Harness.create();
  private final TokenEngine tokens = h.flowSync.tokens();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  @DisplayName("issue returns a random secret and claims valid for 24 h on every room by default")
  void issue() {
    IssuedToken t = tokens.issue("u42", "Ana", null, null);

    assertThat(t.token()).startsWith("fst_").hasSizeGreaterThanOrEqualTo(4 + 43);
    assertThat(t.claims())
        .isEqualTo(
            new AccessToken(
                Ids.sha256Hex(t.token()),
                "u42",
                "Ana",
                Set.of("*"),
                Harness.T0,
                Harness.T0.plus(Duration.ofHours(24))));
    assertThat(tokens.issue("u42", "Ana", null, null).token()).isNotEqualTo(t.token());
    assertThat(t.toString()).doesNotContain(t.token());
  }

  @Test
  @DisplayName("the store keeps the SHA-256 of the token, never the token itself")
  void storedByHash() {
    IssuedToken t = tokens.issue("u42", "Ana", List.of("standup"), null);

    assertThat(h.stores.tokens().find(Ids.sha256Hex(t.token()))).contains(t.claims());
    assertThat(h.stores.tokens().find(t.token())).isEmpty();
  }

  @Test
  @DisplayName("the name defaults to the user id; grants and lifetime are kept")
  void options() {
    IssuedToken t = tokens.issue("u42", null, List.of("a", "b"), Duration.ofMinutes(5));

    assertThat(t.claims().name()).isEqualTo("u42");
    assertThat(t.claims().rooms()).containsExactlyInAnyOrder("a", "b");
    assertThat(t.claims().grants("a")).isTrue();
    assertThat(t.claims().grants("c")).isFalse();
    assertThat(t.claims().expiresAt()).isEqualTo(Harness.T0.plus(Duration.ofMinutes(5)));
  }

  @Test
  @DisplayName("a blank user id, or a lifetime under 1 s or over 30 days, answers bad_request")
  void invalid() {
    assertThatThrownBy(() -> tokens.issue(" ", "Ana", null, null))
        .isInstanceOf(BadRequestException.class);
    assertThatThrownBy(() -> tokens.issue(null, "Ana", null, null))
        .isInstanceOf(BadRequestException.class);
    assertThatThrownBy(() -> tokens.issue("u", "Ana", null, Duration.ofMillis(999)))
        .isInstanceOf(BadRequestException.class);
    assertThatThrownBy(() -> tokens.issue("u", "Ana", null, Duration.ofDays(30).plusSeconds(1)))
        .isInstanceOf(BadRequestException.class);
  }

  @Test
  @DisplayName("verify returns the claims of a valid token")
  void verify() {
    IssuedToken t = tokens.issue("u42", "Ana", null, null);

    assertThat(tokens.verify(t.token())).isEqualTo(t.claims());
    assertThat(tokens.isValid(t.claims().tokenId())).isTrue();
  }

  @Test
  @DisplayName("an unknown, empty or missing token answers unauthorized")
  void unknown() {
    assertThatThrownBy(() -> tokens.verify("fst_forged")).isInstanceOf(UnauthorizedException.class);
    assertThatThrownBy(() -> tokens.verify("")).isInstanceOf(UnauthorizedException.class);
    assertThatThrownBy(() -> tokens.verify(null)).isInstanceOf(UnauthorizedException.class);
    assertThatThrownBy(() -> tokens.verify("x".repeat(513)))
        .isInstanceOf(UnauthorizedException.class);
  }

  @Test
  @DisplayName("a token is valid until the millisecond before expiresAt, unauthorized from then on")
  void expiry() {
    IssuedToken t = tokens.issue("u42", "Ana", null, Duration.ofHours(1));

    h.clock.advance(Duration.ofHours(1).minusMillis(1));
    assertThat(tokens.verify(t.token()).userId()).isEqualTo("u42");
    h.clock.advanceMillis(1);
    assertThatThrownBy(() -> tokens.verify(t.token()))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("expired");
    assertThat(tokens.isValid(t.claims().tokenId())).isFalse();
  }

  @Test
  @DisplayName("revoke makes the token unauthorized at once and announces TokenRevoked")
  void revoke() {
    IssuedToken t = tokens.issue("u42", "Ana", null, null);
    h.clock.advanceMillis(10);

    assertThat(tokens.revoke(t.token())).isTrue();

    assertThatThrownBy(() -> tokens.verify(t.token())).isInstanceOf(UnauthorizedException.class);
    assertThat(h.events(TokenRevoked.class))
        .containsExactly(new TokenRevoked(t.claims().tokenId(), "u42", Harness.T0.plusMillis(10)));
  }

  @Test
  @DisplayName("revoking an unknown or already revoked token returns false and announces nothing")
  void revokeUnknown() {
    IssuedToken t = tokens.issue("u42", "Ana", null, null);
    tokens.revoke(t.token());
    h.clearEvents();

    assertThat(tokens.revoke(t.token())).isFalse();
    assertThat(tokens.revoke("fst_never")).isFalse();
    assertThat(tokens.revoke(null)).isFalse();
    assertThat(h.events()).isEmpty();
  }

  @Test
  @DisplayName("purgeExpired deletes only expired tokens")
  void purge() {
    IssuedToken shortLived = tokens.issue("a", null, null, Duration.ofMinutes(1));
    IssuedToken longLived = tokens.issue("b", null, null, Duration.ofHours(1));
    h.clock.advance(Duration.ofMinutes(2));

    assertThat(tokens.purgeExpired()).isEqualTo(1);
    assertThat(h.stores.tokens().find(shortLived.claims().tokenId())).isEmpty();
    assertThat(tokens.verify(longLived.token()).userId()).isEqualTo("b");
  }

  @Test
  @DisplayName(
      "refresh accepts a valid token of the same user, refuses another user's or a bad one")
  void refresh() {
    IssuedToken next = tokens.issue("u42", "Ana", null, Duration.ofHours(48));
    IssuedToken other = tokens.issue("u7", "Bo", null, null);

    assertThat(tokens.refresh("u42", next.token())).isEqualTo(next.claims());
    assertThatThrownBy(() -> tokens.refresh("u42", other.token()))
        .isInstanceOf(dev.flowsync.core.FlowSyncException.ForbiddenException.class);
    assertThatThrownBy(() -> tokens.refresh("u42", "fst_forged"))
        .isInstanceOf(UnauthorizedException.class);
  }
}

package dev.flowsync.core.auth;

import static dev.flowsync.core.internal.StoreCalls.call;

import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.UnauthorizedException;
import dev.flowsync.core.event.TokenRevoked;
import dev.flowsync.core.internal.EngineContext;
import dev.flowsync.core.internal.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/**
 * Issues, verifies and revokes access tokens. Tokens are 256-bit random bearer secrets; the store
 * keeps only their SHA-256 (the token id), so a leaked database does not leak usable tokens, and
 * revocation is exact and immediate.
 */
public final class TokenEngine {
  private static final Duration MAX_TTL = Duration.ofDays(30);

  private final EngineContext ctx;

  /** Created by {@code FlowSync}; applications obtain the engine from {@code FlowSync.tokens()}. */
  public TokenEngine(EngineContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Issues a token: a random secret whose SHA-256 is stored with its claims.
   *
   * @param userId the user, 1 to 128 characters
   * @param name the default display name, or null for the user id
   * @param rooms room grants ({@code *} for all), or null for all
   * @param ttl lifetime (1 s to 30 days), or null for the configured default (24 h)
   * @return the secret token, to show once, and its claims
   * @throws BadRequestException a blank userId or a lifetime out of range
   */
  public IssuedToken issue(String userId, String name, Collection<String> rooms, Duration ttl) {
    if (userId == null || userId.isBlank() || userId.length() > 128) {
      throw new BadRequestException("userId must be 1 to 128 characters");
    }
    Duration life = ttl == null ? ctx.config().tokenTtl() : ttl;
    if (life.compareTo(Duration.ofSeconds(1)) < 0 || life.compareTo(MAX_TTL) > 0) {
      throw new BadRequestException("ttlSeconds must be 1 to " + MAX_TTL.toSeconds());
    }
    String secret = Ids.random("fst_", 32);
    Instant now = ctx.clock().instant();
    AccessToken claims =
        new AccessToken(
            Ids.sha256Hex(secret),
            userId,
            name == null || name.isBlank() ? userId : name,
            rooms == null ? Set.of("*") : Set.copyOf(rooms),
            now,
            now.plus(life));
    call(
        "Storing token",
        () -> {
          ctx.stores().tokens().save(claims);
          return null;
        });
    return new IssuedToken(secret, claims);
  }

  /**
   * The claims of a valid token.
   *
   * @param token the bearer token
   * @return the claims
   * @throws UnauthorizedException the token is missing, unknown, revoked or expired
   */
  public AccessToken verify(String token) {
    if (token == null || token.isEmpty() || token.length() > 512) {
      throw new UnauthorizedException("A valid access token is required");
    }
    AccessToken claims =
        call("Reading token", () -> ctx.stores().tokens().find(Ids.sha256Hex(token)))
            .orElseThrow(() -> new UnauthorizedException("Unknown or revoked access token"));
    if (claims.isExpiredAt(ctx.clock().instant())) {
      throw new UnauthorizedException("The access token expired at " + claims.expiresAt());
    }
    return claims;
  }

  /**
   * Verifies a token a connection presents to replace its current one ({@code refresh}).
   *
   * @param currentUserId the user the connection is authenticated as
   * @param newToken the new bearer token
   * @return the new token's claims
   * @throws UnauthorizedException the new token is missing, unknown, revoked or expired
   * @throws dev.flowsync.core.FlowSyncException.ForbiddenException the new token is for another
   *     user
   */
  public AccessToken refresh(String currentUserId, String newToken) {
    AccessToken claims = verify(newToken);
    if (!claims.userId().equals(currentUserId)) {
      throw new dev.flowsync.core.FlowSyncException.ForbiddenException(
          "A refresh token must be for user '"
              + currentUserId
              + "', not '"
              + claims.userId()
              + "'");
    }
    return claims;
  }

  /**
   * Whether the token is still stored and unexpired; the transport re-checks open connections.
   *
   * @param tokenId the token's id (its SHA-256)
   * @return true if valid now
   */
  public boolean isValid(String tokenId) {
    return call("Reading token", () -> ctx.stores().tokens().find(tokenId))
        .map(t -> !t.isExpiredAt(ctx.clock().instant()))
        .orElse(false);
  }

  /**
   * Revokes a token at once and announces {@code TokenRevoked}, on which the transport closes the
   * connections that used it (4401).
   *
   * @param token the bearer token
   * @return false if the token was unknown or already revoked (nothing announced)
   */
  public boolean revoke(String token) {
    if (token == null || token.isEmpty()) {
      return false;
    }
    String tokenId = Ids.sha256Hex(token);
    var claims = call("Reading token", () -> ctx.stores().tokens().find(tokenId));
    if (claims.isEmpty() || !call("Revoking token", () -> ctx.stores().tokens().delete(tokenId))) {
      return false;
    }
    ctx.events().publish(new TokenRevoked(tokenId, claims.get().userId(), ctx.clock().instant()));
    return true;
  }

  /**
   * Deletes expired tokens; FlowSync calls it hourly.
   *
   * @return how many were deleted
   */
  public int purgeExpired() {
    return call("Purging tokens", () -> ctx.stores().tokens().deleteExpired(ctx.clock().instant()));
  }
}

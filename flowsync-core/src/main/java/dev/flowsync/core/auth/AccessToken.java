package dev.flowsync.core.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A verified access token's claims.
 *
 * @param tokenId a stable, non-secret id of the token (its hash); safe to log
 * @param userId the user
 * @param name the user's default display name
 * @param rooms room grants: room ids, or {@code *} for every room
 * @param issuedAt when issued
 * @param expiresAt when it stops being valid
 */
public record AccessToken(
    String tokenId,
    String userId,
    String name,
    Set<String> rooms,
    Instant issuedAt,
    Instant expiresAt) {

  /**
   * Copies the grants.
   *
   * @throws NullPointerException if any field is null
   */
  public AccessToken {
    Objects.requireNonNull(tokenId, "tokenId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(name, "name");
    rooms = Set.copyOf(rooms);
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** Whether the token grants the room (needed to join a private room). */
  public boolean grants(String room) {
    return rooms.contains("*") || rooms.contains(room);
  }

  /** Whether the token has expired at {@code now}. */
  public boolean isExpiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }
}

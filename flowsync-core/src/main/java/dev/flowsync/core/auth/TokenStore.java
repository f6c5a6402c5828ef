package dev.flowsync.core.auth;

import java.time.Instant;
import java.util.Optional;

/**
 * Keeps issued access tokens, keyed by {@link AccessToken#tokenId()} (a hash of the secret token:
 * the token itself is never stored). Revoking is deleting.
 */
public interface TokenStore {

  /** Stores the token's claims. */
  void save(AccessToken token);

  /** The claims stored under this token id, if any (expired ones may still be returned). */
  Optional<AccessToken> find(String tokenId);

  /** Deletes the token; returns false if it was not stored. */
  boolean delete(String tokenId);

  /** Deletes tokens that expired at or before {@code now}; returns how many. */
  int deleteExpired(Instant now);
}

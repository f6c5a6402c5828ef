package dev.flowsync.core.auth;

import java.time.Instant;
import java.util.Optional;

/**
 * Keeps issued access tokens, keyed by {@link AccessToken#tokenId()} (the SHA-256 of the secret
 * token: the token itself is never stored). Revoking is deleting. No argument is ever null. The
 * contract kit ({@code TokenStoreContract} in {@code flowsync-store-tck}) is the executable form of
 * this specification.
 */
public interface TokenStore {

  /**
   * Stores the token's claims.
   *
   * @param token the claims, keyed by their token id
   */
  void save(AccessToken token);

  /**
   * The claims stored under this token id. Expired tokens may still be returned: the engine checks
   * expiry against its clock.
   *
   * @param tokenId the token id (a lower-case hex SHA-256)
   * @return the claims exactly as saved, or empty
   */
  Optional<AccessToken> find(String tokenId);

  /**
   * Deletes the token.
   *
   * @param tokenId the token id
   * @return true if it was stored
   */
  boolean delete(String tokenId);

  /**
   * Deletes tokens that expired at or before {@code now}.
   *
   * @param now the current time
   * @return how many were deleted
   */
  int deleteExpired(Instant now);
}

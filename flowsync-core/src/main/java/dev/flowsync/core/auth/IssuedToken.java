package dev.flowsync.core.auth;

/**
 * A freshly issued token. The secret {@code token} is shown to the caller once and never stored.
 *
 * @param token the bearer secret to hand to the client
 * @param claims what it grants
 */
public record IssuedToken(String token, AccessToken claims) {
  @Override
  public String toString() {
    return "IssuedToken[tokenId=" + claims.tokenId() + ", userId=" + claims.userId() + "]";
  }
}

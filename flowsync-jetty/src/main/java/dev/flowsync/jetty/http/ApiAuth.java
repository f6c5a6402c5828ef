package dev.flowsync.jetty.http;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.FlowSyncException.ForbiddenException;
import dev.flowsync.core.FlowSyncException.UnauthorizedException;
import dev.flowsync.core.auth.AccessToken;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Who is calling: the admin (the API key) or a user (an access token), both as {@code
 * Authorization: Bearer ...}. The key is compared in constant time over fixed-length digests, so
 * neither its content nor its length leaks through timing.
 */
final class ApiAuth {
  /** An authenticated caller. */
  sealed interface Caller permits Admin, User {}

  /** The holder of the admin API key. */
  record Admin() implements Caller {}

  /** A user with a verified access token. */
  record User(AccessToken token) implements Caller {}

  private final FlowSync flowSync;
  private final byte[] apiKeyDigest;

  ApiAuth(FlowSync flowSync, String apiKey) {
    this.flowSync = flowSync;
    this.apiKeyDigest = apiKey == null ? null : digest(apiKey);
  }

  /**
   * The caller.
   *
   * @throws UnauthorizedException no bearer, or one that is neither the key nor a valid token
   */
  Caller authenticate(HttpServletRequest req) {
    String bearer = bearer(req);
    if (bearer == null) {
      throw new UnauthorizedException(
          "Send 'Authorization: Bearer <api key or access token>' with this request");
    }
    if (isApiKey(bearer)) {
      return new Admin();
    }
    return new User(flowSync.tokens().verify(bearer));
  }

  /**
   * Requires the admin key.
   *
   * @throws UnauthorizedException no or an invalid credential
   * @throws ForbiddenException a valid user token, which is not enough here
   */
  void requireAdmin(HttpServletRequest req) {
    String bearer = bearer(req);
    if (bearer != null && isApiKey(bearer)) {
      return;
    }
    if (apiKeyDigest == null) {
      throw new UnauthorizedException(
          "The admin API is disabled: this server has no API key configured");
    }
    if (authenticate(req) instanceof User) {
      throw new ForbiddenException("This endpoint needs the admin API key, not a user token");
    }
  }

  private boolean isApiKey(String bearer) {
    return apiKeyDigest != null && MessageDigest.isEqual(apiKeyDigest, digest(bearer));
  }

  private static String bearer(HttpServletRequest req) {
    String header = req.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String value = header.substring(7).trim();
    return value.isEmpty() ? null : value;
  }

  private static byte[] digest(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }
}

package dev.flowsync.signaling;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ICE servers handed to clients in {@code welcome} and {@code GET /api/ice-servers}: STUN urls
 * as given, and TURN urls with short-lived credentials per the TURN REST API convention (coturn's
 * {@code use-auth-secret}): username {@code <expiry unix seconds>:<userId>}, credential {@code
 * base64(HMAC-SHA1(secret, username))}.
 */
public final class IceServers {
  private final List<String> stunUrls;
  private final List<String> turnUrls;
  private final byte[] turnSecret;
  private final Duration turnTtl;

  private IceServers(
      List<String> stunUrls, List<String> turnUrls, String turnSecret, Duration ttl) {
    this.stunUrls = List.copyOf(stunUrls);
    this.turnUrls = List.copyOf(turnUrls);
    this.turnSecret = turnSecret == null ? null : turnSecret.getBytes(StandardCharsets.UTF_8);
    this.turnTtl = ttl;
  }

  /** No ICE servers: browsers on one network still connect via host candidates. */
  public static IceServers none() {
    return new IceServers(List.of(), List.of(), null, Duration.ofDays(1));
  }

  /**
   * STUN and TURN servers.
   *
   * @param turnSecret the secret shared with the TURN server; required when turnUrls is not empty
   * @throws IllegalArgumentException when TURN urls are given without a secret
   */
  public static IceServers of(
      List<String> stunUrls, List<String> turnUrls, String turnSecret, Duration turnTtl) {
    if (!turnUrls.isEmpty() && (turnSecret == null || turnSecret.isEmpty())) {
      throw new IllegalArgumentException("TURN urls need a TURN secret (FLOWSYNC_TURN_SECRET)");
    }
    return new IceServers(stunUrls, turnUrls, turnSecret, turnTtl);
  }

  /**
   * The entries for one user at {@code now}, as maps ready for JSON: {@code {"urls":[…]}} and, for
   * TURN, {@code username} and {@code credential}.
   */
  public List<Map<String, Object>> forUser(String userId, Instant now) {
    List<Map<String, Object>> servers = new ArrayList<>();
    if (!stunUrls.isEmpty()) {
      servers.add(Map.of("urls", stunUrls));
    }
    if (!turnUrls.isEmpty()) {
      String username = now.plus(turnTtl).getEpochSecond() + ":" + userId;
      servers.add(
          Map.of("urls", turnUrls, "username", username, "credential", credential(username)));
    }
    return servers;
  }

  /** base64(HMAC-SHA1(secret, username)). */
  String credential(String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(turnSecret, "HmacSHA1"));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is required by every JVM", e);
    }
  }
}

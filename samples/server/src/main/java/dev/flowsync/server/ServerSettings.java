package dev.flowsync.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The standalone server's settings, read from environment variables (PROTOCOL.md §3). Every setting
 * is optional; a bad value fails start-up with a message naming the variable.
 */
record ServerSettings(
    int port,
    String host,
    String apiKey,
    Path dataDir,
    String databaseUrl,
    String databaseUser,
    String databasePassword,
    String redisUrl,
    String redisKeyPrefix,
    String nodeId,
    List<String> stunUrls,
    List<String> turnUrls,
    String turnSecret,
    Duration turnTtl,
    List<String> allowedOrigins,
    boolean autoCreateRooms,
    boolean guestTokens,
    int guestTokensPerMinute,
    Duration messageRetention,
    Duration sessionRetention,
    Duration resumeGrace,
    Duration heartbeat,
    int maxFrameBytes,
    String webhookUrl,
    String webhookSecret,
    String rateLimit,
    boolean behindProxy,
    Path tlsKeyStore,
    String tlsKeyStorePassword,
    int acceptQueueSize) {

  static ServerSettings fromEnv(Map<String, String> env) {
    Env e = new Env(env);
    return new ServerSettings(
        e.integer("FLOWSYNC_PORT", 8080, 0, 65535),
        e.string("FLOWSYNC_HOST", "0.0.0.0"),
        e.string("FLOWSYNC_API_KEY", null),
        Path.of(e.string("FLOWSYNC_DATA_DIR", "./flowsync-data")),
        e.string("FLOWSYNC_DATABASE_URL", null),
        e.string("FLOWSYNC_DATABASE_USER", null),
        e.string("FLOWSYNC_DATABASE_PASSWORD", null),
        e.string("FLOWSYNC_REDIS_URL", null),
        e.string("FLOWSYNC_REDIS_KEY_PREFIX", "flowsync:"),
        e.string("FLOWSYNC_NODE_ID", null),
        e.list("FLOWSYNC_STUN_URLS"),
        e.list("FLOWSYNC_TURN_URLS"),
        e.string("FLOWSYNC_TURN_SECRET", null),
        Duration.ofSeconds(e.integer("FLOWSYNC_TURN_TTL_SECONDS", 86400, 60, 30 * 86400)),
        e.list("FLOWSYNC_ALLOWED_ORIGINS"),
        e.bool("FLOWSYNC_AUTO_CREATE_ROOMS", true),
        e.bool("FLOWSYNC_GUEST_TOKENS", false),
        e.integer("FLOWSYNC_GUEST_TOKENS_PER_MINUTE", 30, 1, 1_000_000),
        days(e.integer("FLOWSYNC_MESSAGE_RETENTION_DAYS", 0, 0, 36_500)),
        days(e.integer("FLOWSYNC_SESSION_RETENTION_DAYS", 0, 0, 36_500)),
        Duration.ofMillis(e.integer("FLOWSYNC_RESUME_GRACE_MS", 20000, 0, 3_600_000)),
        Duration.ofMillis(e.integer("FLOWSYNC_HEARTBEAT_MS", 25000, 1000, 3_600_000)),
        e.integer("FLOWSYNC_MAX_FRAME_BYTES", 65536, 1024, 16 * 1024 * 1024),
        e.string("FLOWSYNC_WEBHOOK_URL", null),
        e.string("FLOWSYNC_WEBHOOK_SECRET", null),
        e.string("FLOWSYNC_RATE_LIMIT", "50/s,burst=100"),
        e.bool("FLOWSYNC_BEHIND_PROXY", false),
        e.string("FLOWSYNC_TLS_KEYSTORE", null) == null
            ? null
            : Path.of(e.string("FLOWSYNC_TLS_KEYSTORE", null)),
        e.string("FLOWSYNC_TLS_KEYSTORE_PASSWORD", null),
        e.integer("FLOWSYNC_ACCEPT_QUEUE", 1024, 1, 65535));
  }

  /** 0 days means "keep forever" (null for the SQL store's retention). */
  private static Duration days(int days) {
    return days == 0 ? null : Duration.ofDays(days);
  }

  private record Env(Map<String, String> env) {
    String string(String name, String fallback) {
      String v = env.get(name);
      return v == null || v.isBlank() ? fallback : v.trim();
    }

    int integer(String name, int fallback, int min, int max) {
      String v = string(name, null);
      if (v == null) {
        return fallback;
      }
      try {
        int n = Integer.parseInt(v);
        if (n < min || n > max) {
          throw new IllegalArgumentException(
              name + " must be between " + min + " and " + max + ", was " + v);
        }
        return n;
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(name + " must be a whole number, was '" + v + "'");
      }
    }

    boolean bool(String name, boolean fallback) {
      String v = string(name, null);
      if (v == null) {
        return fallback;
      }
      return switch (v.toLowerCase()) {
        case "true", "1", "yes" -> true;
        case "false", "0", "no" -> false;
        default ->
            throw new IllegalArgumentException(name + " must be true or false, was '" + v + "'");
      };
    }

    List<String> list(String name) {
      String v = string(name, null);
      return v == null
          ? List.of()
          : Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
  }
}

package dev.flowsync.server;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.jetty.FlowSyncServer;
import dev.flowsync.jetty.metrics.StoreMetrics;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.IceServers;
import dev.flowsync.signaling.RateLimit;
import dev.flowsync.store.redis.RedisClusterBus;
import dev.flowsync.store.redis.RedisStores;
import dev.flowsync.store.sql.SqlSchema;
import dev.flowsync.store.sql.SqlStores;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone server wired from its settings: chooses the stores (embedded default or
 * PostgreSQL/Redis), builds FlowSync, the gateway and the Jetty server. {@link Main} runs it; tests
 * start it in-process with their own environment.
 */
final class StandaloneServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StandaloneServer.class);

  /**
   * At most one H2 file write per 50 ms, which every chat commit before it waits for: H2 keeps each
   * write's chunk for 45 s, so fewer, larger writes keep the file small (docs/stores.md, H2).
   */
  private static final java.time.Duration H2_WRITE_THROUGH = java.time.Duration.ofMillis(50);

  /** The classpath directory the browser demo (samples/web/public) is packaged into. */
  static final String WEB_RESOURCES = "flowsync-web";

  final ServerSettings settings;
  final String apiKey;
  final boolean apiKeyGenerated;
  final FlowSync flowSync;
  final Gateway gateway;
  final FlowSyncServer server;

  /** Everything opened here, closed in reverse order. */
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();

  /** Health checks of store bundles, by store role. */
  private final Map<String, StoreHealth> healthByRole = new LinkedHashMap<>();

  private StandaloneServer(ServerSettings settings) {
    this.settings = settings;
    this.apiKeyGenerated = settings.apiKey() == null;
    this.apiKey = apiKeyGenerated ? Ids.random("fsk_", 24) : settings.apiKey();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      Stores stores = openStores();
      FlowSync.Builder fs =
          FlowSync.builder()
              .stores(StoreMetrics.instrument(stores, registry))
              .autoCreateRooms(settings.autoCreateRooms())
              .resumeGrace(settings.resumeGrace());
      if (settings.nodeId() != null) {
        fs.nodeId(settings.nodeId());
      }
      this.flowSync = fs.build();
      opened.push(flowSync);
      this.gateway =
          Gateway.builder(flowSync)
              .heartbeat(settings.heartbeat())
              .rateLimit(rateLimit(settings.rateLimit()))
              .iceServers(
                  IceServers.of(
                      settings.stunUrls(),
                      settings.turnUrls(),
                      settings.turnSecret(),
                      settings.turnTtl()))
              .build();
      opened.push(gateway);
      FlowSyncServer.Builder server =
          FlowSyncServer.builder(flowSync)
              .host(settings.host())
              .port(settings.port())
              .acceptQueueSize(settings.acceptQueueSize())
              .gateway(gateway)
              .apiKey(apiKey)
              .guestTokens(settings.guestTokens())
              .guestTokensPerMinute(settings.guestTokensPerMinute())
              .behindProxy(settings.behindProxy())
              .maxFrameBytes(settings.maxFrameBytes())
              .allowedOrigins(new HashSet<>(settings.allowedOrigins()))
              .meterRegistry(registry)
              .staticResources(WEB_RESOURCES);
      healthByRole.forEach((role, check) -> server.storeHealth(check, role));
      if (settings.webhookUrl() != null || settings.webhookSecret() != null) {
        server.webhook(
            settings.webhookUrl() == null ? null : URI.create(settings.webhookUrl()),
            settings.webhookSecret());
      }
      if (settings.tlsKeyStore() != null) {
        if (settings.tlsKeyStorePassword() == null) {
          throw new IllegalArgumentException(
              "FLOWSYNC_TLS_KEYSTORE needs FLOWSYNC_TLS_KEYSTORE_PASSWORD as well");
        }
        server.tls(settings.tlsKeyStore(), settings.tlsKeyStorePassword());
      }
      this.server = server.build();
    } catch (RuntimeException e) {
      closeOpened();
      throw e;
    }
  }

  /**
   * The stores: in memory, then the SQL database for rooms, messages, sessions and tokens, then
   * Redis (when set) for presence, timers, tokens and the cluster bus.
   */
  private Stores openStores() {
    Stores stores = InMemoryStores.create();
    SqlStores sql =
        SqlStores.builder(openDatabase())
            .retention(settings.messageRetention(), settings.sessionRetention())
            // Embedded H2 only (ignored on PostgreSQL): a chat.ack promises the message is stored,
            // so it must be in the file before the ack, even if the process is killed right after.
            .h2WriteThrough(H2_WRITE_THROUGH)
            .build();
    opened.push(sql);
    if (settings.messageRetention() != null || settings.sessionRetention() != null) {
      schedulePurge(sql);
    }
    stores = sql.applyTo(stores);
    for (String role : new String[] {"rooms", "messages", "sessions", "tokens"}) {
      healthByRole.put(role, sql);
    }
    if (settings.redisUrl() != null) {
      RedisStores redis;
      try {
        redis =
            RedisStores.builder(URI.create(settings.redisUrl()))
                .keyPrefix(settings.redisKeyPrefix())
                .build();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("FLOWSYNC_REDIS_URL: " + e.getMessage(), e);
      }
      opened.push(redis);
      if (!redis.isHealthy()) {
        throw new IllegalStateException(
            "Redis at FLOWSYNC_REDIS_URL does not answer: start it, or unset FLOWSYNC_REDIS_URL"
                + " to run a single node without it");
      }
      // Tokens stay in SQL: a Redis that restarts empty must not log every client out.
      stores = redis.applyTo(stores).withTokens(sql.tokens());
      healthByRole.put("presence", redis);
      healthByRole.put("timers", redis);
      healthByRole.put("clusterBus", new BusHealth(redis.clusterBus()));
      log.info("Presence, timers and the cluster bus on Redis; tokens stay in SQL");
    }
    return stores;
  }

  /** Applies the retention settings hourly (and once at start); several nodes may all do it. */
  private void schedulePurge(SqlStores sql) {
    ScheduledExecutorService purger =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "flowsync-retention");
              t.setDaemon(true);
              return t;
            });
    opened.push(purger::shutdownNow);
    purger.scheduleAtFixedRate(
        () -> {
          try {
            log.info("Retention purge: {}", sql.purge(Instant.now()));
          } catch (RuntimeException e) {
            log.warn("Retention purge failed; it runs again in an hour", e);
          }
        },
        0,
        1,
        TimeUnit.HOURS);
  }

  private static RateLimit rateLimit(String text) {
    try {
      return RateLimit.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("FLOWSYNC_RATE_LIMIT: " + e.getMessage(), e);
    }
  }

  /**
   * The database for rooms, messages, sessions and tokens: PostgreSQL when FLOWSYNC_DATABASE_URL is
   * set, else an H2 file under FLOWSYNC_DATA_DIR. Its schema is migrated here, explicitly.
   */
  private DataSource openDatabase() {
    HikariConfig config = new HikariConfig();
    config.setPoolName("flowsync-db");
    config.setMaximumPoolSize(10);
    // Short: a database that is down must fail calls fast (unavailable), not pile them up.
    config.setConnectionTimeout(1_500);
    String where;
    if (settings.databaseUrl() != null) {
      if (!settings.databaseUrl().startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "FLOWSYNC_DATABASE_URL must be a PostgreSQL JDBC url like"
                + " jdbc:postgresql://host:5432/db, was '"
                + settings.databaseUrl().replaceAll("password=[^&]*", "password=***")
                + "'");
      }
      config.setJdbcUrl(settings.databaseUrl());
      if (settings.databaseUser() != null) {
        config.setUsername(settings.databaseUser());
      }
      if (settings.databasePassword() != null) {
        config.setPassword(settings.databasePassword());
      }
      where = "PostgreSQL (FLOWSYNC_DATABASE_URL)";
    } else {
      Path dir = settings.dataDir().toAbsolutePath();
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new IllegalStateException(
            "Cannot create the data directory " + dir + " (FLOWSYNC_DATA_DIR): " + e.getMessage(),
            e);
      }
      // DB_CLOSE_ON_EXIT=FALSE: our shutdown hook still writes (members leaving) after H2's own
      // hook would have closed the database; the pool closes it at the end instead.
      // No WRITE_DELAY=0: it stops H2's background writer, the only thing that frees and compacts
      // old chunks, so the file grew ~16 KB per message for good (docs/stores.md). A chat.ack
      // still follows the message into the file: see h2WriteThrough in openStores.
      config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("flowsync") + ";DB_CLOSE_ON_EXIT=FALSE");
      config.setUsername("sa");
      config.setPassword("");
      where = "the embedded database in " + dir;
    }
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(config);
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      String hint =
          String.valueOf(root.getMessage()).contains("already in use")
              ? ": another FlowSync process uses it; stop it or choose another FLOWSYNC_DATA_DIR"
              : ": " + root.getMessage();
      throw new IllegalStateException("Cannot open " + where + hint, e);
    }
    opened.push(dataSource);
    int applied = SqlSchema.migrate(dataSource);
    log.info("Rooms, chat, sessions and tokens in {} ({} migrations applied)", where, applied);
    return dataSource;
  }

  /** The cluster bus's own view of its Redis subscription. */
  private record BusHealth(RedisClusterBus bus) implements StoreHealth {
    @Override
    public String healthName() {
      return "redis-bus";
    }

    @Override
    public boolean isHealthy() {
      return bus.isHealthy();
    }
  }

  /**
   * Builds and starts a server from environment variables.
   *
   * @throws IllegalArgumentException a variable has an invalid value (the message names it)
   * @throws IllegalStateException the server could not start (e.g. the port is in use)
   */
  static StandaloneServer start(Map<String, String> env) {
    StandaloneServer s = new StandaloneServer(ServerSettings.fromEnv(env));
    try {
      s.server.start();
    } catch (RuntimeException e) {
      s.closeOpened();
      throw e;
    }
    return s;
  }

  /**
   * Graceful stop: bye + 1001 to every client, webhooks flushed, then the gateway, FlowSync and the
   * stores released.
   */
  @Override
  public void close() {
    try {
      server.stop();
    } finally {
      closeOpened();
    }
  }

  private void closeOpened() {
    while (!opened.isEmpty()) {
      AutoCloseable c = opened.pop();
      try {
        c.close();
      } catch (Exception e) {
        log.warn("Closing {} failed", c.getClass().getSimpleName(), e);
      }
    }
  }
}

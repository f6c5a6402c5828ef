package dev.flowsync.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.jetty.FlowSyncServer;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.RateLimit;
import dev.flowsync.store.redis.RedisStores;
import dev.flowsync.store.sql.SqlSchema;
import dev.flowsync.store.sql.SqlStores;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;

/**
 * The FlowSync server under test, in its own JVM so that its CPU, RSS and heap are its own: an
 * in-memory {@link FlowSync} behind {@link FlowSyncServer}. Until the HTTP API can issue tokens it
 * issues them itself and writes them to a file for the generator, one per line.
 *
 * <pre>
 * java -Xmx1g -cp flowsync-bench.jar dev.flowsync.bench.BenchServer \
 *   --port 0 --tokens 20000 --tokens-file tokens.txt --rooms 2000 --ready-file server.ready
 * </pre>
 *
 * {@code --redis redis://host:6379 --node-id n1} puts presence, tokens and the cluster bus in Redis
 * so that several bench servers form a cluster ({@code --tokens 0} on all but one). {@code --store
 * h2|postgres} keeps rooms, chat and sessions in SQL (a fresh H2 file or PostgreSQL schema per run;
 * {@code --h2-options ";KEY=VALUE..."} is appended to the H2 url; {@code --h2-write-through-ms 50}
 * writes each chat commit to the file before its ack, as the standalone server does). {@code
 * --accept-queue n} sets the listen backlog (default: as shipped, {@code
 * FlowSyncServer.Builder.DEFAULT_ACCEPT_QUEUE_SIZE}). {@code --resume-grace-ms} sets the resume
 * grace period. {@code --rooms n} creates rooms {@code r0..r(n-1)} up front (for the join storm).
 * The ready file gets {@code port=<port>} and {@code pid=<pid>} once the server listens.
 */
public final class BenchServer {
  private BenchServer() {}

  private static DataSource sqlDataSource(String store, Args args) throws SQLException {
    String stamp = Long.toString(System.currentTimeMillis(), 36);
    HikariConfig config = new HikariConfig();
    config.setMaximumPoolSize(args.integer("pool", 8));
    if (store.equals("h2")) {
      Path dir =
          Path.of(args.str("h2-dir", System.getProperty("java.io.tmpdir")), "fsbench-" + stamp);
      config.setJdbcUrl(
          "jdbc:h2:file:"
              + dir.resolve("flowsync")
              + ";DB_CLOSE_ON_EXIT=FALSE"
              + args.str("h2-options", ""));
    } else if (store.equals("postgres")) {
      // A fresh schema per run, so runs never see each other's rows.
      String url = args.str("jdbc-url", "jdbc:postgresql://127.0.0.1:5432/test");
      String user = args.str("db-user", "postgres");
      String schema = "fsbench_" + stamp;
      try (Connection c = DriverManager.getConnection(url, user, args.str("db-password", ""))) {
        c.createStatement().execute("CREATE SCHEMA " + schema);
      }
      config.setJdbcUrl(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
      config.setUsername(user);
      config.setPassword(args.str("db-password", ""));
    } else {
      throw new IllegalArgumentException("--store must be memory, h2 or postgres, was " + store);
    }
    HikariDataSource ds = new HikariDataSource(config);
    SqlSchema.migrate(ds);
    System.out.println("SQL store: " + config.getJdbcUrl());
    return ds;
  }

  /** Starts the server and runs until killed. */
  public static void main(String[] argv) throws IOException, InterruptedException, SQLException {
    Args args = new Args(argv);
    int tokens = args.integer("tokens", 1000);
    // --redis: presence, tokens and the cluster bus in Redis, so several bench servers form one
    // cluster (scenario 5); rooms stay in memory on each node.
    Stores stores = InMemoryStores.create();
    RedisStores redis = null;
    String redisUrl = args.str("redis", null);
    if (redisUrl != null) {
      redis =
          RedisStores.builder(URI.create(redisUrl))
              .keyPrefix(args.str("key-prefix", "flowsync-bench:"))
              .build();
      stores = redis.applyTo(stores);
    }
    // --store h2|postgres: rooms, chat messages and sessions in SQL (scenario 4); tokens stay in
    // memory so that issuing 20,000 of them does not dominate the start.
    SqlStores sql = null;
    String store = args.str("store", "memory");
    if (!store.equals("memory")) {
      SqlStores.Builder sqlBuilder = SqlStores.builder(sqlDataSource(store, args));
      int writeThroughMs = args.integer("h2-write-through-ms", -1);
      if (writeThroughMs >= 0) {
        // As the standalone server runs H2 (50 ms): each ack waits for its CHECKPOINT.
        sqlBuilder.h2WriteThrough(Duration.ofMillis(writeThroughMs));
      }
      sql = sqlBuilder.build();
      stores =
          stores.withRooms(sql.rooms()).withMessages(sql.messages()).withSessions(sql.sessions());
    }
    FlowSync.Builder builder =
        FlowSync.builder()
            .stores(stores)
            // --resume-grace-ms: dropped warm-up clients would otherwise keep presence for 20 s.
            .resumeGrace(Duration.ofMillis(args.integer("resume-grace-ms", 20_000)));
    String nodeId = args.str("node-id", null);
    if (nodeId != null) {
      builder.nodeId(nodeId);
    }
    FlowSync flowSync = builder.build();
    if (tokens > 0) {
      List<String> lines = new ArrayList<>(tokens);
      for (int i = 0; i < tokens; i++) {
        lines.add(
            flowSync.tokens().issue("u" + i, "User " + i, null, Duration.ofHours(12)).token());
      }
      Files.write(Path.of(args.str("tokens-file", "tokens.txt")), lines);
    }
    int rooms = args.integer("rooms", 0);
    for (int i = 0; i < rooms; i++) {
      flowSync.rooms().findOrAutoCreate("r" + i, "bench");
    }
    // The shipped per-connection limit (50/s) is below the sweep's upper rates (up to 90 msgs/s
    // per client); a bucket that never runs dry costs the same CPU as the default one.
    Gateway gateway =
        Gateway.builder(flowSync)
            .rateLimit(RateLimit.parse(args.str("rate-limit", "1000/s,burst=2000")))
            .workerThreads(
                args.integer(
                    "worker-threads", Math.max(4, 2 * Runtime.getRuntime().availableProcessors())))
            .build();
    FlowSyncServer server =
        FlowSyncServer.builder(flowSync)
            .gateway(gateway)
            .host(args.str("host", "127.0.0.1"))
            .port(args.integer("port", 0))
            .acceptQueueSize(
                args.integer("accept-queue", FlowSyncServer.Builder.DEFAULT_ACCEPT_QUEUE_SIZE))
            .build();
    server.start();
    Ready.write(args.str("ready-file", "server.ready"), server.port());
    System.out.println("FlowSync bench server listening on " + server.webSocketUri());
    RedisStores redisToClose = redis;
    SqlStores sqlToClose = sql;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  flowSync.close();
                  if (redisToClose != null) {
                    redisToClose.close();
                  }
                  if (sqlToClose != null) {
                    sqlToClose.close();
                  }
                }));
    new CountDownLatch(1).await();
  }
}

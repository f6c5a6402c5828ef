package dev.flowsync.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.jetty.FlowSyncServer;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.RateLimit;
import dev.flowsync.store.redis.RedisClusterBus;
import dev.flowsync.store.redis.RedisStores;
import dev.flowsync.store.sql.SqlSchema;
import dev.flowsync.store.sql.SqlStores;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;

/**
 * One FlowSync node, started in this JVM the way an operator's node runs: presence, timers and the
 * cluster bus in Redis ({@link RedisStores}); rooms, chat, sessions and tokens in PostgreSQL
 * ({@link SqlStores} over a HikariCP pool, schema migrated explicitly with {@link
 * SqlSchema#migrate}); a {@link Gateway} and a {@link FlowSyncServer} on a free port. The timings
 * are shortened so that tests about heartbeats, resume and node death run in seconds.
 */
final class ClusterNode implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Where the shared services are and how fast this node's clocks tick. */
  record Settings(
      String redisHost,
      int redisPort,
      String keyPrefix,
      String jdbcUrl,
      String dbUser,
      String dbPassword,
      Duration heartbeat,
      Duration resumeGrace,
      Duration nodeLeaseTtl) {

    /** The same services with other timings. */
    Settings withTimings(Duration heartbeat, Duration resumeGrace, Duration nodeLeaseTtl) {
      return new Settings(
          redisHost,
          redisPort,
          keyPrefix,
          jdbcUrl,
          dbUser,
          dbPassword,
          heartbeat,
          resumeGrace,
          nodeLeaseTtl);
    }

    /** Test timings: ping every second, 1 s resume grace, 2 s node lease (the minimum). */
    static Settings fast(
        String redisHost,
        int redisPort,
        String keyPrefix,
        String jdbcUrl,
        String dbUser,
        String dbPassword) {
      return new Settings(
          redisHost,
          redisPort,
          keyPrefix,
          jdbcUrl,
          dbUser,
          dbPassword,
          Duration.ofSeconds(1),
          Duration.ofSeconds(1),
          Duration.ofSeconds(2));
    }
  }

  final String nodeId;
  final Settings settings;
  final HikariDataSource pool;
  final SqlStores sql;
  final RedisStores redis;
  final FlowSync flowSync;
  final Gateway gateway;
  final FlowSyncServer server;
  private volatile boolean stopped;

  private ClusterNode(String nodeId, Settings s) {
    this.nodeId = nodeId;
    this.settings = s;
    this.pool = pool(s);
    SqlSchema.migrate(pool);
    this.sql = SqlStores.builder(pool).build();
    this.redis = RedisStores.builder(s.redisHost(), s.redisPort()).keyPrefix(s.keyPrefix()).build();
    Stores stores =
        redis
            .applyTo(
                InMemoryStores.create()
                    .withRooms(sql.rooms())
                    .withMessages(sql.messages())
                    .withSessions(sql.sessions()))
            // As the standalone server does: tokens survive a Redis that restarts empty.
            .withTokens(sql.tokens());
    this.flowSync =
        FlowSync.builder()
            .stores(stores)
            .nodeId(nodeId)
            .resumeGrace(s.resumeGrace())
            .nodeLeaseTtl(s.nodeLeaseTtl())
            .build();
    // Load generators send far faster than a browser; the default 50/s would throttle them.
    this.gateway =
        Gateway.builder(flowSync).heartbeat(s.heartbeat()).rateLimit(RateLimit.UNLIMITED).build();
    // As the standalone server does: /health asks each backend once for the roles it serves.
    this.server =
        FlowSyncServer.builder(flowSync)
            .host("127.0.0.1")
            .port(0)
            .gateway(gateway)
            .storeHealth(sql, "rooms", "messages", "sessions", "tokens")
            .storeHealth(redis, "presence", "timers")
            .storeHealth(new BusHealth(redis.clusterBus()), "clusterBus")
            .build();
  }

  /** The bus is healthy while subscribed, answering pings, and its rooms are declared. */
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

  /** Starts a node with its own id; call {@link #stop()} or {@link #stopAbruptly()} when done. */
  static ClusterNode start(String nodeId, Settings settings) {
    ClusterNode node = new ClusterNode(nodeId, settings);
    node.server.start();
    return node;
  }

  private static HikariDataSource pool(Settings s) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(s.jdbcUrl());
    c.setUsername(s.dbUser());
    c.setPassword(s.dbPassword());
    c.setMaximumPoolSize(4);
    c.setConnectionTimeout(2_000);
    c.setValidationTimeout(1_000);
    c.setInitializationFailTimeout(-1);
    return new HikariDataSource(c);
  }

  URI webSocketUri() {
    return server.webSocketUri();
  }

  /** A token for a user, issued by this node (tokens live in SQL: every node accepts it). */
  String token(String userId) {
    return flowSync.tokens().issue(userId, userId, null, null).token();
  }

  /** {@code GET /health} of this node: status code and body. */
  HttpResponse<String> health() throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(server.httpUri().resolve("/health"))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Simulates {@code kill -9} of the node's process inside this JVM. A killed process runs no more
   * code: it renews no lease, sends no {@code bye}, leaves no room, closes no WebSocket with a
   * close frame, and its connections to Redis and PostgreSQL just go away. In that order:
   *
   * <ol>
   *   <li>{@link FlowSync#close()}: the 1 s task that renews the node's lease (and reaps other dead
   *       nodes) stops, and so do this node's timer wake-ups;
   *   <li>the Redis command pool is closed, then the cluster bus: its subscriber connection drops,
   *       so the node's channel has no subscriber any more, and its attempt to withdraw its room
   *       interest fails because the pool is already closed (a killed node never withdraws it);
   *   <li>the PostgreSQL pool is closed, so nothing more is written there either;
   *   <li>the gateway's own threads are stopped ({@link Gateway#close()}, not {@code shutdown}: no
   *       {@code bye}, no leave);
   *   <li>every TCP connection of the Jetty connector is closed at the socket ({@link
   *       EndPoint#close()}): clients see the connection drop without a WebSocket close frame
   *       (1006), as when the kernel resets a dead process's sockets. Jetty's close callbacks that
   *       follow try to release the members, which fails: the stores are closed. Then Jetty stops.
   * </ol>
   *
   * What the rest of the cluster sees is what it sees after a real kill: Redis still holds the
   * node's members and lease until a surviving node finds the lease expired.
   */
  void stopAbruptly() {
    if (stopped) {
      return;
    }
    stopped = true;
    flowSync.close();
    redis.redis().close();
    redis.clusterBus().close();
    sql.close();
    pool.close();
    gateway.close();
    for (Connector c : server.jettyServer().getConnectors()) {
      if (c instanceof AbstractConnector ac) {
        List.copyOf(ac.getConnectedEndPoints()).forEach(EndPoint::close);
      }
    }
    try {
      server.jettyServer().stop();
    } catch (Exception e) {
      // the node is "dead" either way
    }
  }

  /** Stops gracefully: clients get {@code bye} and close 1001, members leave with reason closed. */
  void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      server.stop();
    } finally {
      flowSync.close();
      redis.close();
      sql.close();
      pool.close();
    }
  }

  @Override
  public void close() {
    stop();
  }
}

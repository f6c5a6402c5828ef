package dev.flowsync.cluster;

import dev.flowsync.signaling.client.FlowSyncClient;
import dev.flowsync.testing.TestServices;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import redis.clients.jedis.JedisPooled;

/**
 * Three (or more) {@link ClusterNode}s over one Redis and one PostgreSQL, isolated from every other
 * test by a fresh Redis key prefix and a fresh PostgreSQL schema, plus the clients a test opened.
 */
final class Cluster implements AutoCloseable {
  final List<ClusterNode> nodes = new ArrayList<>();
  private final List<FlowSyncClient> clients = new CopyOnWriteArrayList<>();
  private final TestServices.Schema schema;
  final ClusterNode.Settings settings;

  private Cluster(String redisHost, int redisPort, UnaryOperator<ClusterNode.Settings> tune) {
    this.schema = TestServices.postgres().newSchema();
    this.settings =
        tune.apply(
            ClusterNode.Settings.fast(
                redisHost,
                redisPort,
                TestServices.redis().newKeyPrefix(),
                schema.jdbcUrl(),
                schema.user(),
                schema.password()));
  }

  /** Nodes {@code node-1..node-n} on the shared Redis of {@link TestServices}. */
  static Cluster start(int n) {
    TestServices.Redis redis = TestServices.redis();
    return start(n, redis.host(), redis.port(), s -> s);
  }

  /** Nodes {@code node-1..node-n} on the given Redis, with adjusted settings. */
  static Cluster start(
      int n, String redisHost, int redisPort, UnaryOperator<ClusterNode.Settings> tune) {
    long t0 = System.nanoTime();
    Cluster c = new Cluster(redisHost, redisPort, tune);
    try {
      for (int i = 1; i <= n; i++) {
        c.nodes.add(ClusterNode.start("node-" + i, c.settings));
      }
      System.out.printf(
          "Cluster: %d nodes started in %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Node {@code i}, counting from 1 as in its id. */
  ClusterNode node(int i) {
    return nodes.get(i - 1);
  }

  /** A connected client of {@code userId} on node {@code i}; closed with the cluster. */
  FlowSyncClient client(int i, String userId) {
    ClusterNode node = node(i);
    FlowSyncClient c =
        FlowSyncClient.builder(node.webSocketUri(), node.token(userId))
            // Generous: a reply is a correctness check here, not a latency target, and CI shares
            // two cores with everything else (180 concurrent acks took over 10 s at load 30).
            .requestTimeout(Duration.ofSeconds(30))
            .connect();
    clients.add(c);
    return c;
  }

  @Override
  public void close() {
    long t0 = System.nanoTime();
    for (FlowSyncClient c : clients) {
      c.abort();
    }
    for (ClusterNode n : nodes) {
      try {
        n.stop();
      } catch (RuntimeException e) {
        // keep stopping the others
      }
    }
    try (JedisPooled redis = new JedisPooled(settings.redisHost(), settings.redisPort())) {
      for (String key : redis.keys(settings.keyPrefix() + "*")) {
        redis.del(key);
      }
    } catch (RuntimeException e) {
      // the Redis of an outage test may be gone already
    }
    TestServices.Postgres pg = TestServices.postgres();
    try (Connection conn = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
        Statement s = conn.createStatement()) {
      s.execute("DROP SCHEMA " + schema.schema() + " CASCADE");
    } catch (Exception e) {
      // a leftover schema costs nothing but disk
    }
    System.out.printf("Cluster: closed in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
  }
}

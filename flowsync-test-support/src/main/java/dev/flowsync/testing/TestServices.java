package dev.flowsync.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the PostgreSQL and Redis that integration tests run against, in this order:
 *
 * <ol>
 *   <li>explicit environment: {@code FLOWSYNC_TEST_JDBC_URL} (with {@code FLOWSYNC_TEST_JDBC_USER},
 *       {@code FLOWSYNC_TEST_JDBC_PASSWORD}) and {@code FLOWSYNC_TEST_REDIS_URL};
 *   <li>a service reachable on the usual local port (127.0.0.1:5432 database {@code test}, user
 *       {@code postgres}; 127.0.0.1:6379);
 *   <li>Testcontainers, when it is on the classpath and a Docker engine answers;
 *   <li>otherwise the test is skipped with a message saying how to provide the service, except with
 *       {@code CI=true}, where a missing service fails the test.
 * </ol>
 *
 * Each test isolates itself with {@link Postgres#newSchema()} and {@link Redis#newKeyPrefix()}.
 */
public final class TestServices {
  private static final Logger log = LoggerFactory.getLogger(TestServices.class);

  private static Postgres postgres;
  private static Redis redis;

  private TestServices() {}

  /** A reachable PostgreSQL, or the calling test is skipped (failed under {@code CI=true}). */
  public static synchronized Postgres postgres() {
    if (postgres == null) {
      postgres = findPostgres();
    }
    return postgres;
  }

  /** A reachable Redis, or the calling test is skipped (failed under {@code CI=true}). */
  public static synchronized Redis redis() {
    if (redis == null) {
      redis = findRedis();
    }
    return redis;
  }

  /**
   * Where a PostgreSQL server is.
   *
   * @param jdbcUrl a url of a database the user may create schemas in
   */
  public record Postgres(String jdbcUrl, String user, String password, String source) {
    /** Creates a fresh, empty schema for one test and returns how to reach it. */
    public Schema newSchema() {
      String schema = "fs_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
          Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA " + schema);
      } catch (SQLException e) {
        throw new IllegalStateException("Could not create test schema in " + jdbcUrl, e);
      }
      String sep = jdbcUrl.contains("?") ? "&" : "?";
      return new Schema(jdbcUrl + sep + "currentSchema=" + schema, user, password, schema);
    }
  }

  /**
   * An isolated PostgreSQL schema.
   *
   * @param jdbcUrl a url whose default schema is {@code schema}
   */
  public record Schema(String jdbcUrl, String user, String password, String schema) {}

  /**
   * Where a Redis server is.
   *
   * @param url {@code redis://host:port}
   */
  public record Redis(String host, int port, String url, String source) {
    /** A key prefix no other test uses, e.g. {@code fs-test-1a2b3c:}. */
    public String newKeyPrefix() {
      return "fs-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }
  }

  private static Postgres findPostgres() {
    String url = System.getenv("FLOWSYNC_TEST_JDBC_URL");
    if (url != null && !url.isBlank()) {
      return new Postgres(
          url,
          envOr("FLOWSYNC_TEST_JDBC_USER", "postgres"),
          envOr("FLOWSYNC_TEST_JDBC_PASSWORD", ""),
          "FLOWSYNC_TEST_JDBC_URL");
    }
    if (reachable("127.0.0.1", 5432)) {
      return new Postgres(
          "jdbc:postgresql://127.0.0.1:5432/test", "postgres", "", "local 127.0.0.1:5432");
    }
    Postgres fromDocker = Containers.postgres();
    if (fromDocker != null) {
      return fromDocker;
    }
    return missing(
        "PostgreSQL",
        "set FLOWSYNC_TEST_JDBC_URL (and _USER, _PASSWORD), start one on 127.0.0.1:5432 with a"
            + " database 'test', or run a Docker engine for Testcontainers");
  }

  private static Redis findRedis() {
    String url = System.getenv("FLOWSYNC_TEST_REDIS_URL");
    if (url != null && !url.isBlank()) {
      URI uri = URI.create(url);
      return new Redis(
          uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), url, "FLOWSYNC_TEST_REDIS_URL");
    }
    if (reachable("127.0.0.1", 6379)) {
      return new Redis("127.0.0.1", 6379, "redis://127.0.0.1:6379", "local 127.0.0.1:6379");
    }
    Redis fromDocker = Containers.redis();
    if (fromDocker != null) {
      return fromDocker;
    }
    return missing(
        "Redis",
        "set FLOWSYNC_TEST_REDIS_URL, start one on 127.0.0.1:6379, or run a Docker engine for"
            + " Testcontainers");
  }

  private static <T> T missing(String service, String howToFix) {
    String message = service + " is not available for this test: " + howToFix + ".";
    if ("true".equalsIgnoreCase(String.valueOf(System.getenv("CI")))) {
      Assertions.fail(message + " (CI=true: a missing service is a failure, not a skip)");
    }
    log.warn("Skipping: {}", message);
    Assumptions.abort(message);
    return null;
  }

  static boolean reachable(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null ? fallback : v;
  }
}

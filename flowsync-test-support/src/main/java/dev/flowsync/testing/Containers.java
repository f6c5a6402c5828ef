package dev.flowsync.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts PostgreSQL or Redis with Testcontainers when it is on the classpath and a Docker engine
 * answers (a developer's laptop); returns null otherwise. Containers live until the JVM exits.
 */
final class Containers {
  private static final Logger log = LoggerFactory.getLogger(Containers.class);

  private Containers() {}

  static TestServices.Postgres postgres() {
    if (!dockerAvailable()) {
      return null;
    }
    try {
      var c =
          new org.testcontainers.containers.GenericContainer<>("postgres:16-alpine")
              .withEnv("POSTGRES_PASSWORD", "test")
              .withEnv("POSTGRES_DB", "test")
              .withExposedPorts(5432)
              .waitingFor(
                  org.testcontainers.containers.wait.strategy.Wait.forLogMessage(
                      ".*database system is ready to accept connections.*", 2));
      c.start();
      String url = "jdbc:postgresql://" + c.getHost() + ":" + c.getMappedPort(5432) + "/test";
      return new TestServices.Postgres(url, "postgres", "test", "Testcontainers");
    } catch (RuntimeException | LinkageError e) {
      log.warn("Testcontainers could not start PostgreSQL", e);
      return null;
    }
  }

  static TestServices.Redis redis() {
    if (!dockerAvailable()) {
      return null;
    }
    try {
      var c =
          new org.testcontainers.containers.GenericContainer<>("redis:7-alpine")
              .withExposedPorts(6379);
      c.start();
      int port = c.getMappedPort(6379);
      return new TestServices.Redis(
          c.getHost(), port, "redis://" + c.getHost() + ":" + port, "Testcontainers");
    } catch (RuntimeException | LinkageError e) {
      log.warn("Testcontainers could not start Redis", e);
      return null;
    }
  }

  private static boolean dockerAvailable() {
    try {
      return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false; // Testcontainers not on the classpath, or no engine
    }
  }
}

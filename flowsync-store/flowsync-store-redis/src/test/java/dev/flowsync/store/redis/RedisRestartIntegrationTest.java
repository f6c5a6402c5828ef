package dev.flowsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import dev.flowsync.core.presence.AdmitResult;
import dev.flowsync.core.presence.Member;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/**
 * Restarts a Redis server, so it runs its own private {@code redis-server} on a free port (never
 * the shared one), without persistence: after the restart Redis has forgotten everything, which is
 * the hardest case for re-registration.
 */
@DisplayName("Redis stores across a Redis restart")
class RedisRestartIntegrationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private int port;
  private Process server;
  private RedisStores nodeA;
  private RedisStores nodeB;

  @BeforeEach
  void startServer() throws IOException {
    if (!onPath("redis-server")) {
      String message =
          "redis-server is not installed: this test starts and restarts its own Redis"
              + " (apt-get install redis-server)";
      // Like TestServices: under CI a missing service is a failure, not a skip.
      Assertions.assertFalse("true".equalsIgnoreCase(System.getenv("CI")), message);
      Assumptions.abort(message);
    }
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server = startRedis(port);
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    if (nodeA != null) {
      nodeA.close();
    }
    if (nodeB != null) {
      nodeB.close();
    }
    if (server != null) {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("the bus resubscribes, re-declares its rooms and delivers again; sends never throw")
  void busSurvivesRestart() throws Exception {
    nodeA = RedisStores.builder("127.0.0.1", port).build();
    nodeB = RedisStores.builder("127.0.0.1", port).build();
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    nodeA.clusterBus().start("a", atA::add);
    nodeB.clusterBus().start("b", atB::add);
    nodeB.clusterBus().joinRoom("r1");
    await().atMost(TIMEOUT).until(() -> nodeA.clusterBus().isHealthy());
    await().atMost(TIMEOUT).until(() -> nodeB.clusterBus().isHealthy());
    nodeA.clusterBus().publishToRoom("r1", "before");
    await().atMost(TIMEOUT).until(() -> atB.contains("before"));

    server.destroy();
    assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();

    await().atMost(TIMEOUT).until(() -> !nodeB.clusterBus().isHealthy());
    assertThat(nodeA.isHealthy()).isFalse();
    assertThatCode(
            () -> {
              nodeA.clusterBus().publishToRoom("r1", "while down");
              nodeA.clusterBus().sendToNode("b", "while down");
              nodeA.clusterBus().broadcast("while down");
              nodeB.clusterBus().joinRoom("r2");
            })
        .doesNotThrowAnyException();

    server = startRedis(port);

    await().atMost(TIMEOUT).until(() -> nodeB.clusterBus().isHealthy());
    await().atMost(TIMEOUT).until(nodeA::isHealthy);
    // Redis came back empty; b's rooms, r2 joined while it was down included, are declared again.
    AtomicInteger n = new AtomicInteger();
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              nodeA.clusterBus().publishToRoom("r1", "r1 after " + n.incrementAndGet());
              nodeA.clusterBus().publishToRoom("r2", "r2 after " + n.get());
              return atB.stream().anyMatch(m -> m.startsWith("r1 after"))
                  && atB.stream().anyMatch(m -> m.startsWith("r2 after"));
            });
    assertThat(atA).isEmpty();
  }

  @Test
  @DisplayName("the stores answer again after a restart (Lua scripts are reloaded)")
  void storesWorkAfterRestart() throws Exception {
    nodeA = RedisStores.builder("127.0.0.1", port).build();
    Member m = new Member("r1", "c1", "u1", "U", "{}", Instant.parse("2026-01-01T00:00:00Z"), "a");
    assertThat(nodeA.presence().admit(m, 2)).isEqualTo(AdmitResult.ADMITTED);

    server.destroy();
    assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
    server = startRedis(port);

    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(() -> nodeA.presence().admit(m, 2) == AdmitResult.ADMITTED);
    assertThat(nodeA.presence().members("r1")).containsExactly(m);
  }

  @Test
  @DisplayName("a Redis that stops answering but keeps the connection open is noticed and left")
  void noticesSilentRedis() throws Exception {
    nodeA = RedisStores.builder("127.0.0.1", port).build();
    nodeB = RedisStores.builder("127.0.0.1", port).build();
    List<String> atB = new CopyOnWriteArrayList<>();
    nodeA.clusterBus().start("a", p -> {});
    nodeB.clusterBus().start("b", atB::add);
    await().atMost(TIMEOUT).until(() -> nodeB.clusterBus().isHealthy());
    String before;
    try (JedisPooled admin = new JedisPooled("127.0.0.1", port)) {
      before =
          RedisClusterBusIntegrationTest.subscriberClientId(admin, nodeB.clusterBus().clientName());
    }
    assertThat(before).isNotNull();

    // SIGSTOP: the TCP connection stays up, but nothing answers (like a network partition).
    int lost = nodeB.clusterBus().lostSubscriptions();
    signal(server, "STOP");
    try {
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !nodeB.clusterBus().isHealthy());
      // The watchdog gives up on the silent connection by itself (no pong for 3.5 s).
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> nodeB.clusterBus().lostSubscriptions() > lost);
    } finally {
      signal(server, "CONT");
    }

    await().atMost(TIMEOUT).until(() -> nodeB.clusterBus().isHealthy());
    try (JedisPooled admin = new JedisPooled("127.0.0.1", port)) {
      String after =
          RedisClusterBusIntegrationTest.subscriberClientId(admin, nodeB.clusterBus().clientName());
      assertThat(after).as("a new subscriber connection").isNotNull().isNotEqualTo(before);
    }
    nodeA.clusterBus().sendToNode("b", "back");
    await().atMost(TIMEOUT).until(() -> atB.contains("back"));
  }

  private static void signal(Process process, String signal) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  private static Process startRedis(int port) throws IOException {
    Process p =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(
            () -> {
              try (JedisPooled probe = new JedisPooled("127.0.0.1", port)) {
                return "PONG".equals(probe.ping());
              }
            });
    return p;
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (new File(dir, program).canExecute()) {
        return true;
      }
    }
    return false;
  }
}

package dev.flowsync.cluster;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.JedisPooled;

/**
 * A {@code redis-server} of a test's own, on a free port and without persistence, so that the test
 * can stop, restart and freeze it without touching the Redis other tests share. After a restart it
 * has forgotten everything.
 */
final class PrivateRedis implements AutoCloseable {
  final int port;
  private final Path dataDir;
  private Process process;

  private PrivateRedis(int port, Path dataDir) {
    this.port = port;
    this.dataDir = dataDir;
  }

  /** Starts one without persistence; see {@link #start(boolean)}. */
  static PrivateRedis start() throws IOException {
    return start(false);
  }

  /**
   * Starts one; skips the test when redis-server is not installed (fails under CI=true).
   *
   * @param persistent whether it keeps its data across a restart (append-only file, fsync on every
   *     write, in a temporary directory)
   */
  static PrivateRedis start(boolean persistent) throws IOException {
    if (!onPath("redis-server")) {
      String message =
          "redis-server is not installed: this test runs and restarts its own Redis"
              + " (apt-get install redis-server)";
      Assertions.assertFalse("true".equalsIgnoreCase(System.getenv("CI")), message);
      Assumptions.abort(message);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PrivateRedis r =
        new PrivateRedis(port, persistent ? Files.createTempDirectory("flowsync-redis-") : null);
    r.startProcess();
    return r;
  }

  private void startProcess() throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                ""));
    if (dataDir == null) {
      command.addAll(List.of("--appendonly", "no"));
    } else {
      command.addAll(
          List.of("--appendonly", "yes", "--appendfsync", "always", "--dir", dataDir.toString()));
    }
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () -> {
              try (JedisPooled probe = new JedisPooled("127.0.0.1", port)) {
                return "PONG".equals(probe.ping());
              }
            });
  }

  /** The server's process id, to read its CPU time from {@code /proc}. */
  long pid() {
    return process.pid();
  }

  /** Stops the server (SIGTERM) and waits until it has exited. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Starts it again on the same port: empty, or with its data when it is persistent. */
  void restart() throws IOException {
    startProcess();
  }

  /** Sends SIGSTOP ({@code true}) or SIGCONT: a frozen Redis keeps its data but answers nothing. */
  void freeze(boolean frozen) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
    Assertions.assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0);
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      freeze(false);
      stop();
    }
    if (dataDir != null) {
      try (var files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
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

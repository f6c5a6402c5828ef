package dev.flowsync.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ClusterNode} in a JVM of its own, so that a test can kill it for real ({@code kill -9}
 * through {@link Process#destroyForcibly()}) and compare with {@link ClusterNode#stopAbruptly()}.
 */
final class ClusterNodeProcess implements AutoCloseable {
  final Process process;
  final URI webSocketUri;

  private ClusterNodeProcess(Process process, URI webSocketUri) {
    this.process = process;
    this.webSocketUri = webSocketUri;
  }

  /** Starts {@link #main} in a new JVM with this JVM's class path; returns once it listens. */
  static ClusterNodeProcess start(String nodeId, ClusterNode.Settings s) throws Exception {
    return start(nodeId, s, List.of());
  }

  /** As {@link #start(String, ClusterNode.Settings)}, with extra JVM options (heap, JFR). */
  static ClusterNodeProcess start(String nodeId, ClusterNode.Settings s, List<String> jvmOptions)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(jvmOptions);
    Process p =
        new ProcessBuilder(
                concat(
                    command,
                    "-cp",
                    System.getProperty("java.class.path"),
                    ClusterNodeProcess.class.getName(),
                    nodeId,
                    s.redisHost(),
                    Integer.toString(s.redisPort()),
                    s.keyPrefix(),
                    s.jdbcUrl(),
                    s.dbUser(),
                    s.dbPassword() == null ? "" : s.dbPassword(),
                    Long.toString(s.heartbeat().toMillis()),
                    Long.toString(s.resumeGrace().toMillis()),
                    Long.toString(s.nodeLeaseTtl().toMillis())))
            .redirectError(Path.of("target", "node-" + nodeId + ".log").toFile())
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                  if (line.startsWith("READY ")) {
                    return line.substring(6);
                  }
                }
                return null;
              } catch (IOException e) {
                return null;
              }
            });
    String uri = ready.get(60, TimeUnit.SECONDS);
    if (uri == null) {
      p.destroyForcibly();
      throw new IllegalStateException("Node " + nodeId + " did not start; see target/node-*.log");
    }
    return new ClusterNodeProcess(p, URI.create(uri));
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }

  /** {@code kill -9}: on Linux {@link Process#destroyForcibly()} sends SIGKILL. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  /** Entry point of the child JVM: starts the node, prints {@code READY <ws uri>}, runs on. */
  public static void main(String[] a) throws InterruptedException {
    ClusterNode node =
        ClusterNode.start(
            a[0],
            new ClusterNode.Settings(
                a[1],
                Integer.parseInt(a[2]),
                a[3],
                a[4],
                a[5],
                a[6],
                Duration.ofMillis(Long.parseLong(a[7])),
                Duration.ofMillis(Long.parseLong(a[8])),
                Duration.ofMillis(Long.parseLong(a[9]))));
    System.out.println("READY " + node.webSocketUri());
    System.out.flush();
    Thread.currentThread().join();
  }
}

package dev.flowsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import redis.clients.jedis.Jedis;

/**
 * Measures, on three nodes over the shared Redis and PostgreSQL, how long a signal takes from a
 * client on one node to a client on another, and how long the survivors take to see the members of
 * a killed node leave. Off by default; run:
 *
 * <pre>
 * mvn -q -pl samples/cluster -am verify -DskipITs -Dflowsync.bench=true -Dtest=ClusterBenchmark \
 *   -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.messages=5000] [-Dbench.rates=1000,2000] \
 *   [-Dbench.pairs=20] [-Dbench.kills=10] [-Dbench.processKills=3]
 *   [-Dbench.openRates=5000,10000] [-Dbench.seconds=10] [-Dbench.openPairs=150] [-Dbench.jfr=true]
 * </pre>
 *
 * <p>{@link #openLoopAcrossProcesses} runs the three nodes each in a JVM of its own over a private
 * {@code redis-server}, so that the CPU of each process (generator, node-1..3, Redis) can be read
 * from {@code /proc} and shows which one saturates.
 *
 * <p>Results are printed and appended to {@code samples/cluster/target/cluster-bench.txt}. Clients
 * and nodes share one JVM, so {@code System.nanoTime()} is one clock for sender and receiver.
 */
@EnabledIfSystemProperty(named = "flowsync.bench", matches = "true")
@DisplayName("Cluster measurements (opt-in)")
class ClusterBenchmark {
  private static final int MESSAGES = Integer.getInteger("bench.messages", 5000);
  private static final int[] RATES =
      Arrays.stream(System.getProperty("bench.rates", "1000,2000").split(","))
          .mapToInt(r -> Integer.parseInt(r.trim()))
          .toArray();
  private static final int PAIRS = Integer.getInteger("bench.pairs", 20);
  private static final int KILLS = Integer.getInteger("bench.kills", 10);
  private static final int PROCESS_KILLS = Integer.getInteger("bench.processKills", 3);
  private static final int[] OPEN_RATES =
      Arrays.stream(System.getProperty("bench.openRates", "5000,10000").split(","))
          .mapToInt(r -> Integer.parseInt(r.trim()))
          .toArray();
  private static final int SECONDS = Integer.getInteger("bench.seconds", 10);
  private static final int OPEN_PAIRS = Integer.getInteger("bench.openPairs", 150);
  private static Cluster cluster;

  @BeforeAll
  static void start() {
    cluster = Cluster.start(3);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @DisplayName(
      "signal relay latency: same node and across nodes, one at a time and at a fixed rate")
  void relayLatency() throws Exception {
    report("# " + Instant.now() + ", load average " + loadAverage() + ", " + conditions());
    measureRelay("same node, one at a time", 1, 1, 0, 1);
    measureRelay("node 1 -> node 2, one at a time", 1, 2, 0, 1);
    for (int rate : RATES) {
      measureRelay("same node, " + PAIRS + " pairs, open loop " + rate + "/s", 1, 1, rate, PAIRS);
      measureRelay(
          "node 1 -> node 2, " + PAIRS + " pairs, open loop " + rate + "/s", 1, 2, rate, PAIRS);
    }
    report("# done, load average " + loadAverage());
  }

  private void measureRelay(String label, int fromNode, int toNode, int rate, int pairs)
      throws Exception {
    String room = "bench-" + fromNode + "-" + toNode + "-" + rate + "-" + pairs;
    int warmup = Math.min(1000, MESSAGES);
    int total = warmup + MESSAGES;
    long[] sentAt = new long[total];
    long[] arrivedAt = new long[total];
    Semaphore arrived = new Semaphore(0);
    FlowSyncClient[] senders = new FlowSyncClient[pairs];
    String[] to = new String[pairs];
    String[] rooms = new String[pairs];
    for (int p = 0; p < pairs; p++) {
      // A room per pair, as in a real deployment of many small rooms.
      String pairRoom = room + "-" + p;
      rooms[p] = pairRoom;
      senders[p] = cluster.client(fromNode, "sender-" + p);
      FlowSyncClient b = cluster.client(toNode, "receiver-" + p);
      senders[p].join(pairRoom).join();
      b.join(pairRoom).join();
      to[p] = b.connectionId();
      b.onEvent(
          e -> {
            if (e instanceof ClientEvent.Signal s && s.room().equals(pairRoom)) {
              String j = s.payloadJson();
              int i = Integer.parseInt(j.substring(j.indexOf(':') + 1, j.indexOf(',')));
              arrivedAt[i] = System.nanoTime();
              arrived.release();
            }
          });
    }
    // A payload the size of a typical ICE candidate message.
    String pad = "x".repeat(180);
    double redisCpu0 = redisCpuSeconds();
    Map<Long, Long> threads0 = threadCpu();
    long interval = rate == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / rate;
    long next = System.nanoTime();
    for (int i = 0; i < total; i++) {
      int p = i % pairs;
      if (rate == 0) {
        sentAt[i] = System.nanoTime();
        senders[p].signalNoReply(
            rooms[p], to[p], "candidate", "{\"i\":" + i + ",\"pad\":\"" + pad + "\"}");
        assertThat(arrived.tryAcquire(10, TimeUnit.SECONDS)).as("signal " + i).isTrue();
      } else {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait); // pacing the sender, not waiting for a result
        }
        sentAt[i] = System.nanoTime();
        senders[p].signalNoReply(
            rooms[p], to[p], "candidate", "{\"i\":" + i + ",\"pad\":\"" + pad + "\"}");
        next += interval;
      }
    }
    if (rate != 0) {
      assertThat(arrived.tryAcquire(total, 60, TimeUnit.SECONDS)).as("all signals").isTrue();
    }
    double redisCpuPerMsgMicros = (redisCpuSeconds() - redisCpu0) * 1e6 / total;
    long[] cpu = serverAndClientCpuSince(threads0);
    double serverCpuPerMsgMicros = cpu[0] / 1e3 / total;
    double clientCpuPerMsgMicros = cpu[1] / 1e3 / total;
    long[] micros = new long[MESSAGES];
    for (int i = 0; i < MESSAGES; i++) {
      micros[i] = (arrivedAt[warmup + i] - sentAt[warmup + i]) / 1000;
    }
    Arrays.sort(micros);
    report(
        String.format(
            "relay %-52s n=%d  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms"
                + "  CPU/msg: nodes %.0f us, clients %.0f us, Redis %.1f us",
            label,
            MESSAGES,
            pct(micros, 50),
            pct(micros, 90),
            pct(micros, 99),
            micros[micros.length - 1] / 1000.0,
            serverCpuPerMsgMicros,
            clientCpuPerMsgMicros,
            redisCpuPerMsgMicros));
  }

  @Test
  @DisplayName(
      "open loop across processes: three node JVMs, private Redis, delivered %, latency, CPU")
  void openLoopAcrossProcesses() throws Exception {
    try (OpenLoopRig rig = OpenLoopRig.start(OPEN_PAIRS)) {
      report(
          "# open loop, three node JVMs over a private Redis, "
              + OPEN_PAIRS
              + " pairs (room of 2, sender and receiver on different nodes, all three nodes send"
              + " and receive), "
              + SECONDS
              + " s per rate after 2 s warm-up, "
              + conditions()
              + ", uptime: "
              + uptime());
      for (int rate : OPEN_RATES) {
        rig.run(rate, 2, false);
        report(rig.run(rate, SECONDS, true) + "  [uptime: " + uptime() + "]");
      }
    }
  }

  @Test
  @DisplayName("node death: from the kill to the last member.left on a surviving node")
  void nodeDeathBound() throws Exception {
    ClusterNode.Settings s = cluster.settings;
    report(
        "# node death: lease "
            + s.nodeLeaseTtl().toMillis()
            + " ms (renewed every 1000 ms), reaper every 1000 ms, resume grace "
            + s.resumeGrace().toMillis()
            + " ms, load average "
            + loadAverage());
    reportDeaths("in-process stopAbruptly()", KILLS, false);
    reportDeaths("own JVM, kill -9", PROCESS_KILLS, true);
  }

  private void reportDeaths(String how, int kills, boolean process) throws Exception {
    ClusterNode.Settings s = cluster.settings;
    long[] millis = new long[kills];
    for (int k = 0; k < kills; k++) {
      String id = "victim-" + (process ? "p" : "") + k;
      ClusterNode victim = process ? null : ClusterNode.start(id, s);
      ClusterNodeProcess victimProcess = process ? ClusterNodeProcess.start(id, s) : null;
      String room = "death-" + id;
      FlowSyncClient gone =
          FlowSyncClient.builder(
                  process ? victimProcess.webSocketUri : victim.webSocketUri(),
                  cluster.node(1).token("gone"))
              .requestTimeout(Duration.ofSeconds(10))
              .connect();
      gone.join(room).join();
      FlowSyncClient watcher = cluster.client(2, "watcher");
      watcher.join(room).join();
      // Kill at a random point of the victim's 1 s renewal cycle.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos((long) (Math.random() * 1000)));
      long killedAt = System.nanoTime();
      if (process) {
        victimProcess.kill();
      } else {
        victim.stopAbruptly();
      }
      watcher.await(
          ClientEvent.MemberLeft.class,
          e -> e.connectionId().equals(gone.connectionId()),
          Duration.ofSeconds(30));
      millis[k] = (System.nanoTime() - killedAt) / 1_000_000;
      watcher.close();
      if (process) {
        victimProcess.close();
      }
    }
    if (kills == 0) {
      return;
    }
    long[] sorted = millis.clone();
    Arrays.sort(sorted);
    report(
        String.format(
            "node death (%s) -> member.left on a survivor, %d kills: min %d ms, median %d ms,"
                + " max %d ms (each: %s)",
            how, kills, sorted[0], sorted[kills / 2], sorted[kills - 1], Arrays.toString(millis)));
  }

  /** Redis's own CPU (user + sys) so far; includes whatever else uses the shared Redis. */
  private static double redisCpuSeconds() {
    try (Jedis redis = new Jedis(cluster.settings.redisHost(), cluster.settings.redisPort())) {
      double total = 0;
      for (String line : redis.info("cpu").split("\r?\n")) {
        if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
          total += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return total;
    }
  }

  private static Map<Long, Long> threadCpu() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Long> cpu = new HashMap<>();
    for (long id : mx.getAllThreadIds()) {
      long t = mx.getThreadCpuTime(id);
      if (t >= 0) {
        cpu.put(id, t);
      }
    }
    return cpu;
  }

  /**
   * CPU used since {@code before} by the nodes' threads (Jetty, gateway, Redis bus, SQL writers,
   * schedulers) and by the clients' (the JDK HttpClient threads, the sending test thread, the
   * common pool that completes client futures). JIT and GC threads are not counted.
   */
  private static long[] serverAndClientCpuSince(Map<Long, Long> before) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long server = 0;
    long client = 0;
    for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long now = mx.getThreadCpuTime(info.getThreadId());
      if (now < 0) {
        continue;
      }
      long used = now - before.getOrDefault(info.getThreadId(), 0L);
      String name = info.getThreadName();
      if (name.startsWith("HttpClient")
          || name.equals("main")
          || name.startsWith("ForkJoinPool.commonPool")) {
        client += used;
      } else {
        server += used;
      }
    }
    return new long[] {server, client};
  }

  private static double pct(long[] sortedMicros, int p) {
    int i = (int) Math.ceil(p / 100.0 * sortedMicros.length) - 1;
    return sortedMicros[Math.max(0, i)] / 1000.0;
  }

  private static String loadAverage() {
    return String.format(
        "%.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static String uptime() {
    try {
      return new String(new ProcessBuilder("uptime").start().getInputStream().readAllBytes())
          .trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static String conditions() {
    return Runtime.getRuntime().availableProcessors()
        + " cores, Java "
        + System.getProperty("java.version")
        + ", Redis "
        + cluster.settings.redisHost()
        + ":"
        + cluster.settings.redisPort();
  }

  private static void report(String line) throws IOException {
    System.out.println(line);
    Files.writeString(
        Path.of("target", "cluster-bench.txt"),
        line + System.lineSeparator(),
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}

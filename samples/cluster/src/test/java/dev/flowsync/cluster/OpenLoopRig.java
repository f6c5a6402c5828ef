package dev.flowsync.cluster;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import dev.flowsync.store.redis.RedisStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;

/**
 * Three nodes, each in a JVM of its own, over a private {@code redis-server}, with pairs of clients
 * in this JVM (the load generator): the sender of a pair on one node, its receiver on the next, so
 * that every signal crosses nodes and every node both sends and receives. {@link #run} sends at a
 * fixed rate whatever happens (open loop) and measures, per message, from the moment it was due to
 * be sent to its arrival, so that a generator or server falling behind shows as latency.
 */
final class OpenLoopRig implements AutoCloseable {
  private static final String PAD = "x".repeat(180);
  private static final long TICK_MICROS = 10_000; // CLK_TCK is 100 on Linux

  private final PrivateRedis redis;
  private final Cluster cluster;
  private final List<ClusterNodeProcess> nodes = new ArrayList<>();
  private final RedisStores tokenStores;
  private final FlowSync tokenIssuer;
  private final List<FlowSyncClient> clients = new ArrayList<>();
  private final List<Pair> pairs = new ArrayList<>();
  private final boolean jfr = Boolean.getBoolean("bench.jfr");
  private volatile Run current;
  private int runs;

  private record Pair(FlowSyncClient sender, String room, String to) {}

  /** One measured run: per message, when it was due and when it arrived. */
  private static final class Run {
    final int id;
    final long[] due;
    final long[] arrived;
    final AtomicInteger count = new AtomicInteger();

    Run(int id, int total) {
      this.id = id;
      this.due = new long[total];
      this.arrived = new long[total];
    }
  }

  private OpenLoopRig(int pairCount) throws Exception {
    redis = PrivateRedis.start();
    cluster = Cluster.start(0, "127.0.0.1", redis.port, s -> s);
    ClusterNode.Settings s = cluster.settings;
    for (int i = 1; i <= 3; i++) {
      List<String> options = new ArrayList<>(List.of("-Xmx512m"));
      if (jfr) {
        options.add(
            "-XX:StartFlightRecording=filename=target/node-"
                + i
                + ".jfr,settings=profile,dumponexit=true");
      }
      nodes.add(ClusterNodeProcess.start("node-" + i, s, options));
    }
    // Tokens live in Redis: any FlowSync over the same keys can issue them.
    tokenStores =
        RedisStores.builder(s.redisHost(), s.redisPort()).keyPrefix(s.keyPrefix()).build();
    tokenIssuer =
        FlowSync.builder()
            .stores(tokenStores.applyTo(InMemoryStores.create()))
            .nodeId("bench-generator")
            .build();
    for (int p = 0; p < pairCount; p++) {
      String room = "open-" + p;
      FlowSyncClient sender = connect(p % 3, "sender-" + p);
      FlowSyncClient receiver = connect((p + 1) % 3, "receiver-" + p);
      sender.join(room).join();
      receiver.join(room).join();
      receiver.onEvent(
          e -> {
            if (e instanceof ClientEvent.Signal sig) {
              arrived(sig.payloadJson());
            }
          });
      pairs.add(new Pair(sender, room, receiver.connectionId()));
    }
  }

  static OpenLoopRig start(int pairs) throws Exception {
    return new OpenLoopRig(pairs);
  }

  private FlowSyncClient connect(int node, String user) {
    FlowSyncClient c =
        FlowSyncClient.builder(
                nodes.get(node).webSocketUri,
                tokenIssuer.tokens().issue(user, user, null, null).token())
            .requestTimeout(Duration.ofSeconds(30))
            .connect();
    clients.add(c);
    return c;
  }

  private void arrived(String json) {
    long now = System.nanoTime();
    // {"r":<run>,"i":<index>,"pad":"..."}
    int r0 = json.indexOf(':') + 1;
    int r1 = json.indexOf(',', r0);
    int i0 = json.indexOf(':', r1) + 1;
    int i1 = json.indexOf(',', i0);
    Run run = current;
    if (run != null && Integer.parseInt(json, r0, r1, 10) == run.id) {
      run.arrived[Integer.parseInt(json, i0, i1, 10)] = now;
      run.count.incrementAndGet();
    }
  }

  /**
   * Sends {@code rate} signals a second for {@code seconds}, round robin over the pairs, then waits
   * until all arrived or none arrived for 3 s.
   *
   * @return the result line, or null when not {@code measured}
   */
  String run(int rate, int seconds, boolean measured) throws Exception {
    int total = rate * seconds;
    Run run = new Run(++runs, total);
    current = run;
    Map<String, long[]> cpu0 = cpuTicks();
    Map<String, long[]> cmd0 = commandStats();
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
    for (int i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 20_000) {
        LockSupport.parkNanos(wait - 10_000);
      }
      while (System.nanoTime() < due) {
        Thread.onSpinWait();
      }
      run.due[i] = due;
      Pair p = pairs.get(i % pairs.size());
      p.sender.signalNoReply(
          p.room,
          p.to,
          "candidate",
          "{\"r\":" + run.id + ",\"i\":" + i + ",\"pad\":\"" + PAD + "\"}");
    }
    long sendEnd = System.nanoTime();
    int seen = -1;
    long lastProgress = System.nanoTime();
    while (run.count.get() < total && System.nanoTime() - lastProgress < 3_000_000_000L) {
      int now = run.count.get();
      if (now != seen) {
        seen = now;
        lastProgress = System.nanoTime();
      }
      Thread.sleep(20);
    }
    long end = System.nanoTime();
    if (!measured) {
      return null;
    }
    Map<String, long[]> cpu1 = cpuTicks();
    Map<String, long[]> cmd1 = commandStats();
    int delivered = run.count.get();
    long[] micros = new long[delivered];
    int n = 0;
    for (int i = 0; i < total && n < delivered; i++) {
      if (run.arrived[i] != 0) {
        micros[n++] = (run.arrived[i] - run.due[i]) / 1000;
      }
    }
    micros = Arrays.copyOf(micros, n);
    Arrays.sort(micros);
    double wallSeconds = (end - start) / 1e9;
    StringBuilder cpu = new StringBuilder();
    for (String proc : cpu0.keySet()) {
      long ticks = cpu1.get(proc)[0] - cpu0.get(proc)[0];
      cpu.append(
          String.format(
              " %s %.0f us (%.0f%% of a core)",
              proc, ticks * (double) TICK_MICROS / total, ticks * TICK_MICROS / 1e4 / wallSeconds));
    }
    StringBuilder cmds = new StringBuilder();
    for (Map.Entry<String, long[]> e : cmd1.entrySet()) {
      long[] before = cmd0.getOrDefault(e.getKey(), new long[2]);
      long calls = e.getValue()[0] - before[0];
      long usec = e.getValue()[1] - before[1];
      if (calls * 100 >= total) {
        cmds.append(
            String.format(
                " %s %.2f calls %.1f us",
                e.getKey(), calls / (double) total, usec / (double) total));
      }
    }
    return String.format(
        "open loop %,d msgs/s x %d s: sent at %,.0f/s, delivered %.2f %% (%d/%d), p50 %.2f ms,"
            + " p99 %.2f ms, max %.2f ms | CPU per message:%s | Redis commands per message:%s",
        rate,
        seconds,
        total / ((sendEnd - start) / 1e9),
        100.0 * delivered / total,
        delivered,
        total,
        pct(micros, 50),
        pct(micros, 99),
        micros.length == 0 ? 0 : micros[micros.length - 1] / 1000.0,
        cpu,
        cmds);
  }

  private static double pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, i)] / 1000.0;
  }

  /** utime + stime of each process, in clock ticks. */
  private Map<String, long[]> cpuTicks() throws IOException {
    Map<String, long[]> ticks = new LinkedHashMap<>();
    ticks.put("generator", new long[] {ticks(ProcessHandle.current().pid())});
    for (int i = 0; i < nodes.size(); i++) {
      ticks.put("node-" + (i + 1), new long[] {ticks(nodes.get(i).process.pid())});
    }
    ticks.put("redis-server", new long[] {ticks(redis.pid())});
    return ticks;
  }

  private static long ticks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // after the command name: state is field 3, utime field 14, stime field 15
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** Calls and microseconds per command from INFO commandstats of the private Redis. */
  private Map<String, long[]> commandStats() {
    Map<String, long[]> stats = new TreeMap<>();
    try (Jedis j = new Jedis("127.0.0.1", redis.port)) {
      for (String line : j.info("commandstats").split("\r?\n")) {
        if (!line.startsWith("cmdstat_")) {
          continue;
        }
        String name = line.substring(8, line.indexOf(':'));
        long calls = 0;
        long usec = 0;
        for (String kv : line.substring(line.indexOf(':') + 1).split(",")) {
          if (kv.startsWith("calls=")) {
            calls = Long.parseLong(kv.substring(6));
          } else if (kv.startsWith("usec=")) {
            usec = Long.parseLong(kv.substring(5));
          }
        }
        stats.put(name, new long[] {calls, usec});
      }
    }
    return stats;
  }

  @Override
  public void close() throws Exception {
    for (FlowSyncClient c : clients) {
      c.abort();
    }
    for (ClusterNodeProcess n : nodes) {
      // SIGTERM, so that a flight recording is written on exit.
      n.process.destroy();
      n.process.waitFor(20, TimeUnit.SECONDS);
      n.close();
    }
    tokenIssuer.close();
    tokenStores.close();
    cluster.close();
    redis.close();
  }
}

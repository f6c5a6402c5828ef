package dev.flowsync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.signaling.client.ClientEvent;
import dev.flowsync.signaling.client.FlowSyncClient;
import dev.flowsync.testing.TestServices;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Recovery times. Real {@code kill -9} of a node process next to three in-JVM nodes, several times:
 * when a survivor holds the dead node's members, when the others see {@code member.left}, whether
 * any chat message the victim's client had acknowledged is missing afterwards, and this JVM's
 * threads and heap (the three survivors) before and after. And a private Redis restarted empty
 * under three nodes: when presence, the running timer and tokens work again, and whether
 * acknowledged chat was lost. Off by default; run:
 *
 * <pre>
 * mvn -q -pl samples/cluster -am verify -DskipITs -Dflowsync.bench=true -Dtest=RecoveryBenchmark \
 *   -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.kills=5] [-Dbench.leaseMs=4000] \
 *   [-Dbench.graceMs=5000]
 * </pre>
 *
 * Results are printed and appended to {@code samples/cluster/target/recovery-bench.txt}.
 */
@EnabledIfSystemProperty(named = "flowsync.bench", matches = "true")
@DisplayName("Benchmark: recovery from kill -9 of a node and from an empty Redis")
class RecoveryBenchmark {
  private static final int KILLS = Integer.getInteger("bench.kills", 5);
  private static final Duration LEASE = Duration.ofMillis(Long.getLong("bench.leaseMs", 4000));
  private static final Duration GRACE = Duration.ofMillis(Long.getLong("bench.graceMs", 5000));

  private Cluster cluster;

  @BeforeEach
  void start(org.junit.jupiter.api.TestInfo test) {
    if (test.getTags().contains("own-redis")) {
      return; // starts its own cluster on a private Redis
    }
    TestServices.Redis redis = TestServices.redis();
    cluster =
        Cluster.start(
            3,
            redis.host(),
            redis.port(),
            // A 5 s heartbeat: at a high load average a 2 s silence timed clients out.
            s -> s.withTimings(Duration.ofSeconds(5), GRACE, LEASE));
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @org.junit.jupiter.api.Tag("own-redis")
  @DisplayName("Redis restarted empty: presence, timer and tokens back; acked chat lost")
  void emptyRedisRestart() throws Exception {
    try (PrivateRedis redis = PrivateRedis.start(false)) {
      cluster = Cluster.start(3, "127.0.0.1", redis.port, s -> s);
      String cyToken = cluster.node(2).token("cy");
      FlowSyncClient ana = cluster.client(1, "ana");
      FlowSyncClient cy = FlowSyncClient.connect(cluster.node(2).webSocketUri(), cyToken);
      FlowSyncClient dee = cluster.client(3, "dee");
      for (FlowSyncClient c : List.of(ana, cy, dee)) {
        c.join("x").join();
      }
      Set<String> everyone = Set.of(ana.connectionId(), cy.connectionId(), dee.connectionId());
      cy.startTimer("x", List.of(new dev.flowsync.core.timer.Phase("a", 600_000)), false).join();
      Set<Long> ackedSeqs = ConcurrentHashMap.newKeySet();
      AtomicBoolean sending = new AtomicBoolean(true);
      Thread sender =
          new Thread(
              () -> {
                for (int i = 0; sending.get(); i++) {
                  try {
                    ackedSeqs.add(ana.sendChat("x", "m" + i).get(30, TimeUnit.SECONDS).seq());
                  } catch (Exception e) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                  }
                  LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
              });
      sender.start();
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      redis.stop();
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3));
      redis.restart();
      long restartedAt = System.nanoTime();
      dev.flowsync.core.FlowSync two = cluster.node(2).flowSync;
      long tokens = -1;
      long presence = -1;
      long timer = -1;
      while (tokens < 0 || presence < 0 || timer < 0) {
        long now = (System.nanoTime() - restartedAt) / 1_000_000;
        if (now > 60_000) {
          break;
        }
        try {
          if (tokens < 0 && two.tokens().verify(cyToken) != null) {
            tokens = now;
          }
        } catch (RuntimeException e) {
          // not yet
        }
        try {
          if (presence < 0
              && two.presence().members("x").stream()
                  .map(m -> m.connectionId())
                  .collect(Collectors.toSet())
                  .containsAll(everyone)) {
            presence = now;
          }
          if (timer < 0 && two.stores().timers().find("x").isPresent()) {
            timer = now;
          }
        } catch (RuntimeException e) {
          // Redis still loading
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      sending.set(false);
      sender.join(35_000);
      Set<Long> stored = storedSeqs(dee, "x");
      long missing = ackedSeqs.stream().filter(q -> !stored.contains(q)).count();
      String report =
          String.format(
              "Redis restarted empty under three nodes (lease 2 s, heartbeat 1 s), load %s:%n"
                  + "  after the restart: tokens verify after %d ms, all members listed again"
                  + " after %d ms, running timer stored again after %d ms%n"
                  + "  acked chat of a client sending through the outage: %d acked, %d missing%n",
              loadAverage(), tokens, presence, timer, ackedSeqs.size(), missing);
      System.out.print(report);
      Files.writeString(
          Path.of("target", "recovery-bench.txt"),
          report,
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      assertThat(missing).isZero();
      assertThat(List.of(tokens, presence, timer)).allMatch(t -> t >= 0);
    }
  }

  @Test
  @DisplayName("kill -9: take-over, member.left, acked chat lost, survivors' threads and heap")
  void kills() throws Exception {
    long[] takeOver = new long[KILLS];
    long[] left = new long[KILLS];
    int lost = 0;
    int acked = 0;
    FlowSyncClient watcher = cluster.client(2, "watcher");
    // Warm the survivors up once so that "before" is not the cold start.
    oneKill(-1, watcher);
    Usage before = Usage.now();
    for (int k = 0; k < KILLS; k++) {
      long[] r = oneKill(k, watcher);
      takeOver[k] = r[0];
      left[k] = r[1];
      acked += (int) r[2];
      lost += (int) r[3];
    }
    Usage after = Usage.now();
    String report =
        String.format(
            "kill -9 of one node of four (lease %d ms, grace %d ms), %d kills, load %s:%n"
                + "  kill -> a survivor holds its members: %s%n"
                + "  kill -> member.left on a survivor:     %s%n"
                + "  acked chat of the victim's client: %d acked, %d missing afterwards%n"
                + "  survivors' JVM: threads %d -> %d, heap after GC %d MB -> %d MB%n",
            LEASE.toMillis(),
            GRACE.toMillis(),
            KILLS,
            loadAverage(),
            summary(takeOver),
            summary(left),
            acked,
            lost,
            before.threads,
            after.threads,
            before.heapMb,
            after.heapMb);
    System.out.print(report);
    Files.writeString(
        Path.of("target", "recovery-bench.txt"),
        report,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    assertThat(lost).isZero();
  }

  /** One victim process, killed; returns take-over ms, member.left ms, acked, missing. */
  private long[] oneKill(int k, FlowSyncClient watcher) throws Exception {
    String id = "victim-" + (k < 0 ? "warm" : k);
    String room = "death-" + id;
    ClusterNode.Settings s = cluster.settings;
    // A 5 s heartbeat: a fresh JVM on a loaded machine must not time its client out before the
    // kill.
    try (ClusterNodeProcess victim =
        ClusterNodeProcess.start(
            id, s.withTimings(Duration.ofSeconds(5), s.resumeGrace(), s.nodeLeaseTtl()))) {
      FlowSyncClient gone =
          FlowSyncClient.builder(victim.webSocketUri, cluster.node(1).token("gone"))
              .requestTimeout(Duration.ofSeconds(30))
              .connect();
      gone.join(room).join();
      watcher.join(room).join();
      Set<Long> ackedSeqs = ConcurrentHashMap.newKeySet();
      AtomicBoolean sending = new AtomicBoolean(true);
      Thread sender =
          new Thread(
              () -> {
                for (int i = 0; sending.get() && i < 500; i++) {
                  try {
                    ChatMessage m = gone.sendChat(room, "m" + i).get(10, TimeUnit.SECONDS);
                    ackedSeqs.add(m.seq());
                  } catch (Exception e) {
                    return; // the node is gone: whatever was acked must be kept
                  }
                }
              });
      sender.start();
      // Kill at a random point of the victim's 1 s renewal cycle, while it acks chat.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500 + (long) (Math.random() * 1000)));
      long killedAt = System.nanoTime();
      victim.kill();
      long takeOverMs = -1;
      while (takeOverMs < 0) {
        String holder =
            cluster
                .node(1)
                .flowSync
                .presence()
                .find(room, gone.connectionId())
                .map(m -> m.nodeId())
                .orElse("gone");
        if (!holder.equals(id)) {
          takeOverMs = (System.nanoTime() - killedAt) / 1_000_000;
        } else {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
      }
      watcher.await(
          ClientEvent.MemberLeft.class,
          e -> e.connectionId().equals(gone.connectionId()),
          LEASE.plus(GRACE).plusSeconds(30));
      long leftMs = (System.nanoTime() - killedAt) / 1_000_000;
      sending.set(false);
      sender.join(15_000);
      gone.abort();
      Set<Long> stored = storedSeqs(watcher, room);
      Set<Long> missing =
          ackedSeqs.stream().filter(q -> !stored.contains(q)).collect(Collectors.toSet());
      watcher.leave(room).join();
      if (k >= 0) {
        System.out.printf(
            "kill %d: held by a survivor after %d ms, member.left after %d ms, %d acked, %d"
                + " missing%n",
            k, takeOverMs, leftMs, ackedSeqs.size(), missing.size());
      }
      return new long[] {takeOverMs, leftMs, ackedSeqs.size(), missing.size()};
    }
  }

  /** Every chat seq the room's history holds, page by page (at most 200 a page). */
  private static Set<Long> storedSeqs(FlowSyncClient c, String room) {
    Set<Long> seqs = new java.util.HashSet<>();
    long after = 0;
    while (true) {
      List<ChatMessage> page = c.history(room, null, after, 200).join().messages();
      page.forEach(m -> seqs.add(m.seq()));
      if (page.size() < 200) {
        return seqs;
      }
      after = page.get(page.size() - 1).seq();
    }
  }

  private static String summary(long[] ms) {
    long[] sorted = ms.clone();
    Arrays.sort(sorted);
    return String.format(
        "min %d ms, median %d ms, max %d ms %s",
        sorted[0], sorted[sorted.length / 2], sorted[sorted.length - 1], Arrays.toString(ms));
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Threads and heap of this JVM (the three survivors and the test's clients). */
  private record Usage(int threads, long heapMb) {
    static Usage now() {
      for (int i = 0; i < 3; i++) {
        System.gc();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      }
      return new Usage(
          ManagementFactory.getThreadMXBean().getThreadCount(),
          ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024));
    }
  }
}

package dev.flowsync.store.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.core.chat.NewMessage;
import dev.flowsync.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged-after-commit chat throughput: {@code clients} threads each send messages one after
 * another (the next only after the previous returned, i.e. was committed) to random rooms among
 * {@code rooms}. Off by default; run with
 *
 * <pre>
 * mvn -q -pl flowsync-store/flowsync-store-sql -am verify -Dit.test=ChatThroughputBenchIT \
 *   -Dflowsync.bench=true [-Dbench.clients=64 -Dbench.rooms=200 -Dbench.seconds=10]
 * </pre>
 *
 * Results go to stdout and {@code target/bench-chat-<db>.txt}.
 */
@DisplayName("Chat throughput benchmark (-Dflowsync.bench=true)")
class ChatThroughputBenchIT {
  private static final java.util.concurrent.atomic.AtomicLong FAILED =
      new java.util.concurrent.atomic.AtomicLong();

  @TempDir Path dir;

  @Test
  void postgres() throws Exception {
    assumeTrue(Boolean.getBoolean("flowsync.bench"), "benchmark: set -Dflowsync.bench=true");
    TestServices.Schema schema = TestServices.postgres().newSchema();
    try (HikariDataSource pool = PostgresSqlStoresIT.pool(schema, 8)) {
      run("postgresql", pool);
    } finally {
      try (Connection c =
              java.sql.DriverManager.getConnection(
                  TestServices.postgres().jdbcUrl(), schema.user(), schema.password());
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema.schema() + " CASCADE");
      }
    }
  }

  @Test
  void h2() throws Exception {
    assumeTrue(Boolean.getBoolean("flowsync.bench"), "benchmark: set -Dflowsync.bench=true");
    HikariConfig c = new HikariConfig();
    String options = System.getProperty("bench.h2options", "");
    c.setJdbcUrl("jdbc:h2:file:" + dir.resolve("bench").toAbsolutePath() + options);
    c.setUsername("sa");
    c.setMaximumPoolSize(8);
    c.setConnectionTimeout(1_500);
    try (HikariDataSource pool = new HikariDataSource(c)) {
      run("h2-file" + options, pool);
    }
  }

  private void run(String db, DataSource pool) throws Exception {
    int clients = Integer.getInteger("bench.clients", 64);
    int rooms = Integer.getInteger("bench.rooms", 200);
    int seconds = Integer.getInteger("bench.seconds", 10);
    int warmupSeconds = Integer.getInteger("bench.warmup", 5);
    SqlSchema.migrate(pool);
    int writers = Integer.getInteger("bench.writers", 2);
    try (SqlStores stores = SqlStores.builder(pool).writerThreads(writers).build()) {
      Phase warmup = measure(stores, clients, rooms, warmupSeconds);
      long commits0 = stores.messages().commitCount();
      long batched0 = stores.messages().committedMessageCount();
      long jvmCpu0 = jvmCpuNanos();
      long pgCpu0 = postgresCpuNanos();
      Phase p = measure(stores, clients, rooms, seconds);
      double jvmCpuPerMsg = (jvmCpuNanos() - jvmCpu0) / 1e3 / p.acked;
      double pgCpuPerMsg = (postgresCpuNanos() - pgCpu0) / 1e3 / p.acked;
      double meanBatch =
          (double) (stores.messages().committedMessageCount() - batched0)
              / (stores.messages().commitCount() - commits0);
      long stored;
      try (Connection c = pool.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM fs_messages")) {
        rs.next();
        stored = rs.getLong(1);
      }
      String report =
          String.format(
              "chat %s: writers=%d clients=%d rooms=%d warmup=%ds (%d msgs) measured=%ds acked=%d"
                  + " rate=%.0f msgs/s meanBatch=%.1f ackLatency p50=%.2f ms p99=%.2f ms"
                  + " max=%.2f ms stored=%d (acked incl. warmup %d) cores=%d"
                  + " cpu/msg: jvm=%.0f us, postgres processes=%.0f us, load=%.1f failed=%d",
              db,
              writers,
              clients,
              rooms,
              warmupSeconds,
              warmup.acked,
              seconds,
              p.acked,
              p.acked / p.seconds,
              meanBatch,
              p.percentile(50),
              p.percentile(99),
              p.percentile(100),
              stored,
              warmup.acked + p.acked,
              Runtime.getRuntime().availableProcessors(),
              jvmCpuPerMsg,
              pgCpuPerMsg,
              java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                  .getSystemLoadAverage(),
              FAILED.get());
      System.out.println(report);
      Files.writeString(
          Path.of("target", "bench-chat-" + db.replaceAll("[^a-zA-Z0-9-]", "_") + ".txt"),
          report + "\n");
      assertThat(stored).isEqualTo(warmup.acked + p.acked);
      assertThat(FAILED.get()).isZero();
    }
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** CPU time of every local process named postgres (Linux /proc; 0 elsewhere). */
  private static long postgresCpuNanos() {
    long ticks = 0;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.toList()) {
        try {
          if (!proc.getFileName().toString().chars().allMatch(Character::isDigit)) {
            continue;
          }
          String stat = Files.readString(proc.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (!comm.startsWith("postgres")) {
            continue;
          }
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception gone) {
          // the process ended while we looked
        }
      }
    } catch (Exception e) {
      return 0;
    }
    return ticks * 10_000_000L; // USER_HZ = 100
  }

  private record Phase(long acked, double seconds, long[] latenciesNanos) {
    double percentile(int pct) {
      if (latenciesNanos.length == 0) {
        return 0;
      }
      int i = (int) Math.ceil(pct / 100.0 * latenciesNanos.length) - 1;
      return latenciesNanos[Math.max(0, Math.min(i, latenciesNanos.length - 1))] / 1e6;
    }
  }

  private static Phase measure(SqlStores stores, int clients, int rooms, int seconds)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    List<long[]> perThread = new ArrayList<>();
    long[] counts = new long[clients];
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < clients; t++) {
      long[] lat = new long[2_000_000 / clients + 1];
      perThread.add(lat);
      int id = t;
      Thread th =
          new Thread(
              () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                String user = "u" + id;
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                int n = 0;
                while (!stop.get()) {
                  String room = "room-" + rnd.nextInt(rooms);
                  long t0 = System.nanoTime();
                  try {
                    stores
                        .messages()
                        .append(
                            new NewMessage(
                                "m_" + id + "_" + System.nanoTime(),
                                room,
                                user,
                                "User " + id,
                                "hello from a benchmark client, message " + n,
                                Instant.now(),
                                user + "-" + System.nanoTime()));
                  } catch (RuntimeException e) {
                    FAILED.incrementAndGet();
                    continue;
                  }
                  long took = System.nanoTime() - t0;
                  if (n < lat.length) {
                    lat[n] = took;
                  }
                  n++;
                }
                counts[id] = n;
              },
              "bench-client-" + t);
      threads.add(th);
      th.start();
    }
    long t0 = System.nanoTime();
    start.countDown();
    Thread.sleep(seconds * 1000L); // the measurement window itself, not waiting for an event
    stop.set(true);
    for (Thread th : threads) {
      th.join();
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long total = 0;
    int samples = 0;
    for (int t = 0; t < clients; t++) {
      total += counts[t];
      samples += (int) Math.min(counts[t], perThread.get(t).length);
    }
    long[] all = new long[samples];
    int k = 0;
    for (int t = 0; t < clients; t++) {
      int m = (int) Math.min(counts[t], perThread.get(t).length);
      System.arraycopy(perThread.get(t), 0, all, k, m);
      k += m;
    }
    Arrays.sort(all);
    return new Phase(total, elapsed, all);
  }
}

package dev.flowsync.store.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.core.ErrorCode;
import dev.flowsync.core.FlowSyncException;
import dev.flowsync.core.chat.AppendResult;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.NewMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Stops a PostgreSQL server in the middle of a chat load and starts it again. The server is a
 * private one ({@link PrivatePostgres}: the machine's own binaries, a temporary directory, a free
 * port), so the shared database other tests use is never touched and the test runs in the default
 * build. The result goes to stdout and {@code target/outage-result.txt}.
 */
@DisplayName("PostgreSQL crashes and restarts under chat load")
class PostgresOutageIT {
  private static final int SENDERS = 8;
  private static final int ROOMS = 4;

  @Test
  @DisplayName(
      "while down, appends fail fast with unavailable; afterwards they succeed by themselves and"
          + " every acknowledged message is stored, seq without gaps")
  void outage() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    if (!ci) {
      assumeTrue(
          PrivatePostgres.binaries().isPresent(),
          "No PostgreSQL binaries under /usr/lib/postgresql to run a private server with");
    }
    Map<String, ChatMessage> acked = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Long> failureMillis = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> slowFailures = new ConcurrentLinkedQueue<>();
    AtomicLong wrongCode = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    StringBuilder report = new StringBuilder();
    try (PrivatePostgres pg = PrivatePostgres.start();
        HikariDataSource pool = PostgresSqlStoresIT.pool(pg.jdbcUrl(), "postgres", null, 8)) {
      SqlSchema.migrate(pool);
      try (SqlStores stores = SqlStores.builder(pool).build()) {
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
          int id = s;
          Thread t =
              new Thread(
                  () -> {
                    long n = 0;
                    while (!stop.get()) {
                      n++;
                      NewMessage m =
                          new NewMessage(
                              "m_" + id + "_" + n,
                              "room-" + (n % ROOMS),
                              "u" + id,
                              "U" + id,
                              "text " + n,
                              Instant.now(),
                              "c" + n);
                      long t0 = System.nanoTime();
                      try {
                        AppendResult r = stores.messages().append(m);
                        acked.put(r.message().id(), r.message());
                      } catch (FlowSyncException e) {
                        long took = (System.nanoTime() - t0) / 1_000_000;
                        failureMillis.add(took);
                        if (took > 3_000) {
                          slowFailures.add(took + " ms: " + e.getMessage());
                        }
                        if (e.code() != ErrorCode.UNAVAILABLE) {
                          wrongCode.incrementAndGet();
                        }
                      }
                    }
                  },
                  "outage-sender-" + s);
          senders.add(t);
          t.start();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() > 500);
        int ackedBefore = acked.size();

        long downAt = System.nanoTime();
        pg.stopImmediately();
        try {
          await().atMost(Duration.ofSeconds(20)).until(() -> failureMillis.size() > 20);
          assertThat(stores.isHealthy()).isFalse();
          int ackedWhileDown = acked.size();
          await()
              .during(Duration.ofSeconds(2))
              .atMost(Duration.ofSeconds(5))
              .until(() -> acked.size() == ackedWhileDown);
        } finally {
          pg.pgCtl("start");
        }
        long upAt = System.nanoTime();
        int ackedAtRestart = acked.size();
        await()
            .pollInterval(Duration.ofMillis(10))
            .atMost(Duration.ofSeconds(30))
            .until(() -> acked.size() > ackedAtRestart);
        long firstAckAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() > ackedAtRestart + 500);
        long recoveredAt = System.nanoTime();
        assertThat(stores.isHealthy()).isTrue();
        stop.set(true);
        for (Thread t : senders) {
          t.join(10_000);
        }

        List<Long> failures = new ArrayList<>(failureMillis);
        long maxFailure = failures.stream().mapToLong(Long::longValue).max().orElse(0);
        long stored = 0;
        for (int r = 0; r < ROOMS; r++) {
          String room = "room-" + r;
          List<ChatMessage> all = new ArrayList<>();
          long after = 0;
          List<ChatMessage> page;
          while (!(page = stores.messages().after(room, after, 200)).isEmpty()) {
            all.addAll(page);
            after = page.get(page.size() - 1).seq();
          }
          stored += all.size();
          assertThat(all)
              .extracting(ChatMessage::seq)
              .as("seq of %s has no gaps", room)
              .isEqualTo(LongStream.rangeClosed(1, all.size()).boxed().toList());
          Map<String, ChatMessage> byId = new ConcurrentHashMap<>();
          all.forEach(m -> byId.put(m.id(), m));
          acked.values().stream()
              .filter(m -> m.room().equals(room))
              .forEach(
                  m -> assertThat(byId.get(m.id())).as("acknowledged %s", m.id()).isEqualTo(m));
        }
        report
            .append("outage: acked before stop=")
            .append(ackedBefore)
            .append(", total acked=")
            .append(acked.size())
            .append(", stored=")
            .append(stored)
            .append(" (every acked one present, seq gap-free in all ")
            .append(ROOMS)
            .append(" rooms), failed calls=")
            .append(failures.size())
            .append(" (all unavailable: ")
            .append(wrongCode.get() == 0)
            .append("), slowest failing call=")
            .append(maxFailure)
            .append(" ms, down for ")
            .append((upAt - downAt) / 1_000_000)
            .append(" ms, first ack ")
            .append((firstAckAt - upAt) / 1_000_000)
            .append(" ms after the restart command returned, 500 acks within ")
            .append((recoveredAt - upAt) / 1_000_000)
            .append(" ms");
        slowFailures.forEach(f -> report.append("\n  slow failure ").append(f));
        System.out.println(report);
        Files.writeString(Path.of("target", "outage-result.txt"), report + "\n");
        assertThat(wrongCode.get()).isZero();
        assertThat(maxFailure).isLessThan(6_000);
      }
    }
  }
}

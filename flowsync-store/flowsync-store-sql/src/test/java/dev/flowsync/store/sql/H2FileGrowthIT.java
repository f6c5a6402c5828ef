package dev.flowsync.store.sql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.core.chat.NewMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The H2 file under sustained chat: one message per transaction (the group committer under light
 * load), history read now and then. With {@code WRITE_DELAY=0} H2 writes a chunk per commit and
 * never frees one (its background writer, which frees and compacts chunks, does not run), so file
 * and chunk count grow with every message; with the background writer running and {@link
 * SqlStores.Builder#h2WriteThrough} writing the commits, both level off once the run is older than
 * H2's {@code RETENTION_TIME}. Off by default (it is not a pass/fail test: at the few thousand
 * messages a unit test can afford, H2 frees enough chunks even with {@code WRITE_DELAY=0} that the
 * two do not differ clearly; the difference shows over minutes). Run with
 *
 * <pre>
 * mvn -q -pl flowsync-store/flowsync-store-sql -am verify -Dit.test=H2FileGrowthIT \
 *   -Dflowsync.bench=true [-Dbench.messages=60000 -Dbench.inFlight=64 \
 *   -Dbench.intervalMillis=50 "-Dbench.retention=;RETENTION_TIME=5000"]
 * </pre>
 */
@DisplayName("H2 file size under sustained chat (-Dflowsync.bench=true)")
class H2FileGrowthIT {
  @TempDir Path dir;

  /** One reading: after how many messages, the file size and H2's count of chunks. */
  record Sample(int messages, long commits, double seconds, long fileBytes, long chunks) {
    @Override
    public String toString() {
      return String.format(
          "%6d msgs %6d commits %5.1f s  file %7.1f MB  %6d chunks",
          messages, commits, seconds, fileBytes / 1e6, chunks);
    }
  }

  @Test
  @DisplayName("figures: WRITE_DELAY=0 against write-through (-Dflowsync.bench=true)")
  void figures() throws Exception {
    assumeTrue(Boolean.getBoolean("flowsync.bench"), "benchmark: set -Dflowsync.bench=true");
    int messages = Integer.getInteger("bench.messages", 60_000);
    String retention = System.getProperty("bench.retention", "");
    java.time.Duration interval =
        java.time.Duration.ofMillis(Long.getLong("bench.intervalMillis", 50));
    List<java.time.Duration> configs =
        Boolean.getBoolean("bench.writeThroughOnly")
            ? java.util.Arrays.asList(interval)
            : java.util.Arrays.asList(null, interval);
    for (java.time.Duration writeThrough : configs) {
      String options = (writeThrough != null ? "" : ";WRITE_DELAY=0") + retention;
      System.out.println("H2 options '" + options + "', write-through " + writeThrough);
      run(options, writeThrough, 3_600, messages, Integer.getInteger("bench.inFlight", 64))
          .forEach(System.out::println);
    }
  }

  /**
   * Appends with {@code inFlight} appends waiting at most (as many senders, each sending the next
   * once the last was acknowledged) until the seconds or the messages are used up.
   */
  private List<Sample> run(
      String options, java.time.Duration writeThrough, int seconds, int messages, int inFlight)
      throws Exception {
    Path file = Files.createTempDirectory(dir, "h2").resolve("flowsync");
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl("jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE" + options);
    c.setUsername("sa");
    c.setPassword("");
    c.setMaximumPoolSize(4);
    List<Sample> samples = new ArrayList<>();
    try (HikariDataSource pool = new HikariDataSource(c)) {
      SqlSchema.migrate(pool);
      try (SqlStores sql = SqlStores.builder(pool).h2WriteThrough(writeThrough).build()) {
        int rooms = 50;
        java.util.ArrayDeque<java.util.concurrent.CompletableFuture<?>> pending =
            new java.util.ArrayDeque<>();
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        int every = messages == Integer.MAX_VALUE ? 250 : Math.max(1_000, messages / 20);
        for (int n = 1; n <= messages && System.nanoTime() < deadline; n++) {
          String room = "room-" + (n % rooms);
          pending.add(
              sql.messages()
                  .appendAsync(
                      new NewMessage(
                          UUID.randomUUID().toString(),
                          room,
                          "user-" + (n % 300),
                          "Someone",
                          "hello number " + n + ", how is everybody doing today?",
                          Instant.now(),
                          UUID.randomUUID().toString())));
          if (pending.size() >= inFlight) {
            pending.poll().join();
          }
          if (n % 100 == 0) {
            sql.messages().before(room, Long.MAX_VALUE, 50);
          }
          if (n % every == 0) {
            samples.add(sample(pool, file, n, sql, start));
          }
        }
        pending.forEach(java.util.concurrent.CompletableFuture::join);
        return samples;
      }
    }
  }

  private static Sample sample(
      HikariDataSource pool, Path file, int messages, SqlStores sql, long start) throws Exception {
    long chunks;
    try (Connection conn = pool.getConnection();
        Statement st = conn.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                    + " WHERE SETTING_NAME = 'info.CHUNK_COUNT'")) {
      rs.next();
      chunks = Long.parseLong(rs.getString(1));
    }
    return new Sample(
        messages,
        sql.messages().commitCount(),
        (System.nanoTime() - start) / 1e9,
        Files.size(file.resolveSibling("flowsync.mv.db")),
        chunks);
  }
}

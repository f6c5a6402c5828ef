package dev.flowsync.store.sql;

import static org.assertj.core.api.Assertions.assertThat;
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
 * SqlStores.Builder#h2WriteThrough} writing the commits, both level off. {@code RETENTION_TIME} is
 * shortened to 1.5 s here only so the plateau comes within seconds (H2 keeps freed chunks that
 * long; the servers keep H2's default of 45 s).
 *
 * <p>The figures of both configurations: {@code mvn -q -pl flowsync-store/flowsync-store-sql -am
 * verify -Dit.test=H2FileGrowthIT -Dflowsync.bench=true}.
 */
@DisplayName("H2 file size under sustained chat")
class H2FileGrowthIT {
  private static final String SHORT_RETENTION = ";RETENTION_TIME=1500";

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
  @DisplayName("with write-through and H2's background writer, file and chunks level off")
  void levelsOff() throws Exception {
    // Every commit written (the most chunks write-through can make), one message per commit.
    List<Sample> s = run(SHORT_RETENTION, java.time.Duration.ZERO, 20, Integer.MAX_VALUE, 1);
    s.forEach(System.out::println);
    Sample end = s.get(s.size() - 1);
    // With WRITE_DELAY=0 every commit left its chunk behind for good: chunks >= commits, and the
    // file grew with them. Here only the chunks of the last seconds and the live ones remain.
    assertThat(end.chunks()).isLessThan(end.commits() / 2);
  }

  @Test
  @DisplayName("figures: WRITE_DELAY=0 against write-through (-Dflowsync.bench=true)")
  void figures() throws Exception {
    assumeTrue(Boolean.getBoolean("flowsync.bench"), "benchmark: set -Dflowsync.bench=true");
    int messages = Integer.getInteger("bench.messages", 60_000);
    String retention = System.getProperty("bench.retention", "");
    java.time.Duration interval =
        java.time.Duration.ofMillis(Long.getLong("bench.intervalMillis", 50));
    for (java.time.Duration writeThrough : java.util.Arrays.asList(null, interval)) {
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

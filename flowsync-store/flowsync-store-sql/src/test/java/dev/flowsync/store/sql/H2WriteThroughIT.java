package dev.flowsync.store.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.NewMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link SqlStores.Builder#h2WriteThrough} promises: once {@code append} returned, the message
 * is in the H2 file, as a copy of the file taken at that moment (what a killed process leaves
 * behind) shows, although H2 itself would only write it within its 500 ms {@code WRITE_DELAY}.
 */
@DisplayName("H2 write-through: what a caller is told is stored is in the file")
class H2WriteThroughIT {
  @TempDir Path dir;

  @Test
  @DisplayName("an acknowledged chat message is in the file when append returns")
  void appendedMessageIsInTheFile() throws Exception {
    Path live = dir.resolve("live/flowsync");
    Path copy = dir.resolve("copy/flowsync");
    Files.createDirectories(copy.getParent());
    try (HikariDataSource pool = pool(live)) {
      SqlSchema.migrate(pool);
      try (SqlStores sql = SqlStores.builder(pool).h2WriteThrough(Duration.ofMillis(50)).build()) {
        for (int i = 1; i <= 3; i++) {
          sql.messages()
              .append(
                  new NewMessage(
                      "m" + i, "lobby", "ann", "Ann", "hello " + i, Instant.now(), "c" + i));
          // Right after the ack, before H2's background writer would have run.
          Files.copy(
              live.resolveSibling("flowsync.mv.db"),
              copy.resolveSibling("flowsync.mv.db"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    try (HikariDataSource pool = pool(copy);
        SqlStores sql = SqlStores.builder(pool).build()) {
      List<ChatMessage> history = sql.messages().after("lobby", 0, 10);
      assertThat(history)
          .extracting(ChatMessage::text)
          .containsExactly("hello 1", "hello 2", "hello 3");
    }
  }

  @Test
  @DisplayName("an issued token and a revocation are in the file when the call returns")
  void tokensAreInTheFile() throws Exception {
    Path live = dir.resolve("live/flowsync");
    Path copy = dir.resolve("copy/flowsync");
    Files.createDirectories(copy.getParent());
    Instant now = Instant.now();
    try (HikariDataSource pool = pool(live)) {
      SqlSchema.migrate(pool);
      try (SqlStores sql = SqlStores.builder(pool).h2WriteThrough(Duration.ofMillis(50)).build()) {
        sql.tokens()
            .save(new AccessToken("kept", "ann", "Ann", Set.of(), now, now.plusSeconds(60)));
        sql.tokens()
            .save(new AccessToken("revoked", "bob", "Bob", Set.of(), now, now.plusSeconds(60)));
        sql.tokens().delete("revoked");
        Files.copy(
            live.resolveSibling("flowsync.mv.db"),
            copy.resolveSibling("flowsync.mv.db"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    try (HikariDataSource pool = pool(copy);
        SqlStores sql = SqlStores.builder(pool).build()) {
      assertThat(sql.tokens().find("kept")).isPresent();
      assertThat(sql.tokens().find("revoked")).isEmpty();
    }
  }

  private static HikariDataSource pool(Path file) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl("jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE");
    c.setUsername("sa");
    c.setPassword("");
    c.setMaximumPoolSize(4);
    return new HikariDataSource(c);
  }
}

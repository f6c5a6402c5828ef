package dev.flowsync.store.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.store.tck.StoreCapability;
import dev.flowsync.store.tck.StoreContractKit;
import dev.flowsync.store.tck.StoreFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;

/**
 * The SQL stores pass the store contract kit on an H2 file database (the standalone server's
 * embedded default): a fresh file per contract, two pools on it as two instances.
 */
@DisplayName("SQL stores on an H2 file (contract kit)")
class H2StoreKitIT extends StoreContractKit {
  @Override
  protected StoreFixture createFixture() {
    Path dir;
    try {
      dir = Files.createTempDirectory("flowsync-h2-kit");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String url = "jdbc:h2:file:" + dir.resolve("flowsync").toAbsolutePath();
    HikariDataSource poolA = pool(url);
    HikariDataSource poolB = pool(url);
    SqlSchema.migrate(poolA);
    SqlStores a = SqlStores.builder(poolA).build();
    SqlStores b = SqlStores.builder(poolB).build();
    return StoreFixture.builder()
        .rooms(a.rooms())
        .messages(a.messages())
        .sessions(a.sessions())
        .tokens(a.tokens())
        .capabilities(StoreCapability.RETENTION)
        .sharedAcrossInstances(
            StoreFixture.builder()
                .rooms(b.rooms())
                .messages(b.messages())
                .sessions(b.sessions())
                .tokens(b.tokens())
                .capabilities(StoreCapability.RETENTION)
                .build())
        .onClose(a)
        .onClose(b)
        .onClose(poolA)
        .onClose(poolB)
        .onClose(() -> deleteTree(dir))
        .build();
  }

  private static HikariDataSource pool(String url) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setUsername("sa");
    c.setPassword("");
    c.setMaximumPoolSize(8);
    c.setConnectionTimeout(1_500);
    return new HikariDataSource(c);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

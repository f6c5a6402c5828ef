package dev.flowsync.store.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("SQL stores on an H2 file database")
class H2SqlStoresIT extends SqlStoresContract {
  @TempDir Path dir;
  private String url;

  @Override
  void createDatabase() {
    // Plain H2 (no compatibility mode): the schema and the queries are portable SQL.
    url = "jdbc:h2:file:" + dir.resolve("flowsync").toAbsolutePath();
  }

  @Override
  HikariDataSource newPool() {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setUsername("sa");
    c.setPassword("");
    c.setMaximumPoolSize(8);
    c.setConnectionTimeout(1_500);
    return new HikariDataSource(c);
  }
}

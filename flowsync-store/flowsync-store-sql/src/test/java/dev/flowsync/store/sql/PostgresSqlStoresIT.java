package dev.flowsync.store.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.testing.TestServices;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;

@DisplayName("SQL stores on PostgreSQL")
class PostgresSqlStoresIT extends SqlStoresContract {
  private TestServices.Schema schema;

  @Override
  void createDatabase() {
    schema = TestServices.postgres().newSchema();
    TestServices.Postgres pg = TestServices.postgres();
    String name = schema.schema();
    onClose(
        () -> {
          try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
              Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + name + " CASCADE");
          }
        });
  }

  @Override
  HikariDataSource newPool() {
    return pool(schema, 8);
  }

  /** A pool the way production should configure one: short, bounded waits. */
  static HikariDataSource pool(TestServices.Schema schema, int size) {
    return pool(schema.jdbcUrl(), schema.user(), schema.password(), size);
  }

  /** A pool that fails fast when the database is down (the outage tests rely on it). */
  static HikariDataSource pool(String jdbcUrl, String user, String password, int size) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(jdbcUrl);
    c.setUsername(user);
    c.setPassword(password);
    c.setMaximumPoolSize(size);
    c.setConnectionTimeout(1_500);
    c.setValidationTimeout(1_000);
    c.setInitializationFailTimeout(-1);
    c.addDataSourceProperty("connectTimeout", "2");
    c.addDataSourceProperty("socketTimeout", "10");
    return new HikariDataSource(c);
  }
}

package dev.flowsync.store.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("SqlSchema.migrate")
class SqlSchemaIT {
  @TempDir Path dir;

  @Test
  @DisplayName("applies FlowSync's tables next to an application's own, with its own history table")
  void migratesNextToApplicationTables() throws Exception {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:file:" + dir.resolve("app").toAbsolutePath());
    ds.setUser("sa");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE app_users (id INT PRIMARY KEY)");
      s.execute("CREATE TABLE flyway_schema_history (installed_rank INT)");
    }
    assertThat(SqlSchema.migrate(ds)).isEqualTo(1);
    assertThat(SqlSchema.migrate(ds)).isZero();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*) FROM information_schema.tables WHERE LOWER(table_name) IN"
                    + " ('app_users', 'flyway_schema_history', 'fs_messages', 'fs_room_seq',"
                    + " 'flowsync_schema_history')")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(5);
    }
  }
}

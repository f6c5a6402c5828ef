package dev.flowsync.store.sql;

import com.zaxxer.hikari.HikariDataSource;
import dev.flowsync.store.tck.StoreCapability;
import dev.flowsync.store.tck.StoreContractKit;
import dev.flowsync.store.tck.StoreFixture;
import dev.flowsync.testing.TestServices;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.DisplayName;

/**
 * The SQL stores pass the store contract kit on PostgreSQL: a fresh schema per contract, and a
 * second bundle on its own pool as the other node.
 */
@DisplayName("SQL stores on PostgreSQL (contract kit)")
class PostgresStoreKitIT extends StoreContractKit {
  @Override
  protected StoreFixture createFixture() {
    TestServices.Postgres pg = TestServices.postgres();
    TestServices.Schema schema = pg.newSchema();
    HikariDataSource poolA = PostgresSqlStoresIT.pool(schema, 8);
    HikariDataSource poolB = PostgresSqlStoresIT.pool(schema, 8);
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
        .onClose(
            () -> {
              try (Connection c =
                      DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
                  Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema.schema() + " CASCADE");
              }
            })
        .build();
  }
}

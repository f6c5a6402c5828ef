package dev.flowsync.store.sql;

import dev.flowsync.store.tck.StoreCapability;
import dev.flowsync.store.tck.StoreFixture;
import javax.sql.DataSource;

/** Builds a contract-kit fixture of two SQL store bundles on one database, as two nodes. */
final class KitFixtures {
  private KitFixtures() {}

  /**
   * Migrates the database through {@code poolA} and opens a bundle on each pool. When the contract
   * ends, the bundles close first, then {@code closeAfterStores} in the order given (pools, then
   * whatever removes the test database).
   */
  static StoreFixture twoNodes(
      DataSource poolA, DataSource poolB, AutoCloseable... closeAfterStores) {
    SqlSchema.migrate(poolA);
    SqlStores a = SqlStores.builder(poolA).build();
    SqlStores b = SqlStores.builder(poolB).build();
    StoreFixture.Builder fixture =
        StoreFixture.builder()
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
            .onClose(b);
    for (AutoCloseable c : closeAfterStores) {
      fixture.onClose(c);
    }
    return fixture.build();
  }
}

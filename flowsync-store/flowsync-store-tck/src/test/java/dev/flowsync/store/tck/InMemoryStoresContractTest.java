package dev.flowsync.store.tck;

import dev.flowsync.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.DisplayName;

/**
 * The in-memory stores pass the whole kit. They live in one process, so they are not shared across
 * instances: the "two instances" contracts run as two callers of one instance.
 */
@DisplayName("In-memory stores")
class InMemoryStoresContractTest extends StoreContractKit {
  @Override
  protected StoreFixture createFixture() {
    return StoreFixture.builder()
        .stores(InMemoryStores.create())
        .capabilities(StoreCapability.NODE_LEASES, StoreCapability.RETENTION)
        .build();
  }
}

package dev.flowsync.store.tck.usage;

import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.store.tck.StoreCapability;
import dev.flowsync.store.tck.StoreContractKit;
import dev.flowsync.store.tck.StoreFixture;
import org.junit.jupiter.api.DisplayName;

/**
 * A presence-and-timers backend (the shape of the Redis module) whose second instance lists only
 * its stores: the capabilities declared on the first fixture must govern both instances, so the
 * engine contracts run both nodes on the backend's presence store.
 */
@DisplayName("A presence and timer backend shared across instances")
class PresenceBackendContractTest extends StoreContractKit {
  @Override
  protected StoreFixture createFixture() {
    Stores backing = InMemoryStores.create();
    StoreFixture second =
        StoreFixture.builder().presence(backing.presence()).timers(backing.timers()).build();
    return StoreFixture.builder()
        .presence(backing.presence())
        .timers(backing.timers())
        .capabilities(StoreCapability.NODE_LEASES)
        .sharedAcrossInstances(second)
        .build();
  }
}

package dev.flowsync.store.tck.usage;

import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.store.tck.StoreContractKit;
import dev.flowsync.store.tck.StoreFixture;
import org.junit.jupiter.api.DisplayName;

/**
 * The kit as another module uses it: a subclass in another package, for a backend that implements
 * only some stores (here timers and tokens, like a Redis module without presence), handing the kit
 * a second instance. The room, presence, message and session groups are skipped; the timer, token
 * and engine contracts run, the engines over in-memory parts for what the backend lacks.
 */
@DisplayName("A backend with timers and tokens only")
class PartialBackendContractTest extends StoreContractKit {
  @Override
  protected StoreFixture createFixture() {
    Stores backing = InMemoryStores.create();
    StoreFixture second =
        StoreFixture.builder().timers(backing.timers()).tokens(backing.tokens()).build();
    return StoreFixture.builder()
        .timers(backing.timers())
        .tokens(backing.tokens())
        .sharedAcrossInstances(second)
        .build();
  }
}

package dev.flowsync.store.redis;

import dev.flowsync.store.tck.StoreCapability;
import dev.flowsync.store.tck.StoreContractKit;
import dev.flowsync.store.tck.StoreFixture;
import org.junit.jupiter.api.DisplayName;

/**
 * The Redis stores pass the store contract kit. The second instance is a separate bundle with its
 * own connection pool on the same key prefix, as a second node would be.
 */
@DisplayName("Redis stores")
class RedisStoresContractTest extends StoreContractKit {
  @Override
  protected StoreFixture createFixture() {
    RedisFixture redis = new RedisFixture();
    RedisStores a = redis.newStores();
    RedisStores b = redis.newStores();
    return StoreFixture.builder()
        .presence(a.presence())
        .timers(a.timers())
        .tokens(a.tokens())
        .capabilities(StoreCapability.NODE_LEASES)
        .sharedAcrossInstances(
            StoreFixture.builder()
                .presence(b.presence())
                .timers(b.timers())
                .tokens(b.tokens())
                .capabilities(StoreCapability.NODE_LEASES)
                .build())
        .onClose(redis)
        .build();
  }
}

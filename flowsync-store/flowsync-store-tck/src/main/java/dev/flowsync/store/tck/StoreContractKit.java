package dev.flowsync.store.tck;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;

/**
 * Every store contract in one class. A backend's test extends it and supplies its stores:
 *
 * <pre>{@code
 * class RedisStoresContractTest extends StoreContractKit {
 *   @Override
 *   protected StoreFixture createFixture() {
 *     String prefix = TestServices.redis().newKeyPrefix();
 *     RedisStores first = RedisStores.builder(client).keyPrefix(prefix).build();
 *     RedisStores second = RedisStores.builder(otherClient).keyPrefix(prefix).build();
 *     return StoreFixture.builder()
 *         .presence(first.presence()).timers(first.timers()).tokens(first.tokens())
 *         .capabilities(StoreCapability.NODE_LEASES)
 *         .sharedAcrossInstances(StoreFixture.builder()
 *             .presence(second.presence()).timers(second.timers()).tokens(second.tokens())
 *             .build())
 *         .build();
 *   }
 * }
 * }</pre>
 *
 * JUnit runs the nested groups below for the subclass. Groups for stores the fixture does not have
 * are skipped, as are contracts that need a {@link StoreCapability} it does not declare.
 */
public abstract class StoreContractKit {

  /**
   * Stores on fresh, empty, isolated data; called before every test and closed after it.
   *
   * @see StoreContract#createFixture()
   */
  protected abstract StoreFixture createFixture() throws Exception;

  /** {@link RoomStoreContract} against the kit's fixture. */
  @Nested
  @DisplayName("RoomStore")
  class RoomStoreSpec extends RoomStoreContract {
    @Override
    protected StoreFixture createFixture() throws Exception {
      return StoreContractKit.this.createFixture();
    }
  }

  /** {@link PresenceStoreContract} against the kit's fixture. */
  @Nested
  @DisplayName("PresenceStore")
  class PresenceStoreSpec extends PresenceStoreContract {
    @Override
    protected StoreFixture createFixture() throws Exception {
      return StoreContractKit.this.createFixture();
    }
  }

  /** {@link TimerStoreContract} against the kit's fixture. */
  @Nested
  @DisplayName("TimerStore")
  class TimerStoreSpec extends TimerStoreContract {
    @Override
    protected StoreFixture createFixture() throws Exception {
      return StoreContractKit.this.createFixture();
    }
  }

  /** {@link MessageStoreContract} against the kit's fixture. */
  @Nested
  @DisplayName("MessageStore")
  class MessageStoreSpec extends MessageStoreContract {
    @Override
    protected StoreFixture createFixture() throws Exception {
      return StoreContractKit.this.createFixture();
    }
  }

  /** {@link SessionStoreContract} against the kit's fixture. */
  @Nested
  @DisplayName("SessionStore")
  class SessionStoreSpec extends SessionStoreContract {
    @Override
    protected StoreFixture createFixture() throws Exception {
      return StoreContractKit.this.createFixture();
    }
  }

  /** {@link TokenStoreContract} against the kit's fixture. */
  @Nested
  @DisplayName("TokenStore")
  class TokenStoreSpec extends TokenStoreContract {
    @Override
    protected StoreFixture createFixture() throws Exception {
      return StoreContractKit.this.createFixture();
    }
  }

  /** {@link EngineContract} against the kit's fixture. */
  @Nested
  @DisplayName("FlowSync engines over these stores")
  class EngineSpec extends EngineContract {
    @Override
    protected StoreFixture createFixture() throws Exception {
      return StoreContractKit.this.createFixture();
    }
  }
}

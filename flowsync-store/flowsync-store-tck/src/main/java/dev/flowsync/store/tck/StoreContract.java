package dev.flowsync.store.tck;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of every contract class: one fresh {@link StoreFixture} per test, closed after it, and a
 * {@link MutableClock} that hands out the times the stores are given (stores never read a clock).
 *
 * <p>A backend runs every contract by extending {@link StoreContractKit}; it may also extend a
 * single contract class (for example {@link TimerStoreContract}) and implement {@link
 * #createFixture()}.
 */
public abstract class StoreContract {
  /** The test's clock; it moves only when the test moves it. */
  protected final MutableClock clock = MutableClock.startingNow();

  private StoreFixture fixture;

  /**
   * Stores on fresh, empty, isolated data (a new schema, a new key prefix, truncated tables or new
   * objects). Called before every test; the fixture is closed after it.
   */
  protected abstract StoreFixture createFixture() throws Exception;

  /** Opens this test's fixture. */
  @BeforeEach
  protected final void openFixture() throws Exception {
    fixture = createFixture();
  }

  /** Closes this test's fixture. */
  @AfterEach
  protected final void closeFixture() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  /** This test's fixture. */
  protected final StoreFixture stores() {
    return fixture;
  }

  /** Skips the test unless the backend has the capability. */
  protected final void requireCapability(StoreCapability capability) {
    assumeTrue(
        fixture.supports(capability), () -> "skipped: the backend does not declare " + capability);
  }
}

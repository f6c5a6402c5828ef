package dev.flowsync.store.tck;

/**
 * What a backend under test supports. The store kinds follow from the stores a {@link StoreFixture}
 * is given; the others are declared explicitly. Contracts that need a capability the fixture lacks
 * are skipped, and the skip names the capability.
 */
public enum StoreCapability {
  /** The fixture has a {@link dev.flowsync.core.room.RoomStore}. */
  ROOMS,
  /** The fixture has a {@link dev.flowsync.core.presence.PresenceStore}. */
  PRESENCE,
  /** The fixture has a {@link dev.flowsync.core.timer.TimerStore}. */
  TIMERS,
  /** The fixture has a {@link dev.flowsync.core.chat.MessageStore}. */
  MESSAGES,
  /** The fixture has a {@link dev.flowsync.core.session.SessionStore}. */
  SESSIONS,
  /** The fixture has a {@link dev.flowsync.core.auth.TokenStore}. */
  TOKENS,
  /**
   * The presence store keeps node leases ({@code renewLease}, {@code expiredNodes}, {@code
   * removeNode}). Needed to run the engines on it.
   */
  NODE_LEASES,
  /**
   * The message and session stores delete old entries ({@code deleteSentBefore}, {@code
   * deleteEndedBefore}).
   */
  RETENTION,
  /**
   * The fixture has a second instance of its stores, constructed independently on the same backing
   * service, as a second node would open them. Concurrency contracts then split their writers
   * between both instances. Declared by {@link StoreFixture.Builder#sharedAcrossInstances}.
   */
  SHARED_ACROSS_INSTANCES
}

package dev.flowsync.store.tck;

import dev.flowsync.core.auth.TokenStore;
import dev.flowsync.core.chat.MessageStore;
import dev.flowsync.core.presence.PresenceStore;
import dev.flowsync.core.room.RoomStore;
import dev.flowsync.core.session.SessionStore;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.timer.TimerStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The stores one contract test runs against, on fresh and isolated data, with the capabilities the
 * backend declares. A backend builds one per test:
 *
 * <pre>{@code
 * StoreFixture.builder()
 *     .presence(redis.presence())
 *     .timers(redis.timers())
 *     .tokens(redis.tokens())
 *     .capabilities(StoreCapability.NODE_LEASES)
 *     .sharedAcrossInstances(secondFixtureOnTheSamePrefix)
 *     .onClose(redis::close)
 *     .build();
 * }</pre>
 *
 * A backend supplies only the stores it implements; contracts of the others are skipped.
 */
public final class StoreFixture implements AutoCloseable {
  private final RoomStore rooms;
  private final PresenceStore presence;
  private final TimerStore timers;
  private final MessageStore messages;
  private final SessionStore sessions;
  private final TokenStore tokens;
  private final Set<StoreCapability> capabilities;
  private final StoreFixture secondInstance;
  private final List<AutoCloseable> closers;

  private StoreFixture(Builder b) {
    this.rooms = b.rooms;
    this.presence = b.presence;
    this.timers = b.timers;
    this.messages = b.messages;
    this.sessions = b.sessions;
    this.tokens = b.tokens;
    this.capabilities = Set.copyOf(b.capabilities);
    this.secondInstance = b.secondInstance;
    this.closers = List.copyOf(b.closers);
  }

  /** A builder with no stores and no capabilities. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the backend has the capability (a store kind or a declared flag). */
  public boolean supports(StoreCapability capability) {
    return capabilities.contains(capability);
  }

  /** Every capability of this fixture. */
  public Set<StoreCapability> capabilities() {
    return capabilities;
  }

  /**
   * The room store.
   *
   * @throws IllegalStateException if the backend has none
   */
  public RoomStore rooms() {
    return require(rooms, "RoomStore");
  }

  /**
   * The presence store.
   *
   * @throws IllegalStateException if the backend has none
   */
  public PresenceStore presence() {
    return require(presence, "PresenceStore");
  }

  /**
   * The timer store.
   *
   * @throws IllegalStateException if the backend has none
   */
  public TimerStore timers() {
    return require(timers, "TimerStore");
  }

  /**
   * The message store.
   *
   * @throws IllegalStateException if the backend has none
   */
  public MessageStore messages() {
    return require(messages, "MessageStore");
  }

  /**
   * The session store.
   *
   * @throws IllegalStateException if the backend has none
   */
  public SessionStore sessions() {
    return require(sessions, "SessionStore");
  }

  /**
   * The token store.
   *
   * @throws IllegalStateException if the backend has none
   */
  public TokenStore tokens() {
    return require(tokens, "TokenStore");
  }

  /**
   * The second instance of these stores on the same backing data when the backend is {@linkplain
   * StoreCapability#SHARED_ACROSS_INSTANCES shared across instances}; otherwise this fixture
   * itself, so that "two instances" contracts run as two callers of one instance.
   */
  public StoreFixture secondInstance() {
    return secondInstance == null ? this : secondInstance;
  }

  /**
   * {@code base} with every store this fixture has swapped in: how the engine contracts run
   * FlowSync on a backend that implements only some of the stores.
   */
  public Stores overlay(Stores base) {
    Stores s = base;
    if (rooms != null) {
      s = s.withRooms(rooms);
    }
    if (presence != null) {
      s = s.withPresence(presence);
    }
    if (timers != null) {
      s = s.withTimers(timers);
    }
    if (messages != null) {
      s = s.withMessages(messages);
    }
    if (sessions != null) {
      s = s.withSessions(sessions);
    }
    if (tokens != null) {
      s = s.withTokens(tokens);
    }
    return s;
  }

  /** Closes the second instance, then runs the close actions in reverse order of registration. */
  @Override
  public void close() throws Exception {
    Exception failure = null;
    List<AutoCloseable> all = new ArrayList<>();
    if (secondInstance != null) {
      all.add(secondInstance);
    }
    for (int i = closers.size() - 1; i >= 0; i--) {
      all.add(closers.get(i));
    }
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static <T> T require(T store, String what) {
    if (store == null) {
      throw new IllegalStateException("This fixture has no " + what);
    }
    return store;
  }

  /** Collects the stores and capabilities of a {@link StoreFixture}. */
  public static final class Builder {
    private RoomStore rooms;
    private PresenceStore presence;
    private TimerStore timers;
    private MessageStore messages;
    private SessionStore sessions;
    private TokenStore tokens;
    private final EnumSet<StoreCapability> capabilities = EnumSet.noneOf(StoreCapability.class);
    private StoreFixture secondInstance;
    private final List<AutoCloseable> closers = new ArrayList<>();

    private Builder() {}

    /** Every store of the bundle (its cluster bus is not part of the store contracts). */
    public Builder stores(Stores stores) {
      return rooms(stores.rooms())
          .presence(stores.presence())
          .timers(stores.timers())
          .messages(stores.messages())
          .sessions(stores.sessions())
          .tokens(stores.tokens());
    }

    /** The room store under test. */
    public Builder rooms(RoomStore store) {
      this.rooms = Objects.requireNonNull(store, "store");
      capabilities.add(StoreCapability.ROOMS);
      return this;
    }

    /** The presence store under test. */
    public Builder presence(PresenceStore store) {
      this.presence = Objects.requireNonNull(store, "store");
      capabilities.add(StoreCapability.PRESENCE);
      return this;
    }

    /** The timer store under test. */
    public Builder timers(TimerStore store) {
      this.timers = Objects.requireNonNull(store, "store");
      capabilities.add(StoreCapability.TIMERS);
      return this;
    }

    /** The message store under test. */
    public Builder messages(MessageStore store) {
      this.messages = Objects.requireNonNull(store, "store");
      capabilities.add(StoreCapability.MESSAGES);
      return this;
    }

    /** The session store under test. */
    public Builder sessions(SessionStore store) {
      this.sessions = Objects.requireNonNull(store, "store");
      capabilities.add(StoreCapability.SESSIONS);
      return this;
    }

    /** The token store under test. */
    public Builder tokens(TokenStore store) {
      this.tokens = Objects.requireNonNull(store, "store");
      capabilities.add(StoreCapability.TOKENS);
      return this;
    }

    /**
     * Declares optional capabilities: {@link StoreCapability#NODE_LEASES}, {@link
     * StoreCapability#RETENTION}. Store kinds follow from the stores given.
     *
     * @throws IllegalArgumentException for a store kind or {@code SHARED_ACROSS_INSTANCES}
     */
    public Builder capabilities(StoreCapability... declared) {
      for (StoreCapability c : declared) {
        if (c != StoreCapability.NODE_LEASES && c != StoreCapability.RETENTION) {
          throw new IllegalArgumentException(
              c
                  + " is not declared here: store kinds follow from the stores given, and"
                  + " SHARED_ACROSS_INSTANCES from sharedAcrossInstances(..)");
        }
      }
      capabilities.addAll(Arrays.asList(declared));
      return this;
    }

    /**
     * Declares the stores shared across instances and hands the kit a second instance: stores
     * constructed independently (own connections, own objects) on the same backing data. The second
     * fixture needs only its stores: the capabilities declared on this one apply to both.
     */
    public Builder sharedAcrossInstances(StoreFixture second) {
      this.secondInstance = Objects.requireNonNull(second, "second");
      capabilities.add(StoreCapability.SHARED_ACROSS_INSTANCES);
      return this;
    }

    /** Something to close after the test (a pool, a client, a schema drop); last added first. */
    public Builder onClose(AutoCloseable closer) {
      closers.add(Objects.requireNonNull(closer, "closer"));
      return this;
    }

    /**
     * The fixture.
     *
     * @throws IllegalArgumentException if no store was given, or the second instance does not hold
     *     the same kinds of stores
     */
    public StoreFixture build() {
      EnumSet<StoreCapability> kinds = storeKinds(capabilities);
      if (kinds.isEmpty()) {
        throw new IllegalArgumentException("A fixture needs at least one store");
      }
      if (secondInstance != null && !storeKinds(secondInstance.capabilities).equals(kinds)) {
        throw new IllegalArgumentException(
            "The second instance has stores "
                + storeKinds(secondInstance.capabilities)
                + " but the first has "
                + kinds);
      }
      return new StoreFixture(this);
    }

    private static EnumSet<StoreCapability> storeKinds(Set<StoreCapability> all) {
      EnumSet<StoreCapability> kinds = EnumSet.noneOf(StoreCapability.class);
      for (StoreCapability c : all) {
        if (c.ordinal() <= StoreCapability.TOKENS.ordinal()) {
          kinds.add(c);
        }
      }
      return kinds;
    }
  }
}

package dev.flowsync.core;

import dev.flowsync.core.auth.TokenEngine;
import dev.flowsync.core.chat.ChatEngine;
import dev.flowsync.core.event.EventPublisher;
import dev.flowsync.core.event.FlowSyncListener;
import dev.flowsync.core.internal.EngineContext;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.internal.RoomLanes;
import dev.flowsync.core.presence.PresenceEngine;
import dev.flowsync.core.room.RoomEngine;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.core.timer.TimerEngine;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FlowSync instance: the engines for rooms, presence, the timer, chat and tokens over one set
 * of stores. Transports (the WebSocket gateway, the HTTP API) and applications call the engines;
 * every change is published as an event to {@linkplain #subscribe listeners}.
 *
 * <pre>{@code
 * try (FlowSync flowSync = FlowSync.inMemory()) {
 *   IssuedToken t = flowSync.tokens().issue("u42", "Ana", null, null);
 *   ...
 * }
 * }</pre>
 */
public final class FlowSync implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FlowSync.class);

  private final FlowSyncConfig config;
  private final Clock clock;
  private final Stores stores;
  private final EventPublisher events = new EventPublisher();
  private final ScheduledExecutorService scheduler;
  private final RoomEngine rooms;
  private final PresenceEngine presence;
  private final TimerEngine timers;
  private final ChatEngine chat;
  private final TokenEngine tokens;

  private FlowSync(Builder b) {
    this.config =
        new FlowSyncConfig(
            b.nodeId,
            b.autoCreateRooms,
            b.defaultRoomCapacity,
            b.resumeGrace,
            b.historyLimit,
            b.maxStateBytes,
            b.maxTextLength,
            b.tokenTtl,
            b.nodeLeaseTtl);
    this.clock = b.clock;
    this.stores = b.stores;
    AtomicInteger threads = new AtomicInteger();
    this.scheduler =
        Executors.newScheduledThreadPool(
            1,
            r -> {
              Thread t = new Thread(r, "flowsync-scheduler-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    EngineContext ctx =
        new EngineContext(config, clock, stores, events, new RoomLanes(256), scheduler);
    this.rooms = new RoomEngine(ctx);
    this.presence = new PresenceEngine(ctx, rooms);
    this.timers = new TimerEngine(ctx, rooms);
    this.chat = new ChatEngine(ctx);
    this.tokens = new TokenEngine(ctx);
    b.listeners.forEach(events::subscribe);
    // A deleted room's timer must not wake up again.
    events.subscribe(
        e -> {
          if (e instanceof dev.flowsync.core.event.RoomClosed closed) {
            timers.forget(closed.roomId());
          }
        });
    startHousekeeping();
  }

  /**
   * A builder; every setting has a default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * An instance on fresh in-memory stores with default settings.
   *
   * @return the running instance
   */
  public static FlowSync inMemory() {
    return builder().build();
  }

  private void startHousekeeping() {
    presence.renewLease();
    scheduler.scheduleWithFixedDelay(
        guarded(
            "presence lease",
            () -> {
              presence.renewLease();
              presence.removeDeadNodes();
            }),
        1,
        1,
        TimeUnit.SECONDS);
    scheduler.scheduleWithFixedDelay(
        guarded("token purge", tokens::purgeExpired), 1, 60, TimeUnit.MINUTES);
    try {
      timers.recoverRunning();
    } catch (FlowSyncException e) {
      log.warn("Could not schedule running timers at start; they catch up when next read", e);
    }
  }

  private static Runnable guarded(String what, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("Housekeeping task '{}' failed; it runs again shortly", what, e);
      }
    };
  }

  /**
   * Rooms: create, find, list, delete, sessions.
   *
   * @return the room engine
   */
  public RoomEngine rooms() {
    return rooms;
  }

  /**
   * Presence: join, state, leave, kick.
   *
   * @return the presence engine
   */
  public PresenceEngine presence() {
    return presence;
  }

  /**
   * The shared timer of each room.
   *
   * @return the timer engine
   */
  public TimerEngine timers() {
    return timers;
  }

  /**
   * Persisted chat.
   *
   * @return the chat engine
   */
  public ChatEngine chat() {
    return chat;
  }

  /**
   * Access tokens.
   *
   * @return the token engine
   */
  public TokenEngine tokens() {
    return tokens;
  }

  /**
   * Adds a listener for every event.
   *
   * @param listener the listener; called on the thread that made the change
   * @return a handle whose {@code close()} removes the listener
   */
  public AutoCloseable subscribe(FlowSyncListener listener) {
    return events.subscribe(listener);
  }

  /**
   * The settings this instance runs with.
   *
   * @return the settings
   */
  public FlowSyncConfig config() {
    return config;
  }

  /**
   * This node's id.
   *
   * @return the node id
   */
  public String nodeId() {
    return config.nodeId();
  }

  /**
   * The clock every engine reads.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }

  /**
   * The stores this instance runs on.
   *
   * @return the stores
   */
  public Stores stores() {
    return stores;
  }

  /** Stops timers and housekeeping. Stores stay open: whoever created them closes them. */
  @Override
  public void close() {
    timers.stop();
    scheduler.shutdownNow();
  }

  /** Configures a {@link FlowSync}; {@link #build()} validates and freezes it. */
  public static final class Builder {
    private Stores stores;
    private Clock clock = Clock.systemUTC();
    private String nodeId = Ids.random("n_", 6);
    private boolean autoCreateRooms = true;
    private int defaultRoomCapacity = 0;
    private Duration resumeGrace = Duration.ofSeconds(20);
    private int historyLimit = 50;
    private int maxStateBytes = 2048;
    private int maxTextLength = 4000;
    private Duration tokenTtl = Duration.ofHours(24);
    private Duration nodeLeaseTtl = Duration.ofSeconds(4);
    private final List<FlowSyncListener> listeners = new ArrayList<>();

    private Builder() {}

    /**
     * The stores to run on; default: fresh {@link InMemoryStores}.
     *
     * @param stores the stores; the caller keeps ownership and closes them
     * @return this builder
     */
    public Builder stores(Stores stores) {
      this.stores = Objects.requireNonNull(stores, "stores");
      return this;
    }

    /**
     * The clock every engine reads; default: system UTC. Tests pass a controllable one.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * This node's id in a cluster; default: random ({@code n_...}).
     *
     * @param nodeId 1 to 64 letters, digits or {@code _ . -}
     * @return this builder
     */
    public Builder nodeId(String nodeId) {
      this.nodeId = nodeId;
      return this;
    }

    /**
     * Whether {@code join} creates unknown rooms; default true.
     *
     * @param autoCreateRooms false to answer {@code not_found} instead
     * @return this builder
     */
    public Builder autoCreateRooms(boolean autoCreateRooms) {
      this.autoCreateRooms = autoCreateRooms;
      return this;
    }

    /**
     * Capacity of rooms created without one; default 0 (no limit).
     *
     * @param capacity 0 or more
     * @return this builder
     */
    public Builder defaultRoomCapacity(int capacity) {
      this.defaultRoomCapacity = capacity;
      return this;
    }

    /**
     * How long a closed connection's memberships wait for a resume; default 20 s.
     *
     * @param resumeGrace 0 or more; zero disables resuming
     * @return this builder
     */
    public Builder resumeGrace(Duration resumeGrace) {
      this.resumeGrace = resumeGrace;
      return this;
    }

    /**
     * How many recent messages {@code joined} carries; default 50.
     *
     * @param historyLimit 0 to 200
     * @return this builder
     */
    public Builder historyLimit(int historyLimit) {
      this.historyLimit = historyLimit;
      return this;
    }

    /**
     * The largest member state in UTF-8 bytes; default 2048.
     *
     * @param maxStateBytes 1 or more
     * @return this builder
     */
    public Builder maxStateBytes(int maxStateBytes) {
      this.maxStateBytes = maxStateBytes;
      return this;
    }

    /**
     * The default access-token lifetime; default 24 h.
     *
     * @param tokenTtl at least 1 s
     * @return this builder
     */
    public Builder tokenTtl(Duration tokenTtl) {
      this.tokenTtl = tokenTtl;
      return this;
    }

    /**
     * How long this node's presence lease lasts unrenewed; it is renewed every second; default 4 s.
     *
     * @param nodeLeaseTtl at least 2 s
     * @return this builder
     */
    public Builder nodeLeaseTtl(Duration nodeLeaseTtl) {
      this.nodeLeaseTtl = nodeLeaseTtl;
      return this;
    }

    /**
     * Adds an event listener, called for every event from the start.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(FlowSyncListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Validates the settings and starts the instance: schedules running timers and the node lease.
     *
     * @return the running instance; close it to stop its timers and housekeeping
     * @throws IllegalArgumentException naming the setting and value that are invalid
     * @throws FlowSyncException.UnavailableException if the stores cannot be reached at start
     */
    public FlowSync build() {
      require(
          nodeId != null && nodeId.matches("[A-Za-z0-9_.-]{1,64}"),
          "nodeId must be 1-64 letters, digits or _ . -, was '" + nodeId + "'");
      require(
          defaultRoomCapacity >= 0, "defaultRoomCapacity must be >= 0, was " + defaultRoomCapacity);
      require(
          resumeGrace != null && !resumeGrace.isNegative(),
          "resumeGrace must be >= 0, was " + resumeGrace);
      require(
          historyLimit >= 0 && historyLimit <= 200,
          "historyLimit must be 0 to 200, was " + historyLimit);
      require(maxStateBytes > 0, "maxStateBytes must be > 0, was " + maxStateBytes);
      require(maxTextLength > 0, "maxTextLength must be > 0, was " + maxTextLength);
      require(
          tokenTtl != null && tokenTtl.toSeconds() >= 1,
          "tokenTtl must be >= 1 s, was " + tokenTtl);
      require(
          nodeLeaseTtl != null && nodeLeaseTtl.toMillis() >= 2000,
          "nodeLeaseTtl must be >= 2 s (it is renewed every second), was " + nodeLeaseTtl);
      if (stores == null) {
        stores = InMemoryStores.create();
      }
      return new FlowSync(this);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}

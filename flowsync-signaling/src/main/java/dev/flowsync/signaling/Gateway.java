package dev.flowsync.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.event.FlowSyncEvent;
import dev.flowsync.core.event.MemberJoined;
import dev.flowsync.core.event.MemberLeft;
import dev.flowsync.core.event.MemberUpdated;
import dev.flowsync.core.event.RoomClosed;
import dev.flowsync.core.event.RoomEvent;
import dev.flowsync.signaling.protocol.Frames;
import dev.flowsync.signaling.protocol.Json;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The realtime gateway: speaks the wire protocol over any transport that can hand it a {@link
 * Connection}, calls the engines of one {@link FlowSync}, and fans room events out to the local
 * connections in each room.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder(flowSync).heartbeat(Duration.ofSeconds(25)).build();
 * ClientSession session = gateway.open(connection); // then feed it frames
 * }</pre>
 */
public final class Gateway implements AutoCloseable {
  private final FlowSync flowSync;
  private final GatewayConfig config;
  private final ScheduledExecutorService timers;

  /** Local connections per room: who on this node gets a room's events. */
  private final Map<String, Set<GatewaySession>> roomMembers = new ConcurrentHashMap<>();

  private final Map<String, GatewaySession> byConnectionId = new ConcurrentHashMap<>();
  private final AutoCloseable subscription;

  private Gateway(FlowSync flowSync, GatewayConfig config) {
    this.flowSync = flowSync;
    this.config = config;
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "flowsync-gateway-timers");
              t.setDaemon(true);
              return t;
            });
    this.subscription = flowSync.subscribe(this::onEvent);
  }

  /** A builder for a gateway over {@code flowSync}. */
  public static Builder builder(FlowSync flowSync) {
    return new Builder(flowSync);
  }

  /** Starts the protocol on a freshly opened connection; the transport feeds the result. */
  public ClientSession open(Connection connection) {
    GatewaySession session = new GatewaySession(this, connection);
    session.armHelloDeadline(timers, config.helloTimeout());
    return session;
  }

  /** How many connections have completed hello and are open. */
  public int connectionCount() {
    return byConnectionId.size();
  }

  /** How many rooms have local members. */
  public int localRoomCount() {
    return roomMembers.size();
  }

  /** The settings. */
  public GatewayConfig config() {
    return config;
  }

  FlowSync flowSync() {
    return flowSync;
  }

  void registered(GatewaySession s) {
    byConnectionId.put(s.connectionId(), s);
  }

  void unregistered(GatewaySession s) {
    if (s.connectionId() != null) {
      byConnectionId.remove(s.connectionId(), s);
    }
  }

  GatewaySession localConnection(String connectionId) {
    return byConnectionId.get(connectionId);
  }

  void addToRoom(String room, GatewaySession s) {
    roomMembers.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(s);
  }

  void removeFromRoom(String room, GatewaySession s) {
    roomMembers.computeIfPresent(
        room,
        (r, set) -> {
          set.remove(s);
          return set.isEmpty() ? null : set;
        });
  }

  /** Engine events become frames for the local members of the room. */
  private void onEvent(FlowSyncEvent event) {
    if (!(event instanceof RoomEvent roomEvent)) {
      return;
    }
    String room = roomEvent.roomId();
    if (event instanceof MemberJoined e) {
      GatewaySession joiner = byConnectionId.get(e.member().connectionId());
      ObjectNode frame = Frames.reply("member.joined", null);
      frame.put("room", room);
      frame.set("member", Frames.member(e.member()));
      broadcast(room, Json.write(frame), e.member().connectionId());
      if (joiner != null) {
        addToRoom(room, joiner);
      }
    } else if (event instanceof MemberUpdated e) {
      ObjectNode frame = Frames.reply("member.updated", null);
      frame.put("room", room);
      frame.set("member", Frames.member(e.member()));
      broadcast(room, Json.write(frame), null);
    } else if (event instanceof MemberLeft e) {
      GatewaySession leaver = byConnectionId.get(e.member().connectionId());
      if (leaver != null) {
        removeFromRoom(room, leaver);
      }
      ObjectNode frame = Frames.reply("member.left", null);
      frame.put("room", room);
      frame.put("connectionId", e.member().connectionId());
      frame.put("userId", e.member().userId());
      frame.put("reason", e.reason().wireName());
      broadcast(room, Json.write(frame), null);
    } else if (event instanceof RoomClosed) {
      ObjectNode frame = Frames.reply("room.closed", null);
      frame.put("room", room);
      broadcast(room, Json.write(frame), null);
      roomMembers.remove(room);
    }
  }

  private void broadcast(String room, String frame, String exceptConnectionId) {
    Set<GatewaySession> members = roomMembers.get(room);
    if (members == null) {
      return;
    }
    for (GatewaySession s : members) {
      if (!s.connectionId().equals(exceptConnectionId)) {
        s.send(frame);
      }
    }
  }

  /**
   * Tells every client the server is going away ({@code bye}, then close 1001) and releases their
   * presence.
   */
  public void shutdown(Duration reconnectAfter) {
    ObjectNode bye = Frames.reply("bye", null);
    bye.put("reason", "shutdown");
    bye.put("reconnectAfterMs", reconnectAfter.toMillis());
    String frame = Json.write(bye);
    for (GatewaySession s : byConnectionId.values()) {
      s.send(frame);
      s.closeForShutdown();
    }
  }

  @Override
  public void close() {
    try {
      subscription.close();
    } catch (Exception e) {
      // removing a listener cannot fail in practice; nothing to clean up further
    }
    timers.shutdownNow();
  }

  /** Configures a {@link Gateway}. */
  public static final class Builder {
    private final FlowSync flowSync;
    private Duration heartbeat = Duration.ofSeconds(25);
    private Duration helloTimeout = Duration.ofSeconds(10);
    private IceServers iceServers = IceServers.none();

    private Builder(FlowSync flowSync) {
      this.flowSync = Objects.requireNonNull(flowSync, "flowSync");
    }

    /** WebSocket ping interval, also announced as {@code heartbeatMs}; default 25 s. */
    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = heartbeat;
      return this;
    }

    /** How long a new connection has to send hello; default 10 s. */
    public Builder helloTimeout(Duration helloTimeout) {
      this.helloTimeout = helloTimeout;
      return this;
    }

    /** ICE servers for clients; default none. */
    public Builder iceServers(IceServers iceServers) {
      this.iceServers = Objects.requireNonNull(iceServers, "iceServers");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException naming the invalid setting
     */
    public Gateway build() {
      if (heartbeat == null || heartbeat.toMillis() < 100) {
        throw new IllegalArgumentException("heartbeat must be >= 100 ms, was " + heartbeat);
      }
      if (helloTimeout == null || helloTimeout.toMillis() < 1) {
        throw new IllegalArgumentException("helloTimeout must be > 0, was " + helloTimeout);
      }
      return new Gateway(flowSync, new GatewayConfig(heartbeat, helloTimeout, iceServers));
    }
  }

  /**
   * The gateway's settings.
   *
   * @param heartbeat ping interval; silent connections close after twice this
   * @param helloTimeout deadline for the first frame
   * @param iceServers what {@code welcome} hands out
   */
  public record GatewayConfig(Duration heartbeat, Duration helloTimeout, IceServers iceServers) {}

  static void schedule(ScheduledExecutorService s, Runnable r, Duration d) {
    s.schedule(r, d.toMillis(), TimeUnit.MILLISECONDS);
  }
}

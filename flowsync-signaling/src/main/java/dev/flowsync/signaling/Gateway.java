package dev.flowsync.signaling;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.cluster.ClusterBus;
import dev.flowsync.core.event.ChatMessagePosted;
import dev.flowsync.core.event.FlowSyncEvent;
import dev.flowsync.core.event.MemberJoined;
import dev.flowsync.core.event.MemberLeft;
import dev.flowsync.core.event.MemberUpdated;
import dev.flowsync.core.event.RoomClosed;
import dev.flowsync.core.event.TimerChanged;
import dev.flowsync.core.event.TokenRevoked;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.core.presence.Member;
import dev.flowsync.signaling.protocol.Frames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The realtime gateway: speaks the wire protocol over any transport that can hand it a {@link
 * Connection}, calls the engines of one {@link FlowSync}, and fans room events out to the local
 * connections in each room and, through the {@link ClusterBus} of the FlowSync's stores, to the
 * other nodes with members in the room.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.builder(flowSync).heartbeat(Duration.ofSeconds(25)).build();
 * ClientSession session = gateway.open(connection); // then feed it frames
 * }</pre>
 *
 * <p>Build one gateway per {@link FlowSync}: it starts the stores' cluster bus, which is started
 * once. Store work (joins, chat, timer commands, token checks) runs on the gateway's own worker
 * threads, in order per connection; signals, pings and clock requests are answered on the
 * transport's thread when nothing of that connection is queued.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final FlowSync flowSync;
  private final GatewayConfig config;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;
  private final ClusterBus bus;
  private final String nodeId;

  /** Local connections per room: who on this node gets a room's events. */
  private final Map<String, Set<GatewaySession>> roomMembers = new ConcurrentHashMap<>();

  private final Map<String, GatewaySession> byConnectionId = new ConcurrentHashMap<>();
  private final Map<String, GatewaySession> byResumeToken = new ConcurrentHashMap<>();
  private final Map<String, Detached> detached = new ConcurrentHashMap<>();
  private final Map<String, Detached> detachedByConnection = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<String[]>> remoteClaims = new ConcurrentHashMap<>();
  private final AutoCloseable subscription;
  private final ScheduledFuture<?> heartbeat;
  private volatile boolean shuttingDown;
  private volatile boolean busWasHealthy = true;

  /**
   * Where the members of this node's rooms that live on other nodes are: room, then connection id,
   * then node. Filled by a presence read at the first signal to a member; a member.left (local or
   * from the bus) or room.closed removes it; a room's entries go when this node stops hearing the
   * room's events (its last local member left), and all go when the bus was unhealthy. Entries also
   * expire, so that a lost event cannot keep a wrong one for long; a node that gets a signal for a
   * connection it does not hold sends it back (see {@link #rerouteSignal}).
   */
  private final Map<String, Map<String, RemoteLocation>> remoteMembers = new ConcurrentHashMap<>();

  private static final long LOCATION_TTL_NANOS = TimeUnit.SECONDS.toNanos(5);

  record RemoteLocation(String nodeId, long readAtNanos) {}

  /** Releases that failed (the store was unreachable): retried once the bus is healthy again. */
  private final Map<String, LeaveReason> failedReleases = new ConcurrentHashMap<>();

  /** The request being handled on this thread, so its own event echo can carry its rid. */
  static final ThreadLocal<Request> CURRENT = new ThreadLocal<>();

  record Request(GatewaySession session, String rid, String room) {}

  /** A closed connection waiting for a resume: its memberships are still in the store. */
  record Detached(
      String connectionId,
      String userId,
      String tokenId,
      String resumeToken,
      Set<String> rooms,
      ScheduledFuture<?>[] expiry) {}

  private volatile GatewayObserver observer = GatewayObserver.NONE;

  private Gateway(FlowSync flowSync, GatewayConfig config) {
    this.flowSync = flowSync;
    this.config = config;
    this.nodeId = flowSync.nodeId();
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(1, daemon("flowsync-gateway-timers"));
    s.setRemoveOnCancelPolicy(true);
    this.scheduler = s;
    this.workers =
        new ThreadPoolExecutor(
            config.workerThreads(),
            config.workerThreads(),
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemon("flowsync-gateway-worker"));
    this.bus = flowSync.stores().clusterBus();
    bus.start(
        nodeId,
        new ClusterBus.ClusterListener() {
          @Override
          public void onMessage(String payload) {
            onBusMessage(payload);
          }

          @Override
          public void onUndelivered(String node, String payload) {
            onBusUndelivered(node, payload);
          }
        });
    this.subscription = flowSync.subscribe(this::onEvent);
    long tick = Math.max(10, config.heartbeat().toMillis() / 4);
    this.heartbeat = scheduler.scheduleAtFixedRate(this::sweep, tick, tick, TimeUnit.MILLISECONDS);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** A builder for a gateway over {@code flowSync}. */
  public static Builder builder(FlowSync flowSync) {
    return new Builder(flowSync);
  }

  /** Starts the protocol on a freshly opened connection; the transport feeds the result. */
  public ClientSession open(Connection connection) {
    GatewaySession session = new GatewaySession(this, connection);
    if (shuttingDown) {
      connection.close(CloseCodes.GOING_AWAY, "Server shutting down");
      return session;
    }
    session.armHelloDeadline();
    return session;
  }

  /**
   * Hands the gateway's traffic to {@code o} (metrics). One observer at a time; a second replaces
   * the first.
   *
   * @return a handle whose {@code close()} removes the observer again
   */
  public AutoCloseable observe(GatewayObserver o) {
    GatewayObserver given = java.util.Objects.requireNonNull(o, "observer");
    observer = given;
    return () -> {
      if (observer == given) {
        observer = GatewayObserver.NONE;
      }
    };
  }

  GatewayObserver observer() {
    return observer;
  }

  /** How many connections have completed hello and are open. */
  public int connectionCount() {
    return byConnectionId.size();
  }

  /** How many rooms have local members. */
  public int localRoomCount() {
    return roomMembers.size();
  }

  /** How many closed connections wait for a resume within the grace period. */
  public int detachedCount() {
    return detached.size();
  }

  /** The settings. */
  public GatewayConfig config() {
    return config;
  }

  FlowSync flowSync() {
    return flowSync;
  }

  String nodeId() {
    return nodeId;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  ExecutorService workers() {
    return workers;
  }

  ClusterBus bus() {
    return bus;
  }

  void registered(GatewaySession s) {
    byConnectionId.put(s.connectionId(), s);
    byResumeToken.put(s.resumeToken(), s);
  }

  void unregistered(GatewaySession s) {
    byConnectionId.remove(s.connectionId(), s);
    byResumeToken.remove(s.resumeToken(), s);
  }

  GatewaySession localConnection(String connectionId) {
    return byConnectionId.get(connectionId);
  }

  GatewaySession liveByResumeToken(String resumeToken) {
    return byResumeToken.get(resumeToken);
  }

  void addToRoom(String room, GatewaySession s, Member member) {
    s.rooms().put(room, member);
    boolean[] first = new boolean[1];
    roomMembers.compute(
        room,
        (r, set) -> {
          if (set == null) {
            set = ConcurrentHashMap.newKeySet();
            first[0] = true;
            remoteMembers.remove(r); // events were not heard for it until now
            bus.joinRoom(r);
          }
          set.add(s);
          return set;
        });
    if (first[0]) {
      // Another node may have started the room's timer: wake up for its phase ends here too.
      runWork(() -> watchTimer(room));
    }
  }

  /** Runs store work on a worker; inline once the workers have shut down. */
  void runWork(Runnable work) {
    try {
      workers.execute(work);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      work.run();
    }
  }

  void removeFromRoom(String room, GatewaySession s) {
    s.rooms().remove(room);
    roomMembers.computeIfPresent(
        room,
        (r, set) -> {
          set.remove(s);
          if (set.isEmpty()) {
            bus.leaveRoom(r);
            remoteMembers.remove(r); // its member.left events stop coming
            return null;
          }
          return set;
        });
  }

  private void watchTimer(String room) {
    try {
      flowSync.timers().watch(room);
    } catch (RuntimeException e) {
      log.warn("Could not watch the timer of room '{}'", room, e);
    }
  }

  // ---- resume bookkeeping -------------------------------------------------------------------

  void detach(GatewaySession s, Set<String> rooms) {
    Duration grace = flowSync.config().resumeGrace();
    ScheduledFuture<?>[] expiry = new ScheduledFuture<?>[1];
    Detached d =
        new Detached(
            s.connectionId(),
            s.userId(),
            s.tokenId(),
            s.resumeToken(),
            ConcurrentHashMap.newKeySet(),
            expiry);
    d.rooms().addAll(rooms);
    detached.put(d.resumeToken(), d);
    detachedByConnection.put(d.connectionId(), d);
    try {
      expiry[0] =
          scheduler.schedule(
              () -> {
                if (removeDetached(d)) {
                  release(d.connectionId(), d.rooms(), LeaveReason.DISCONNECTED);
                }
              },
              grace.toMillis(),
              TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      if (removeDetached(d)) {
        release(d.connectionId(), d.rooms(), LeaveReason.CLOSED); // the gateway is closing
      }
    }
  }

  /** Takes the detached connection for a resume; null when unknown, expired or another user's. */
  Detached claimDetached(String resumeToken, String userId) {
    Detached d = detached.get(resumeToken);
    if (d == null || !d.userId().equals(userId) || !removeDetached(d)) {
      return null;
    }
    cancelExpiry(d);
    return d;
  }

  private boolean removeDetached(Detached d) {
    if (detached.remove(d.resumeToken(), d)) {
      detachedByConnection.remove(d.connectionId(), d);
      return true;
    }
    return false;
  }

  private static void cancelExpiry(Detached d) {
    ScheduledFuture<?> f = d.expiry()[0];
    if (f != null) {
      f.cancel(false);
    }
  }

  /**
   * A resume token: a secret, then the connection and this node, so another node knows whom to ask
   * for the session and, if this node is gone, which memberships to adopt.
   */
  String newResumeToken(String connectionId) {
    return dev.flowsync.core.internal.Ids.random("rt_", 24) + "." + connectionId + "." + nodeId;
  }

  /**
   * The answer of another node to a resume claim.
   *
   * @param connectionId the connection handed over, or the one the token names when the owner was
   *     silent
   * @param ownerSilent true when the owning node did not answer (it may be dead)
   * @param ownerNode the node named in the token
   */
  record RemoteClaim(String connectionId, boolean ownerSilent, String ownerNode) {}

  /**
   * Asks the node named in a resume token for its detached connection (the client reconnected to
   * another node). The owner hands it over only to the same user; the caller then adopts the
   * memberships in the presence store.
   *
   * @return the handed-over connection; a silent-owner answer; or null when the token names no
   *     other node or the owner refuses
   */
  RemoteClaim claimRemote(String resumeToken, String userId, Duration wait) {
    int dot2 = claimedIdEnd(resumeToken);
    if (dot2 < 0 || dot2 == resumeToken.length() - 1) {
      return null;
    }
    return claimRemote(resumeToken, userId, wait, resumeToken.substring(dot2 + 1));
  }

  /**
   * Asks {@code owner} for the connection a resume token names: the node named in the token, or the
   * survivor that took the connection over when that node died.
   *
   * @return as {@link #claimRemote(String, String, Duration)}
   */
  RemoteClaim claimRemote(String resumeToken, String userId, Duration wait, String owner) {
    int dot2 = claimedIdEnd(resumeToken);
    if (dot2 < 0 || owner.equals(nodeId)) {
      return null;
    }
    String claimedId = resumeToken.substring(resumeToken.indexOf('.') + 1, dot2);
    CompletableFuture<String[]> answer = new CompletableFuture<>();
    remoteClaims.put(resumeToken, answer);
    try {
      bus.sendToNode(owner, envelope('Q', resumeToken, userId, nodeId, ""));
      String[] granted = answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return granted == null ? null : new RemoteClaim(granted[0], false, owner);
    } catch (java.util.concurrent.TimeoutException e) {
      return new RemoteClaim(claimedId, true, owner);
    } catch (java.util.concurrent.ExecutionException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      remoteClaims.remove(resumeToken, answer);
    }
  }

  /** Where the connection id in a resume token ends (its second dot), or -1. */
  private static int claimedIdEnd(String resumeToken) {
    int dot1 = resumeToken.indexOf('.');
    return dot1 < 0 ? -1 : resumeToken.indexOf('.', dot1 + 1);
  }

  /**
   * Another node asks for one of our detached connections on behalf of a resuming client, or for a
   * connection of a dead node that this node took over.
   */
  private void onClaim(String resumeToken, String userId, String fromNode) {
    GatewaySession live = byResumeToken.get(resumeToken);
    if (live != null && userId.equals(live.userId())) {
      live.takeOverForResume();
    }
    Detached local = claimDetached(resumeToken, userId);
    Detached d = local != null ? local : claimOrphan(resumeToken, userId);
    if (d == null) {
      bus.sendToNode(fromNode, envelope('N', resumeToken, "", "", ""));
      return;
    }
    bus.sendToNode(fromNode, envelope('A', resumeToken, d.connectionId(), "", ""));
    // The bus is at most once: if the new node never adopts the memberships, they must not stay
    // here forever under this node's lease.
    Set<String> rooms = Set.copyOf(d.rooms());
    try {
      scheduler.schedule(
          () ->
              runWork(
                  () -> {
                    for (String room : rooms) {
                      flowSync
                          .presence()
                          .find(room, d.connectionId())
                          .filter(m -> m.nodeId().equals(nodeId))
                          .ifPresent(
                              m ->
                                  flowSync
                                      .presence()
                                      .leave(
                                          d.connectionId(), room, LeaveReason.DISCONNECTED, null));
                    }
                  }),
          Math.max(1000, flowSync.config().resumeGrace().toMillis()),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down: the new node adopts or the lease cleanup removes them
    }
  }

  /**
   * Takes over, for a resume, a connection of a dead node that this node holds since the node died
   * (see {@code PresenceEngine.removeDeadNodes}). Only the same user may; the dead node cannot
   * check the token's secret any more, so this is the check the silent-owner path makes.
   *
   * @return the connection with its rooms, or null
   */
  Detached claimOrphan(String resumeToken, String userId) {
    int dot2 = claimedIdEnd(resumeToken);
    if (dot2 < 0) {
      return null;
    }
    String id = resumeToken.substring(resumeToken.indexOf('.') + 1, dot2);
    Set<String> rooms = flowSync.presence().claimOrphan(id, userId);
    if (rooms.isEmpty()) {
      return null;
    }
    Set<String> memberOf = ConcurrentHashMap.newKeySet();
    memberOf.addAll(rooms);
    return new Detached(id, userId, null, resumeToken, memberOf, new ScheduledFuture<?>[1]);
  }

  /**
   * Removes the connection from the rooms (on a worker: these are store calls), only where this
   * node still holds it: after a resume on another node the memberships are that node's.
   */
  void release(String connectionId, Set<String> rooms, LeaveReason reason) {
    List<String> copy = new ArrayList<>(rooms);
    runWork(
        () -> {
          for (String room : copy) {
            try {
              boolean ours =
                  flowSync
                      .presence()
                      .find(room, connectionId)
                      .map(m -> m.nodeId().equals(nodeId))
                      .orElse(false);
              if (ours) {
                flowSync.presence().leave(connectionId, room, reason, null);
              }
            } catch (RuntimeException e) {
              failedReleases.put(room + "\n" + connectionId, reason);
              log.warn(
                  "Could not remove {} from room '{}'; retried when Redis is back",
                  connectionId,
                  room,
                  e);
            }
          }
        });
  }

  // ---- events ---------------------------------------------------------------------------------

  /** Engine events become frames for the local members of the room and for the other nodes. */
  private void onEvent(FlowSyncEvent event) {
    if (event instanceof MemberJoined e) {
      Member m = e.member();
      GatewaySession joiner = byConnectionId.get(m.connectionId());
      if (joiner != null) {
        addToRoom(m.room(), joiner, m);
      }
      String frame = Frames.memberJoined(m);
      deliverToRoom(m.room(), frame, m.connectionId(), null);
      bus.publishToRoom(m.room(), envelope('R', m.room(), m.connectionId(), "", frame));
    } else if (event instanceof MemberUpdated e) {
      Member m = e.member();
      GatewaySession local = byConnectionId.get(m.connectionId());
      if (local != null && local.rooms().containsKey(m.room())) {
        local.rooms().put(m.room(), m);
      }
      String frame = Frames.memberUpdated(m, null);
      Request req = CURRENT.get();
      String except = null;
      if (req != null && req.session().connectionId().equals(m.connectionId())) {
        except = m.connectionId();
        req.session().deliver(m.room(), Frames.memberUpdated(m, req.rid()), null);
      }
      deliverToRoom(m.room(), frame, except, null);
      bus.publishToRoom(m.room(), envelope('R', m.room(), "", "", frame));
    } else if (event instanceof MemberLeft e) {
      Member m = e.member();
      String frame = Frames.memberLeft(m, e.reason().wireName());
      memberLeft(m.room(), m.connectionId(), e.reason(), e.detail(), frame);
      bus.publishToRoom(
          m.room(),
          envelope(
              'L',
              m.room(),
              m.connectionId(),
              // the envelope's fields are lines: a free-text kick reason must not break them
              e.reason().name() + ":" + (e.detail() == null ? "" : e.detail().replace('\n', ' ')),
              frame));
    } else if (event instanceof RoomClosed e) {
      String frame = Frames.roomClosed(e.roomId());
      roomClosed(e.roomId(), frame);
      bus.publishToRoom(e.roomId(), envelope('C', e.roomId(), "", "", frame));
    } else if (event instanceof ChatMessagePosted e) {
      String frame = Frames.chatMessage(e.message());
      String key = "c" + e.message().seq();
      deliverToRoom(e.roomId(), frame, null, key);
      bus.publishToRoom(e.roomId(), envelope('R', e.roomId(), "", key, frame));
    } else if (event instanceof TimerChanged e) {
      String frame = Frames.timerFrame(e.roomId(), e.timer(), null);
      String key = "t" + e.timer().version();
      Request req = CURRENT.get();
      String except = null;
      if (req != null && e.roomId().equals(req.room())) {
        except = req.session().connectionId();
        req.session().deliver(e.roomId(), Frames.timerFrame(e.roomId(), e.timer(), req.rid()), key);
      }
      deliverToRoom(e.roomId(), frame, except, key);
      bus.publishToRoom(e.roomId(), envelope('W', e.roomId(), "", key, frame));
    } else if (event instanceof TokenRevoked e) {
      revoked(e.tokenId());
      bus.broadcast(envelope('V', e.tokenId(), "", "", ""));
    }
  }

  private void memberLeft(
      String room, String connectionId, LeaveReason reason, String detail, String frame) {
    forgetRemote(room, connectionId, null);
    GatewaySession leaver = byConnectionId.get(connectionId);
    if (leaver != null) {
      removeFromRoom(room, leaver);
      if (reason == LeaveReason.KICKED) {
        leaver.send(Frames.kicked(room, detail));
      }
    } else {
      Detached d = detachedByConnection.get(connectionId);
      if (d != null) {
        d.rooms().remove(room);
      }
    }
    deliverToRoom(room, frame, connectionId, null);
  }

  private void roomClosed(String room, String frame) {
    remoteMembers.remove(room);
    Set<GatewaySession> members = roomMembers.get(room);
    if (members != null) {
      for (GatewaySession s : List.copyOf(members)) {
        s.send(frame);
        removeFromRoom(room, s);
      }
    }
    for (Detached d : detached.values()) {
      d.rooms().remove(room);
    }
  }

  private void revoked(String tokenId) {
    for (GatewaySession s : byConnectionId.values()) {
      if (tokenId.equals(s.tokenId())) {
        s.unauthorized(null, "The access token was revoked");
      }
    }
    for (Detached d : detached.values()) {
      if (tokenId.equals(d.tokenId()) && removeDetached(d)) {
        cancelExpiry(d);
        release(d.connectionId(), d.rooms(), LeaveReason.DISCONNECTED);
      }
    }
  }

  /** Sends a room frame to every local member of the room except one connection. */
  void deliverToRoom(String room, String frame, String exceptConnectionId, String dedupeKey) {
    Set<GatewaySession> members = roomMembers.get(room);
    if (members == null) {
      return;
    }
    for (GatewaySession s : members) {
      if (exceptConnectionId == null || !exceptConnectionId.equals(s.connectionId())) {
        s.deliver(room, frame, dedupeKey);
      }
    }
  }

  // ---- cluster --------------------------------------------------------------------------------

  /**
   * Sends a signal frame to the node that holds connection {@code to} in {@code room}.
   *
   * @return false when no other node holds it (the caller answers peer-not-found)
   */
  boolean relayToOtherNode(String room, String to, String frame) {
    String node = remoteNodeOf(room, to);
    if (node == null) {
      return false;
    }
    // The sender's id lets the receiving node send the signal back if the location was stale.
    bus.sendToNode(node, envelope('S', room, to, nodeId, frame));
    return true;
  }

  /** The node of a remote member, from the cache or else from the presence store. */
  private String remoteNodeOf(String room, String connectionId) {
    Map<String, RemoteLocation> members = remoteMembers.get(room);
    RemoteLocation known = members == null ? null : members.get(connectionId);
    if (known != null && System.nanoTime() - known.readAtNanos() < LOCATION_TTL_NANOS) {
      return known.nodeId();
    }
    Optional<Member> m = flowSync.presence().find(room, connectionId);
    if (m.isEmpty() || m.get().nodeId().equals(nodeId)) {
      forgetRemote(room, connectionId, null);
      return null;
    }
    String node = m.get().nodeId();
    // Only for rooms whose events this node hears, or nothing would ever correct the entry.
    if (roomMembers.containsKey(room)) {
      remoteMembers
          .computeIfAbsent(room, r -> new ConcurrentHashMap<>())
          .put(connectionId, new RemoteLocation(node, System.nanoTime()));
    }
    return node;
  }

  /** Drops a cached location; only if it still points at {@code node} when that is given. */
  private void forgetRemote(String room, String connectionId, String node) {
    Map<String, RemoteLocation> members = remoteMembers.get(room);
    if (members != null) {
      members.computeIfPresent(
          connectionId, (c, loc) -> node == null || node.equals(loc.nodeId()) ? null : loc);
    }
  }

  /**
   * A node did not hold the target of a signal this node sent it (the member left, or resumed on
   * another node): read where the target is now and send it there once more, without a second
   * return trip.
   */
  private void rerouteSignal(String room, String to, String missedAt, String frame) {
    forgetRemote(room, to, missedAt);
    Optional<Member> m;
    try {
      m = flowSync.presence().find(room, to);
    } catch (RuntimeException e) {
      log.debug("Could not reroute a signal to {}: {}", to, e.toString());
      return;
    }
    if (m.isEmpty() || m.get().nodeId().equals(missedAt)) {
      return; // gone, or its node holds no live connection for it (waiting for a resume)
    }
    if (m.get().nodeId().equals(nodeId)) {
      GatewaySession target = byConnectionId.get(to);
      if (target != null && target.rooms().containsKey(room)) {
        target.deliver(room, frame, null);
      }
      return;
    }
    bus.sendToNode(m.get().nodeId(), envelope('S', room, to, "", frame));
  }

  private static String envelope(char kind, String a, String b, String c, String frame) {
    return new StringBuilder(frame.length() + a.length() + b.length() + c.length() + 8)
        .append(kind)
        .append(a)
        .append('\n')
        .append(b)
        .append('\n')
        .append(c)
        .append('\n')
        .append(frame)
        .toString();
  }

  /** A cluster message: a kind, three fields and a frame (see {@link #envelope}). */
  private record Envelope(char kind, String a, String b, String c, String frame) {
    /** The message's parts, or null if it is malformed. */
    static Envelope parse(String payload) {
      int i1 = payload.indexOf('\n');
      int i2 = payload.indexOf('\n', i1 + 1);
      int i3 = payload.indexOf('\n', i2 + 1);
      if (payload.isEmpty() || i1 < 0 || i2 < 0 || i3 < 0) {
        return null;
      }
      return new Envelope(
          payload.charAt(0),
          payload.substring(1, i1),
          payload.substring(i1 + 1, i2),
          payload.substring(i2 + 1, i3),
          payload.substring(i3 + 1));
    }
  }

  /**
   * A signal went to a node that nobody listens for any more: it died, and this node's routing
   * cache still pointed at it. Send it where the presence store says its target is now (a client
   * that resumed on another node), instead of losing a signal its sender was told went through.
   * Other kinds are left alone: a claim has its own timeout, room events are best effort.
   */
  private void onBusUndelivered(String node, String payload) {
    Envelope e = payload.startsWith("S") ? Envelope.parse(payload) : null;
    if (e != null) {
      runWork(() -> rerouteSignal(e.a(), e.b(), node, e.frame()));
    }
  }

  private void onBusMessage(String payload) {
    try {
      Envelope e = Envelope.parse(payload);
      if (e == null) {
        log.warn("Ignoring a malformed cluster message");
        return;
      }
      char kind = e.kind();
      String a = e.a();
      String b = e.b();
      String c = e.c();
      String frame = e.frame();
      switch (kind) {
        case 'R' -> deliverToRoom(a, frame, b.isEmpty() ? null : b, c.isEmpty() ? null : c);
        case 'W' -> {
          deliverToRoom(a, frame, null, c);
          runWork(() -> watchTimer(a));
        }
        case 'L' -> {
          int colon = c.indexOf(':');
          LeaveReason reason = LeaveReason.valueOf(c.substring(0, colon));
          String detail = c.substring(colon + 1);
          memberLeft(a, b, reason, detail.isEmpty() ? null : detail, frame);
        }
        case 'C' -> roomClosed(a, frame);
        case 'S' -> {
          GatewaySession target = byConnectionId.get(b);
          if (target != null && target.rooms().containsKey(a)) {
            target.deliver(a, frame, null);
          } else if (!c.isEmpty() && !c.equals(nodeId)) {
            bus.sendToNode(c, envelope('M', a, b, nodeId, frame));
          }
        }
        case 'M' -> runWork(() -> rerouteSignal(a, b, c, frame));
        case 'V' -> revoked(a);
        case 'Q' -> runWork(() -> onClaim(a, b, c));
        case 'A', 'N' -> {
          CompletableFuture<String[]> waiting = remoteClaims.get(a);
          if (waiting != null) {
            waiting.complete(kind == 'A' ? new String[] {b} : null);
          }
        }
        default -> log.warn("Ignoring a cluster message of unknown kind '{}'", kind);
      }
    } catch (RuntimeException e) {
      log.warn("A cluster message could not be handled", e);
    }
  }

  // ---- keep-alive -----------------------------------------------------------------------------

  private void sweep() {
    try {
      long now = System.nanoTime();
      long pingEvery = config.heartbeat().toNanos();
      long silentAfter = 2 * pingEvery;
      for (GatewaySession s : byConnectionId.values()) {
        s.heartbeat(now, pingEvery, silentAfter);
      }
      boolean healthy = bus.isHealthy();
      if (!healthy || !busWasHealthy) {
        remoteMembers.clear(); // member.left events may have been missed meanwhile
      }
      if (healthy && !busWasHealthy) {
        runWork(this::reconcile);
      }
      busWasHealthy = healthy;
    } catch (RuntimeException e) {
      log.warn("Heartbeat sweep failed", e);
    }
  }

  /**
   * The bus is back after an outage: make the shared store's record of this node's members match
   * the connections it holds. Members it lost (Redis restarted empty) are put back without an
   * event, as are the dead nodes' members it holds for a resume and the running and paused timers
   * it knows (newest version wins), and members whose release failed during the outage are removed
   * now (member.left).
   */
  private void reconcile() {
    int restored = 0;
    for (GatewaySession s : byConnectionId.values()) {
      for (Member m : s.rooms().values()) {
        try {
          if (flowSync.presence().restore(m)) {
            restored++;
          }
        } catch (RuntimeException e) {
          busWasHealthy = false; // try again on a later sweep
          return;
        }
      }
    }
    int timers;
    try {
      // Members of dead nodes this node holds for a resume, so that their grace still ends in
      // member.left for the others, who never saw them leave.
      restored += flowSync.presence().restoreOrphans();
      timers = flowSync.timers().restoreKnown();
    } catch (RuntimeException e) {
      busWasHealthy = false; // try again on a later sweep
      return;
    }
    for (String key : List.copyOf(failedReleases.keySet())) {
      LeaveReason reason = failedReleases.remove(key);
      int nl = key.indexOf('\n');
      release(key.substring(nl + 1), Set.of(key.substring(0, nl)), reason);
    }
    log.info(
        "Node '{}' reconciled after a Redis outage: {} members and {} timers restored",
        nodeId,
        restored,
        timers);
  }

  /**
   * Tells every client the server is going away ({@code bye}, then close 1001) and releases their
   * presence (reason {@code closed}).
   */
  public void shutdown(Duration reconnectAfter) {
    shuttingDown = true;
    String frame = Frames.bye("shutdown", reconnectAfter.toMillis());
    for (GatewaySession s : byConnectionId.values()) {
      s.send(frame);
      s.terminate(CloseCodes.GOING_AWAY, "Server shutting down", LeaveReason.CLOSED);
    }
    for (Detached d : detached.values()) {
      if (removeDetached(d)) {
        cancelExpiry(d);
        release(d.connectionId(), d.rooms(), LeaveReason.CLOSED);
      }
    }
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    try {
      subscription.close();
    } catch (Exception e) {
      // removing a listener cannot fail in practice; nothing to clean up further
    }
    heartbeat.cancel(false);
    scheduler.shutdownNow();
    workers.shutdownNow();
  }

  /** Configures a {@link Gateway}. */
  public static final class Builder {
    private final FlowSync flowSync;
    private Duration heartbeat = Duration.ofSeconds(25);
    private Duration helloTimeout = Duration.ofSeconds(10);
    private IceServers iceServers = IceServers.none();
    private RateLimit rateLimit = RateLimit.DEFAULT;
    private int maxRateLimitViolations = 100;
    private int maxBadFrames = 20;
    private Duration violationWindow = Duration.ofSeconds(10);
    private int maxQueuedRequests = 256;
    private long maxOutboundBytes = 4L * 1024 * 1024;
    private int workerThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

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

    /** Per-connection inbound frame limit; default {@code 50/s,burst=100}. */
    public Builder rateLimit(RateLimit rateLimit) {
      this.rateLimit = Objects.requireNonNull(rateLimit, "rateLimit");
      return this;
    }

    /**
     * How many {@code rate_limited} answers a connection may get within the violation window before
     * it is closed with 4429; default 100.
     */
    public Builder maxRateLimitViolations(int n) {
      this.maxRateLimitViolations = n;
      return this;
    }

    /**
     * How many bad frames ({@code bad_request}) a connection may send within the violation window
     * before it is closed with 1008; default 20.
     */
    public Builder maxBadFrames(int n) {
      this.maxBadFrames = n;
      return this;
    }

    /** The window over which violations are counted; default 10 s. */
    public Builder violationWindow(Duration window) {
      this.violationWindow = window;
      return this;
    }

    /**
     * How many requests of one connection may wait for store work before more are refused with
     * {@code rate_limited}; default 256.
     */
    public Builder maxQueuedRequests(int n) {
      this.maxQueuedRequests = n;
      return this;
    }

    /**
     * Outbound bytes a transport may hold for one connection before closing it as a slow consumer;
     * default 4 MiB. Transports read it from {@link GatewayConfig#maxOutboundBytes()}.
     */
    public Builder maxOutboundBytes(long bytes) {
      this.maxOutboundBytes = bytes;
      return this;
    }

    /** Threads that run store work (joins, chat, timer commands); default max(4, 2 × cores). */
    public Builder workerThreads(int n) {
      this.workerThreads = n;
      return this;
    }

    /**
     * Validates and builds; starts the heartbeat and the cluster bus of the FlowSync's stores.
     *
     * @throws IllegalArgumentException naming the invalid setting
     */
    public Gateway build() {
      if (heartbeat == null || heartbeat.toMillis() < 20) {
        throw new IllegalArgumentException("heartbeat must be >= 20 ms, was " + heartbeat);
      }
      if (helloTimeout == null || helloTimeout.toMillis() < 1) {
        throw new IllegalArgumentException("helloTimeout must be > 0, was " + helloTimeout);
      }
      require(maxRateLimitViolations >= 1, "maxRateLimitViolations must be >= 1");
      require(maxBadFrames >= 1, "maxBadFrames must be >= 1");
      require(
          violationWindow != null && violationWindow.toMillis() >= 1,
          "violationWindow must be > 0");
      require(maxQueuedRequests >= 1, "maxQueuedRequests must be >= 1");
      require(maxOutboundBytes >= 64 * 1024, "maxOutboundBytes must be >= 64 KiB");
      require(workerThreads >= 1, "workerThreads must be >= 1");
      return new Gateway(
          flowSync,
          new GatewayConfig(
              heartbeat,
              helloTimeout,
              iceServers,
              rateLimit,
              maxRateLimitViolations,
              maxBadFrames,
              violationWindow,
              maxQueuedRequests,
              maxOutboundBytes,
              workerThreads));
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  /**
   * The gateway's settings; see the {@link Builder} methods of the same names.
   *
   * @param heartbeat ping interval; silent connections close after twice this
   * @param helloTimeout deadline for the first frame
   * @param iceServers what {@code welcome} hands out
   * @param rateLimit per-connection inbound frame limit
   * @param maxRateLimitViolations rate_limited answers per window before close 4429
   * @param maxBadFrames bad frames per window before close 1008
   * @param violationWindow the window for both counts
   * @param maxQueuedRequests requests waiting for store work per connection
   * @param maxOutboundBytes outbound bytes held per connection before it is closed as slow
   * @param workerThreads threads for store work
   */
  public record GatewayConfig(
      Duration heartbeat,
      Duration helloTimeout,
      IceServers iceServers,
      RateLimit rateLimit,
      int maxRateLimitViolations,
      int maxBadFrames,
      Duration violationWindow,
      int maxQueuedRequests,
      long maxOutboundBytes,
      int workerThreads) {}
}

package dev.flowsync.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.FlowSyncException;
import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.ForbiddenException;
import dev.flowsync.core.FlowSyncException.PeerNotFoundException;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.chat.ChatEngine;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.HistoryPage;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.presence.JoinResult;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.core.presence.Member;
import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerState;
import dev.flowsync.signaling.Gateway.Detached;
import dev.flowsync.signaling.internal.SerialLane;
import dev.flowsync.signaling.internal.TokenBucket;
import dev.flowsync.signaling.protocol.Frames;
import dev.flowsync.signaling.protocol.Inbound;
import dev.flowsync.signaling.protocol.Inbound.Field;
import dev.flowsync.signaling.protocol.Inbound.MalformedFrameException;
import dev.flowsync.signaling.protocol.Json;
import dev.flowsync.signaling.protocol.Outbound;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's protocol state: before hello, authenticated, closed. The transport calls
 * {@link #onText} for one frame at a time; light requests (signal, ping, time) run on that thread,
 * everything that touches a store runs on the connection's {@link SerialLane}, so replies keep the
 * order of the requests.
 */
final class GatewaySession implements ClientSession {
  private static final Logger log = LoggerFactory.getLogger(GatewaySession.class);
  private static final int MAX_ID = 128;
  private static final int MAX_ROOM = 64;

  private final Gateway gateway;
  private final FlowSync flowSync;
  private final Connection connection;
  private final SerialLane lane;
  private final TokenBucket bucket;
  private final long windowNanos;

  /** Room id to this connection's membership, for rooms whose events reach it here. */
  private final Map<String, Member> rooms = new ConcurrentHashMap<>();

  /** Room frames held back while a {@code joined} for the room is being built. */
  private final Map<String, List<String[]>> pendingJoins = new HashMap<>();

  private volatile int pendingJoinCount;

  private volatile AccessToken token;
  private volatile String connectionId;
  private volatile String resumeToken;
  private volatile boolean closed;
  private volatile long lastSeen = System.nanoTime();
  private volatile long lastPing = System.nanoTime();
  private ScheduledFuture<?> helloDeadline;
  private ScheduledFuture<?> expiry;

  // Touched only by the transport's thread for this connection (one frame at a time).
  private long windowStart = System.nanoTime();
  private int badFrames;
  private int rateViolations;

  GatewaySession(Gateway gateway, Connection connection) {
    this.gateway = gateway;
    this.flowSync = gateway.flowSync();
    this.connection = connection;
    this.lane = new SerialLane(gateway.workers());
    this.bucket = new TokenBucket(gateway.config().rateLimit(), System.nanoTime());
    this.windowNanos = gateway.config().violationWindow().toNanos();
  }

  void armHelloDeadline() {
    helloDeadline =
        gateway
            .scheduler()
            .schedule(
                () -> {
                  if (token == null && !closed) {
                    terminate(CloseCodes.HELLO_TIMEOUT, "No hello in time", null);
                  }
                },
                gateway.config().helloTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
  }

  @Override
  public String connectionId() {
    return connectionId;
  }

  String userId() {
    AccessToken t = token;
    return t == null ? null : t.userId();
  }

  String tokenId() {
    AccessToken t = token;
    return t == null ? null : t.tokenId();
  }

  String resumeToken() {
    return resumeToken;
  }

  Map<String, Member> rooms() {
    return rooms;
  }

  private void sendError(String rid, String code, String message) {
    gateway.observer().errorSent(code);
    send(Outbound.error(rid, code, message));
  }

  void send(String frame) {
    if (closed) {
      return;
    }
    GatewayObserver observer = gateway.observer();
    if (observer != GatewayObserver.NONE) {
      observer.frameOut(Outbound.typeOf(frame));
    }
    if (!connection.send(frame)) {
      // A full outbound queue (slow consumer) or a transport already closing: the transport
      // closes it; the gateway stops serving it now rather than when the close completes.
      log.debug("Cannot send to {}; ending the connection", connectionId);
      terminate(CloseCodes.POLICY_VIOLATION, null, null);
    }
  }

  /**
   * Sends a room frame, or holds it while this connection's {@code joined} for the room is being
   * built (so nothing of a room reaches a joiner before its {@code joined}).
   *
   * @param dedupeKey {@code c<seq>} for chat messages, {@code t<version>} for timers, else null:
   *     held frames already covered by the {@code joined} are dropped
   */
  void deliver(String room, String frame, String dedupeKey) {
    if (pendingJoinCount > 0) {
      synchronized (pendingJoins) {
        List<String[]> held = pendingJoins.get(room);
        if (held != null) {
          held.add(new String[] {frame, dedupeKey});
          return;
        }
      }
    }
    send(frame);
  }

  private void beginJoin(String room) {
    synchronized (pendingJoins) {
      pendingJoins.put(room, new ArrayList<>());
      pendingJoinCount = pendingJoins.size();
    }
  }

  /**
   * Sends {@code joined} (or nothing) and then the frames held meanwhile that it does not cover.
   */
  private void finishJoin(String room, String joined, long lastSeq, long timerVersion) {
    synchronized (pendingJoins) {
      List<String[]> held = pendingJoins.remove(room);
      pendingJoinCount = pendingJoins.size();
      if (joined != null) {
        send(joined);
      }
      if (held == null || (joined == null && !rooms.containsKey(room))) {
        return;
      }
      for (String[] h : held) {
        String key = h[1];
        if (key != null && joined != null) {
          long n = Long.parseLong(key, 1, key.length(), 10);
          if ((key.charAt(0) == 'c' && n <= lastSeq)
              || (key.charAt(0) == 't' && n <= timerVersion)) {
            continue;
          }
        }
        send(h[0]);
      }
    }
  }

  // ---- inbound ------------------------------------------------------------------------------

  @Override
  public void onText(String text) {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    lastSeen = now;
    Inbound in;
    try {
      in = Inbound.parse(text);
    } catch (MalformedFrameException e) {
      if (rateLimited(now, e.rid())) {
        return;
      }
      badFrame(now, e.rid(), e.getMessage());
      return;
    }
    String rid = in.rid();
    if (rateLimited(now, rid)) {
      return;
    }
    String type;
    try {
      in.checkRid();
      type = in.type();
    } catch (FlowSyncException e) {
      badFrame(now, rid, e.getMessage());
      return;
    }
    gateway.observer().frameIn(type);
    if (token == null) {
      if (connectionId == null) {
        if (!type.equals("hello")) {
          unauthorized(rid, "The first frame must be hello");
          return;
        }
        connectionId = ""; // marks "hello under way": later frames queue behind it
        lane.submit(() -> guarded(rid, () -> hello(in, rid)));
        return;
      }
      lane.submit(() -> guarded(rid, () -> afterHello(type, in, rid)));
      return;
    }
    switch (type) {
      case "signal", "ping", "time" -> {
        if (lane.isIdle()) {
          guarded(rid, () -> dispatch(type, in, rid));
          return;
        }
      }
      default -> {
        // store work: queued behind this connection's earlier requests
      }
    }
    if (lane.size() >= gateway.config().maxQueuedRequests()) {
      sendError(rid, "rate_limited", "Too many requests waiting; slow down");
      return;
    }
    if (type.equals("chat.send")) {
      // The lane waits for the commit without a worker thread waiting with it.
      lane.submitAsync(() -> guardedAsync(rid, () -> chatSend(in, rid)));
      return;
    }
    lane.submit(() -> guarded(rid, () -> dispatch(type, in, rid)));
  }

  @Override
  public void onBinary() {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    lastSeen = now;
    if (!rateLimited(now, null)) {
      badFrame(now, null, "Binary frames are not part of the protocol; send JSON text frames");
    }
  }

  @Override
  public void onPong() {
    lastSeen = System.nanoTime();
  }

  private boolean rateLimited(long now, String rid) {
    if (bucket.tryTake(now)) {
      return false;
    }
    rollWindow(now);
    if (++rateViolations > gateway.config().maxRateLimitViolations()) {
      terminate(CloseCodes.RATE_LIMITED, "Rate limit exceeded persistently", null);
    } else {
      sendError(rid, "rate_limited", "Too many frames; the limit is " + limitText());
    }
    return true;
  }

  private String limitText() {
    return gateway.config().rateLimit().toString();
  }

  private void badFrame(long now, String rid, String message) {
    rollWindow(now);
    if (++badFrames > gateway.config().maxBadFrames()) {
      sendError(rid, "bad_request", message);
      terminate(CloseCodes.POLICY_VIOLATION, "Too many bad frames", null);
    } else {
      sendError(rid, "bad_request", message);
    }
  }

  private void rollWindow(long now) {
    if (now - windowStart > windowNanos) {
      windowStart = now;
      badFrames = 0;
      rateViolations = 0;
    }
  }

  private void guarded(String rid, Runnable work) {
    if (closed) {
      return;
    }
    try {
      work.run();
    } catch (RuntimeException e) {
      answerFailure(rid, e);
    } finally {
      Gateway.CURRENT.remove();
    }
  }

  /** {@link #guarded} for a request that finishes when the stage {@code work} returns completes. */
  private CompletionStage<?> guardedAsync(String rid, Supplier<CompletionStage<?>> work) {
    if (closed) {
      return null;
    }
    try {
      return work.get();
    } catch (RuntimeException e) {
      answerFailure(rid, e);
      return null;
    } finally {
      Gateway.CURRENT.remove();
    }
  }

  /** The error frame for a request that failed (the PROTOCOL.md code of a FlowSync exception). */
  private void answerFailure(String rid, Throwable failure) {
    Throwable e =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (e instanceof FlowSyncException f) {
      if (f instanceof BadRequestException) {
        countBadFrameFromLane(rid, f.getMessage());
      } else {
        sendError(rid, f.code().wireName(), f.getMessage());
      }
    } else {
      log.error("Internal error handling a frame on {}", connectionId, e);
      sendError(rid, "internal", "Internal server error");
    }
  }

  private void countBadFrameFromLane(String rid, String message) {
    // Lane tasks run one at a time per connection, and the window counters are only a heuristic:
    // a rare race with the transport thread can at worst miscount one frame.
    badFrame(System.nanoTime(), rid, message);
  }

  /** A frame that arrived while hello was being answered. */
  private void afterHello(String type, Inbound in, String rid) {
    if (token == null) {
      if (connectionId == null && type.equals("hello")) {
        connectionId = "";
        hello(in, rid); // the first hello failed with bad_request: this one gets its chance
      } else if (connectionId == null) {
        unauthorized(rid, "The first frame must be hello");
      }
      return;
    }
    dispatch(type, in, rid);
  }

  private void dispatch(String type, Inbound in, String rid) {
    switch (type) {
      case "signal" -> signal(in, rid);
      case "ping" -> send(Outbound.bare("pong", rid));
      case "time" ->
          send(
              Frames.time(
                  rid,
                  in.has(Field.T0)
                      ? in.optionalLong(Field.T0, Long.MIN_VALUE, Long.MAX_VALUE, 0)
                      : null,
                  flowSync.clock().millis()));
      case "join" -> join(in, rid);
      case "leave" -> leave(in, rid);
      case "state" -> state(in, rid);
      case "chat.send" -> chatSend(in, rid).join(); // only a chat.send queued behind hello
      case "chat.history" -> chatHistory(in, rid);
      case "timer.start", "timer.pause", "timer.resume", "timer.reset", "timer.skip" ->
          timer(type, in, rid);
      case "refresh" -> refresh(in, rid);
      case "hello" -> throw new BadRequestException("Already authenticated: hello comes once");
      default -> throw new BadRequestException("Unknown message type '" + type + "'");
    }
  }

  // ---- hello, refresh, expiry -----------------------------------------------------------------

  private void hello(Inbound in, String rid) {
    String resume;
    Map<String, Long> lastSeq;
    try {
      resume = in.optionalString(Field.RESUME, 256);
      in.optionalString(Field.CLIENT, 128);
      lastSeq = lastSeqs(in);
    } catch (FlowSyncException e) {
      connectionId = null;
      throw e;
    }
    AccessToken verified;
    try {
      String raw;
      try {
        raw = in.optionalString(Field.TOKEN, 512);
      } catch (BadRequestException e) {
        raw = null;
      }
      verified = flowSync.tokens().verify(raw);
    } catch (FlowSyncException e) {
      connectionId = null;
      if (e.code() == dev.flowsync.core.ErrorCode.UNAVAILABLE) {
        throw e;
      }
      unauthorized(rid, e.getMessage());
      return;
    }
    if (closed) {
      return;
    }
    if (helloDeadline != null) {
      helloDeadline.cancel(false);
    }
    Detached resumed = null;
    if (resume != null && !flowSync.config().resumeGrace().isZero()) {
      GatewaySession old = gateway.liveByResumeToken(resume);
      if (old != null && old != this && verified.userId().equals(old.userId())) {
        // The client reconnected before the server noticed the old connection drop.
        old.takeOver();
      }
      resumed = gateway.claimDetached(resume, verified.userId());
      if (resumed == null) {
        resumed = claimFromOtherNode(resume, verified.userId());
      }
    }
    connectionId = resumed != null ? resumed.connectionId() : Ids.random("c_", 12);
    resumeToken = gateway.newResumeToken(connectionId);
    token = verified;
    gateway.registered(this);
    if (closed) {
      gateway.unregistered(this);
      if (resumed != null) {
        gateway.release(connectionId, resumed.rooms(), LeaveReason.DISCONNECTED);
      }
      return;
    }
    scheduleExpiry(verified);
    // A resumed connection is back in its rooms before the welcome goes out, so a peer that
    // signals it as soon as it sees the resume finds it; frames for those rooms are held until
    // each room's joined is sent.
    Map<String, Member> restored = new LinkedHashMap<>();
    if (resumed != null) {
      for (String room : resumed.rooms()) {
        beginJoin(room);
        try {
          Optional<Member> self = flowSync.presence().find(room, connectionId);
          if (self.isEmpty()) {
            finishJoin(room, null, 0, 0);
            continue;
          }
          gateway.addToRoom(room, this, self.get());
          restored.put(room, self.get());
        } catch (RuntimeException e) {
          finishJoin(room, null, 0, 0);
          log.warn("Could not restore room '{}' for resumed {}", room, connectionId, e);
        }
      }
    }
    send(welcome(rid, verified, resumed != null));
    for (Map.Entry<String, Member> entry : restored.entrySet()) {
      String room = entry.getKey();
      try {
        Long after = lastSeq.get(room);
        List<ChatMessage> history =
            after == null ? flowSync.chat().recent(room) : flowSync.chat().missedSince(room, after);
        sendJoined(null, room, entry.getValue(), flowSync.presence().members(room), history);
      } catch (RuntimeException e) {
        finishJoin(room, null, 0, 0);
        log.warn("Could not restore room '{}' for resumed {}", room, connectionId, e);
      }
    }
  }

  /**
   * The client was on another node: take its memberships over from there. If that node is silent
   * (dead), the presence records say who holds them now: still the dead node until its lease runs
   * out (adopt them directly), or the survivor that took them over (claim them from it, or here if
   * that is this node).
   */
  private Detached claimFromOtherNode(String resume, String userId) {
    Gateway.RemoteClaim claim = gateway.claimRemote(resume, userId, Duration.ofSeconds(1));
    if (claim == null) {
      return null;
    }
    String id = claim.connectionId();
    if (claim.ownerSilent()) {
      String holder = holderOf(id, userId);
      if (holder == null) {
        return null;
      }
      if (holder.equals(gateway.nodeId())) {
        return gateway.claimOrphan(resume, userId);
      }
      if (!holder.equals(claim.ownerNode())) {
        Gateway.RemoteClaim fromHolder =
            gateway.claimRemote(resume, userId, Duration.ofSeconds(1), holder);
        if (fromHolder == null || fromHolder.ownerSilent()) {
          return null;
        }
        id = fromHolder.connectionId();
        claim = fromHolder;
      }
    }
    List<Member> adopted = flowSync.presence().adoptConnection(id);
    if (claim.ownerSilent() && adopted.isEmpty()) {
      return null;
    }
    Set<String> memberOf = ConcurrentHashMap.newKeySet();
    adopted.forEach(m -> memberOf.add(m.room()));
    return new Detached(id, userId, null, resume, memberOf, new ScheduledFuture<?>[1]);
  }

  /**
   * The node that holds every membership of the connection, if they are all this user's and held by
   * one node; else null.
   */
  private String holderOf(String connectionId, String userId) {
    String holder = null;
    for (String room : flowSync.presence().roomsOf(connectionId)) {
      Optional<Member> m = flowSync.presence().find(room, connectionId);
      if (m.isEmpty()
          || !m.get().userId().equals(userId)
          || (holder != null && !holder.equals(m.get().nodeId()))) {
        return null;
      }
      holder = m.get().nodeId();
    }
    return holder;
  }

  private static Map<String, Long> lastSeqs(Inbound in) {
    JsonNode node = in.optionalObjectTree(Field.LAST_SEQ);
    Map<String, Long> result = new HashMap<>();
    if (node == null) {
      return result;
    }
    Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().canConvertToLong() || !e.getValue().isIntegralNumber()) {
        throw new BadRequestException("Field 'lastSeq' must map room ids to integers");
      }
      result.put(e.getKey(), Math.max(0, e.getValue().longValue()));
    }
    return result;
  }

  private String welcome(String rid, AccessToken t, boolean resumed) {
    var welcome = Frames.reply("welcome", rid);
    welcome.put("connectionId", connectionId);
    welcome.put("userId", t.userId());
    welcome.put("name", t.name());
    welcome.put("serverTime", flowSync.clock().millis());
    welcome.put("heartbeatMs", gateway.config().heartbeat().toMillis());
    welcome.put("resumeToken", resumeToken);
    welcome.put("resumed", resumed);
    welcome.set(
        "iceServers",
        Json.MAPPER.valueToTree(
            gateway.config().iceServers().forUser(t.userId(), flowSync.clock().instant())));
    return Json.write(welcome);
  }

  private void scheduleExpiry(AccessToken t) {
    if (expiry != null) {
      expiry.cancel(false);
    }
    long delay = Math.max(0, t.expiresAt().toEpochMilli() - flowSync.clock().millis());
    expiry =
        gateway
            .scheduler()
            .schedule(
                () -> {
                  if (token == t && !closed) {
                    unauthorized(null, "The access token expired; send refresh before it does");
                  }
                },
                delay,
                TimeUnit.MILLISECONDS);
  }

  private void refresh(Inbound in, String rid) {
    String raw = in.requiredString(Field.TOKEN, 512);
    AccessToken fresh = flowSync.tokens().verify(raw);
    if (!fresh.userId().equals(token.userId())) {
      throw new ForbiddenException(
          "The new token is for user '"
              + fresh.userId()
              + "', this connection is '"
              + token.userId()
              + "'");
    }
    token = fresh;
    scheduleExpiry(fresh);
    send(Frames.refreshed(rid, fresh.expiresAt().toEpochMilli()));
  }

  /** Answers {@code unauthorized} and closes 4401, releasing presence at once. */
  void unauthorized(String rid, String message) {
    sendError(rid, "unauthorized", message);
    terminate(CloseCodes.UNAUTHORIZED, "Unauthorized", LeaveReason.DISCONNECTED);
  }

  // ---- rooms ----------------------------------------------------------------------------------

  private void join(Inbound in, String rid) {
    String room = in.requiredString(Field.ROOM, MAX_ROOM);
    String name = in.optionalString(Field.NAME, 100);
    String state = in.optionalObjectText(Field.STATE);
    beginJoin(room);
    JoinResult result;
    try {
      result = flowSync.presence().join(token, connectionId, room, name, state);
    } catch (RuntimeException e) {
      finishJoin(room, null, 0, 0);
      throw e;
    }
    if (closed) {
      // The connection closed while the join ran: whatever terminate() saw, do not leak this one.
      finishJoin(room, null, 0, 0);
      gateway.removeFromRoom(room, this);
      gateway.release(connectionId, Set.of(room), LeaveReason.DISCONNECTED);
      return;
    }
    if (result.alreadyMember()) {
      gateway.addToRoom(room, this, result.self());
    }
    try {
      // The members as of the join itself: every member.* event after it is held and follows.
      sendJoined(rid, room, result.self(), result.members(), null);
    } catch (RuntimeException e) {
      finishJoin(room, null, 0, 0);
      throw e;
    }
  }

  /** Builds and sends {@code joined}; {@code history} null means the recent messages. */
  private void sendJoined(
      String rid, String room, Member self, List<Member> members, List<ChatMessage> history) {
    long lastSeq = flowSync.chat().lastSeq(room);
    List<ChatMessage> messages = history != null ? history : flowSync.chat().recent(room);
    if (!messages.isEmpty()) {
      lastSeq = Math.max(lastSeq, messages.get(messages.size() - 1).seq());
    }
    TimerState timer = flowSync.timers().get(room);
    String frame = Frames.joined(rid, room, self, members, timer, messages, lastSeq);
    finishJoin(room, frame, lastSeq, timer.version());
  }

  private void leave(Inbound in, String rid) {
    String room = in.requiredString(Field.ROOM, MAX_ROOM);
    if (flowSync.presence().leave(connectionId, room, LeaveReason.LEFT, null).isEmpty()) {
      throw new ForbiddenException("Not a member of room '" + room + "'");
    }
    gateway.removeFromRoom(room, this);
    send(Frames.left(rid, room));
  }

  private void state(Inbound in, String rid) {
    String room = in.requiredString(Field.ROOM, MAX_ROOM);
    String state = in.requiredObjectText(Field.STATE);
    requireMember(room);
    Gateway.CURRENT.set(new Gateway.Request(this, rid, room));
    flowSync.presence().updateState(connectionId, room, state);
  }

  private Member requireMember(String room) {
    Member m = rooms.get(room);
    if (m == null) {
      throw new ForbiddenException("Not a member of room '" + room + "'");
    }
    return m;
  }

  // ---- signaling ------------------------------------------------------------------------------

  private void signal(Inbound in, String rid) {
    long started = System.nanoTime();
    String room = in.requiredString(Field.ROOM, MAX_ROOM);
    String to = in.requiredString(Field.TO, MAX_ID);
    String kind = in.requiredString(Field.KIND, 16);
    switch (kind) {
      case "offer", "answer", "candidate", "bye", "custom" -> {}
      default ->
          throw new BadRequestException(
              "Field 'kind' must be offer, answer, candidate, bye or custom, was '" + kind + "'");
    }
    if (!rooms.containsKey(room)) {
      throw new PeerNotFoundException(
          "This connection is not in room '" + room + "', so it cannot signal there");
    }
    GatewaySession target = gateway.localConnection(to);
    if (target != null && target.rooms.containsKey(room)) {
      target.deliver(room, Outbound.signal(room, connectionId, kind, in), null);
    } else if (!gateway.relayToOtherNode(room, to, Outbound.signal(room, connectionId, kind, in))) {
      throw new PeerNotFoundException("No connection '" + to + "' in room '" + room + "'");
    }
    gateway.observer().signalRelayed(System.nanoTime() - started);
    if (rid != null) {
      send(Outbound.bare("ok", rid));
    }
  }

  // ---- chat -----------------------------------------------------------------------------------

  /**
   * Hands the message to the chat engine and acknowledges it once stored (after COMMIT on SQL), or
   * answers with the error frame; the future completes after that answer and never fails. Invalid
   * requests throw at once.
   */
  private CompletableFuture<Void> chatSend(Inbound in, String rid) {
    String room = in.requiredString(Field.ROOM, MAX_ROOM);
    String text = in.requiredString(Field.TEXT, Integer.MAX_VALUE);
    String clientMsgId = in.optionalString(Field.CLIENT_MSG_ID, 64);
    Member self = requireMember(room);
    return flowSync
        .chat()
        .sendAsync(room, token.userId(), self.name(), text, clientMsgId)
        .handle(
            (result, failure) -> {
              if (failure == null) {
                send(Frames.chatAck(rid, result.message()));
              } else {
                answerFailure(rid, failure);
              }
              return null;
            });
  }

  private void chatHistory(Inbound in, String rid) {
    String room = in.requiredString(Field.ROOM, MAX_ROOM);
    boolean before = in.has(Field.BEFORE_SEQ);
    boolean after = in.has(Field.AFTER_SEQ);
    if (before && after) {
      throw new BadRequestException("Give beforeSeq or afterSeq, not both");
    }
    int limit = (int) in.optionalLong(Field.LIMIT, 1, ChatEngine.MAX_HISTORY, 50);
    requireMember(room);
    HistoryPage page =
        after
            ? flowSync
                .chat()
                .after(room, in.optionalLong(Field.AFTER_SEQ, 0, Long.MAX_VALUE, 0), limit)
            : flowSync
                .chat()
                .before(
                    room,
                    before ? in.optionalLong(Field.BEFORE_SEQ, 1, Long.MAX_VALUE, 0) : null,
                    limit);
    send(Frames.history(rid, room, page));
  }

  // ---- timer ----------------------------------------------------------------------------------

  private void timer(String type, Inbound in, String rid) {
    String room = in.requiredString(Field.ROOM, MAX_ROOM);
    List<Phase> phases = type.equals("timer.start") ? phases(in) : null;
    boolean repeat = in.optionalBoolean(Field.REPEAT, false);
    requireMember(room);
    String user = token.userId();
    Gateway.CURRENT.set(new Gateway.Request(this, rid, room));
    switch (type) {
      case "timer.start" -> flowSync.timers().start(room, user, phases, repeat);
      case "timer.pause" -> flowSync.timers().pause(room, user);
      case "timer.resume" -> flowSync.timers().resume(room, user);
      case "timer.reset" -> flowSync.timers().reset(room, user);
      default -> flowSync.timers().skip(room, user);
    }
  }

  private static List<Phase> phases(Inbound in) {
    JsonNode array = in.optionalArray(Field.PHASES);
    if (array == null) {
      throw new BadRequestException("Field 'phases' is required");
    }
    List<Phase> phases = new ArrayList<>();
    for (JsonNode p : array) {
      JsonNode name = p.get("name");
      JsonNode duration = p.get("durationMs");
      if (!p.isObject()
          || name == null
          || !name.isTextual()
          || duration == null
          || !duration.isIntegralNumber()
          || !duration.canConvertToLong()
          || duration.longValue() < 1) {
        throw new BadRequestException(
            "Each phase must be {\"name\":<string>,\"durationMs\":<integer >= 1>}");
      }
      phases.add(new Phase(name.textValue(), duration.longValue()));
    }
    return phases;
  }

  // ---- liveness and closing -------------------------------------------------------------------

  void heartbeat(long now, long pingEvery, long silentAfter) {
    if (closed) {
      return;
    }
    if (now - lastSeen > silentAfter) {
      terminate(CloseCodes.GOING_AWAY, "Heartbeat timeout", LeaveReason.TIMEOUT);
    } else if (now - lastPing >= pingEvery) {
      lastPing = now;
      connection.ping();
    }
  }

  @Override
  public void onClose(int code) {
    terminate(code, null, null);
  }

  /** Another node resumes this client while this connection still looks open. */
  void takeOverForResume() {
    takeOver();
  }

  /** The client resumed on a new connection before this one was seen to drop. */
  private void takeOver() {
    terminate(CloseCodes.GOING_AWAY, "Resumed on another connection", null, true);
  }

  void terminate(int code, String reason, LeaveReason release) {
    terminate(code, reason, release, false);
  }

  /**
   * Ends the connection once: stops its timers, takes it out of the local rooms, and either keeps
   * its memberships for a resume ({@code release} null, grace on) or removes them with {@code
   * release} as the reason. Closes the transport when {@code reason} is given.
   */
  private void terminate(int code, String reason, LeaveReason release, boolean detach) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (helloDeadline != null) {
      helloDeadline.cancel(false);
    }
    if (expiry != null) {
      expiry.cancel(false);
    }
    String id = connectionId;
    if (token != null && id != null && !id.isEmpty()) {
      gateway.unregistered(this);
      Set<String> memberOf = new HashSet<>(rooms.keySet());
      synchronized (pendingJoins) {
        memberOf.addAll(pendingJoins.keySet());
      }
      for (String room : memberOf) {
        gateway.removeFromRoom(room, this);
      }
      Duration grace = flowSync.config().resumeGrace();
      if (detach || (release == null && !grace.isZero())) {
        gateway.detach(this, memberOf);
      } else {
        gateway.release(id, memberOf, release == null ? LeaveReason.DISCONNECTED : release);
      }
    }
    if (reason != null) {
      connection.close(code, reason);
    }
  }
}

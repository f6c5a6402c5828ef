package dev.flowsync.signaling.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.HistoryPage;
import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerState;
import dev.flowsync.core.timer.TimerStatus;
import dev.flowsync.signaling.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A FlowSync client on the JDK's {@link WebSocket}: requests return futures completed by the reply
 * with the same {@code rid} (or failed with {@link FlowSyncClientException} on {@code error}),
 * everything else arrives as a typed {@link ClientEvent}.
 *
 * <pre>{@code
 * try (FlowSyncClient ana = FlowSyncClient.connect(uri, token)) {
 *   Joined joined = ana.join("standup").join();
 *   ana.sendChat("standup", "hi").join();
 *   ClientEvent.Chat echo = ana.await(ClientEvent.Chat.class, e -> true, Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * Thread-safe. Listeners run on the WebSocket's receiving thread and must not block.
 */
public final class FlowSyncClient implements AutoCloseable {
  private static final int MAX_BUFFERED_EVENTS = 10_000;

  private final URI uri;
  private final HttpClient http;
  private final Duration requestTimeout;
  private final String clientName;
  private final Duration autoReconnect;
  private volatile boolean closedByUser;
  private final List<Consumer<ClientEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, CompletableFuture<ServerFrame>> pending = new ConcurrentHashMap<>();
  private final Map<String, Long> lastSeq = new ConcurrentHashMap<>();
  private final ArrayDeque<ClientEvent> buffered = new ArrayDeque<>();
  private final AtomicLong rids = new AtomicLong();
  private final Object sendLock = new Object();

  private volatile String token;
  private volatile Socket socket;
  private volatile Welcome welcome;
  private volatile long clockOffsetMs;

  /**
   * What the server said in {@code welcome}.
   *
   * @param iceServers the {@code iceServers} array as JSON
   */
  public record Welcome(
      String connectionId,
      String userId,
      String name,
      long serverTime,
      long heartbeatMs,
      String resumeToken,
      boolean resumed,
      JsonNode iceServers) {}

  /** The reply to {@code join}. */
  public record Joined(
      String room,
      ClientEvent.MemberInfo self,
      List<ClientEvent.MemberInfo> members,
      TimerState timer,
      List<ChatMessage> history,
      long lastSeq) {}

  private FlowSyncClient(Builder b) {
    this.uri = b.uri;
    this.token = b.token;
    this.http = b.http != null ? b.http : HttpClient.newHttpClient();
    this.requestTimeout = b.requestTimeout;
    this.clientName = b.clientName;
    this.autoReconnect = b.autoReconnect;
    if (b.listener != null) {
      listeners.add(b.listener);
    }
  }

  /**
   * Connects, sends {@code hello} and waits for {@code welcome}.
   *
   * @throws FlowSyncClientException {@code unauthorized} for a bad token, {@code closed} or {@code
   *     timeout} when the server cannot be reached
   */
  public static FlowSyncClient connect(URI uri, String token) {
    return builder(uri, token).connect();
  }

  /** A builder for more settings. */
  public static Builder builder(URI uri, String token) {
    return new Builder(uri, token);
  }

  // ---- connection ----------------------------------------------------------------------------

  private Welcome open(String resumeToken) {
    Socket s = new Socket();
    WebSocket ws;
    try {
      ws =
          http.newWebSocketBuilder()
              .connectTimeout(requestTimeout)
              .buildAsync(uri, s)
              .get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new FlowSyncClientException("closed", "Could not connect to " + uri + ": " + e);
    }
    s.ws = ws;
    s.tail = CompletableFuture.completedFuture(ws);
    socket = s;
    ObjectNode hello = Json.object();
    hello.put("token", token);
    if (resumeToken != null) {
      hello.put("resume", resumeToken);
      ObjectNode seqs = hello.putObject("lastSeq");
      lastSeq.forEach(seqs::put);
    }
    hello.put("client", clientName);
    ServerFrame reply = await(request("hello", hello));
    JsonNode j = reply.json();
    Welcome w =
        new Welcome(
            j.path("connectionId").asText(),
            j.path("userId").asText(),
            j.path("name").asText(),
            j.path("serverTime").asLong(),
            j.path("heartbeatMs").asLong(),
            j.path("resumeToken").asText(),
            j.path("resumed").asBoolean(),
            j.path("iceServers"));
    welcome = w;
    clockOffsetMs = w.serverTime() - System.currentTimeMillis();
    return w;
  }

  private <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(requestTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof FlowSyncClientException fce) {
        throw fce;
      }
      throw new FlowSyncClientException("closed", String.valueOf(e.getCause()));
    } catch (TimeoutException e) {
      throw new FlowSyncClientException("timeout", "No reply within " + requestTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FlowSyncClientException("closed", "Interrupted");
    }
  }

  /**
   * Opens a new connection and resumes the session: within the server's grace period the result has
   * {@code resumed} true, the same connection id, and a {@link ClientEvent.Joined} event per room
   * follows with the messages after the last seq this client saw.
   */
  public Welcome reconnect() {
    Socket old = socket;
    if (old != null) {
      old.replaced = true;
      old.ws.abort();
      old.finish(new ClientEvent.Closed(1006, "Replaced by a new connection"));
    }
    Welcome before = welcome;
    return open(before == null ? null : before.resumeToken());
  }

  /** The {@code welcome} of the current connection. */
  public Welcome welcome() {
    return welcome;
  }

  /** This connection's id. */
  public String connectionId() {
    return welcome.connectionId();
  }

  /** Server time minus local time, in ms, from the last {@link #syncClock()} (or welcome). */
  public long clockOffsetMs() {
    return clockOffsetMs;
  }

  /** The server's clock now, as this client estimates it. */
  public long serverNow() {
    return System.currentTimeMillis() + clockOffsetMs;
  }

  /** Whether the WebSocket is open. */
  public boolean isOpen() {
    Socket s = socket;
    return s != null && !s.closed.isDone();
  }

  /** Completes with the close code when the current connection closes. */
  public CompletableFuture<Integer> closed() {
    return socket.closed.thenApply(ClientEvent.Closed::code);
  }

  /** Adds a listener for events; it runs on the receiving thread. */
  public FlowSyncClient onEvent(Consumer<ClientEvent> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  // ---- requests ------------------------------------------------------------------------------

  /**
   * Sends a request with a fresh {@code rid}; the future completes with the reply.
   *
   * @param fields the request's fields besides {@code type} and {@code rid} (may be null)
   */
  public CompletableFuture<ServerFrame> request(String type, ObjectNode fields) {
    String rid = "r" + rids.incrementAndGet();
    ObjectNode frame = Json.object();
    frame.put("type", type);
    frame.put("rid", rid);
    if (fields != null) {
      frame.setAll(fields);
    }
    CompletableFuture<ServerFrame> f = new CompletableFuture<>();
    pending.put(rid, f);
    f.orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> pending.remove(rid));
    sendText(Json.write(frame));
    return f;
  }

  /** Sends a frame as is (no rid is added); for tests of bad input and for load generation. */
  public void sendRaw(String text) {
    sendText(text);
  }

  private void sendText(String text) {
    Socket s = socket;
    synchronized (sendLock) {
      // The JDK WebSocket allows one outstanding send: chain them.
      s.tail = s.tail.thenCompose(ws -> ws.sendText(text, true));
    }
  }

  /** Joins a room with the token's name and an empty state. */
  public CompletableFuture<Joined> join(String room) {
    return join(room, null, null);
  }

  /** Joins a room; {@code name} and {@code stateJson} (a JSON object) may be null. */
  public CompletableFuture<Joined> join(String room, String name, String stateJson) {
    ObjectNode f = Json.object().put("room", room);
    if (name != null) {
      f.put("name", name);
    }
    if (stateJson != null) {
      f.set("state", Json.parseTree(stateJson));
    }
    return request("join", f).thenApply(r -> joined(r.json()));
  }

  /** Leaves a room. */
  public CompletableFuture<ServerFrame> leave(String room) {
    return request("leave", Json.object().put("room", room));
  }

  /** Replaces this member's state (a JSON object) in a room. */
  public CompletableFuture<ServerFrame> setState(String room, String stateJson) {
    ObjectNode f = Json.object().put("room", room);
    f.set("state", Json.parseTree(stateJson));
    return request("state", f);
  }

  /** Sends a signal and waits for {@code ok}. {@code payloadJson} is any JSON value. */
  public CompletableFuture<ServerFrame> signal(
      String room, String to, String kind, String payloadJson) {
    ObjectNode f = Json.object().put("room", room).put("to", to).put("kind", kind);
    f.set("payload", Json.parseTree(payloadJson));
    return request("signal", f);
  }

  /** Sends a signal without a rid (no reply on success): the cheapest frame, for load tests. */
  public void signalNoReply(String room, String to, String kind, String payloadJson) {
    StringBuilder sb = new StringBuilder(64 + payloadJson.length());
    sb.append("{\"type\":\"signal\",\"room\":");
    dev.flowsync.signaling.protocol.Outbound.appendString(sb, room);
    sb.append(",\"to\":");
    dev.flowsync.signaling.protocol.Outbound.appendString(sb, to);
    sb.append(",\"kind\":");
    dev.flowsync.signaling.protocol.Outbound.appendString(sb, kind);
    sb.append(",\"payload\":").append(payloadJson).append('}');
    sendText(sb.toString());
  }

  /** Sends a chat message with a fresh clientMsgId; completes with the stored message. */
  public CompletableFuture<ChatMessage> sendChat(String room, String text) {
    return sendChat(room, text, "m" + System.nanoTime() + "-" + rids.incrementAndGet());
  }

  /** Sends a chat message; a repeated {@code clientMsgId} returns the stored one. */
  public CompletableFuture<ChatMessage> sendChat(String room, String text, String clientMsgId) {
    ObjectNode f = Json.object().put("room", room).put("text", text);
    if (clientMsgId != null) {
      f.put("clientMsgId", clientMsgId);
    }
    return request("chat.send", f).thenApply(r -> message(r.json().path("message")));
  }

  /**
   * Reads history: {@code beforeSeq} or {@code afterSeq} (at most one non-null), {@code limit} 1 to
   * 200.
   */
  public CompletableFuture<HistoryPage> history(
      String room, Long beforeSeq, Long afterSeq, int limit) {
    ObjectNode f = Json.object().put("room", room).put("limit", limit);
    if (beforeSeq != null) {
      f.put("beforeSeq", beforeSeq);
    }
    if (afterSeq != null) {
      f.put("afterSeq", afterSeq);
    }
    return request("chat.history", f)
        .thenApply(
            r -> {
              List<ChatMessage> list = new ArrayList<>();
              r.json().path("messages").forEach(m -> list.add(message(m)));
              return new HistoryPage(list, r.json().path("hasMore").asBoolean());
            });
  }

  /** Starts the room's timer. */
  public CompletableFuture<TimerState> startTimer(String room, List<Phase> phases, boolean repeat) {
    ObjectNode f = Json.object().put("room", room).put("repeat", repeat);
    ArrayNode array = f.putArray("phases");
    phases.forEach(p -> array.addObject().put("name", p.name()).put("durationMs", p.durationMs()));
    return request("timer.start", f).thenApply(r -> timer(r.json().path("timer")));
  }

  /** {@code timer.pause}, {@code timer.resume}, {@code timer.reset} or {@code timer.skip}. */
  public CompletableFuture<TimerState> timerCommand(String type, String room) {
    return request(type, Json.object().put("room", room))
        .thenApply(r -> timer(r.json().path("timer")));
  }

  /** Sends {@code ping}; completes on {@code pong}. */
  public CompletableFuture<ServerFrame> ping() {
    return request("ping", null);
  }

  /**
   * Measures the clock offset with {@code time} (NTP-style, assuming a symmetric path) and keeps it
   * for {@link #serverNow()}; completes with the offset in ms.
   */
  public CompletableFuture<Long> syncClock() {
    long t0 = System.currentTimeMillis();
    return request("time", Json.object().put("t0", t0))
        .thenApply(
            r -> {
              long t1 = System.currentTimeMillis();
              long offset = r.number("serverTime", t1) - (t0 + t1) / 2;
              clockOffsetMs = offset;
              return offset;
            });
  }

  /** Hands the server a new token for the same user; completes with its expiry (ms). */
  public CompletableFuture<Long> refresh(String newToken) {
    return request("refresh", Json.object().put("token", newToken))
        .thenApply(
            r -> {
              token = newToken;
              return r.number("expiresAt", 0);
            });
  }

  // ---- events --------------------------------------------------------------------------------

  /**
   * Waits for the first not yet awaited event of the type that matches, consuming it (and only it):
   * events are buffered from the start of the connection, so none is missed by awaiting late.
   *
   * @throws FlowSyncClientException {@code timeout} when none arrives in time
   */
  public <T extends ClientEvent> T await(Class<T> type, Predicate<T> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (buffered) {
      while (true) {
        for (Iterator<ClientEvent> it = buffered.iterator(); it.hasNext(); ) {
          ClientEvent e = it.next();
          if (type.isInstance(e) && match.test(type.cast(e))) {
            it.remove();
            return type.cast(e);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new FlowSyncClientException(
              "timeout", "No " + type.getSimpleName() + " event within " + timeout);
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(buffered, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new FlowSyncClientException("closed", "Interrupted");
        }
      }
    }
  }

  /** {@link #await(Class, Predicate, Duration)} for any event of the type, within 5 s. */
  public <T extends ClientEvent> T await(Class<T> type) {
    return await(type, e -> true, Duration.ofSeconds(5));
  }

  /** The events received and not yet awaited, oldest first. */
  public List<ClientEvent> pendingEvents() {
    synchronized (buffered) {
      return List.copyOf(buffered);
    }
  }

  private void emit(ClientEvent event) {
    synchronized (buffered) {
      if (buffered.size() >= MAX_BUFFERED_EVENTS) {
        buffered.pollFirst();
      }
      buffered.addLast(event);
      buffered.notifyAll();
    }
    for (Consumer<ClientEvent> l : listeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        // a failing listener must not break the connection
      }
    }
  }

  private void onFrame(String text) {
    JsonNode j;
    try {
      j = Json.parseTree(text);
    } catch (RuntimeException e) {
      emit(new ClientEvent.Error("bad_frame", "The server sent invalid JSON"));
      return;
    }
    String type = j.path("type").asText();
    String rid = j.hasNonNull("rid") ? j.get("rid").asText() : null;
    track(type, j);
    if (rid != null) {
      CompletableFuture<ServerFrame> f = pending.remove(rid);
      if (f != null) {
        if (type.equals("error")) {
          f.completeExceptionally(
              new FlowSyncClientException(j.path("code").asText(), j.path("message").asText()));
        } else {
          f.complete(new ServerFrame(type, rid, j));
        }
        return;
      }
    }
    String room = j.path("room").asText(null);
    emit(
        switch (type) {
          case "signal" ->
              new ClientEvent.Signal(
                  room,
                  j.path("from").asText(),
                  j.path("kind").asText(),
                  j.path("payload").toString());
          case "member.joined" -> new ClientEvent.MemberJoined(room, member(j.path("member")));
          case "member.updated" -> new ClientEvent.MemberUpdated(room, member(j.path("member")));
          case "member.left" ->
              new ClientEvent.MemberLeft(
                  room,
                  j.path("connectionId").asText(),
                  j.path("userId").asText(),
                  j.path("reason").asText());
          case "chat.message" -> new ClientEvent.Chat(room, message(j.path("message")));
          case "timer" -> new ClientEvent.Timer(room, timer(j.path("timer")));
          case "room.closed" -> new ClientEvent.RoomClosed(room);
          case "kicked" -> new ClientEvent.Kicked(room, j.path("reason").asText());
          case "bye" ->
              new ClientEvent.Bye(j.path("reason").asText(), j.path("reconnectAfterMs").asLong());
          case "joined" -> {
            Joined x = joined(j);
            yield new ClientEvent.Joined(
                x.room(), x.self(), x.members(), x.timer(), x.history(), x.lastSeq());
          }
          case "error" ->
              new ClientEvent.Error(j.path("code").asText(), j.path("message").asText());
          default -> new ClientEvent.Other(type, j);
        });
  }

  private void track(String type, JsonNode j) {
    switch (type) {
      case "joined" ->
          lastSeq.merge(j.path("room").asText(), j.path("lastSeq").asLong(), Math::max);
      case "chat.message" ->
          lastSeq.merge(j.path("room").asText(), j.at("/message/seq").asLong(), Math::max);
      case "left", "room.closed", "kicked" -> lastSeq.remove(j.path("room").asText());
      default -> {}
    }
  }

  // ---- parsing -------------------------------------------------------------------------------

  private static Joined joined(JsonNode j) {
    List<ClientEvent.MemberInfo> members = new ArrayList<>();
    j.path("members").forEach(m -> members.add(member(m)));
    List<ChatMessage> history = new ArrayList<>();
    j.path("history").forEach(m -> history.add(message(m)));
    return new Joined(
        j.path("room").asText(),
        member(j.path("self")),
        List.copyOf(members),
        timer(j.path("timer")),
        List.copyOf(history),
        j.path("lastSeq").asLong());
  }

  private static ClientEvent.MemberInfo member(JsonNode m) {
    return new ClientEvent.MemberInfo(
        m.path("connectionId").asText(),
        m.path("userId").asText(),
        m.path("name").asText(),
        m.path("state").toString(),
        m.path("joinedAt").asLong());
  }

  private static ChatMessage message(JsonNode m) {
    return new ChatMessage(
        m.path("id").asText(),
        m.path("seq").asLong(),
        m.path("room").asText(),
        m.path("userId").asText(),
        m.path("name").asText(),
        m.path("text").asText(),
        Instant.ofEpochMilli(m.path("sentAt").asLong()),
        m.hasNonNull("clientMsgId") ? m.get("clientMsgId").asText() : null);
  }

  private static TimerState timer(JsonNode t) {
    List<Phase> phases = new ArrayList<>();
    t.path("phases")
        .forEach(
            p -> phases.add(new Phase(p.path("name").asText(), p.path("durationMs").asLong())));
    TimerStatus status = TimerStatus.IDLE;
    for (TimerStatus s : TimerStatus.values()) {
      if (s.wireName().equals(t.path("status").asText())) {
        status = s;
      }
    }
    return new TimerState(
        status,
        phases,
        t.path("phaseIndex").asInt(),
        t.path("round").asInt(1),
        t.path("repeat").asBoolean(),
        t.hasNonNull("endsAt") ? Instant.ofEpochMilli(t.get("endsAt").asLong()) : null,
        t.path("remainingMs").asLong(),
        t.path("version").asLong(),
        t.hasNonNull("updatedBy") ? t.get("updatedBy").asText() : null);
  }

  /** Closes the connection (1000); resume is still possible within the grace period. */
  @Override
  public void close() {
    closedByUser = true;
    Socket s = socket;
    if (s == null || s.closed.isDone()) {
      return;
    }
    s.replaced = true;
    synchronized (sendLock) {
      s.tail = s.tail.thenCompose(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
    }
    try {
      s.closed.get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      s.ws.abort();
    }
  }

  /** Drops the TCP connection without a close handshake, as a network failure would. */
  public void abort() {
    Socket s = socket;
    if (s != null) {
      s.ws.abort();
      s.finish(new ClientEvent.Closed(1006, "Aborted")); // the JDK tells the listener nothing
    }
  }

  /** One WebSocket of this client (a reconnect makes a new one). */
  private final class Socket implements WebSocket.Listener {
    final CompletableFuture<ClientEvent.Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    volatile WebSocket ws;
    CompletableFuture<WebSocket> tail;
    volatile boolean replaced;

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        onFrame(text);
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
      finish(new ClientEvent.Closed(statusCode, reason));
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
      finish(new ClientEvent.Closed(1006, String.valueOf(error.getMessage())));
    }

    private void finish(ClientEvent.Closed event) {
      if (!closed.complete(event)) {
        return;
      }
      if (socket == this) {
        for (CompletableFuture<ServerFrame> f : pending.values()) {
          f.completeExceptionally(
              new FlowSyncClientException("closed", "Connection closed (" + event.code() + ")"));
        }
      }
      emit(event);
      if (socket == this && !replaced && autoReconnect != null && mayReconnect(event.code())) {
        CompletableFuture.runAsync(
            () -> reconnectAttempt(0, autoReconnect.toMillis()),
            CompletableFuture.delayedExecutor(autoReconnect.toMillis(), TimeUnit.MILLISECONDS));
      }
    }
  }

  /** Closes the server meant (auth, limits, bad input) are not retried; drops and restarts are. */
  private boolean mayReconnect(int code) {
    return !closedByUser && code != 4401 && code != 4429 && code != 1008 && code != 1009;
  }

  private void reconnectAttempt(int attempt, long delayMs) {
    if (closedByUser || attempt >= 8) {
      return;
    }
    try {
      Welcome w = reconnect();
      emit(new ClientEvent.Reconnected(w.connectionId(), w.resumed()));
    } catch (FlowSyncClientException e) {
      if (!e.code().equals("unauthorized")) {
        long next = Math.min(delayMs * 2, 30_000);
        CompletableFuture.runAsync(
            () -> reconnectAttempt(attempt + 1, next),
            CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
      }
    }
  }

  /** Configures and connects a {@link FlowSyncClient}. */
  public static final class Builder {
    private final URI uri;
    private final String token;
    private HttpClient http;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private String clientName = "flowsync-java/0.1";
    private Consumer<ClientEvent> listener;
    private Duration autoReconnect;

    private Builder(URI uri, String token) {
      this.uri = Objects.requireNonNull(uri, "uri");
      this.token = Objects.requireNonNull(token, "token");
    }

    /** A shared HTTP client (load generators open many connections on one); default a new one. */
    public Builder httpClient(HttpClient http) {
      this.http = http;
      return this;
    }

    /** How long a request waits for its reply; default 10 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /** The {@code client} string sent in hello. */
    public Builder clientName(String name) {
      this.clientName = name;
      return this;
    }

    /**
     * Reconnects by itself, with resume, {@code delay} after the connection drops (doubling up to
     * 30 s between failed attempts, at most 8); a {@link ClientEvent.Reconnected} event follows.
     * Closes for auth, rate limit or bad input are not retried. Default: off.
     */
    public Builder autoReconnect(Duration delay) {
      this.autoReconnect = delay;
      return this;
    }

    /** A listener registered before hello, so it sees every event. */
    public Builder listener(Consumer<ClientEvent> listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Connects and waits for {@code welcome}.
     *
     * @throws FlowSyncClientException as {@link FlowSyncClient#connect}
     */
    public FlowSyncClient connect() {
      FlowSyncClient c = new FlowSyncClient(this);
      try {
        c.open(null);
      } catch (FlowSyncClientException e) {
        c.abort();
        throw e;
      }
      return c;
    }
  }
}

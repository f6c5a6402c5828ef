package dev.flowsync.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One user of a {@link Soak} run: it connects with a token from the HTTP API, joins a room, sends
 * chat, signals, state and timer commands while {@link State#ACTIVE}, and goes through the churn of
 * a real client: room hops, dropped sockets that resume, clean and unclean reconnects.
 *
 * <p>Unlike the relay {@link Client}, which keeps one request outstanding and one connection for a
 * whole run, every request here has its own {@code rid}, and each connection is a {@link Conn} of
 * its own, so that the replies of a dropped connection can never be taken for the next one's.
 */
final class SoakClient {
  /** What the driver may do with a client: only {@code ACTIVE} ones get steady traffic. */
  enum State {
    /** Not connected and nothing under way: the driver connects it again. */
    OFFLINE,
    BUSY,
    ACTIVE
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long REQUEST_TIMEOUT_S = 30;

  /** An ICE candidate line: with the envelope a signal is about 300 bytes. */
  private static final String CANDIDATE =
      "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.5 rport"
          + " 46154 generation 0 ufrag SOAK network-id 1 network-cost 10";

  private static final String[] STATUSES = {"focus", "break", "away", "meeting"};

  final int index;
  final String userId;
  private final SoakStats stats;
  private final SoakServer server;
  private final HttpClient http;
  private final AtomicInteger rids = new AtomicInteger();
  private final AtomicInteger chats = new AtomicInteger();
  private final Map<String, Integer> directory;
  private volatile String token;

  volatile State state = State.OFFLINE;
  private volatile String room;
  private volatile String connectionId;
  private volatile String resumeToken;
  private volatile long lastSeq;
  private volatile Conn conn;

  /** Connection ids of the other members of {@link #room}, from joined / member.* frames. */
  private final Set<String> peers = ConcurrentHashMap.newKeySet();

  /**
   * @param directory connection id to client index, shared by all clients: a signal names its
   *     receiver, which then checks it is the one meant
   */
  SoakClient(
      int index,
      SoakStats stats,
      SoakServer server,
      HttpClient http,
      Map<String, Integer> directory) {
    this.index = index;
    this.directory = directory;
    this.userId = "soak-u" + index;
    this.stats = stats;
    this.server = server;
    this.http = http;
  }

  // ------------------------------------------------------------------ churn (state BUSY meanwhile)

  /** A new token from the HTTP API, a new connection, hello without resume, then join. */
  CompletableFuture<Void> connectFresh(String toRoom) {
    state = State.BUSY;
    return server
        .issueToken(userId, "Soak " + index)
        .thenCompose(
            t -> {
              token = t;
              return open(hello(t, false));
            })
        .thenCompose(
            welcome -> {
              connectionId = welcome.path("connectionId").asText();
              directory.put(connectionId, index);
              resumeToken = welcome.path("resumeToken").asText();
              stats.connects.increment();
              return join(toRoom);
            })
        .whenComplete(this::settle);
  }

  /** Leaves the room and joins another one on the same connection. */
  CompletableFuture<Void> hop(String toRoom) {
    state = State.BUSY;
    Conn c = conn;
    return c.request("leave", room(room))
        .thenCompose(
            left -> {
              stats.leaves.increment();
              return join(toRoom);
            })
        .whenComplete(this::settle);
  }

  /**
   * Drops the socket without a close frame, as a phone losing its network does, and resumes with
   * the resume token after {@code awayMs}: the server must answer {@code resumed:true} with the
   * same connection id (the grace period is longer than {@code awayMs}).
   */
  CompletableFuture<Void> dropAndResume(long awayMs, Executor delay) {
    state = State.BUSY;
    String before = connectionId;
    conn.drop();
    stats.drops.increment();
    return CompletableFuture.runAsync(() -> {}, delayed(awayMs, delay))
        .thenCompose(v -> open(hello(token, true)))
        .thenCompose(
            welcome -> {
              resumeToken = welcome.path("resumeToken").asText();
              String now = welcome.path("connectionId").asText();
              if (!welcome.path("resumed").asBoolean() || !now.equals(before)) {
                stats.error(
                    "client " + index + ": resume within the grace period failed: " + welcome);
                connectionId = now;
                directory.put(now, index);
                return join(room);
              }
              stats.resumes.increment();
              // The server sends a fresh "joined" for the room; it resets the peers.
              return CompletableFuture.completedFuture((Void) null);
            })
        .whenComplete(this::settle);
  }

  /**
   * Ends the connection, cleanly (close frame) or not (socket dropped: the membership then waits
   * for the resume grace and ends as {@code disconnected}), stays away, then connects afresh.
   */
  CompletableFuture<Void> reconnect(boolean clean, long awayMs, String toRoom, Executor delay) {
    state = State.BUSY;
    if (clean) {
      conn.close();
      stats.closes.increment();
    } else {
      conn.drop();
      stats.drops.increment();
    }
    return CompletableFuture.runAsync(() -> {}, delayed(awayMs, delay))
        .thenCompose(v -> connectFresh(toRoom));
  }

  /** Closes the connection cleanly and stays offline (end of the run). */
  void closeForGood() {
    state = State.OFFLINE;
    Conn c = conn;
    if (c != null) {
      c.close();
      stats.closes.increment();
    }
  }

  private static Executor delayed(long ms, Executor delay) {
    return CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS, delay);
  }

  private void settle(Void ignored, Throwable failure) {
    if (failure == null) {
      state = State.ACTIVE;
      return;
    }
    stats.failure("client " + index, failure);
    // Start over from nothing: the driver reconnects OFFLINE clients.
    Conn c = conn;
    if (c != null) {
      c.drop();
    }
    state = State.OFFLINE;
  }

  private CompletableFuture<Void> join(String toRoom) {
    ObjectNode f = room(toRoom);
    f.put("name", "Soak " + index);
    f.putObject("state").put("status", "focus").put("mic", true);
    return conn.request("join", f)
        .thenAccept(
            joined -> {
              room = toRoom;
              lastSeq = joined.path("lastSeq").asLong();
              resetPeers(joined);
              stats.joins.increment();
            });
  }

  private String hello(String accessToken, boolean resume) {
    ObjectNode f = JSON.createObjectNode().put("type", "hello").put("rid", "h");
    f.put("token", accessToken).put("client", "flowsync-soak/1");
    if (resume) {
      f.put("resume", resumeToken);
      f.putObject("lastSeq").put(room, lastSeq);
    }
    return f.toString();
  }

  /** Opens a new connection, sends {@code hello} and completes with the welcome. */
  private CompletableFuture<JsonNode> open(String hello) {
    Conn c = new Conn();
    conn = c;
    return http.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(REQUEST_TIMEOUT_S))
        .buildAsync(server.webSocketUri(), c)
        .thenCompose(
            ws -> {
              c.ws = ws;
              return c.request("h", hello);
            });
  }

  // ------------------------------------------------------------------ steady traffic (ACTIVE only)

  /** Sends one chat message; the ack (sent once it is stored) is recorded as acknowledged. */
  void chat() {
    Conn c = conn;
    String inRoom = room;
    int n = chats.incrementAndGet();
    ObjectNode f = room(inRoom);
    f.put("text", "soak message " + n + " from client " + index);
    f.put("clientMsgId", "m" + index + "-" + n);
    long t0 = System.nanoTime();
    stats.chatSent.increment();
    c.request("chat.send", f)
        .whenComplete(
            (ack, failure) -> {
              if (failure == null) {
                JsonNode m = ack.path("message");
                stats.acked(
                    m.path("room").asText(),
                    m.path("seq").asLong(),
                    m.path("id").asText(),
                    (System.nanoTime() - t0) / 1000);
              } else if (Client.unwrap(failure) instanceof Dropped) {
                stats.chatInFlightAtDrop.increment();
              } else {
                stats.failure("client " + index + " chat", failure);
              }
            });
  }

  /** Sends one candidate to a random other member of the room, if there is one. */
  void signal(Random rnd) {
    Object[] others = peers.toArray();
    if (others.length == 0) {
      return;
    }
    String to = (String) others[rnd.nextInt(others.length)];
    Integer target = directory.get(to);
    // The payload carries the send time and the intended receiver: latency and routing check.
    conn.send(
        "{\"type\":\"signal\",\"room\":\""
            + room
            + "\",\"to\":\""
            + to
            + "\",\"kind\":\"candidate\",\"payload\":{\"candidate\":\""
            + CANDIDATE
            + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"soak\":["
            + System.nanoTime()
            + ","
            + (target == null ? -1 : target)
            + "]}}");
    stats.signalsSent.increment();
  }

  /** Replaces the member state (status and mic). */
  void setState(Random rnd) {
    ObjectNode f = room(room);
    f.putObject("state")
        .put("status", STATUSES[rnd.nextInt(STATUSES.length)])
        .put("mic", rnd.nextBoolean());
    stats.states.increment();
    ignoreReply(conn.request("state", f), false);
  }

  /**
   * A timer command on the room: start (short phases, so the server advances them by itself every
   * few seconds), pause, resume, skip or reset. A command that does not fit the state is a {@code
   * conflict}, which other members' commands make normal here.
   */
  void timer(Random rnd) {
    int pick = rnd.nextInt(10);
    String type =
        pick < 3
            ? "timer.start"
            : pick < 5
                ? "timer.pause"
                : pick < 7 ? "timer.resume" : pick < 9 ? "timer.skip" : "timer.reset";
    ObjectNode f = room(room);
    if (type.equals("timer.start")) {
      var phases = f.putArray("phases");
      phases.addObject().put("name", "focus").put("durationMs", 2000 + rnd.nextInt(4000));
      phases.addObject().put("name", "break").put("durationMs", 1000 + rnd.nextInt(2000));
      f.put("repeat", true);
    }
    stats.timerCommands.increment();
    ignoreReply(conn.request(type, f), true);
  }

  private void ignoreReply(CompletableFuture<JsonNode> reply, boolean conflictIsFine) {
    reply.whenComplete(
        (r, failure) -> {
          if (failure == null) {
            return;
          }
          Throwable t = Client.unwrap(failure);
          if (t instanceof Dropped) {
            return;
          }
          if (conflictIsFine && t instanceof ErrorReply e && e.code.equals("conflict")) {
            stats.timerConflicts.increment();
            return;
          }
          stats.failure("client " + index, t);
        });
  }

  private static ObjectNode room(String room) {
    return JSON.createObjectNode().put("room", room);
  }

  /**
   * True when the client may send more: it is {@link State#ACTIVE} and fewer than {@code limit} of
   * its requests are unanswered. A real client waits for answers too; without this bound, a server
   * slowed down by a loaded machine would see its per-connection queue (256 requests) overflow and
   * answer {@code rate_limited}, which is the generator's fault, not the server's.
   */
  boolean ready(int limit) {
    Conn c = conn;
    return state == State.ACTIVE && c != null && c.pending.size() < limit;
  }

  // ------------------------------------------------------------------ received frames

  private void resetPeers(JsonNode joined) {
    peers.clear();
    for (JsonNode m : joined.path("members")) {
      String id = m.path("connectionId").asText();
      if (!id.equals(connectionId)) {
        peers.add(id);
      }
    }
  }

  private void onSignal(String msg) {
    long now = System.nanoTime();
    int at = msg.lastIndexOf("\"soak\":[");
    if (at < 0) {
      stats.error("client " + index + ": signal without stamp: " + msg);
      return;
    }
    int comma = msg.indexOf(',', at);
    int end = msg.indexOf(']', comma);
    long sentNs = Long.parseLong(msg, at + 8, comma, 10);
    int target = Integer.parseInt(msg, comma + 1, end, 10);
    if (target != index) {
      stats.misrouted.increment();
      stats.error("client " + index + ": got a signal meant for client " + target);
    }
    stats.signalReceived((now - sentNs) / 1000);
  }

  private void onChatMessage(String msg) {
    int at = msg.indexOf("\"seq\":");
    if (at < 0) {
      return;
    }
    int i = at + 6;
    long seq = 0;
    char ch;
    while (i < msg.length() && (ch = msg.charAt(i++)) >= '0' && ch <= '9') {
      seq = seq * 10 + (ch - '0');
    }
    if (seq > lastSeq) {
      lastSeq = seq;
    }
  }

  /** Frames without a pending request: presence, timer, and errors of fire-and-forget signals. */
  private void onEvent(Conn c, JsonNode f, String type) {
    if (c != conn) {
      return; // a connection being closed: its presence is not ours any more
    }
    switch (type) {
      case "member.joined" -> {
        stats.events.increment();
        String id = f.path("member").path("connectionId").asText();
        if (f.path("room").asText().equals(room) && !id.equals(connectionId)) {
          peers.add(id);
        }
      }
      case "member.left" -> {
        stats.events.increment();
        if (f.path("room").asText().equals(room)) {
          peers.remove(f.path("connectionId").asText());
        }
      }
      case "member.updated" -> stats.events.increment();
      case "timer" -> stats.timerBroadcasts.increment();
      case "joined" -> {
        // Sent after a resume, with the chat missed meanwhile.
        resetPeers(f);
        for (JsonNode m : f.path("history")) {
          lastSeq = Math.max(lastSeq, m.path("seq").asLong());
        }
      }
      case "error" -> {
        if (f.path("code").asText().equals("peer_not_found")) {
          stats.peerGone.increment();
        } else {
          stats.error("client " + index + ": " + f);
        }
      }
      default -> stats.error("client " + index + ": unexpected " + f);
    }
  }

  /** The error reply to a request. */
  static final class ErrorReply extends RuntimeException {
    final String code;

    ErrorReply(JsonNode error) {
      super(error.toString(), null, false, false);
      this.code = error.path("code").asText();
    }
  }

  /**
   * The connection ended before the reply came: the generator ended it, or the server did, which
   * was counted when it happened.
   */
  static final class Dropped extends RuntimeException {
    Dropped() {
      super("dropped by the generator", null, false, false);
    }

    Dropped(String why) {
      super(why, null, false, false);
    }
  }

  /** One WebSocket connection of this client, with its own requests and send queue. */
  private final class Conn implements WebSocket.Listener {
    volatile WebSocket ws;
    private volatile boolean ending;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private boolean sending;
    private final TextFrames text = new TextFrames();

    CompletableFuture<JsonNode> request(String type, ObjectNode frame) {
      String rid = type.charAt(0) + Integer.toString(rids.incrementAndGet(), 36);
      frame.put("type", type);
      frame.put("rid", rid);
      return request(rid, frame.toString());
    }

    CompletableFuture<JsonNode> request(String rid, String frame) {
      CompletableFuture<JsonNode> reply = new CompletableFuture<>();
      pending.put(rid, reply);
      if (ending) {
        fail(new Dropped());
      }
      send(frame);
      return reply
          .orTimeout(REQUEST_TIMEOUT_S, TimeUnit.SECONDS)
          .whenComplete((r, t) -> pending.remove(rid));
    }

    /** Sends in order, one outstanding send at a time, as the JDK client requires. */
    void send(String text) {
      synchronized (this) {
        if (sending) {
          queue.add(text);
          return;
        }
        sending = true;
      }
      drain(text);
    }

    private void drain(String first) {
      String text = first;
      while (text != null) {
        CompletableFuture<WebSocket> f;
        try {
          f = ws.sendText(text, true);
        } catch (RuntimeException e) {
          sendFailed(e);
          text = next();
          continue;
        }
        if (!f.isDone()) {
          f.whenComplete(
              (w, e) -> {
                if (e != null) {
                  sendFailed(e);
                }
                drain(next());
              });
          return;
        }
        if (f.isCompletedExceptionally()) {
          f.exceptionally(
              e -> {
                sendFailed(e);
                return null;
              });
        }
        text = next();
      }
    }

    private synchronized String next() {
      String n = queue.poll();
      if (n == null) {
        sending = false;
      }
      return n;
    }

    private void sendFailed(Throwable e) {
      if (!ending) {
        stats.error("client " + index + " send: " + e);
      }
    }

    /** Gone without a close frame: the server only sees the TCP connection end. */
    void drop() {
      ending = true;
      WebSocket w = ws;
      if (w != null) {
        w.abort();
      }
      fail(new Dropped());
    }

    /** A close frame (1000); the socket is aborted after 5 s should the server not answer. */
    void close() {
      ending = true;
      WebSocket w = ws;
      if (w != null) {
        w.sendClose(WebSocket.NORMAL_CLOSURE, "bye")
            .orTimeout(5, TimeUnit.SECONDS)
            .whenComplete(
                (x, e) -> CompletableFuture.delayedExecutor(5, TimeUnit.SECONDS).execute(w::abort));
      }
      fail(new Dropped());
    }

    private void fail(Throwable t) {
      for (String rid : pending.keySet()) {
        CompletableFuture<JsonNode> f = pending.remove(rid);
        if (f != null) {
          f.completeExceptionally(t);
        }
      }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      String msg = text.accept(data, last);
      if (msg == null) {
        return null;
      }
      try {
        onFrame(msg);
      } catch (RuntimeException e) {
        stats.error("client " + index + ": cannot handle " + msg + ": " + e);
      }
      return null;
    }

    private void onFrame(String msg) throws RuntimeException {
      if (msg.startsWith("{\"type\":\"signal\"")) {
        onSignal(msg);
        return;
      }
      if (msg.startsWith("{\"type\":\"chat.message\"")) {
        onChatMessage(msg);
        return;
      }
      JsonNode f;
      try {
        f = JSON.readTree(msg);
      } catch (java.io.IOException e) {
        stats.error("client " + index + ": not JSON: " + msg);
        return;
      }
      String type = f.path("type").asText();
      JsonNode rid = f.get("rid");
      CompletableFuture<JsonNode> reply = rid == null ? null : pending.remove(rid.asText());
      if (reply == null && rid != null) {
        // The answer to a request that timed out here already (and was counted then).
        stats.lateReplies.increment();
        return;
      }
      if (reply != null) {
        if (type.equals("error")) {
          reply.completeExceptionally(new ErrorReply(f));
        } else {
          reply.complete(f);
        }
        return;
      }
      onEvent(this, f, type);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      if (!ending) {
        String what = "client " + index + ": closed by the server " + statusCode + " " + reason;
        if (statusCode == 4408) {
          // "no hello in time": the hello is sent right after the upgrade, so it took the
          // server (or this generator) more than 10 s to get to it.
          stats.timeout(what);
        } else {
          stats.error(what);
        }
        broken("closed " + statusCode);
      }
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      if (!ending) {
        stats.error("client " + index + ": " + error);
        broken(error.toString());
      }
    }

    /** The connection ended without the generator asking: the driver will reconnect afresh. */
    private void broken(String why) {
      ending = true;
      fail(new Dropped(why));
      if (conn == this && state == State.ACTIVE) {
        state = State.OFFLINE;
      }
    }
  }
}

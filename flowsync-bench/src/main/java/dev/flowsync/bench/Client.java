package dev.flowsync.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One simulated user on the JDK's {@code java.net.http.WebSocket}: hello, join, then targeted
 * signals. Sends are serialized per connection (the JDK allows one outstanding send) through a
 * small queue; received frames are classified by their leading {@code "type"} without a JSON
 * parser, so the generator spends as little CPU per message as it can.
 */
class Client implements WebSocket.Listener {
  /** A realistic ICE candidate line: with the envelope the frame is about 300 bytes. */
  private static final String CANDIDATE =
      "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.5 rport"
          + " 46154 generation 0 ufrag EXAMPLE network-id 1 network-cost 10";

  private static final String BENCH = "\"bench\":[";

  /** About 100 characters of chat, then the send stamp. */
  private static final String CHAT_TEXT =
      "Short status update from the load generator: the build is green, see you at the standup ";

  final int index;
  final String room;
  private final String token;
  final Stats stats;
  private volatile WebSocket ws;
  volatile String connectionId;
  Client[] peers = new Client[0];

  private final TextFrames text = new TextFrames();
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private boolean sending;
  private CompletableFuture<String> expected;
  private String expectedType;
  private int rid;

  Client(int index, String room, String token, Stats stats) {
    this.index = index;
    this.room = room;
    this.token = token;
    this.stats = stats;
  }

  /** Opens the connection and says hello; completes with the nanoseconds it took. */
  CompletableFuture<Long> open(HttpClient http, URI uri) {
    long t0 = System.nanoTime();
    return connect(http, uri)
        .thenCompose(
            v -> {
              stats.connected.increment();
              return request(
                  "welcome",
                  "{\"type\":\"hello\",\"rid\":\"h\",\"token\":\""
                      + token
                      + "\",\"client\":\"flowsync-bench/1\"}");
            })
        .thenApply(
            welcome -> {
              connectionId = stringField(welcome, "connectionId");
              return System.nanoTime() - t0;
            })
        .orTimeout(60, TimeUnit.SECONDS);
  }

  /** Opens the WebSocket; a subclass may bring its own transport. */
  CompletableFuture<Void> connect(HttpClient http, URI uri) {
    return http.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(30))
        .buildAsync(uri, this)
        .thenAccept(w -> ws = w);
  }

  /** Joins this client's room; completes with the nanoseconds it took. */
  CompletableFuture<Long> join() {
    long t0 = System.nanoTime();
    return request(
            "joined",
            "{\"type\":\"join\",\"rid\":\"j\",\"room\":\""
                + room
                + "\",\"name\":\"Bench "
                + index
                + "\",\"state\":{\"mic\":true}}")
        .thenApply(joined -> System.nanoTime() - t0)
        .orTimeout(60, TimeUnit.SECONDS);
  }

  /** Sends one ~300-byte candidate to a random peer, stamped with {@code nowNs}. */
  void signalRandomPeer(java.util.Random rnd, long nowNs) {
    Client peer = peers[rnd.nextInt(peers.length)];
    send(
        "{\"type\":\"signal\",\"room\":\""
            + room
            + "\",\"to\":\""
            + peer.connectionId
            + "\",\"kind\":\"candidate\",\"payload\":{\"candidate\":\""
            + CANDIDATE
            + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,"
            + BENCH
            + nowNs
            + ","
            + peer.index
            + "]}}");
  }

  /** Sends one chat message stamped with {@code nowNs}; the ack carries the text back. */
  void chat(long nowNs) {
    send(
        "{\"type\":\"chat.send\",\"rid\":\"c\",\"room\":\""
            + room
            + "\",\"text\":\""
            + CHAT_TEXT
            + nowNs
            + "\"}");
  }

  private synchronized CompletableFuture<String> expect(String type) {
    expected = new CompletableFuture<>();
    expectedType = type;
    rid++;
    return expected;
  }

  private CompletableFuture<String> request(String replyType, String frame) {
    CompletableFuture<String> reply = expect(replyType);
    send(frame);
    return reply;
  }

  void send(String text) {
    int depth;
    synchronized (this) {
      if (sending) {
        queue.add(text);
        depth = queue.size();
      } else {
        sending = true;
        depth = -1;
      }
    }
    if (depth >= 0) {
      if ((depth & 15) == 0) {
        stats.queued(depth);
      }
      return;
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
        stats.error(stats.sendErrors, "send: " + e);
        text = next();
        continue;
      }
      if (!f.isDone()) {
        f.whenComplete(
            (w, e) -> {
              if (e != null) {
                stats.error(stats.sendErrors, "send: " + e);
              }
              drain(next());
            });
        return;
      }
      if (f.isCompletedExceptionally()) {
        stats.error(stats.sendErrors, "send failed");
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
    onFrame(msg);
    return null;
  }

  void onFrame(String msg) {
    if (msg.startsWith("{\"type\":\"signal\"")) {
      onSignal(msg);
      return;
    }
    if (msg.startsWith("{\"type\":\"chat.message\"")) {
      Stats.Window w = stats.window;
      if (w.contains(chatStamp(msg))) {
        w.fanOut.increment();
      }
      return;
    }
    if (msg.startsWith("{\"type\":\"chat.ack\"")) {
      onChatAck(msg);
      return;
    }
    String type = stringField(msg, "type");
    if ("error".equals(type)) {
      stats.error(stats.protocolErrors, "client " + index + ": " + msg);
    } else if (type != null && type.startsWith("member.")) {
      stats.events.increment();
    }
    CompletableFuture<String> done = null;
    synchronized (this) {
      if (expected != null && (type == null || type.equals(expectedType) || "error".equals(type))) {
        done = expected;
        expected = null;
      }
    }
    if (done != null) {
      if ("error".equals(type)) {
        done.completeExceptionally(new IllegalStateException("error reply: " + msg));
      } else {
        done.complete(msg);
      }
    }
  }

  /** The send stamp at the end of a chat text, or -1. */
  private static long chatStamp(String msg) {
    int at = msg.indexOf(CHAT_TEXT);
    if (at < 0) {
      return -1;
    }
    int i = at + CHAT_TEXT.length();
    long sentNs = 0;
    char c;
    while (i < msg.length() && (c = msg.charAt(i++)) >= '0' && c <= '9') {
      sentNs = sentNs * 10 + (c - '0');
    }
    return sentNs;
  }

  private void onChatAck(String msg) {
    long now = System.nanoTime();
    long sentNs = chatStamp(msg);
    if (sentNs < 0) {
      stats.error(stats.protocolErrors, "chat.ack without stamp: " + msg);
      return;
    }
    Stats.Window w = stats.window;
    w.deliveredAll.increment();
    if (w.contains(sentNs)) {
      w.delivered.increment();
      w.latency.record((now - sentNs) / 1000);
    }
  }

  private void onSignal(String msg) {
    long now = System.nanoTime();
    int at = msg.lastIndexOf(BENCH);
    if (at < 0) {
      stats.error(stats.protocolErrors, "signal without bench stamp: " + msg);
      return;
    }
    int i = at + BENCH.length();
    long sentNs = 0;
    boolean neg = msg.charAt(i) == '-';
    if (neg) {
      i++;
    }
    char c;
    while ((c = msg.charAt(i++)) != ',') {
      sentNs = sentNs * 10 + (c - '0');
    }
    if (neg) {
      sentNs = -sentNs;
    }
    int target = 0;
    while ((c = msg.charAt(i++)) != ']') {
      target = target * 10 + (c - '0');
    }
    if (target != index) {
      stats.misrouted.increment();
    }
    Stats.Window w = stats.window;
    w.deliveredAll.increment();
    if (w.contains(sentNs)) {
      w.delivered.increment();
      w.latency.record((now - sentNs) / 1000);
    }
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    stats.error(stats.closedByServer, "client " + index + " closed " + statusCode + " " + reason);
    failExpected(new IllegalStateException("closed " + statusCode + " " + reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    failExpected(error);
  }

  void failExpected(Throwable t) {
    CompletableFuture<String> done;
    synchronized (this) {
      done = expected;
      expected = null;
    }
    if (done != null) {
      done.completeExceptionally(t);
    }
  }

  /** Closes without waiting: the server sees the TCP connection go away. */
  void abort() {
    WebSocket w = ws;
    if (w != null) {
      w.abort();
    }
  }

  /** The string value of a top-level-looking {@code "name":"value"} pair, or null. */
  static String stringField(String json, String name) {
    String key = "\"" + name + "\":\"";
    int at = json.indexOf(key);
    if (at < 0) {
      return null;
    }
    int from = at + key.length();
    int to = json.indexOf('"', from);
    return to < 0 ? null : json.substring(from, to);
  }

  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}

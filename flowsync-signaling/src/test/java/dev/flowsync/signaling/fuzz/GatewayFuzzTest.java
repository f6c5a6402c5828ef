package dev.flowsync.signaling.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.presence.Member;
import dev.flowsync.signaling.ClientSession;
import dev.flowsync.signaling.Connection;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.RateLimit;
import dev.flowsync.signaling.protocol.Json;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the whole gateway through its transport-neutral API: an in-memory {@link Connection}
 * records every frame, a valid hello comes first, then up to eight fuzzed frames (half of them
 * structured protocol requests with fuzzed fields, half arbitrary text). Properties:
 *
 * <ul>
 *   <li>no exception escapes {@link ClientSession#onText};
 *   <li>every frame the server sends is a JSON object with a type of the protocol, every error
 *       carries a code of PROTOCOL.md §1.7 and none is {@code internal} (an unexpected exception);
 *   <li>the rooms the gateway told the client it is in ({@code joined} minus {@code left}, {@code
 *       kicked}, {@code room.closed}) are exactly the presence store's rooms of the connection,
 *       with the member state last announced;
 *   <li>closing the connection (after a barrier, or abruptly while requests are still queued)
 *       releases every membership and leaves no connection registered.
 * </ul>
 */
class GatewayFuzzTest {
  private static final Set<String> TYPES =
      Set.of(
          "welcome",
          "joined",
          "member.joined",
          "member.updated",
          "left",
          "member.left",
          "room.closed",
          "signal",
          "ok",
          "chat.ack",
          "chat.message",
          "chat.history",
          "timer",
          "time",
          "pong",
          "error",
          "bye",
          "refreshed",
          "kicked");
  private static final Set<String> CODES =
      Set.of(
          "bad_request",
          "unauthorized",
          "forbidden",
          "not_found",
          "room_full",
          "peer_not_found",
          "rate_limited",
          "too_large",
          "conflict",
          "unavailable",
          "internal");
  private static final String[] REQUESTS = {
    "join",
    "join",
    "join",
    "leave",
    "state",
    "signal",
    "chat.send",
    "chat.history",
    "timer.start",
    "timer.pause",
    "timer.resume",
    "timer.reset",
    "timer.skip",
    "time",
    "ping",
    "refresh",
    "hello",
    "nope",
    ""
  };
  private static final String[] ROOMS = {"r1", "r2", "r3", "", "x".repeat(65), "r ü/\"\\"};
  private static final String[] RAW = {
    "{}",
    "{\"a\":1}",
    "{\"nested\":{\"x\":[1,2,{\"y\":null}]}}",
    "[1]",
    "\"s\"",
    "7",
    "null",
    "true",
    "{\"big\":\"" + "x".repeat(2100) + "\"}",
    "1.5e3"
  };
  private static final String[] KINDS = {"offer", "answer", "candidate", "bye", "custom", "bad"};

  private static FlowSync flowSync;
  private static Gateway gateway;
  private static String validToken;
  private static String otherUsersToken;

  private static synchronized void start() {
    if (gateway != null) {
      return;
    }
    flowSync = FlowSync.builder().resumeGrace(Duration.ZERO).build();
    gateway =
        Gateway.builder(flowSync)
            .rateLimit(RateLimit.parse("1000000/s,burst=1000000"))
            .maxBadFrames(1_000_000)
            .maxRateLimitViolations(1_000_000)
            .workerThreads(2)
            .build();
    validToken = flowSync.tokens().issue("fuzzer", "Fuzzer", null, null).token();
    otherUsersToken = flowSync.tokens().issue("someone-else", "Else", null, null).token();
  }

  @AfterAll
  static synchronized void stop() {
    if (gateway != null) {
      gateway.close();
      flowSync.close();
      gateway = null;
    }
  }

  @FuzzTest
  void frames(FuzzedDataProvider data) throws InterruptedException {
    start();
    RecordingConnection conn = new RecordingConnection();
    ClientSession session = gateway.open(conn);
    session.onText("{\"type\":\"hello\",\"rid\":\"h\",\"token\":\"" + validToken + "\"}");
    JsonNode welcome = conn.next();
    assertThat(welcome.path("type").asText()).isEqualTo("welcome");
    String connectionId = welcome.path("connectionId").asText();
    ClientView view = new ClientView(connectionId);

    int n = data.consumeInt(1, 8);
    for (int i = 0; i < n && data.remainingBytes() > 0; i++) {
      String frame = data.consumeBoolean() ? request(data, connectionId) : data.consumeString(400);
      session.onText(frame); // throws nothing: an exception here fails the fuzz test
    }
    boolean abrupt = data.consumeBoolean();
    if (!abrupt) {
      session.onText("{\"type\":\"ping\",\"rid\":\"__barrier\"}");
      while (true) {
        JsonNode f = conn.next();
        if (f == null) {
          fail("No answer to the barrier ping; frames so far: " + view.log);
        }
        view.apply(f);
        if ("pong".equals(f.path("type").asText()) && "__barrier".equals(f.path("rid").asText())) {
          break;
        }
      }
      Set<String> stored = new HashSet<>(flowSync.presence().roomsOf(connectionId));
      assertThat(stored).as("store rooms vs frames %s", view.log).isEqualTo(view.rooms.keySet());
      for (String room : stored) {
        Member m = flowSync.presence().find(room, connectionId).orElseThrow();
        assertThat(tree(m.stateJson()))
            .as("state in %s vs frames %s", room, view.log)
            .isEqualTo(view.rooms.get(room));
      }
    }
    session.onClose(1006);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!(flowSync.presence().roomsOf(connectionId).isEmpty()
        && gateway.connectionCount() == 0
        && gateway.detachedCount() == 0)) {
      if (System.nanoTime() > deadline) {
        fail(
            "Close left memberships %s, connections %d, detached %d",
            flowSync.presence().roomsOf(connectionId),
            gateway.connectionCount(),
            gateway.detachedCount());
      }
      Thread.onSpinWait();
    }
    JsonNode f;
    while ((f = conn.poll()) != null) {
      view.check(f);
    }
  }

  /** A protocol request with fuzzed fields. */
  private static String request(FuzzedDataProvider d, String self) {
    StringBuilder b = new StringBuilder("{");
    String type = d.pickValue(REQUESTS);
    field(b, "type", quote(type));
    if (d.consumeBoolean()) {
      field(b, "rid", d.consumeBoolean() ? quote(d.consumeString(70)) : "" + d.consumeInt());
    }
    if (d.consumeProbabilityDouble() < 0.9) {
      field(b, "room", quote(d.pickValue(ROOMS)));
    }
    switch (type) {
      case "join" -> {
        if (d.consumeBoolean()) {
          field(b, "name", quote(d.consumeString(110)));
        }
        if (d.consumeBoolean()) {
          field(b, "state", d.pickValue(RAW));
        }
      }
      case "state" -> field(b, "state", d.pickValue(RAW));
      case "signal" -> {
        field(b, "to", quote(d.pickValue(new String[] {self, "c_nobody", d.consumeString(20)})));
        field(b, "kind", quote(d.pickValue(KINDS)));
        field(b, "payload", d.pickValue(RAW));
      }
      case "chat.send" -> {
        field(b, "text", quote(d.consumeBoolean() ? d.consumeString(50) : "x".repeat(4001)));
        if (d.consumeBoolean()) {
          field(b, "clientMsgId", quote(d.consumeString(8)));
        }
      }
      case "chat.history" -> {
        field(b, d.consumeBoolean() ? "beforeSeq" : "afterSeq", "" + d.consumeLong());
        field(b, "limit", "" + d.consumeInt(-5, 300));
      }
      case "timer.start" -> {
        StringBuilder phases = new StringBuilder("[");
        int count = d.consumeInt(0, 3);
        for (int i = 0; i < count; i++) {
          phases.append(i == 0 ? "" : ",");
          phases.append("{\"name\":").append(quote(d.consumeString(10)));
          // at least a minute: fuzzed timers must not keep firing in the shared gateway
          phases
              .append(",\"durationMs\":")
              .append(d.consumeLong(-1, 3_600_000) + 60_000)
              .append('}');
        }
        field(b, "phases", d.consumeBoolean() ? phases + "]" : d.pickValue(RAW));
        field(b, "repeat", d.consumeBoolean() ? "true" : d.pickValue(RAW));
      }
      case "time" -> field(b, "t0", d.consumeBoolean() ? "" + d.consumeLong() : d.pickValue(RAW));
      case "refresh" ->
          field(
              b,
              "token",
              quote(d.pickValue(new String[] {validToken, otherUsersToken, d.consumeString(30)})));
      default -> {}
    }
    return b.append('}').toString();
  }

  private static void field(StringBuilder b, String name, String rawValue) {
    if (b.length() > 1) {
      b.append(',');
    }
    b.append(quote(name)).append(':').append(rawValue);
  }

  private static String quote(String s) {
    try {
      return Json.MAPPER.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode tree(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new AssertionError("Not JSON: " + json, e);
    }
  }

  /** What the client knows from the frames it got: its rooms and its last announced state. */
  private static final class ClientView {
    final String self;
    final Map<String, JsonNode> rooms = new HashMap<>();
    final StringBuilder log = new StringBuilder();

    ClientView(String self) {
      this.self = self;
    }

    void check(JsonNode f) {
      assertThat(f.isObject()).as("frame %s", f).isTrue();
      String type = f.path("type").asText();
      assertThat(TYPES).as("type of %s", f).contains(type);
      if (type.equals("error")) {
        assertThat(CODES).as("code of %s", f).contains(f.path("code").asText());
        assertThat(f.path("code").asText()).as("an internal error: %s", f).isNotEqualTo("internal");
        assertThat(f.path("message").isTextual()).isTrue();
      }
    }

    void apply(JsonNode f) {
      check(f);
      if (log.length() < 4000) {
        log.append(f).append('\n');
      }
      String room = f.path("room").asText();
      switch (f.path("type").asText()) {
        case "joined" -> rooms.put(room, f.path("self").path("state"));
        case "member.updated" -> {
          if (self.equals(f.path("member").path("connectionId").asText())) {
            rooms.put(room, f.path("member").path("state"));
          }
        }
        case "left", "kicked", "room.closed" -> rooms.remove(room);
        case "member.left" -> {
          if (self.equals(f.path("connectionId").asText())) {
            rooms.remove(room);
          }
        }
        default -> {}
      }
    }
  }

  /** An in-memory transport: records frames, never full. */
  private static final class RecordingConnection implements Connection {
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    volatile boolean closed;

    @Override
    public boolean send(String text) {
      frames.add(text);
      return true;
    }

    @Override
    public void ping() {}

    @Override
    public void close(int code, String reason) {
      closed = true;
      frames.add("{\"type\":\"__closed\",\"code\":" + code + "}");
    }

    @Override
    public String remoteAddress() {
      return "fuzz";
    }

    JsonNode next() throws InterruptedException {
      String s = frames.poll(5, TimeUnit.SECONDS);
      return s == null ? null : tree(s);
    }

    JsonNode poll() {
      String s = frames.poll();
      return s == null ? null : tree(s);
    }
  }
}

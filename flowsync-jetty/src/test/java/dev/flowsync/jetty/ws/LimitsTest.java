package dev.flowsync.jetty.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.core.timer.TimerState;
import dev.flowsync.core.timer.TimerStore;
import dev.flowsync.signaling.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("§1.6 keep-alive and §1.7 errors, limits and close codes over a real WebSocket")
class LimitsTest {
  private TestServer s;

  @AfterEach
  void stop() {
    if (s != null) {
      s.close();
    }
  }

  @Test
  @DisplayName("time echoes t0 with the server's clock; ping answers pong")
  void timeAndPing() throws Exception {
    s = TestServer.start();
    WsClient c = s.rawHello("u");
    long before = System.currentTimeMillis();
    c.send("{\"type\":\"time\",\"rid\":\"11\",\"t0\":1763700000000}");
    JsonNode t = c.await("time");
    assertThat(t.get("rid").asText()).isEqualTo("11");
    assertThat(t.get("t0").asLong()).isEqualTo(1763700000000L);
    assertThat(t.get("serverTime").asLong())
        .isBetween(before - 1000, System.currentTimeMillis() + 1000);
    c.send("{\"type\":\"ping\",\"rid\":\"12\"}");
    assertThat(c.await("pong").get("rid").asText()).isEqualTo("12");
  }

  @Test
  @DisplayName(
      "malformed JSON, unknown types, missing or wrong fields, bad rids and binary frames answer bad_request; the connection stays usable")
  void badFrames() throws Exception {
    s = TestServer.start();
    WsClient c = s.rawHello("u");
    String[][] cases = {
      {"{\"rid\":\"m1\",\"type\":", "m1"},
      {"{\"type\":\"nope\",\"rid\":\"m2\"}", "m2"},
      {"{\"rid\":\"m3\"}", "m3"},
      {"{\"type\":7,\"rid\":\"m4\"}", "m4"},
      {"[1,2]", null},
      {"not json", null},
      {"{\"type\":\"ping\",\"rid\":\"" + "x".repeat(65) + "\"}", null},
      {"{\"type\":\"join\",\"rid\":\"m5\"}", "m5"},
      {"{\"type\":\"join\",\"rid\":\"m6\",\"room\":12}", "m6"},
      {"{\"type\":\"time\",\"rid\":\"m7\",\"t0\":\"soon\"}", "m7"},
      {"{\"type\":\"ping\",\"rid\":\"m8\"} trailing", "m8"},
    };
    for (String[] k : cases) {
      c.send(k[0]);
      JsonNode e = c.await("error");
      assertThat(e.get("code").asText()).as(k[0]).isEqualTo("bad_request");
      assertThat(e.get("message").asText()).as(k[0]).isNotBlank();
      if (k[1] == null) {
        assertThat(e.has("rid")).as(k[0]).isFalse();
      } else {
        assertThat(e.get("rid").asText()).as(k[0]).isEqualTo(k[1]);
      }
    }
    c.sendBinary(new byte[] {1, 2, 3});
    assertThat(c.await("error").get("code").asText()).isEqualTo("bad_request");
    c.send("{\"type\":\"ping\",\"rid\":\"ok\"}");
    assertThat(c.await("pong").get("rid").asText()).isEqualTo("ok");
    assertThat(c.closeCode).isNotDone();
  }

  @Test
  @DisplayName("a frame over the limit closes 1009")
  void tooBig() throws Exception {
    s = TestServer.start();
    WsClient c = s.rawHello("u");
    c.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");
    assertThat(c.awaitClose()).isEqualTo(1009);
  }

  @Test
  @DisplayName("a frame just under the limit is fine")
  void underTheLimit() throws Exception {
    s = TestServer.start();
    WsClient c = s.rawHello("u");
    c.send("{\"type\":\"ping\",\"rid\":\"p\",\"pad\":\"" + "x".repeat(60 * 1024) + "\"}");
    assertThat(c.await("pong").get("rid").asText()).isEqualTo("p");
  }

  @Test
  @DisplayName("repeated bad frames close 1008")
  void repeatedBadFrames() throws Exception {
    s = TestServer.start(fs -> {}, gw -> gw.maxBadFrames(3));
    WsClient c = s.rawHello("u");
    for (int i = 0; i < 4; i++) {
      c.send("{oops");
    }
    assertThat(c.awaitClose()).isEqualTo(1008);
    assertThat(c.texts.stream().filter(t -> t.contains("bad_request")).count())
        .isGreaterThanOrEqualTo(3);
  }

  @Test
  @DisplayName(
      "frames over the rate limit answer rate_limited; a client that keeps on is closed 4429")
  void rateLimit() throws Exception {
    s =
        TestServer.start(
            fs -> {}, gw -> gw.rateLimit(RateLimit.parse("5/s,burst=5")).maxRateLimitViolations(3));
    WsClient c = s.rawHello("u"); // hello used one token
    // The four tokens left are answered; wait for them, so the flood below cannot close the
    // connection while these are still queued (a closed connection's queued replies are dropped).
    for (int i = 0; i < 4; i++) {
      c.send("{\"type\":\"ping\",\"rid\":\"ok" + i + "\"}");
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> c.texts.stream().filter(t -> t.contains("pong")).count() == 4);
    for (int i = 0; i < 20; i++) {
      try {
        c.sendAsync("{\"type\":\"ping\",\"rid\":\"p" + i + "\"}").join();
      } catch (java.util.concurrent.CompletionException closedMeanwhile) {
        break; // the server closed 4429 before all 20 were out
      }
    }
    assertThat(c.awaitClose()).isEqualTo(4429);
    List<String> limited = c.texts.stream().filter(t -> t.contains("\"rate_limited\"")).toList();
    assertThat(limited).hasSize(3);
    assertThat(limited.get(0)).contains("\"rid\":\"p"); // rate_limited echoes the rid too
  }

  @Test
  @DisplayName("the server sends WebSocket pings every heartbeatMs")
  void serverPings() throws Exception {
    s = TestServer.start(fs -> {}, gw -> gw.heartbeat(Duration.ofMillis(100)));
    WsClient c = s.rawHello("u");
    await().atMost(Duration.ofSeconds(3)).until(() -> c.pings.get() >= 3);
    assertThat(c.closeCode).isNotDone(); // the JDK client answers with pongs: it stays
  }

  @Test
  @DisplayName(
      "a silent connection (no pong, no frame) is closed after 2 x heartbeatMs; the others get member.left timeout")
  void silentConnection() throws Exception {
    s = TestServer.start(fs -> {}, gw -> gw.heartbeat(Duration.ofMillis(200)));
    WsClient bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"hb\"}");
    bo.await("joined");
    try (SilentSocket silent = new SilentSocket(s.uri())) {
      silent.send("{\"type\":\"hello\",\"token\":\"" + s.token("quiet") + "\"}");
      silent.send("{\"type\":\"join\",\"room\":\"hb\"}");
      JsonNode joined = bo.await("member.joined");
      long joinedAt = System.nanoTime();
      JsonNode left = bo.await("member.left", Duration.ofSeconds(5));
      assertThat(left.get("userId").asText()).isEqualTo("quiet");
      assertThat(left.get("connectionId").asText())
          .isEqualTo(joined.at("/member/connectionId").asText());
      assertThat(left.get("reason").asText()).isEqualTo("timeout");
      assertThat(Duration.ofNanos(System.nanoTime() - joinedAt))
          .isGreaterThan(Duration.ofMillis(250));
    }
    assertThat(bo.closeCode).isNotDone(); // bo answers pings
  }

  @Test
  @DisplayName("a flooding client does not slow the others down")
  void floodIsolation() throws Exception {
    s =
        TestServer.start(
            fs -> {},
            gw ->
                gw.rateLimit(RateLimit.parse("200/s,burst=200")).maxRateLimitViolations(1_000_000));
    WsClient flooder = s.rawHello("flood");
    WsClient calm = s.rawHello("calm");
    List<Long> baseline = pingTimes(calm, 20);
    AtomicBoolean stop = new AtomicBoolean();
    Thread flood =
        new Thread(
            () -> {
              int i = 0;
              while (!stop.get() && i < 200_000) {
                flooder.sendAsync("{\"type\":\"ping\",\"rid\":\"f" + i++ + "\"}").join();
              }
            });
    flood.start();
    try {
      // Wait until the flood is really under way (how fast depends on the machine's load).
      await().atMost(Duration.ofSeconds(30)).until(() -> flooder.texts.size() > 1000);
      List<Long> during = pingTimes(calm, 30);
      long median = during.get(during.size() / 2);
      long baselineMedian = baseline.get(baseline.size() / 2);
      // Generous on a shared, loaded 2-core machine; a flooder that starved the others would push
      // this towards the flood's length (many seconds).
      assertThat(median)
          .as("median ping ms during the flood, baseline %s", baseline)
          .isLessThan(Math.max(1000, 10 * baselineMedian));
      assertThat(flooder.texts.stream().anyMatch(t -> t.contains("rate_limited"))).isTrue();
    } finally {
      stop.set(true);
      flood.join();
    }
  }

  private static List<Long> pingTimes(WsClient c, int n) throws InterruptedException {
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      c.send("{\"type\":\"ping\",\"rid\":\"calm" + i + "\"}");
      c.await("pong");
      times.add((System.nanoTime() - t0) / 1_000_000);
    }
    Collections.sort(times);
    return times;
  }

  @Test
  @DisplayName("a client that stops reading is closed as a slow consumer; its presence is released")
  void slowConsumer() throws Exception {
    s = TestServer.start(fs -> {}, gw -> gw.rateLimit(RateLimit.UNLIMITED));
    WsClient fast = s.rawHello("fast");
    fast.send("{\"type\":\"join\",\"room\":\"slow\"}");
    fast.await("joined");
    WsClient stalled = new WsClient(s.uri(), false);
    stalled.send("{\"type\":\"hello\",\"token\":\"" + s.token("stalled") + "\"}");
    stalled.send("{\"type\":\"join\",\"room\":\"slow\"}");
    String stalledId = fast.await("member.joined").at("/member/connectionId").asText();
    String payload = "{\"blob\":\"" + "z".repeat(16 * 1024) + "\"}";
    for (int i = 0; i < 2000 && s.gateway.connectionCount() == 2; i++) {
      fast.sendAsync(
              "{\"type\":\"signal\",\"room\":\"slow\",\"to\":\""
                  + stalledId
                  + "\",\"kind\":\"custom\",\"payload\":"
                  + payload
                  + "}")
          .join();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> s.gateway.connectionCount() == 1);
    JsonNode left = fast.await("member.left", Duration.ofSeconds(5));
    assertThat(left.get("connectionId").asText()).isEqualTo(stalledId);
    fast.send("{\"type\":\"ping\",\"rid\":\"alive\"}");
    assertThat(fast.await("pong").get("rid").asText()).isEqualTo("alive");
    stalled.close();
  }

  @Test
  @DisplayName("a server bug answers internal with the rid; the connection stays usable")
  void internalError() throws Exception {
    TimerStore real = InMemoryStores.create().timers();
    TimerStore broken =
        new TimerStore() {
          @Override
          public Optional<TimerState> find(String room) {
            return room.equals("buggy") ? null : real.find(room); // a contract violation
          }

          @Override
          public boolean compareAndSet(String room, long expectedVersion, TimerState next) {
            return real.compareAndSet(room, expectedVersion, next);
          }

          @Override
          public void delete(String room) {
            real.delete(room);
          }

          @Override
          public java.util.Map<String, TimerState> running() {
            return real.running();
          }
        };
    FlowSync fs = FlowSync.builder().stores(InMemoryStores.create().withTimers(broken)).build();
    s = TestServer.start(fs, gw -> {}, 64 * 1024);
    WsClient c = s.rawHello("u");
    c.send("{\"type\":\"join\",\"room\":\"fine\"}");
    c.await("joined");
    c.send("{\"type\":\"join\",\"rid\":\"j\",\"room\":\"buggy\"}");
    JsonNode e = c.await("error");
    assertThat(e.get("code").asText()).isEqualTo("internal");
    assertThat(e.get("rid").asText()).isEqualTo("j");
    c.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    assertThat(c.await("pong").get("rid").asText()).isEqualTo("p");
  }
}

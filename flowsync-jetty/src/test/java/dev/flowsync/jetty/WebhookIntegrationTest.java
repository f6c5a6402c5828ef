package dev.flowsync.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.event.FlowSyncEvent;
import dev.flowsync.core.event.MemberLeft;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.core.room.RoomSpec;
import dev.flowsync.core.timer.Phase;
import dev.flowsync.jetty.webhook.WebhookSender;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Webhooks to a real local HTTP receiver")
class WebhookIntegrationTest {
  static final String SECRET = "webhook-secret-0123456789";

  /** One request as the receiver saw it. */
  record Received(String signature, String deliveryHeader, byte[] body, int answeredWith) {
    JsonNode json() throws Exception {
      return Http.JSON.readTree(body);
    }
  }

  HttpServer receiver;
  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  final AtomicInteger failFirst = new AtomicInteger();
  final CountDownLatch release = new CountDownLatch(1);
  volatile boolean hang;
  FlowSync flowSync;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    receiver.createContext(
        "/hooks",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          if (hang) {
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          int status = failFirst.getAndDecrement() > 0 ? 500 : 204;
          received.add(
              new Received(
                  exchange.getRequestHeaders().getFirst("X-FlowSync-Signature"),
                  exchange.getRequestHeaders().getFirst("X-FlowSync-Delivery"),
                  body,
                  status));
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.start();
    flowSync = FlowSync.inMemory();
  }

  @AfterEach
  void stopReceiver() {
    release.countDown();
    receiver.stop(0);
    flowSync.close();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks");
  }

  WebhookSender sender() {
    return WebhookSender.builder(flowSync, url(), SECRET)
        .initialBackoff(Duration.ofMillis(50))
        .maxBackoff(Duration.ofMillis(200))
        .build();
  }

  Received next() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("a webhook request within 10 s").isNotNull();
    return r;
  }

  @Test
  @DisplayName("a failed first attempt is retried with the same id and a valid signature")
  void retried() throws Exception {
    failFirst.set(1);
    try (WebhookSender webhooks = sender()) {
      flowSync.rooms().create(RoomSpec.of("standup"));
      Received first = next();
      Received retry = next();
      assertThat(first.answeredWith()).isEqualTo(500);
      assertThat(retry.answeredWith()).isEqualTo(204);
      assertThat(retry.json().get("id").asText())
          .isEqualTo(first.json().get("id").asText())
          .isEqualTo(retry.deliveryHeader());
      assertThat(retry.body()).isEqualTo(first.body());
      assertThat(retry.signature())
          .isEqualTo(WebhookSender.signature(retry.body(), SECRET))
          .startsWith("sha256=")
          .matches("sha256=[0-9a-f]{64}");
      JsonNode event = retry.json();
      assertThat(event.get("event").asText()).isEqualTo("room.created");
      assertThat(event.get("room").asText()).isEqualTo("standup");
      assertThat(event.get("at").asLong()).isPositive();
      org.awaitility.Awaitility.await().until(() -> webhooks.delivered() == 1);
      assertThat(webhooks.pending()).isZero();
    }
  }

  @Test
  @DisplayName("member.joined, member.left with reason, timer.phase and room.closed are posted")
  void events() throws Exception {
    try (WebhookSender webhooks = sender()) {
      AccessToken ana = flowSync.tokens().issue("ana", "Ana", null, null).claims();
      flowSync.presence().join(ana, "c_1", "standup", null, null);
      flowSync.timers().start("standup", "ana", List.of(new Phase("focus", 60_000)), false);
      flowSync.presence().kick("standup", "ana", null, "spam");
      flowSync.rooms().delete("standup");

      List<String> types = new java.util.ArrayList<>();
      JsonNode left = null;
      JsonNode phase = null;
      for (int i = 0; i < 5; i++) {
        JsonNode e = next().json();
        types.add(e.get("event").asText());
        if (e.get("event").asText().equals("member.left")) {
          left = e;
        }
        if (e.get("event").asText().equals("timer.phase")) {
          phase = e;
        }
      }
      assertThat(types)
          .containsExactlyInAnyOrder(
              "room.created", "member.joined", "timer.phase", "member.left", "room.closed");
      assertThat(left.get("reason").asText()).isEqualTo("kicked");
      assertThat(left.at("/member/userId").asText()).isEqualTo("ana");
      assertThat(left.get("detail").asText()).isEqualTo("spam");
      assertThat(phase.get("phase").asText()).isEqualTo("focus");
      assertThat(phase.at("/timer/status").asText()).isEqualTo("running");
    }
  }

  @Test
  @DisplayName("the same events reach a Java listener through FlowSync.subscribe")
  void javaListener() throws Exception {
    BlockingQueue<FlowSyncEvent> events = new LinkedBlockingQueue<>();
    try (AutoCloseable sub = flowSync.subscribe(events::add)) {
      AccessToken ana = flowSync.tokens().issue("ana", "Ana", null, null).claims();
      flowSync.presence().join(ana, "c_1", "standup", null, null);
      flowSync.presence().leave("c_1", "standup", LeaveReason.LEFT, null);
      assertThat(events)
          .filteredOn(e -> e instanceof MemberLeft)
          .singleElement()
          .satisfies(e -> assertThat(((MemberLeft) e).reason()).isEqualTo(LeaveReason.LEFT));
    }
  }

  @Test
  @DisplayName("a receiver that hangs never blocks the engine; a full queue drops, not blocks")
  void neverBlocks() throws Exception {
    hang = true;
    try (WebhookSender webhooks =
        WebhookSender.builder(flowSync, url(), SECRET)
            .maxPending(2)
            .requestTimeout(Duration.ofSeconds(10))
            .flushTimeout(Duration.ZERO)
            .build()) {
      long start = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        flowSync.rooms().create(RoomSpec.of("r" + i));
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      assertThat(webhooks.pending()).isEqualTo(2);
      assertThat(webhooks.dropped()).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("the server's webhook(url, secret) option posts events signed with the secret")
  void throughTheServer() throws Exception {
    try (FlowSyncServer server =
        FlowSyncServer.builder(flowSync)
            .host("127.0.0.1")
            .port(0)
            .apiKey("test-admin-key-0123456789")
            .webhook(url(), SECRET)
            .build()
            .start()) {
      new Http(server.httpUri())
          .post("/api/rooms", "test-admin-key-0123456789", "{\"id\":\"standup\"}");
      Received r = next();
      assertThat(r.json().get("event").asText()).isEqualTo("room.created");
      assertThat(r.signature()).isEqualTo(WebhookSender.signature(r.body(), SECRET));
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(SECRET);
    }
  }
}

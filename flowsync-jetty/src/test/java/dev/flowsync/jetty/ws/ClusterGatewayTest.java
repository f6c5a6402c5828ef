package dev.flowsync.jetty.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.auth.IssuedToken;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Two nodes sharing stores and a cluster bus: room events and signals cross nodes")
class ClusterGatewayTest {
  private InMemoryClusterHub hub;
  private Stores shared;
  private TestServer a;
  private TestServer b;
  private WsClient ana; // on node a
  private WsClient bo; // on node b
  private String anaId;
  private String boId;

  @BeforeEach
  void start() throws Exception {
    hub = new InMemoryClusterHub();
    shared = InMemoryStores.create();
    a = TestServer.start(node(shared, "node-a"), gw -> {}, 64 * 1024);
    b = TestServer.start(node(shared, "node-b"), gw -> {}, 64 * 1024);
    ana = a.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"x\"}");
    anaId = ana.await("joined").at("/self/connectionId").asText();
    bo = b.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"x\"}");
    JsonNode joined = bo.await("joined");
    boId = joined.at("/self/connectionId").asText();
    assertThat(joined.get("members"))
        .extracting(m -> m.get("connectionId").asText())
        .containsExactly(anaId, boId);
    assertThat(ana.await("member.joined").at("/member/connectionId").asText()).isEqualTo(boId);
  }

  private FlowSync node(Stores shared, String nodeId) {
    return FlowSync.builder()
        .stores(shared.withClusterBus(hub.bus()))
        .nodeId(nodeId)
        .resumeGrace(Duration.ofMillis(2500))
        .build();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    hub.close();
  }

  @Test
  @DisplayName(
      "a signal reaches its target on the other node, payload untouched, never across rooms")
  void signalAcrossNodes() throws Exception {
    String payload =
        "{\"candidate\":\"candidate:1 1 udp 2122260223 10.0.0.1 54321 typ host\",\"sdpMLineIndex\":0}";
    ana.send(
        "{\"type\":\"signal\",\"rid\":\"s\",\"room\":\"x\",\"to\":\""
            + boId
            + "\",\"kind\":\"candidate\",\"payload\":"
            + payload
            + "}");
    assertThat(ana.await("ok").get("rid").asText()).isEqualTo("s");
    JsonNode got = bo.await("signal");
    assertThat(got.get("from").asText()).isEqualTo(anaId);
    assertThat(bo.texts.get(bo.texts.size() - 1)).contains("\"payload\":" + payload + "}");
    bo.send(
        "{\"type\":\"signal\",\"room\":\"x\",\"to\":\""
            + anaId
            + "\",\"kind\":\"answer\",\"payload\":{\"sdp\":\"a\"}}");
    assertThat(ana.await("signal").get("kind").asText()).isEqualTo("answer");

    WsClient cy = b.rawHello("cy");
    cy.send("{\"type\":\"join\",\"room\":\"other\"}");
    String cyId = cy.await("joined").at("/self/connectionId").asText();
    ana.send(
        "{\"type\":\"signal\",\"rid\":\"n\",\"room\":\"x\",\"to\":\""
            + cyId
            + "\",\"kind\":\"offer\",\"payload\":{}}");
    assertThat(ana.await("error").get("code").asText()).isEqualTo("peer_not_found");
  }

  @Test
  @DisplayName("chat, state and leave reach the members on the other node")
  void roomEventsAcrossNodes() throws Exception {
    bo.send("{\"type\":\"chat.send\",\"rid\":\"c\",\"room\":\"x\",\"text\":\"from b\"}");
    bo.await("chat.ack");
    assertThat(ana.await("chat.message").at("/message/text").asText()).isEqualTo("from b");
    ana.send("{\"type\":\"state\",\"room\":\"x\",\"state\":{\"mic\":false}}");
    assertThat(bo.await("member.updated").at("/member/state/mic").asBoolean()).isFalse();
    bo.send("{\"type\":\"leave\",\"room\":\"x\"}");
    bo.await("left");
    JsonNode left = ana.await("member.left");
    assertThat(left.get("connectionId").asText()).isEqualTo(boId);
    assertThat(left.get("reason").asText()).isEqualTo("left");
  }

  @Test
  @DisplayName("the timer runs for both nodes and each phase change arrives exactly once")
  void timerAcrossNodes() throws Exception {
    ana.send(
        "{\"type\":\"timer.start\",\"rid\":\"t\",\"room\":\"x\",\"phases\":[{\"name\":\"a\",\"durationMs\":300},{\"name\":\"b\",\"durationMs\":300}],\"repeat\":false}");
    List<Long> anaVersions = new ArrayList<>();
    List<Long> boVersions = new ArrayList<>();
    String status = "";
    while (!status.equals("finished")) {
      JsonNode t = bo.await("timer", Duration.ofSeconds(5));
      boVersions.add(t.at("/timer/version").asLong());
      status = t.at("/timer/status").asText();
    }
    status = "";
    while (!status.equals("finished")) {
      JsonNode t = ana.await("timer", Duration.ofSeconds(5));
      anaVersions.add(t.at("/timer/version").asLong());
      status = t.at("/timer/status").asText();
    }
    assertThat(boVersions).containsExactly(1L, 2L, 3L);
    assertThat(anaVersions).containsExactly(1L, 2L, 3L);
    ana.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    ana.await("pong");
    bo.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    bo.await("pong");
    assertThat(ana.drain()).noneMatch(f -> f.path("type").asText().equals("timer"));
    assertThat(bo.drain()).noneMatch(f -> f.path("type").asText().equals("timer"));
  }

  @Test
  @DisplayName(
      "a kick on one node reaches a member on the other: kicked to it, member.left kicked to the rest")
  void kickAcrossNodes() throws Exception {
    a.flowSync.presence().kick("x", "bo", null, "bye bo");
    assertThat(bo.await("kicked").get("reason").asText()).isEqualTo("bye bo");
    assertThat(ana.await("member.left").get("reason").asText()).isEqualTo("kicked");
    bo.send("{\"type\":\"chat.send\",\"rid\":\"c\",\"room\":\"x\",\"text\":\"?\"}");
    assertThat(bo.await("error").get("code").asText()).isEqualTo("forbidden");
  }

  @Test
  @DisplayName("deleting a room on one node closes it for members on the other")
  void roomClosedAcrossNodes() throws Exception {
    a.flowSync.rooms().delete("x");
    assertThat(bo.await("room.closed").get("room").asText()).isEqualTo("x");
    assertThat(ana.await("room.closed").get("room").asText()).isEqualTo("x");
  }

  @Test
  @DisplayName("revoking a token on one node closes its connections on the other (4401)")
  void revocationAcrossNodes() throws Exception {
    IssuedToken t = a.flowSync.tokens().issue("dee", "Dee", null, null);
    WsClient dee = b.raw();
    dee.send("{\"type\":\"hello\",\"token\":\"" + t.token() + "\"}");
    dee.await("welcome");
    a.flowSync.tokens().revoke(t.token());
    assertThat(dee.awaitClose()).isEqualTo(4401);
  }

  @Test
  @DisplayName(
      "a member whose connection drops on one node is released for the others after the grace")
  void disconnectAcrossNodes() throws Exception {
    bo.close();
    JsonNode left = ana.await("member.left", Duration.ofSeconds(5));
    assertThat(left.get("connectionId").asText()).isEqualTo(boId);
    assertThat(left.get("reason").asText()).isEqualTo("disconnected");
  }

  @Test
  @DisplayName(
      "a client that drops on one node resumes on the other: same connection, no flicker, signals follow it")
  void resumeOnTheOtherNode() throws Exception {
    Joined eve = joinX(a, "eve");
    bo.await("member.joined");
    ana.await("member.joined");
    bo.send("{\"type\":\"chat.send\",\"rid\":\"c\",\"room\":\"x\",\"text\":\"while away\"}");
    eve.ws().await("chat.message");
    eve.ws().close();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> a.gateway.detachedCount() == 1);

    WsClient back = b.raw();
    helloResuming(back, eve.token(), eve.welcome(), ",\"lastSeq\":{\"x\":0}");
    JsonNode w = back.await("welcome");
    assertThat(w.get("resumed").asBoolean()).isTrue();
    assertThat(w.get("connectionId").asText()).isEqualTo(eve.id());
    JsonNode joined = back.await("joined");
    assertThat(joined.get("history"))
        .extracting(m -> m.get("text").asText())
        .containsExactly("while away");
    assertThat(a.flowSync.presence().find("x", eve.id()).orElseThrow().nodeId())
        .isEqualTo("node-b");

    ana.send(
        "{\"type\":\"signal\",\"rid\":\"s\",\"room\":\"x\",\"to\":\""
            + eve.id()
            + "\",\"kind\":\"offer\",\"payload\":{}}");
    ana.await("ok");
    assertThat(back.await("signal").get("from").asText()).isEqualTo(anaId);

    long graceEnd = System.currentTimeMillis() + 2700;
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(6))
        .until(
            () ->
                System.currentTimeMillis() > graceEnd
                    && a.flowSync.presence().find("x", eve.id()).isPresent());
    ana.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    ana.await("pong");
    assertThat(ana.texts).noneMatch(t -> t.contains("member.left"));
  }

  @Test
  @DisplayName("a node shutting down sends bye and its members leave with reason closed")
  void shutdownAcrossNodes() throws Exception {
    a.server.stop();
    assertThat(ana.await("bye").get("reason").asText()).isEqualTo("shutdown");
    assertThat(ana.awaitClose()).isEqualTo(1001);
    JsonNode left = bo.await("member.left", Duration.ofSeconds(5));
    assertThat(left.get("connectionId").asText()).isEqualTo(anaId);
    assertThat(left.get("reason").asText()).isEqualTo("closed");
  }

  @Test
  @DisplayName(
      "when the node that held the connection does not answer, the other node adopts the user's memberships")
  void resumeWhenTheOwnerIsSilent() throws Exception {
    Joined eve = joinX(a, "eve");
    bo.await("member.joined");
    hub.makeUnreachable("node-a");
    eve.ws().close();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> a.gateway.detachedCount() == 1);

    WsClient back = b.raw();
    helloResuming(back, eve.token(), eve.welcome(), "");
    JsonNode w = back.await("welcome", Duration.ofSeconds(5));
    assertThat(w.get("resumed").asBoolean()).isTrue();
    assertThat(w.get("connectionId").asText()).isEqualTo(eve.id());
    back.await("joined");
    assertThat(b.flowSync.presence().find("x", eve.id()).orElseThrow().nodeId())
        .isEqualTo("node-b");

    // node-a's grace for the old connection runs out: it must not remove what node-b now holds
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(6))
        .until(() -> a.gateway.detachedCount() == 0);
    org.awaitility.Awaitility.await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> b.flowSync.presence().find("x", eve.id()).isPresent());
    bo.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    bo.await("pong");
    assertThat(bo.texts).noneMatch(t -> t.contains("member.left"));
  }

  @Test
  @DisplayName(
      "a signal sent to a node that died, by a stale route, follows its target to where it resumed")
  void signalFollowsResumeAfterNodeDeath() throws Exception {
    TestServer c = TestServer.start(node(shared, "node-c"), gw -> {}, 64 * 1024);
    try {
      Joined eve = joinX(b, "eve");
      ana.await("member.joined");
      // Node a now routes signals for eve to node b, and keeps that route for a few seconds.
      ana.send(
          "{\"type\":\"signal\",\"rid\":\"s1\",\"room\":\"x\",\"to\":\""
              + eve.id()
              + "\",\"kind\":\"offer\",\"payload\":{}}");
      ana.await("ok");
      eve.ws().await("signal");
      long routed = System.nanoTime();

      hub.kill("node-b");
      eve.ws().close();
      WsClient back = c.raw();
      helloResuming(back, eve.token(), eve.welcome(), "");
      JsonNode w = back.await("welcome", Duration.ofSeconds(5));
      assertThat(w.get("resumed").asBoolean()).isTrue();
      assertThat(w.get("connectionId").asText()).isEqualTo(eve.id());
      back.await("joined");
      // Resumes make no room event, so node a still has the route to node b, unless this was so
      // slow that the route expired (then the test would prove nothing).
      org.junit.jupiter.api.Assumptions.assumeTrue(
          System.nanoTime() - routed < Duration.ofSeconds(4).toNanos(),
          "the resume took longer than the route is kept");

      ana.send(
          "{\"type\":\"signal\",\"rid\":\"s2\",\"room\":\"x\",\"to\":\""
              + eve.id()
              + "\",\"kind\":\"candidate\",\"payload\":{\"n\":2}}");
      assertThat(ana.await("ok").get("rid").asText()).isEqualTo("s2");
      JsonNode got = back.await("signal");
      assertThat(got.get("from").asText()).isEqualTo(anaId);
      assertThat(got.get("kind").asText()).isEqualTo("candidate");
    } finally {
      c.close();
    }
  }

  @Test
  @DisplayName("a resume token of another user is refused by the owning node")
  void resumeOfAnotherUserAcrossNodes() throws Exception {
    Joined eve = joinX(a, "eve");
    eve.ws().close();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> a.gateway.detachedCount() == 1);
    WsClient mallory = b.raw();
    helloResuming(mallory, b.token("mallory"), eve.welcome(), "");
    JsonNode w = mallory.await("welcome");
    assertThat(w.get("resumed").asBoolean()).isFalse();
    assertThat(w.get("connectionId").asText())
        .isNotEqualTo(eve.welcome().get("connectionId").asText());
  }

  /** A client of {@code user} on {@code node}, joined to room x. */
  private record Joined(String token, WsClient ws, JsonNode welcome, String id) {}

  private static Joined joinX(TestServer node, String user) throws InterruptedException {
    String token = node.token(user);
    WsClient ws = node.raw();
    JsonNode welcome = hello(ws, token);
    ws.send("{\"type\":\"join\",\"room\":\"x\"}");
    ws.await("joined");
    return new Joined(token, ws, welcome, welcome.get("connectionId").asText());
  }

  /** Says hello with a fresh token and returns the welcome. */
  private static JsonNode hello(WsClient c, String token) throws InterruptedException {
    c.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
    return c.await("welcome");
  }

  /** Says hello asking to resume the connection {@code welcome} opened, plus extra fields. */
  private static void helloResuming(WsClient c, String token, JsonNode welcome, String extra) {
    c.send(
        "{\"type\":\"hello\",\"token\":\""
            + token
            + "\",\"resume\":\""
            + welcome.get("resumeToken").asText()
            + "\""
            + extra
            + "}");
  }
}

package dev.flowsync.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.FlowSync;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A real server on port 0 with two real WebSocket clients")
class WalkingSkeletonTest {
  private FlowSync flowSync;
  private FlowSyncServer server;

  @BeforeEach
  void start() {
    flowSync = FlowSync.inMemory();
    server = FlowSyncServer.builder(flowSync).host("127.0.0.1").port(0).build().start();
  }

  @AfterEach
  void stop() {
    server.stop();
    flowSync.close();
  }

  private String token(String userId, String name) {
    return flowSync.tokens().issue(userId, name, null, null).token();
  }

  @Test
  @DisplayName("hello, join, see each other, relay a signal, leave")
  void twoClientsMeetSignalAndLeave() throws Exception {
    try (RawClient ana = new RawClient(server.webSocketUri());
        RawClient bo = new RawClient(server.webSocketUri())) {
      ana.send("{\"type\":\"hello\",\"rid\":\"1\",\"token\":\"" + token("u1", "Ana") + "\"}");
      JsonNode anaWelcome = ana.await("welcome");
      assertThat(anaWelcome.get("rid").asText()).isEqualTo("1");
      assertThat(anaWelcome.get("userId").asText()).isEqualTo("u1");
      String anaId = anaWelcome.get("connectionId").asText();

      bo.send("{\"type\":\"hello\",\"token\":\"" + token("u2", "Bo") + "\"}");
      String boId = bo.await("welcome").get("connectionId").asText();

      ana.send("{\"type\":\"join\",\"rid\":\"2\",\"room\":\"standup\",\"state\":{\"mic\":true}}");
      JsonNode anaJoined = ana.await("joined");
      assertThat(anaJoined.get("members")).hasSize(1);
      assertThat(anaJoined.get("lastSeq").asLong()).isZero();
      assertThat(anaJoined.at("/timer/status").asText()).isEqualTo("idle");

      bo.send("{\"type\":\"join\",\"rid\":\"3\",\"room\":\"standup\",\"name\":\"Bobby\"}");
      JsonNode boJoined = bo.await("joined");
      assertThat(boJoined.get("members"))
          .extracting(m -> m.get("connectionId").asText())
          .containsExactly(anaId, boId);
      assertThat(boJoined.at("/self/name").asText()).isEqualTo("Bobby");

      JsonNode joinedEvent = ana.await("member.joined");
      assertThat(joinedEvent.at("/member/connectionId").asText()).isEqualTo(boId);
      assertThat(joinedEvent.at("/member/name").asText()).isEqualTo("Bobby");

      ana.send(
          "{\"type\":\"signal\",\"rid\":\"4\",\"room\":\"standup\",\"to\":\""
              + boId
              + "\",\"kind\":\"offer\",\"payload\":{\"sdp\":\"v=0 test\"}}");
      assertThat(ana.await("ok").get("rid").asText()).isEqualTo("4");
      JsonNode offer = bo.await("signal");
      assertThat(offer.get("from").asText()).isEqualTo(anaId);
      assertThat(offer.get("kind").asText()).isEqualTo("offer");
      assertThat(offer.at("/payload/sdp").asText()).isEqualTo("v=0 test");

      bo.send("{\"type\":\"leave\",\"rid\":\"5\",\"room\":\"standup\"}");
      assertThat(bo.await("left").get("room").asText()).isEqualTo("standup");
      JsonNode left = ana.await("member.left");
      assertThat(left.get("connectionId").asText()).isEqualTo(boId);
      assertThat(left.get("userId").asText()).isEqualTo("u2");
      assertThat(left.get("reason").asText()).isEqualTo("left");
    }
  }

  @Test
  @DisplayName("GET /health answers ok with the node's counts")
  void healthAnswers() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.httpUri() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"status\":\"ok\"").contains("\"nodeId\"");
  }
}

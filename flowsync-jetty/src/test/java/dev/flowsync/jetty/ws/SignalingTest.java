package dev.flowsync.jetty.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("§1.3 WebRTC signaling relay over a real WebSocket")
class SignalingTest {
  private TestServer s;
  private WsClient ana;
  private WsClient bo;
  private String anaId;
  private String boId;

  @BeforeEach
  void start() throws Exception {
    s = TestServer.start();
    ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"call\"}");
    anaId = ana.await("joined").at("/self/connectionId").asText();
    bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"call\"}");
    boId = bo.await("joined").at("/self/connectionId").asText();
  }

  @AfterEach
  void stop() {
    s.close();
  }

  private String signal(String rid, String room, String to, String kind, String payload) {
    return "{\"type\":\"signal\""
        + (rid == null ? "" : ",\"rid\":\"" + rid + "\"")
        + ",\"room\":\""
        + room
        + "\",\"to\":\""
        + to
        + "\",\"kind\":\""
        + kind
        + "\",\"payload\":"
        + payload
        + "}";
  }

  @Test
  @DisplayName("every kind reaches the target only, with from and the payload byte for byte")
  void relaysEveryKind() throws Exception {
    String payload =
        "{ \"sdp\" : \"v=0\\r\\no=- 1 2 IN IP4 127.0.0.1\\r\\n\",\"n\":1.50,\"big\":123456789012345678901234567890,"
            + "\"u\":\"\\u00e9\u00e8\",\"nested\":[{\"a\":null},true] }";
    for (String kind : List.of("offer", "answer", "candidate", "bye", "custom")) {
      ana.send(signal("r-" + kind, "call", boId, kind, payload));
      assertThat(ana.await("ok").get("rid").asText()).isEqualTo("r-" + kind);
      JsonNode got = bo.await("signal");
      assertThat(got.get("room").asText()).isEqualTo("call");
      assertThat(got.get("from").asText()).isEqualTo(anaId);
      assertThat(got.get("kind").asText()).isEqualTo(kind);
      assertThat(got.has("rid")).isFalse();
      String raw = bo.texts.get(bo.texts.size() - 1);
      assertThat(raw).contains("\"payload\":" + payload + "}");
    }
    ana.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    ana.await("pong");
    assertThat(ana.drain()).noneMatch(f -> f.path("type").asText().equals("signal"));
  }

  @Test
  @DisplayName("without a rid a successful relay has no reply; a string payload is relayed too")
  void noReplyWithoutRid() throws Exception {
    ana.await("member.joined");
    ana.send(signal(null, "call", boId, "custom", "\"just text\""));
    assertThat(bo.await("signal").get("payload").asText()).isEqualTo("just text");
    ana.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    assertThat(ana.next().get("type").asText()).isEqualTo("pong");
  }

  @Test
  @DisplayName("a target that is not in the room, or in another room only, is peer_not_found")
  void peerNotFound() throws Exception {
    WsClient cy = s.rawHello("cy");
    cy.send("{\"type\":\"join\",\"room\":\"elsewhere\"}");
    String cyId = cy.await("joined").at("/self/connectionId").asText();
    ana.send(signal("1", "call", cyId, "offer", "{}"));
    JsonNode e1 = ana.await("error");
    assertThat(e1.get("code").asText()).isEqualTo("peer_not_found");
    assertThat(e1.get("rid").asText()).isEqualTo("1");
    ana.send(signal("2", "call", "c_nobody", "offer", "{}"));
    assertThat(ana.await("error").get("code").asText()).isEqualTo("peer_not_found");
    // the sender is not in the room it names: never relayed across rooms
    cy.send(signal("3", "call", boId, "offer", "{}"));
    assertThat(cy.await("error").get("code").asText()).isEqualTo("peer_not_found");
    cy.send(signal("4", "elsewhere", boId, "offer", "{}"));
    assertThat(cy.await("error").get("code").asText()).isEqualTo("peer_not_found");
    bo.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    bo.await("pong");
    assertThat(bo.drain()).noneMatch(f -> f.path("type").asText().equals("signal"));
  }

  @Test
  @DisplayName(
      "an unknown kind, a missing target or a wrong-typed field is bad_request with the rid")
  void badSignals() throws Exception {
    for (String frame :
        List.of(
            signal("k", "call", boId, "video", "{}"),
            "{\"type\":\"signal\",\"rid\":\"t\",\"room\":\"call\",\"kind\":\"offer\",\"payload\":{}}",
            "{\"type\":\"signal\",\"rid\":\"w\",\"room\":\"call\",\"to\":42,\"kind\":\"offer\"}",
            "{\"type\":\"signal\",\"rid\":\"r\",\"room\":[],\"to\":\"x\",\"kind\":\"offer\"}")) {
      ana.send(frame);
      JsonNode e = ana.await("error", Duration.ofSeconds(5));
      assertThat(e.get("code").asText()).as(frame).isEqualTo("bad_request");
      assertThat(e.get("rid")).as(frame).isNotNull();
    }
  }
}

package dev.flowsync.jetty.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.presence.Member;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("§1.1 resume within the grace period, over a real WebSocket")
class ResumeTest {
  private TestServer s;
  private String anaToken;
  private WsClient ana;
  private WsClient bo;
  private String anaId;
  private String resumeToken;

  @BeforeEach
  void start() throws Exception {
    s = TestServer.start(); // grace 1.5 s
    anaToken = s.token("ana");
    ana = s.raw();
    ana.send("{\"type\":\"hello\",\"token\":\"" + anaToken + "\"}");
    JsonNode welcome = ana.await("welcome");
    anaId = welcome.get("connectionId").asText();
    resumeToken = welcome.get("resumeToken").asText();
    ana.send("{\"type\":\"join\",\"room\":\"r1\"}");
    ana.await("joined");
    ana.send("{\"type\":\"join\",\"room\":\"r2\"}");
    ana.await("joined");
    bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"r1\"}");
    bo.await("joined");
    ana.await("member.joined");
    for (int i = 1; i <= 3; i++) {
      ana.send("{\"type\":\"chat.send\",\"room\":\"r1\",\"text\":\"before " + i + "\"}");
      ana.await("chat.ack");
    }
  }

  @AfterEach
  void stop() {
    s.close();
  }

  private String resumeHello(String rid, String lastSeq) {
    return "{\"type\":\"hello\",\"rid\":\""
        + rid
        + "\",\"token\":\""
        + anaToken
        + "\",\"resume\":\""
        + resumeToken
        + "\""
        + (lastSeq == null ? "" : ",\"lastSeq\":" + lastSeq)
        + "}";
  }

  private boolean anaInRoom() {
    return s.flowSync.presence().members("r1").stream()
        .map(Member::connectionId)
        .anyMatch(anaId::equals);
  }

  @Test
  @DisplayName(
      "within the grace: resumed, the same connectionId, a fresh joined per room with the missed messages, and no flicker for the others")
  void resumeWithinGrace() throws Exception {
    ana.close(); // the network drops
    await().atMost(Duration.ofSeconds(2)).until(() -> s.gateway.detachedCount() == 1);
    bo.send("{\"type\":\"chat.send\",\"room\":\"r1\",\"text\":\"missed 1\"}");
    bo.await("chat.ack");
    bo.send("{\"type\":\"chat.send\",\"room\":\"r1\",\"text\":\"missed 2\"}");
    bo.await("chat.ack");

    WsClient back = s.raw();
    back.send(resumeHello("h2", "{\"r1\":3,\"r2\":0}"));
    JsonNode w = back.await("welcome");
    assertThat(w.get("rid").asText()).isEqualTo("h2");
    assertThat(w.get("resumed").asBoolean()).isTrue();
    assertThat(w.get("connectionId").asText()).isEqualTo(anaId);
    JsonNode j1 = back.next();
    JsonNode j2 = back.next();
    JsonNode r1 = j1.get("room").asText().equals("r1") ? j1 : j2;
    JsonNode r2 = r1 == j1 ? j2 : j1;
    assertThat(r1.get("type").asText()).isEqualTo("joined");
    assertThat(r1.has("rid")).isFalse();
    assertThat(r1.get("history"))
        .extracting(m -> m.get("text").asText())
        .containsExactly("missed 1", "missed 2");
    assertThat(r1.get("lastSeq").asLong()).isEqualTo(5);
    assertThat(r1.at("/self/connectionId").asText()).isEqualTo(anaId);
    assertThat(r1.get("members")).hasSize(2);
    assertThat(r2.get("type").asText()).isEqualTo("joined");
    assertThat(r2.get("history")).isEmpty();

    // Past the end of the grace ana is still a member, and bo never saw her leave or join again.
    long graceEnd = System.currentTimeMillis() + 1800;
    await()
        .atMost(Duration.ofSeconds(4))
        .until(() -> System.currentTimeMillis() > graceEnd && anaInRoom());
    bo.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    bo.await("pong");
    assertThat(bo.texts)
        .noneMatch(t -> t.contains("member.left") || t.contains("\"member.joined\""));

    // Signals reach her at the same connection id.
    bo.send(
        "{\"type\":\"signal\",\"rid\":\"s\",\"room\":\"r1\",\"to\":\""
            + anaId
            + "\",\"kind\":\"offer\",\"payload\":{}}");
    bo.await("ok");
    assertThat(back.await("signal").get("kind").asText()).isEqualTo("offer");
  }

  @Test
  @DisplayName("without lastSeq a resumed room's joined carries the recent history")
  void resumeWithoutLastSeq() throws Exception {
    ana.close();
    await().atMost(Duration.ofSeconds(2)).until(() -> s.gateway.detachedCount() == 1);
    WsClient back = s.raw();
    back.send(resumeHello("h", null));
    assertThat(back.await("welcome").get("resumed").asBoolean()).isTrue();
    JsonNode joined = back.await("joined");
    JsonNode r1 = joined.get("room").asText().equals("r1") ? joined : back.await("joined");
    assertThat(r1.get("history")).hasSize(3);
  }

  @Test
  @DisplayName(
      "after the grace the others get member.left disconnected and a late resume gets resumed false")
  void lateResume() throws Exception {
    ana.close();
    JsonNode left = bo.await("member.left", Duration.ofSeconds(5));
    assertThat(left.get("connectionId").asText()).isEqualTo(anaId);
    assertThat(left.get("reason").asText()).isEqualTo("disconnected");
    WsClient late = s.raw();
    late.send(resumeHello("h3", "{\"r1\":3}"));
    JsonNode w = late.await("welcome");
    assertThat(w.get("resumed").asBoolean()).isFalse();
    assertThat(w.get("connectionId").asText()).isNotEqualTo(anaId);
    late.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    assertThat(late.next().get("type").asText()).isEqualTo("pong"); // no joined: nothing resumed
  }

  @Test
  @DisplayName("a resume while the old connection still looks open takes it over, without flicker")
  void takeover() throws Exception {
    WsClient back = s.raw();
    back.send(resumeHello("h4", "{\"r1\":3}"));
    JsonNode w = back.await("welcome");
    assertThat(w.get("resumed").asBoolean()).isTrue();
    assertThat(w.get("connectionId").asText()).isEqualTo(anaId);
    back.await("joined");
    assertThat(ana.awaitClose()).isEqualTo(1001);
    bo.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    bo.await("pong");
    assertThat(bo.texts).noneMatch(t -> t.contains("member.left"));
    assertThat(anaInRoom()).isTrue();
  }

  @Test
  @DisplayName("another user cannot resume someone's session")
  void otherUserCannotResume() throws Exception {
    ana.close();
    await().atMost(Duration.ofSeconds(2)).until(() -> s.gateway.detachedCount() == 1);
    WsClient thief = s.raw();
    thief.send(
        "{\"type\":\"hello\",\"token\":\""
            + s.token("eve")
            + "\",\"resume\":\""
            + resumeToken
            + "\"}");
    JsonNode w = thief.await("welcome");
    assertThat(w.get("resumed").asBoolean()).isFalse();
    assertThat(w.get("connectionId").asText()).isNotEqualTo(anaId);
  }
}

package dev.flowsync.jetty.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.auth.IssuedToken;
import dev.flowsync.signaling.IceServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("§1.1 hello, §1.8 refresh and revocation, over a real WebSocket")
class HelloTest {
  private TestServer s;

  @AfterEach
  void stop() {
    if (s != null) {
      s.close();
    }
  }

  @Test
  @DisplayName(
      "welcome carries the connection, the user, the clock, the heartbeat, a resume token and ICE servers")
  void welcome() throws Exception {
    s =
        TestServer.start(
            fs -> {},
            gw ->
                gw.heartbeat(Duration.ofMillis(4000))
                    .iceServers(
                        IceServers.of(
                            List.of("stun:stun.example.org:3478"),
                            List.of("turn:turn.example.org:3478?transport=udp"),
                            "s3cret",
                            Duration.ofHours(1))));
    IssuedToken t = s.flowSync.tokens().issue("u42", "Ana", null, null);
    WsClient c = s.raw();
    long before = System.currentTimeMillis();
    c.send(
        "{\"type\":\"hello\",\"rid\":\"1\",\"token\":\""
            + t.token()
            + "\",\"client\":\"test/1.0\",\"lastSeq\":{}}");
    JsonNode w = c.await("welcome");
    assertThat(w.get("rid").asText()).isEqualTo("1");
    assertThat(w.get("connectionId").asText()).startsWith("c_");
    assertThat(w.get("userId").asText()).isEqualTo("u42");
    assertThat(w.get("name").asText()).isEqualTo("Ana");
    assertThat(w.get("serverTime").asLong())
        .isBetween(before - 1000, System.currentTimeMillis() + 1000);
    assertThat(w.get("heartbeatMs").asLong()).isEqualTo(4000);
    assertThat(w.get("resumeToken").asText()).isNotBlank();
    assertThat(w.get("resumed").asBoolean()).isFalse();
    JsonNode ice = w.get("iceServers");
    assertThat(ice.get(0).get("urls").get(0).asText()).isEqualTo("stun:stun.example.org:3478");
    JsonNode turn = ice.get(1);
    String username = turn.get("username").asText();
    assertThat(username).endsWith(":u42");
    long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
    assertThat(expiry).isBetween(before / 1000 + 3500, before / 1000 + 3700);
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    assertThat(turn.get("credential").asText())
        .isEqualTo(
            Base64.getEncoder()
                .encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  @DisplayName("a bad token answers unauthorized with the rid, then closes 4401")
  void badToken() throws Exception {
    s = TestServer.start();
    WsClient c = s.raw();
    c.send("{\"type\":\"hello\",\"rid\":\"h1\",\"token\":\"nope\"}");
    JsonNode e = c.await("error");
    assertThat(e.get("rid").asText()).isEqualTo("h1");
    assertThat(e.get("code").asText()).isEqualTo("unauthorized");
    assertThat(c.awaitClose()).isEqualTo(4401);
  }

  @Test
  @DisplayName("a hello without a token, or with a token of the wrong type, is unauthorized (4401)")
  void missingToken() throws Exception {
    s = TestServer.start();
    WsClient c = s.raw();
    c.send("{\"type\":\"hello\",\"rid\":\"h1\",\"token\":42}");
    assertThat(c.await("error").get("code").asText()).isEqualTo("unauthorized");
    assertThat(c.awaitClose()).isEqualTo(4401);
  }

  @Test
  @DisplayName("an expired token is unauthorized at hello")
  void expiredAtHello() throws Exception {
    s = TestServer.start();
    String token = s.flowSync.tokens().issue("u1", "A", null, Duration.ofSeconds(1)).token();
    await()
        .atMost(Duration.ofSeconds(3))
        .until(
            () -> {
              try {
                s.flowSync.tokens().verify(token);
                return false;
              } catch (RuntimeException e) {
                return true;
              }
            });
    WsClient c = s.raw();
    c.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
    assertThat(c.await("error").get("code").asText()).isEqualTo("unauthorized");
    assertThat(c.awaitClose()).isEqualTo(4401);
  }

  @Test
  @DisplayName("any other frame before hello answers unauthorized and closes 4401")
  void frameBeforeHello() throws Exception {
    s = TestServer.start();
    WsClient c = s.raw();
    c.send("{\"type\":\"join\",\"rid\":\"j\",\"room\":\"r\"}");
    JsonNode e = c.await("error");
    assertThat(e.get("rid").asText()).isEqualTo("j");
    assertThat(e.get("code").asText()).isEqualTo("unauthorized");
    assertThat(c.awaitClose()).isEqualTo(4401);
  }

  @Test
  @DisplayName("no hello within the deadline closes 4408")
  void helloDeadline() throws Exception {
    s = TestServer.start(fs -> {}, gw -> gw.helloTimeout(Duration.ofMillis(300)));
    WsClient c = s.raw();
    assertThat(c.awaitClose()).isEqualTo(4408);
  }

  @Test
  @DisplayName("frames sent right behind hello (pipelined) are answered after welcome")
  void pipelinedAfterHello() throws Exception {
    s = TestServer.start();
    WsClient c = s.raw();
    c.send("{\"type\":\"hello\",\"rid\":\"1\",\"token\":\"" + s.token("u1") + "\"}");
    c.send("{\"type\":\"ping\",\"rid\":\"2\"}");
    c.send("{\"type\":\"join\",\"rid\":\"3\",\"room\":\"p\"}");
    assertThat(c.next().get("type").asText()).isEqualTo("welcome");
    assertThat(c.next().get("type").asText()).isEqualTo("pong");
    assertThat(c.next().get("type").asText()).isEqualTo("joined");
  }

  @Test
  @DisplayName("a second hello is a bad_request and the connection stays usable")
  void secondHello() throws Exception {
    s = TestServer.start();
    WsClient c = s.rawHello("u1");
    c.send("{\"type\":\"hello\",\"rid\":\"again\",\"token\":\"" + s.token("u1") + "\"}");
    JsonNode e = c.await("error");
    assertThat(e.get("code").asText()).isEqualTo("bad_request");
    assertThat(e.get("rid").asText()).isEqualTo("again");
    c.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    assertThat(c.await("pong").get("rid").asText()).isEqualTo("p");
  }

  @Test
  @DisplayName("a token that expires without refresh closes the connection 4401")
  void expiryCloses() throws Exception {
    s = TestServer.start();
    String token = s.flowSync.tokens().issue("u1", "A", null, Duration.ofSeconds(1)).token();
    WsClient c = s.raw();
    c.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
    c.await("welcome");
    assertThat(c.await("error", Duration.ofSeconds(5)).get("code").asText())
        .isEqualTo("unauthorized");
    assertThat(c.awaitClose()).isEqualTo(4401);
  }

  @Test
  @DisplayName(
      "refresh with a new token of the same user answers refreshed and keeps the connection past the old expiry")
  void refreshKeepsConnection() throws Exception {
    s = TestServer.start();
    // Long enough for hello to be handled on a loaded machine, short enough to outlive in the test.
    IssuedToken shortLived = s.flowSync.tokens().issue("u1", "A", null, Duration.ofSeconds(3));
    WsClient c = s.raw();
    c.send("{\"type\":\"hello\",\"token\":\"" + shortLived.token() + "\"}");
    c.await("welcome");
    IssuedToken fresh = s.flowSync.tokens().issue("u1", "A", null, Duration.ofHours(1));
    c.send("{\"type\":\"refresh\",\"rid\":\"r\",\"token\":\"" + fresh.token() + "\"}");
    JsonNode r = c.await("refreshed");
    assertThat(r.get("rid").asText()).isEqualTo("r");
    assertThat(r.get("expiresAt").asLong()).isEqualTo(fresh.claims().expiresAt().toEpochMilli());
    long oldExpiry = shortLived.claims().expiresAt().toEpochMilli();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> System.currentTimeMillis() > oldExpiry + 500);
    c.send("{\"type\":\"ping\",\"rid\":\"still\"}");
    assertThat(c.await("pong").get("rid").asText()).isEqualTo("still");
    assertThat(c.closeCode).isNotDone();
  }

  @Test
  @DisplayName(
      "refresh with another user's token is forbidden; with a bad token unauthorized; the connection stays")
  void refreshRejected() throws Exception {
    s = TestServer.start();
    WsClient c = s.rawHello("u1");
    c.send("{\"type\":\"refresh\",\"rid\":\"a\",\"token\":\"" + s.token("u2") + "\"}");
    JsonNode e1 = c.await("error");
    assertThat(e1.get("code").asText()).isEqualTo("forbidden");
    assertThat(e1.get("rid").asText()).isEqualTo("a");
    c.send("{\"type\":\"refresh\",\"rid\":\"b\",\"token\":\"garbage\"}");
    JsonNode e2 = c.await("error");
    assertThat(e2.get("code").asText()).isEqualTo("unauthorized");
    assertThat(e2.get("rid").asText()).isEqualTo("b");
    c.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    assertThat(c.await("pong").get("rid").asText()).isEqualTo("p");
  }

  @Test
  @DisplayName("revoking a token closes its connections at once (4401) and only those")
  void revocation() throws Exception {
    s = TestServer.start();
    IssuedToken t = s.flowSync.tokens().issue("u1", "A", null, null);
    WsClient a = s.raw();
    a.send("{\"type\":\"hello\",\"token\":\"" + t.token() + "\"}");
    a.await("welcome");
    a.send("{\"type\":\"join\",\"room\":\"rv\"}");
    a.await("joined");
    WsClient other = s.rawHello("u2");
    other.send("{\"type\":\"join\",\"room\":\"rv\"}");
    other.await("joined");
    s.flowSync.tokens().revoke(t.token());
    assertThat(a.await("error").get("code").asText()).isEqualTo("unauthorized");
    assertThat(a.awaitClose()).isEqualTo(4401);
    JsonNode left = other.await("member.left");
    assertThat(left.get("userId").asText()).isEqualTo("u1");
    assertThat(left.get("reason").asText()).isEqualTo("disconnected");
    other.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    assertThat(other.await("pong").get("rid").asText()).isEqualTo("p");
  }

  @Test
  @DisplayName("server shutdown sends bye with reconnectAfterMs, then closes 1001")
  void shutdown() throws Exception {
    s = TestServer.start();
    WsClient c = s.rawHello("u1");
    s.server.stop();
    JsonNode bye = c.await("bye");
    assertThat(bye.get("reason").asText()).isEqualTo("shutdown");
    assertThat(bye.get("reconnectAfterMs").asLong()).isPositive();
    assertThat(c.awaitClose()).isEqualTo(1001);
    s.flowSync.close();
    s = null;
  }
}

package dev.flowsync.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.auth.IssuedToken;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.signaling.IceServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The HTTP API against a running server on port 0")
class HttpApiIntegrationTest {
  static final String KEY = "test-admin-key-0123456789";

  FlowSync flowSync;
  FlowSyncServer server;
  Http http;

  @BeforeEach
  void start() {
    flowSync = FlowSync.inMemory();
    server =
        FlowSyncServer.builder(flowSync)
            .host("127.0.0.1")
            .port(0)
            .apiKey(KEY)
            .guestTokens(true)
            .guestTokensPerMinute(3)
            .maxRequestBytes(4096)
            .iceServers(
                IceServers.of(
                    List.of("stun:stun.example.org:3478"),
                    List.of("turn:turn.example.org:3478?transport=udp"),
                    "turn-secret",
                    Duration.ofHours(1)))
            .build()
            .start();
    http = new Http(server.httpUri());
  }

  @AfterEach
  void stop() {
    server.stop();
    flowSync.close();
  }

  IssuedToken user(String userId) {
    return flowSync.tokens().issue(userId, userId.toUpperCase(), null, null);
  }

  /** A member joined through the engine (the WebSocket path is covered by the gateway tests). */
  void join(IssuedToken token, String connectionId, String room) {
    flowSync.presence().join(token.claims(), connectionId, room, null, null);
  }

  @Nested
  @DisplayName("Authentication")
  class Auth {
    @Test
    @DisplayName("no Authorization header is 401 unauthorized with WWW-Authenticate: Bearer")
    void missing() {
      Http.Answer a = http.get("/api/rooms", null);
      assertThat(a.status()).isEqualTo(401);
      assertThat(a.error()).isEqualTo("unauthorized");
      assertThat(a.json().get("message").asText()).contains("Authorization");
      assertThat(a.header("WWW-Authenticate")).isEqualTo("Bearer");
      assertThat(a.header("Content-Type")).startsWith("application/json");
    }

    @Test
    @DisplayName("a wrong key is 401, a user token on an admin endpoint is 403")
    void wrongKeyAndUserToken() {
      assertThat(http.get("/api/rooms", KEY + "x").status()).isEqualTo(401);
      assertThat(http.get("/api/rooms", "short").status()).isEqualTo(401);
      Http.Answer a = http.get("/api/rooms", user("u1").token());
      assertThat(a.status()).isEqualTo(403);
      assertThat(a.error()).isEqualTo("forbidden");
    }

    @Test
    @DisplayName("without a configured key the admin API refuses everyone")
    void noKeyConfigured() {
      try (FlowSyncServer noKey =
          FlowSyncServer.builder(flowSync).host("127.0.0.1").port(0).build().start()) {
        Http.Answer a = new Http(noKey.httpUri()).get("/api/rooms", KEY);
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.json().get("message").asText()).contains("no API key");
      }
    }
  }

  @Nested
  @DisplayName("Tokens")
  class Tokens {
    @Test
    @DisplayName("POST /api/tokens issues a token that lasts 24 h by default and works")
    void issue() {
      long before = System.currentTimeMillis();
      Http.Answer a =
          http.post("/api/tokens", KEY, "{\"userId\":\"u42\",\"name\":\"Ana\",\"rooms\":[\"*\"]}");
      assertThat(a.status()).isEqualTo(200);
      String token = a.json().get("token").asText();
      assertThat(a.json().get("expiresAt").asLong())
          .isBetween(before + 86_400_000L - 5000, System.currentTimeMillis() + 86_400_000L);
      assertThat(http.get("/api/ice-servers", token).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("ttlSeconds sets the lifetime")
    void ttl() {
      long before = System.currentTimeMillis();
      Http.Answer a = http.post("/api/tokens", KEY, "{\"userId\":\"u42\",\"ttlSeconds\":60}");
      assertThat(a.json().get("expiresAt").asLong())
          .isBetween(before + 55_000L, System.currentTimeMillis() + 60_000L);
    }

    @Test
    @DisplayName("missing userId, wrong types, malformed JSON and no body are 400 bad_request")
    void badRequests() {
      for (String body :
          List.of(
              "{\"name\":\"Ana\"}",
              "{\"userId\":42}",
              "{\"userId\":\"u\",\"ttlSeconds\":\"soon\"}",
              "{\"userId\":\"u\",\"ttlSeconds\":0}",
              "{\"userId\":\"u\",\"rooms\":\"*\"}",
              "{\"userId\":",
              "[1,2]")) {
        Http.Answer a = http.post("/api/tokens", KEY, body);
        assertThat(a.status()).as(body).isEqualTo(400);
        assertThat(a.error()).as(body).isEqualTo("bad_request");
      }
      assertThat(http.post("/api/tokens", KEY, null).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("a body over the limit is 413 too_large")
    void tooLarge() {
      String big = "{\"userId\":\"u\",\"name\":\"" + "x".repeat(5000) + "\"}";
      Http.Answer a = http.post("/api/tokens", KEY, big);
      assertThat(a.status()).isEqualTo(413);
      assertThat(a.error()).isEqualTo("too_large");
    }

    @Test
    @DisplayName(
        "DELETE /api/tokens/{token} revokes it (204); the token stops working; again is 404")
    void revoke() {
      String token = user("u7").token();
      assertThat(http.get("/api/ice-servers", token).status()).isEqualTo(200);
      assertThat(http.delete("/api/tokens/" + token, KEY).status()).isEqualTo(204);
      assertThat(http.get("/api/ice-servers", token).status()).isEqualTo(401);
      Http.Answer again = http.delete("/api/tokens/" + token, KEY);
      assertThat(again.status()).isEqualTo(404);
      assertThat(again.error()).isEqualTo("not_found");
    }

    @Test
    @DisplayName("revoking a token closes the WebSocket that used it with 4401")
    void revokeClosesConnections() throws Exception {
      String token = user("u8").token();
      try (RawClient ws = new RawClient(server.webSocketUri())) {
        ws.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
        ws.await("welcome");
        assertThat(http.delete("/api/tokens/" + token, KEY).status()).isEqualTo(204);
        assertThat(ws.closeCode.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(4401);
      }
    }
  }

  @Nested
  @DisplayName("Guest tokens")
  class Guests {
    @Test
    @DisplayName("POST /api/guest-token {name} issues a working token without the admin key")
    void guest() {
      Http.Answer a = http.post("/api/guest-token", null, "{\"name\":\"Ana\"}");
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.json().get("userId").asText()).startsWith("g_");
      assertThat(http.get("/api/ice-servers", a.json().get("token").asText()).status())
          .isEqualTo(200);
      assertThat(http.post("/api/guest-token", null, "{}").status()).isEqualTo(400);
    }

    @Test
    @DisplayName("too many guest tokens from one address is 429 rate_limited")
    void rateLimited() {
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        statuses.add(http.post("/api/guest-token", null, "{\"name\":\"G" + i + "\"}").status());
      }
      assertThat(statuses).containsExactly(200, 200, 200, 429);
      assertThat(http.post("/api/guest-token", null, "{\"name\":\"G\"}").error())
          .isEqualTo("rate_limited");
    }

    @Test
    @DisplayName("behind a proxy the limit counts each forwarded client, not the proxy")
    void behindProxy() {
      try (FlowSyncServer proxied =
          FlowSyncServer.builder(flowSync)
              .host("127.0.0.1")
              .port(0)
              .guestTokens(true)
              .guestTokensPerMinute(1)
              .behindProxy(true)
              .build()
              .start()) {
        Http p = new Http(proxied.httpUri());
        String body = "{\"name\":\"G\"}";
        assertThat(
                p.send("POST", "/api/guest-token", null, body, "X-Forwarded-For", "203.0.113.1")
                    .status())
            .isEqualTo(200);
        assertThat(
                p.send("POST", "/api/guest-token", null, body, "X-Forwarded-For", "203.0.113.1")
                    .status())
            .isEqualTo(429);
        assertThat(
                p.send("POST", "/api/guest-token", null, body, "X-Forwarded-For", "203.0.113.2")
                    .status())
            .isEqualTo(200);
      }
    }

    @Test
    @DisplayName("a guest cannot join a private room")
    void guestsStayOutOfPrivateRooms() throws Exception {
      http.post("/api/rooms", KEY, "{\"id\":\"secret\",\"private\":true}");
      String token =
          http.post("/api/guest-token", null, "{\"name\":\"Eve\"}").json().get("token").asText();
      try (RawClient ws = new RawClient(server.webSocketUri())) {
        ws.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
        ws.await("welcome");
        ws.send("{\"type\":\"join\",\"rid\":\"1\",\"room\":\"secret\"}");
        assertThat(ws.await("error").get("code").asText()).isEqualTo("forbidden");
      }
    }

    @Test
    @DisplayName("switched off (the default), the endpoint does not exist: 404")
    void off() {
      try (FlowSyncServer plain =
          FlowSyncServer.builder(flowSync).host("127.0.0.1").port(0).apiKey(KEY).build().start()) {
        Http.Answer a =
            new Http(plain.httpUri()).post("/api/guest-token", null, "{\"name\":\"A\"}");
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.error()).isEqualTo("not_found");
      }
    }
  }

  @Nested
  @DisplayName("Rooms")
  class Rooms {
    @Test
    @DisplayName("POST /api/rooms creates a room: 201 with the room; the same id again is 409")
    void create() {
      Http.Answer a =
          http.post(
              "/api/rooms",
              KEY,
              "{\"id\":\"standup\",\"name\":\"Standup\",\"capacity\":8,\"private\":true,"
                  + "\"timerControl\":\"owner\",\"meta\":{\"team\":\"core\"}}");
      assertThat(a.status()).isEqualTo(201);
      JsonNode room = a.json();
      assertThat(room.get("id").asText()).isEqualTo("standup");
      assertThat(room.get("name").asText()).isEqualTo("Standup");
      assertThat(room.get("capacity").asInt()).isEqualTo(8);
      assertThat(room.get("private").asBoolean()).isTrue();
      assertThat(room.get("timerControl").asText()).isEqualTo("owner");
      assertThat(room.at("/meta/team").asText()).isEqualTo("core");
      assertThat(room.get("createdAt").asLong()).isPositive();
      assertThat(room.get("memberCount").asInt()).isZero();
      assertThat(a.header("Location")).isEqualTo("/api/rooms/standup");

      Http.Answer again = http.post("/api/rooms", KEY, "{\"id\":\"standup\"}");
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.error()).isEqualTo("conflict");
    }

    @Test
    @DisplayName("without an id the server picks one")
    void generatedId() {
      Http.Answer a = http.post("/api/rooms", KEY, "{\"name\":\"Anything\"}");
      assertThat(a.status()).isEqualTo(201);
      assertThat(a.json().get("id").asText()).isNotBlank();
    }

    @Test
    @DisplayName("invalid fields are 400 bad_request")
    void invalid() {
      for (String body :
          List.of(
              "{\"id\":\"has space\"}",
              "{\"capacity\":-1}",
              "{\"capacity\":\"eight\"}",
              "{\"private\":\"yes\"}",
              "{\"timerControl\":\"everyone\"}",
              "{\"meta\":[1]}")) {
        Http.Answer a = http.post("/api/rooms", KEY, body);
        assertThat(a.status()).as(body).isEqualTo(400);
        assertThat(a.error()).as(body).isEqualTo("bad_request");
      }
    }

    @Test
    @DisplayName("GET /api/rooms pages with limit and cursor and counts members")
    void list() {
      for (int i = 1; i <= 5; i++) {
        http.post("/api/rooms", KEY, "{\"id\":\"r" + i + "\"}");
      }
      join(user("u1"), "c_1", "r2");
      List<String> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        Http.Answer a =
            http.get("/api/rooms?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), KEY);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().get("items").size()).isLessThanOrEqualTo(2);
        for (JsonNode item : a.json().get("items")) {
          seen.add(item.get("id").asText());
          assertThat(item.get("memberCount").asInt())
              .isEqualTo(item.get("id").asText().equals("r2") ? 1 : 0);
        }
        JsonNode next = a.json().get("nextCursor");
        assertThat(next).isNotNull();
        cursor = next.isNull() ? null : next.asText();
        pages++;
      } while (cursor != null && pages < 10);
      assertThat(seen).containsExactlyInAnyOrder("r1", "r2", "r3", "r4", "r5");
      assertThat(pages).isEqualTo(3);
      assertThat(http.get("/api/rooms?limit=0", KEY).status()).isEqualTo(400);
      assertThat(http.get("/api/rooms?limit=abc", KEY).status()).isEqualTo(400);
    }

    @Test
    @DisplayName("GET /api/rooms/{id}: the admin or a member sees members and timer; others 403")
    void getRoom() {
      http.post("/api/rooms", KEY, "{\"id\":\"standup\"}");
      IssuedToken ana = user("ana");
      join(ana, "c_ana", "standup");

      Http.Answer admin = http.get("/api/rooms/standup", KEY);
      assertThat(admin.status()).isEqualTo(200);
      assertThat(admin.json().get("memberCount").asInt()).isEqualTo(1);
      assertThat(admin.json().at("/members/0/connectionId").asText()).isEqualTo("c_ana");
      assertThat(admin.json().at("/timer/status").asText()).isEqualTo("idle");

      assertThat(http.get("/api/rooms/standup", ana.token()).status()).isEqualTo(200);
      Http.Answer stranger = http.get("/api/rooms/standup", user("bo").token());
      assertThat(stranger.status()).isEqualTo(403);
      assertThat(stranger.error()).isEqualTo("forbidden");
      Http.Answer missing = http.get("/api/rooms/nope", KEY);
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.error()).isEqualTo("not_found");
    }

    @Test
    @DisplayName("DELETE /api/rooms/{id} closes the room: members get room.closed; then 404")
    void delete() throws Exception {
      try (RawClient ws = new RawClient(server.webSocketUri())) {
        ws.send("{\"type\":\"hello\",\"token\":\"" + user("ana").token() + "\"}");
        ws.await("welcome");
        ws.send("{\"type\":\"join\",\"rid\":\"1\",\"room\":\"standup\"}");
        ws.await("joined");
        assertThat(http.delete("/api/rooms/standup", KEY).status()).isEqualTo(204);
        assertThat(ws.await("room.closed").get("room").asText()).isEqualTo("standup");
      }
      assertThat(http.get("/api/rooms/standup", KEY).status()).isEqualTo(404);
      assertThat(http.delete("/api/rooms/standup", KEY).status()).isEqualTo(404);
    }

    @Test
    @DisplayName(
        "POST /api/rooms/{id}/kick removes the user's members; the others see reason kicked")
    void kick() throws Exception {
      try (RawClient ana = new RawClient(server.webSocketUri());
          RawClient bo = new RawClient(server.webSocketUri())) {
        ana.send("{\"type\":\"hello\",\"token\":\"" + user("ana").token() + "\"}");
        ana.await("welcome");
        bo.send("{\"type\":\"hello\",\"token\":\"" + user("bo").token() + "\"}");
        String boId = bo.await("welcome").get("connectionId").asText();
        ana.send("{\"type\":\"join\",\"room\":\"standup\"}");
        ana.await("joined");
        bo.send("{\"type\":\"join\",\"room\":\"standup\"}");
        bo.await("joined");

        Http.Answer a =
            http.post("/api/rooms/standup/kick", KEY, "{\"userId\":\"bo\",\"reason\":\"spam\"}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().get("kicked")).hasSize(1);
        assertThat(a.json().at("/kicked/0/connectionId").asText()).isEqualTo(boId);

        JsonNode left = ana.await("member.left");
        assertThat(left.get("connectionId").asText()).isEqualTo(boId);
        assertThat(left.get("reason").asText()).isEqualTo("kicked");
        assertThat(flowSync.presence().members("standup")).hasSize(1);
      }
      assertThat(http.post("/api/rooms/standup/kick", KEY, "{}").status()).isEqualTo(400);
      assertThat(http.post("/api/rooms/nope/kick", KEY, "{\"userId\":\"x\"}").status())
          .isEqualTo(404);
    }
  }

  @Nested
  @DisplayName("Chat history and sessions")
  class History {
    @BeforeEach
    void room() {
      http.post("/api/rooms", KEY, "{\"id\":\"standup\"}");
      for (int i = 1; i <= 5; i++) {
        flowSync.chat().send("standup", "ana", "Ana", "message " + i, null);
      }
    }

    @Test
    @DisplayName("GET messages: newest first page, beforeSeq and afterSeq slices, hasMore")
    void messages() {
      Http.Answer newest = http.get("/api/rooms/standup/messages?limit=2", KEY);
      assertThat(newest.status()).isEqualTo(200);
      assertThat(seqs(newest.json())).containsExactly(4L, 5L);
      assertThat(newest.json().get("hasMore").asBoolean()).isTrue();

      Http.Answer before = http.get("/api/rooms/standup/messages?beforeSeq=4&limit=10", KEY);
      assertThat(seqs(before.json())).containsExactly(1L, 2L, 3L);
      assertThat(before.json().get("hasMore").asBoolean()).isFalse();

      Http.Answer after = http.get("/api/rooms/standup/messages?afterSeq=3", KEY);
      assertThat(seqs(after.json())).containsExactly(4L, 5L);
      assertThat(after.json().at("/messages/0/text").asText()).isEqualTo("message 4");

      assertThat(http.get("/api/rooms/standup/messages?afterSeq=1&beforeSeq=3", KEY).status())
          .isEqualTo(400);
      assertThat(http.get("/api/rooms/standup/messages?limit=201", KEY).status()).isEqualTo(400);
      assertThat(http.get("/api/rooms/nope/messages", KEY).status()).isEqualTo(404);
    }

    @Test
    @DisplayName("a member may read messages, a stranger may not")
    void memberAccess() {
      IssuedToken ana = user("ana");
      join(ana, "c_ana", "standup");
      assertThat(http.get("/api/rooms/standup/messages", ana.token()).status()).isEqualTo(200);
      assertThat(http.get("/api/rooms/standup/messages", user("bo").token()).status())
          .isEqualTo(403);
    }

    @Test
    @DisplayName("GET sessions lists stays with joinedAt, leftAt, durationMs and reason, paginated")
    void sessions() {
      IssuedToken ana = user("ana");
      join(ana, "c_1", "standup");
      flowSync.presence().leave("c_1", "standup", LeaveReason.LEFT, null);
      join(ana, "c_2", "standup");

      Http.Answer first = http.get("/api/rooms/standup/sessions?limit=1", KEY);
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.json().get("items")).hasSize(1);
      String cursor = first.json().get("nextCursor").asText();
      Http.Answer second = http.get("/api/rooms/standup/sessions?limit=1&cursor=" + cursor, KEY);
      List<JsonNode> all = new ArrayList<>();
      first.json().get("items").forEach(all::add);
      second.json().get("items").forEach(all::add);
      JsonNode ended =
          all.stream().filter(s -> s.get("connectionId").asText().equals("c_1")).findFirst().get();
      assertThat(ended.get("userId").asText()).isEqualTo("ana");
      assertThat(ended.get("leftAt").asLong())
          .isGreaterThanOrEqualTo(ended.get("joinedAt").asLong());
      assertThat(ended.get("durationMs").asLong()).isGreaterThanOrEqualTo(0);
      assertThat(ended.get("reason").asText()).isEqualTo("left");
      JsonNode open =
          all.stream().filter(s -> s.get("connectionId").asText().equals("c_2")).findFirst().get();
      assertThat(open.get("leftAt").isNull()).isTrue();

      assertThat(http.get("/api/rooms/standup/sessions", ana.token()).status()).isEqualTo(403);
      assertThat(http.get("/api/rooms/nope/sessions", KEY).status()).isEqualTo(404);
    }

    private List<Long> seqs(JsonNode page) {
      List<Long> seqs = new ArrayList<>();
      page.get("messages").forEach(m -> seqs.add(m.get("seq").asLong()));
      return seqs;
    }
  }

  @Nested
  @DisplayName("ICE servers, unknown paths and headers")
  class Misc {
    @Test
    @DisplayName("GET /api/ice-servers gives the user STUN and TURN REST credentials")
    void iceServers() throws Exception {
      Http.Answer a = http.get("/api/ice-servers", user("u42").token());
      assertThat(a.status()).isEqualTo(200);
      JsonNode servers = a.json().get("iceServers");
      assertThat(servers.at("/0/urls/0").asText()).isEqualTo("stun:stun.example.org:3478");
      JsonNode turn = servers.get(1);
      String username = turn.get("username").asText();
      assertThat(username).endsWith(":u42");
      long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
      assertThat(expiry * 1000).isGreaterThan(System.currentTimeMillis());
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec("turn-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      assertThat(turn.get("credential").asText())
          .isEqualTo(
              Base64.getEncoder()
                  .encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8))));

      assertThat(http.get("/api/ice-servers", null).status()).isEqualTo(401);
      assertThat(http.get("/api/ice-servers", KEY).status()).isEqualTo(403);
    }

    @Test
    @DisplayName("unknown endpoints are 404 JSON; a wrong method is 405 with Allow")
    void unknown() {
      Http.Answer a = http.get("/api/nothing/here", KEY);
      assertThat(a.status()).isEqualTo(404);
      assertThat(a.error()).isEqualTo("not_found");
      Http.Answer m = http.send("PUT", "/api/rooms", KEY, "{}");
      assertThat(m.status()).isEqualTo(405);
      assertThat(m.header("Allow")).isEqualTo("GET, POST");
      assertThat(m.error()).isEqualTo("bad_request");
    }

    @Test
    @DisplayName("HTTP answers carry security headers; API answers are never cached")
    void securityHeaders() {
      for (String path : List.of("/api/rooms", "/health")) {
        Http.Answer a = http.get(path, KEY);
        assertThat(a.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(a.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(a.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(a.header("Cache-Control")).isEqualTo("no-store");
        assertThat(a.header("Content-Security-Policy")).contains("default-src 'none'");
        assertThat(a.header("Server")).isNull();
      }
    }

    @Test
    @DisplayName("/flowsync.js is served as JavaScript")
    void flowsyncJs() {
      Http.Answer a = http.get("/flowsync.js", null);
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.header("Content-Type")).startsWith("text/javascript");
      assertThat(a.raw().body()).isNotBlank();
      assertThat(a.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }
  }
}

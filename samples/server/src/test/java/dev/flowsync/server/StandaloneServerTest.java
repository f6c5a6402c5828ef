package dev.flowsync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.signaling.client.FlowSyncClient;
import dev.flowsync.testing.TestServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

@DisplayName("The standalone server, started in-process from environment variables")
class StandaloneServerTest {
  @TempDir Path dataDir;

  Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("FLOWSYNC_PORT", "0");
    env.put("FLOWSYNC_HOST", "127.0.0.1");
    env.put("FLOWSYNC_DATA_DIR", dataDir.toString());
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  static HttpResponse<String> send(URI uri, String method, String bearer, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("with no settings it generates an admin key that works, and serves the demo")
  void defaults() throws Exception {
    try (StandaloneServer s = StandaloneServer.start(env())) {
      assertThat(s.apiKeyGenerated).isTrue();
      assertThat(s.apiKey).startsWith("fsk_").hasSizeGreaterThan(30);
      URI base = s.server.httpUri();
      HttpResponse<String> token =
          send(base.resolve("/api/tokens"), "POST", s.apiKey, "{\"userId\":\"ana\"}");
      assertThat(token.statusCode()).isEqualTo(200);
      String userToken = WsClient.JSON.readTree(token.body()).get("token").asText();

      try (WsClient ws = new WsClient(s.server.webSocketUri())) {
        ws.send("{\"type\":\"hello\",\"token\":\"" + userToken + "\"}");
        assertThat(ws.await("welcome").get("userId").asText()).isEqualTo("ana");
      }

      HttpResponse<String> index = send(base.resolve("/"), "GET", null, null);
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(index.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
      HttpResponse<String> js = send(base.resolve("/flowsync.js"), "GET", null, null);
      assertThat(js.statusCode()).isEqualTo(200);
      assertThat(js.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
      HttpResponse<String> health = send(base.resolve("/health"), "GET", null, null);
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(send(base.resolve("/metrics"), "GET", null, null).body())
          .contains("flowsync_store_calls_seconds");
      assertThat(
              send(base.resolve("/api/guest-token"), "POST", null, "{\"name\":\"A\"}").statusCode())
          .isEqualTo(404);
    }
  }

  @Test
  @DisplayName("the environment sets the key, node id, guest tokens and ICE servers")
  void configured() throws Exception {
    try (StandaloneServer s =
        StandaloneServer.start(
            env(
                "FLOWSYNC_API_KEY", "my-own-admin-key-123456",
                "FLOWSYNC_NODE_ID", "node-7",
                "FLOWSYNC_GUEST_TOKENS", "true",
                "FLOWSYNC_GUEST_TOKENS_PER_MINUTE", "1",
                "FLOWSYNC_STUN_URLS", "stun:a.example:3478, stun:b.example:3478",
                "FLOWSYNC_TURN_URLS", "turn:t.example:3478",
                "FLOWSYNC_TURN_SECRET", "s3cret",
                "FLOWSYNC_AUTO_CREATE_ROOMS", "false"))) {
      assertThat(s.apiKeyGenerated).isFalse();
      URI base = s.server.httpUri();
      assertThat(
              send(base.resolve("/api/rooms"), "GET", "my-own-admin-key-123456", null).statusCode())
          .isEqualTo(200);
      JsonNode health =
          WsClient.JSON.readTree(send(base.resolve("/health"), "GET", null, null).body());
      assertThat(health.get("nodeId").asText()).isEqualTo("node-7");
      HttpResponse<String> guest =
          send(base.resolve("/api/guest-token"), "POST", null, "{\"name\":\"Ana\"}");
      assertThat(guest.statusCode()).isEqualTo(200);
      String token = WsClient.JSON.readTree(guest.body()).get("token").asText();
      assertThat(
              send(base.resolve("/api/guest-token"), "POST", null, "{\"name\":\"Bo\"}")
                  .statusCode())
          .isEqualTo(429);
      JsonNode ice =
          WsClient.JSON.readTree(send(base.resolve("/api/ice-servers"), "GET", token, null).body());
      assertThat(ice.at("/iceServers/0/urls")).hasSize(2);
      assertThat(ice.at("/iceServers/1/username").asText()).contains(":g_");
      try (WsClient ws = new WsClient(s.server.webSocketUri())) {
        ws.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
        ws.await("welcome");
        ws.send("{\"type\":\"join\",\"rid\":\"1\",\"room\":\"nowhere\"}");
        assertThat(ws.await("error").get("code").asText()).isEqualTo("not_found");
      }
    }
  }

  @Test
  @DisplayName(
      "the embedded default keeps rooms, chat and tokens in FLOWSYNC_DATA_DIR across a restart")
  void embeddedDatabaseSurvivesRestart() throws Exception {
    Map<String, String> env = env("FLOWSYNC_API_KEY", "restart-admin-key-0123456");
    String token;
    try (StandaloneServer first = StandaloneServer.start(env)) {
      URI base = first.server.httpUri();
      assertThat(
              send(base.resolve("/api/rooms"), "POST", first.apiKey, "{\"id\":\"standup\"}")
                  .statusCode())
          .isEqualTo(201);
      token =
          WsClient.JSON
              .readTree(
                  send(
                          base.resolve("/api/tokens"),
                          "POST",
                          first.apiKey,
                          "{\"userId\":\"ana\",\"name\":\"Ana\"}")
                      .body())
              .get("token")
              .asText();
      try (FlowSyncClient ana = FlowSyncClient.connect(first.server.webSocketUri(), token)) {
        ana.join("standup").get(5, TimeUnit.SECONDS);
        assertThat(ana.sendChat("standup", "before the restart").get(5, TimeUnit.SECONDS).seq())
            .isEqualTo(1);
      }
      JsonNode health =
          WsClient.JSON.readTree(send(base.resolve("/health"), "GET", null, null).body());
      assertThat(health.at("/stores/messages/backend").asText()).isEqualTo("sql");
    }
    assertThat(dataDir.resolve("flowsync.mv.db")).exists();
    try (StandaloneServer second = StandaloneServer.start(env);
        FlowSyncClient ana = FlowSyncClient.connect(second.server.webSocketUri(), token)) {
      FlowSyncClient.Joined joined = ana.join("standup").get(5, TimeUnit.SECONDS);
      assertThat(joined.lastSeq()).isEqualTo(1);
      assertThat(joined.history()).extracting(m -> m.text()).containsExactly("before the restart");
      HttpResponse<String> sessions =
          send(
              second.server.httpUri().resolve("/api/rooms/standup/sessions"),
              "GET",
              second.apiKey,
              null);
      assertThat(WsClient.JSON.readTree(sessions.body()).get("items").size())
          .isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  @DisplayName("with FLOWSYNC_DATABASE_URL, rooms and chat live in PostgreSQL")
  void postgres() throws Exception {
    TestServices.Schema schema = TestServices.postgres().newSchema();
    Map<String, String> env =
        env(
            "FLOWSYNC_DATABASE_URL", schema.jdbcUrl(),
            "FLOWSYNC_DATABASE_USER", schema.user(),
            "FLOWSYNC_DATABASE_PASSWORD", schema.password() == null ? "" : schema.password());
    try (StandaloneServer first = StandaloneServer.start(env)) {
      assertThat(
              send(
                      first.server.httpUri().resolve("/api/rooms"),
                      "POST",
                      first.apiKey,
                      "{\"id\":\"pg-room\"}")
                  .statusCode())
          .isEqualTo(201);
    }
    try (StandaloneServer second = StandaloneServer.start(env)) {
      assertThat(
              send(
                      second.server.httpUri().resolve("/api/rooms/pg-room"),
                      "GET",
                      second.apiKey,
                      null)
                  .statusCode())
          .isEqualTo(200);
    }
    assertThat(dataDir.resolve("flowsync.mv.db")).doesNotExist();
  }

  @Test
  @DisplayName(
      "with FLOWSYNC_REDIS_URL, presence lives in Redis, tokens stay in SQL, /health checks both")
  void redis() throws Exception {
    TestServices.Redis redis = TestServices.redis();
    String prefix = redis.newKeyPrefix();
    try (StandaloneServer s =
            StandaloneServer.start(
                env("FLOWSYNC_REDIS_URL", redis.url(), "FLOWSYNC_REDIS_KEY_PREFIX", prefix));
        JedisPooled jedis = new JedisPooled(redis.host(), redis.port())) {
      URI base = s.server.httpUri();
      JsonNode health =
          WsClient.JSON.readTree(send(base.resolve("/health"), "GET", null, null).body());
      assertThat(health.get("status").asText()).isEqualTo("ok");
      assertThat(health.at("/stores/presence/backend").asText()).isEqualTo("redis");
      assertThat(health.at("/stores/presence/status").asText()).isEqualTo("ok");
      assertThat(health.at("/stores/tokens/backend").asText()).isEqualTo("sql");
      assertThat(health.at("/stores/clusterBus/backend").asText()).isEqualTo("redis-bus");

      String token =
          WsClient.JSON
              .readTree(
                  send(base.resolve("/api/tokens"), "POST", s.apiKey, "{\"userId\":\"ana\"}")
                      .body())
              .get("token")
              .asText();
      try (WsClient ws = new WsClient(s.server.webSocketUri())) {
        ws.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
        ws.await("welcome");
        ws.send("{\"type\":\"join\",\"room\":\"standup\"}");
        ws.await("joined");
        assertThat(jedis.keys(prefix + "*")).isNotEmpty();
      }
    }
  }

  @Test
  @DisplayName("a Redis that does not answer fails start-up with a message saying what to do")
  void redisDown() {
    assertThatThrownBy(
            () -> StandaloneServer.start(env("FLOWSYNC_REDIS_URL", "redis://127.0.0.1:1")))
        .hasMessageContaining("FLOWSYNC_REDIS_URL");
    assertThatThrownBy(() -> StandaloneServer.start(env("FLOWSYNC_REDIS_URL", "http://x")))
        .hasMessageContaining("FLOWSYNC_REDIS_URL");
  }

  @Test
  @DisplayName("FLOWSYNC_MESSAGE_RETENTION_DAYS deletes older chat and keeps newer")
  void messageRetention() throws Exception {
    // Chat from three days ago and from now, written before the server starts.
    String url = "jdbc:h2:file:" + dataDir.resolve("flowsync") + ";DB_CLOSE_ON_EXIT=FALSE";
    org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
    ds.setURL(url);
    ds.setUser("sa");
    dev.flowsync.store.sql.SqlSchema.migrate(ds);
    try (dev.flowsync.store.sql.SqlStores sql =
        dev.flowsync.store.sql.SqlStores.builder(ds).build()) {
      java.time.Instant now = java.time.Instant.now();
      sql.rooms()
          .create(
              new dev.flowsync.core.room.Room(
                  "standup",
                  "standup",
                  0,
                  false,
                  dev.flowsync.core.room.TimerControl.ANYONE,
                  null,
                  "{}",
                  now));
      sql.messages()
          .append(
              new dev.flowsync.core.chat.NewMessage(
                  "m_old",
                  "standup",
                  "ana",
                  "Ana",
                  "three days ago",
                  now.minus(java.time.Duration.ofDays(3)),
                  null));
      sql.messages()
          .append(
              new dev.flowsync.core.chat.NewMessage(
                  "m_new", "standup", "ana", "Ana", "just now", now, null));
    }
    try (StandaloneServer s =
        StandaloneServer.start(
            env(
                "FLOWSYNC_API_KEY", "retention-admin-key-0123",
                "FLOWSYNC_MESSAGE_RETENTION_DAYS", "1"))) {
      URI messages = s.server.httpUri().resolve("/api/rooms/standup/messages?limit=50");
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          WsClient.JSON
                              .readTree(send(messages, "GET", s.apiKey, null).body())
                              .get("messages"))
                      .extracting(m -> m.get("text").asText())
                      .containsExactly("just now"));
    }
    assertThatThrownBy(
            () -> StandaloneServer.start(env("FLOWSYNC_MESSAGE_RETENTION_DAYS", "a week")))
        .hasMessageContaining("FLOWSYNC_MESSAGE_RETENTION_DAYS");
  }

  @Test
  @DisplayName("an invalid variable fails start-up with a message that names it")
  void invalid() {
    assertThatThrownBy(() -> StandaloneServer.start(env("FLOWSYNC_PORT", "eighty")))
        .hasMessageContaining("FLOWSYNC_PORT");
    assertThatThrownBy(() -> StandaloneServer.start(env("FLOWSYNC_GUEST_TOKENS", "maybe")))
        .hasMessageContaining("FLOWSYNC_GUEST_TOKENS");
    assertThatThrownBy(() -> StandaloneServer.start(env("FLOWSYNC_TURN_URLS", "turn:x:3478")))
        .hasMessageContaining("FLOWSYNC_TURN_SECRET");
    assertThatThrownBy(
            () -> StandaloneServer.start(env("FLOWSYNC_DATABASE_URL", "mysql://db/flowsync")))
        .hasMessageContaining("FLOWSYNC_DATABASE_URL");
    assertThatThrownBy(
            () ->
                StandaloneServer.start(
                    env("FLOWSYNC_DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/nowhere")))
        .hasMessageContaining("Cannot open PostgreSQL (FLOWSYNC_DATABASE_URL)");
    assertThatThrownBy(() -> StandaloneServer.start(env("FLOWSYNC_RATE_LIMIT", "lots")))
        .hasMessageContaining("FLOWSYNC_RATE_LIMIT");
    assertThatThrownBy(() -> StandaloneServer.start(env("FLOWSYNC_API_KEY", "short")))
        .hasMessageContaining("FLOWSYNC_API_KEY");
    assertThatThrownBy(
            () -> StandaloneServer.start(env("FLOWSYNC_WEBHOOK_URL", "https://example.org/h")))
        .hasMessageContaining("FLOWSYNC_WEBHOOK_SECRET");
    assertThatThrownBy(() -> StandaloneServer.start(env("FLOWSYNC_TLS_KEYSTORE", "/x.p12")))
        .hasMessageContaining("FLOWSYNC_TLS_KEYSTORE_PASSWORD");
    assertThatThrownBy(
            () ->
                StandaloneServer.start(
                    env(
                        "FLOWSYNC_TLS_KEYSTORE", "/no/such.p12",
                        "FLOWSYNC_TLS_KEYSTORE_PASSWORD", "x")))
        .hasMessageContaining("/no/such.p12");
  }
}

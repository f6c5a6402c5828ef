package dev.flowsync.jetty.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.room.Room;
import dev.flowsync.jetty.FlowSyncServer;
import dev.flowsync.signaling.protocol.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.LocalConnector;
import org.junit.jupiter.api.AfterAll;

/**
 * Fuzzes the JSON bodies of the admin HTTP API ({@code POST /api/tokens}, {@code POST /api/rooms},
 * {@code POST /api/rooms/{id}/kick}) through the real servlet stack of a running server, in process
 * over Jetty's {@link LocalConnector} (real HTTP parsing, no sockets). Properties: the answer is
 * never a 5xx; it is JSON; an error has the shape {@code {"error","message"}} with a code of
 * PROTOCOL.md §1.7 and the status that code maps to; a 200 token verifies and carries the user id
 * asked for; a 201 room is in the store with the id the answer names.
 */
class HttpBodyFuzzTest {
  private static final String KEY = "fuzz-admin-key-0123456789";
  private static final Map<String, Integer> STATUS =
      Map.ofEntries(
          Map.entry("bad_request", 400),
          Map.entry("unauthorized", 401),
          Map.entry("forbidden", 403),
          Map.entry("not_found", 404),
          Map.entry("room_full", 409),
          Map.entry("peer_not_found", 404),
          Map.entry("rate_limited", 429),
          Map.entry("too_large", 413),
          Map.entry("conflict", 409),
          Map.entry("unavailable", 503),
          Map.entry("internal", 500));
  private static final String[] RAW = {
    "null",
    "true",
    "0",
    "-1",
    "2147483648",
    "9223372036854775807",
    "1e400",
    "1.5",
    "\"\"",
    "\"*\"",
    "[]",
    "[\"*\"]",
    "[\"r1\",2]",
    "{}",
    "{\"a\":[1,{\"b\":null}]}",
    "\"anyone\"",
    "\"owner\"",
    "\"x\"",
    "-9223372036854775808",
    "86400"
  };
  private static final String[] TOKEN_FIELDS = {"userId", "name", "rooms", "ttlSeconds", "x"};
  private static final String[] ROOM_FIELDS = {
    "id", "name", "capacity", "private", "timerControl", "meta", "ownerId", "x"
  };
  private static final String[] KICK_FIELDS = {"userId", "connectionId", "reason", "x"};

  private static FlowSync flowSync;
  private static FlowSyncServer server;
  private static LocalConnector local;

  private static synchronized void start() throws Exception {
    if (server != null) {
      return;
    }
    flowSync = FlowSync.inMemory();
    server =
        FlowSyncServer.builder(flowSync)
            .host("127.0.0.1")
            .port(0)
            .apiKey(KEY)
            .maxRequestBytes(4096)
            .build()
            .start();
    local = new LocalConnector(server.jettyServer());
    server.jettyServer().addConnector(local);
    local.start();
    flowSync.rooms().create(dev.flowsync.core.room.RoomSpec.of("r1"));
  }

  @AfterAll
  static synchronized void stop() {
    if (server != null) {
      server.stop();
      flowSync.close();
      server = null;
    }
  }

  @FuzzTest
  void bodies(FuzzedDataProvider data) throws Exception {
    start();
    int endpoint = data.consumeInt(0, 2);
    String path =
        switch (endpoint) {
          case 0 -> "/api/tokens";
          case 1 -> "/api/rooms";
          default -> "/api/rooms/" + (data.consumeBoolean() ? "r1" : "nope") + "/kick";
        };
    String body;
    if (data.consumeBoolean()) {
      body = data.consumeString(600);
    } else {
      String[] fields = endpoint == 0 ? TOKEN_FIELDS : endpoint == 1 ? ROOM_FIELDS : KICK_FIELDS;
      StringBuilder b = new StringBuilder("{");
      int n = data.consumeInt(0, fields.length);
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          b.append(',');
        }
        b.append(quote(data.pickValue(fields))).append(':');
        b.append(data.consumeBoolean() ? quote(data.consumeString(80)) : data.pickValue(RAW));
      }
      body = b.append('}').toString();
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer "
            + KEY
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + bytes.length
            + "\r\nConnection: close\r\n\r\n";
    ByteBuffer request = ByteBuffer.allocate(head.length() + bytes.length);
    request.put(head.getBytes(StandardCharsets.US_ASCII)).put(bytes).flip();
    ByteBuffer raw = local.getResponse(request, 5, TimeUnit.SECONDS);
    assertThat(raw).as("an answer to %s %s", path, body).isNotNull();
    HttpTester.Response resp = HttpTester.parseResponse(raw);
    assertThat(resp.getContent()).as("a body, for %s %s", path, body).isNotNull();
    int status = resp.getStatus();
    assertThat(status).as("status for %s %s: %s", path, body, resp.getContent()).isLessThan(500);
    JsonNode json = tree(resp.getContent());
    assertThat(json.isObject()).as("JSON object answer: %s", resp.getContent()).isTrue();
    if (status >= 400) {
      String code = json.path("error").asText();
      assertThat(STATUS).as("error code of %s", json).containsKey(code);
      assertThat(STATUS.get(code)).as("status of %s", json).isEqualTo(status);
      assertThat(json.path("message").isTextual()).isTrue();
      return;
    }
    switch (endpoint) {
      case 0 -> {
        assertThat(status).isEqualTo(200);
        AccessToken t = flowSync.tokens().verify(json.path("token").asText());
        assertThat(t.userId()).isEqualTo(tree(body).path("userId").asText());
        assertThat(t.expiresAt().toEpochMilli()).isEqualTo(json.path("expiresAt").asLong());
      }
      case 1 -> {
        assertThat(status).isEqualTo(201);
        Optional<Room> room = flowSync.rooms().find(json.path("id").asText());
        assertThat(room).as("created room %s", json).isPresent();
      }
      default -> assertThat(json.path("kicked").isArray()).isTrue();
    }
  }

  private static String quote(String s) throws JsonProcessingException {
    return Json.MAPPER.writeValueAsString(s);
  }

  private static JsonNode tree(String s) {
    try {
      return Json.MAPPER.readTree(s);
    } catch (JsonProcessingException e) {
      throw new AssertionError("Not JSON: " + s, e);
    }
  }
}

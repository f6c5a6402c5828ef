package dev.flowsync.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The packaged server jar, run as a process")
class ServerProcessIT {
  @TempDir Path workDir;

  static String post(URI uri, String bearer, String body) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + bearer)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    return r.body();
  }

  @Test
  @DisplayName("prints its URL and the generated key once; SIGTERM gives bye then close 1001")
  void sigterm() throws Exception {
    try (ServerProcess server =
        ServerProcess.start(
            Map.of(
                "FLOWSYNC_PORT", "0",
                "FLOWSYNC_HOST", "127.0.0.1",
                "FLOWSYNC_DATA_DIR", workDir.resolve("data").toString()),
            workDir)) {
      assertThat(server.generatedKey).startsWith("fsk_");
      assertThat(server.output.stream().filter(l -> l.contains(server.generatedKey))).hasSize(1);

      String token =
          WsClient.JSON
              .readTree(
                  post(
                      server.httpUri.resolve("/api/tokens"),
                      server.generatedKey,
                      "{\"userId\":\"ana\"}"))
              .get("token")
              .asText();
      try (WsClient ws = new WsClient(server.webSocketUri())) {
        ws.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
        ws.await("welcome");
        ws.send("{\"type\":\"join\",\"rid\":\"1\",\"room\":\"standup\"}");
        ws.await("joined");

        server.process.destroy(); // SIGTERM
        JsonNode bye = ws.await("bye");
        assertThat(bye.get("reason").asText()).isEqualTo("shutdown");
        assertThat(bye.get("reconnectAfterMs").asLong()).isPositive();
        assertThat(ws.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
      }
      assertThat(server.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(String.join("\n", server.output)).doesNotContain(token);
    }
  }

  @Test
  @DisplayName("with no database settings, chat history and tokens survive a restart")
  void chatSurvivesRestart() throws Exception {
    Map<String, String> env =
        Map.of(
            "FLOWSYNC_PORT", "0",
            "FLOWSYNC_HOST", "127.0.0.1",
            "FLOWSYNC_API_KEY", "restart-test-admin-key-0123",
            "FLOWSYNC_DATA_DIR", workDir.resolve("data").toString());
    String token;
    try (ServerProcess first = ServerProcess.start(env, workDir)) {
      token =
          WsClient.JSON
              .readTree(
                  post(
                      first.httpUri.resolve("/api/tokens"),
                      "restart-test-admin-key-0123",
                      "{\"userId\":\"ana\",\"name\":\"Ana\"}"))
              .get("token")
              .asText();
      try (WsClient ws = new WsClient(first.webSocketUri())) {
        ws.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
        ws.await("welcome");
        ws.send("{\"type\":\"join\",\"room\":\"standup\"}");
        ws.await("joined");
        ws.send(
            "{\"type\":\"chat.send\",\"rid\":\"c1\",\"room\":\"standup\",\"text\":\"before the restart\"}");
        assertThat(ws.await("chat.ack").at("/message/seq").asLong()).isEqualTo(1);
      }
      assertThat(first.terminate()).isNotNegative();
    }
    try (ServerProcess second = ServerProcess.start(env, workDir);
        WsClient ws = new WsClient(second.webSocketUri())) {
      // The same token still works: tokens live in the embedded database too.
      ws.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
      ws.await("welcome");
      ws.send("{\"type\":\"join\",\"room\":\"standup\"}");
      JsonNode joined = ws.await("joined");
      assertThat(joined.get("lastSeq").asLong()).isEqualTo(1);
      assertThat(joined.at("/history/0/text").asText()).isEqualTo("before the restart");
      assertThat(joined.at("/history/0/name").asText()).isEqualTo("Ana");
    }
  }
}

package dev.flowsync.jetty.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowsync.core.FlowSync;
import dev.flowsync.jetty.FlowSyncServer;
import dev.flowsync.signaling.client.FlowSyncClient;
import dev.flowsync.signaling.client.FlowSyncClientException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the server logs (slf4j, at the default INFO level) during the life of a token: issued, used,
 * refreshed, misused, revoked; and admin calls with a right and a wrong key. The log must never
 * contain an access token, the admin key or a wrong key someone tried.
 */
@DisplayName("Security: tokens and keys never reach the log")
class SecretsNotLoggedIntegrationTest {
  static final String KEY = "admin-key-that-must-not-be-logged-42";
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName("issuing, using, refreshing, misusing and revoking tokens logs no secret")
  void noSecretsInLogs() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<String> secrets;
    FlowSync flowSync = FlowSync.inMemory();
    FlowSyncServer server =
        FlowSyncServer.builder(flowSync).host("127.0.0.1").port(0).apiKey(KEY).build();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      server.start();
      HttpClient http = HttpClient.newHttpClient();
      String token = issue(http, server.httpUri(), "ana");
      String fresh = issue(http, server.httpUri(), "ana");
      String wrongKey = "wrong-key-also-secret-777";
      assertThat(post(http, server.httpUri(), "/api/tokens", wrongKey, "{}").statusCode())
          .isEqualTo(401);

      try (FlowSyncClient client = FlowSyncClient.connect(server.webSocketUri(), token)) {
        client.join("logs").get(5, TimeUnit.SECONDS);
        client.refresh(fresh).get(5, TimeUnit.SECONDS);
        String forged = token.substring(0, token.length() - 2) + "xx";
        try {
          FlowSyncClient.connect(server.webSocketUri(), forged).close();
        } catch (FlowSyncClientException expected) {
          // unauthorized
        }
        HttpResponse<String> revoked =
            http.send(
                HttpRequest.newBuilder(server.httpUri().resolve("/api/tokens/" + fresh))
                    .header("Authorization", "Bearer " + KEY)
                    .DELETE()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(revoked.statusCode()).isEqualTo(204);
        assertThat(client.closed().get(5, TimeUnit.SECONDS)).isEqualTo(4401);
        secrets = List.of(KEY, wrongKey, token, fresh, forged);
      }
    } finally {
      server.stop();
      flowSync.close();
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    System.err.print(log);
    assertThat(log).as("the capture works").contains("Issued an access token");
    for (String secret : secrets) {
      assertThat(log).doesNotContain(secret);
      assertThat(log).doesNotContain(secret.substring(0, 16));
    }
  }

  private static String issue(HttpClient http, URI base, String user) throws Exception {
    HttpResponse<String> r = post(http, base, "/api/tokens", KEY, "{\"userId\":\"" + user + "\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    return body.get("token").asText();
  }

  private static HttpResponse<String> post(
      HttpClient http, URI base, String path, String key, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

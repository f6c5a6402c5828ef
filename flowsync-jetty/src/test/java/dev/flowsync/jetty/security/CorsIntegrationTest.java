package dev.flowsync.jetty.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.FlowSync;
import dev.flowsync.jetty.FlowSyncServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Browser pages on the allowed origins may call the HTTP API; pages elsewhere may not read it. */
@DisplayName("Security: CORS on the HTTP API follows the allowed origins")
class CorsIntegrationTest {
  static final String APP = "https://app.example";
  final HttpClient http = HttpClient.newHttpClient();
  FlowSync flowSync = FlowSync.inMemory();
  FlowSyncServer server;

  @AfterEach
  void stop() {
    server.stop();
    flowSync.close();
  }

  @Test
  @DisplayName("an allowed origin gets its preflight answered and may read API answers")
  void allowedOrigin() throws Exception {
    start(Set.of(APP));
    HttpResponse<String> preflight = preflight(APP);
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
        .contains("Authorization");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();

    HttpResponse<String> get = iceServers(APP);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
    assertThat(get.headers().allValues("Vary")).contains("Origin");
  }

  @Test
  @DisplayName("another origin's preflight is refused and its requests carry no CORS header")
  void otherOrigin() throws Exception {
    start(Set.of(APP));
    assertThat(preflight("https://evil.example").statusCode()).isEqualTo(403);
    HttpResponse<String> get = iceServers("https://evil.example");
    assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  @DisplayName("without allowed origins no CORS header is ever sent")
  void noAllowedOrigins() throws Exception {
    start(Set.of());
    assertThat(preflight(APP).headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(iceServers(APP).headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  private void start(Set<String> origins) {
    server =
        FlowSyncServer.builder(flowSync)
            .host("127.0.0.1")
            .port(0)
            .allowedOrigins(origins)
            .build()
            .start();
  }

  private HttpResponse<String> preflight(String origin) throws Exception {
    return http.send(
        HttpRequest.newBuilder(api("/api/ice-servers"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> iceServers(String origin) throws Exception {
    String token = flowSync.tokens().issue("ana", "Ana", null, null).token();
    return http.send(
        HttpRequest.newBuilder(api("/api/ice-servers"))
            .header("Origin", origin)
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI api(String path) {
    return server.httpUri().resolve(path);
  }
}

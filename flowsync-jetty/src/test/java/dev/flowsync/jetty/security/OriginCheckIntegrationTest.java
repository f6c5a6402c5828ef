package dev.flowsync.jetty.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.FlowSync;
import dev.flowsync.jetty.FlowSyncServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The WebSocket origin check ({@code allowedOrigins}, {@code FLOWSYNC_ALLOWED_ORIGINS}). */
@DisplayName("Security: the WebSocket handshake checks the Origin")
class OriginCheckIntegrationTest {
  FlowSync flowSync = FlowSync.inMemory();
  FlowSyncServer server;

  @AfterEach
  void stop() {
    server.stop();
    flowSync.close();
  }

  @Test
  @DisplayName("with allowed origins, browsers on other origins are refused (403)")
  void restricted() throws Exception {
    server =
        FlowSyncServer.builder(flowSync)
            .host("127.0.0.1")
            .port(0)
            .allowedOrigins(Set.of("https://app.example"))
            .build()
            .start();
    assertThat(handshake(server.webSocketUri(), "https://app.example")).startsWith("HTTP/1.1 101");
    assertThat(handshake(server.webSocketUri(), "https://evil.example")).startsWith("HTTP/1.1 403");
    assertThat(handshake(server.webSocketUri(), "https://app.example.evil.example"))
        .startsWith("HTTP/1.1 403");
    assertThat(handshake(server.webSocketUri(), "null")).startsWith("HTTP/1.1 403");
  }

  @Test
  @DisplayName("with allowed origins, a client without Origin (not a browser) still connects")
  void nonBrowserClients() throws Exception {
    server =
        FlowSyncServer.builder(flowSync)
            .host("127.0.0.1")
            .port(0)
            .allowedOrigins(Set.of("https://app.example"))
            .build()
            .start();
    assertThat(handshake(server.webSocketUri(), null)).startsWith("HTTP/1.1 101");
  }

  @Test
  @DisplayName("without allowed origins (the default) any origin may connect")
  void open() throws Exception {
    server = FlowSyncServer.builder(flowSync).host("127.0.0.1").port(0).build().start();
    assertThat(handshake(server.webSocketUri(), "https://anything.example"))
        .startsWith("HTTP/1.1 101");
    assertThat(handshake(server.webSocketUri(), null)).startsWith("HTTP/1.1 101");
  }

  /** The status line of a WebSocket upgrade request with this Origin (none when null). */
  private static String handshake(URI ws, String origin) throws IOException {
    try (Socket socket = new Socket(ws.getHost(), ws.getPort())) {
      byte[] key = new byte[16];
      ThreadLocalRandom.current().nextBytes(key);
      String request =
          "GET "
              + ws.getPath()
              + " HTTP/1.1\r\nHost: "
              + ws.getHost()
              + ":"
              + ws.getPort()
              + (origin == null ? "" : "\r\nOrigin: " + origin)
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
              + Base64.getEncoder().encodeToString(key)
              + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\r') {
        line.append((char) b);
      }
      return line.toString();
    }
  }
}

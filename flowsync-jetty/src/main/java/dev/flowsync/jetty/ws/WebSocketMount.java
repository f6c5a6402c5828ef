package dev.flowsync.jetty.ws;

import dev.flowsync.signaling.Gateway;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;

/** Installs the {@code /ws} endpoint into a servlet context. */
public final class WebSocketMount {
  private WebSocketMount() {}

  /**
   * Adds the FlowSync WebSocket endpoint at {@code path}.
   *
   * @param maxFrameBytes frames over this close the connection with 1009
   * @param allowedOrigins origins browsers may connect from; empty allows any. Requests without an
   *     Origin header (non-browser clients) are always let through to the token check
   * @param maxPendingFrames outbound frames in flight per connection before it is closed as slow
   */
  public static void install(
      ServletContextHandler context,
      Gateway gateway,
      String path,
      int maxFrameBytes,
      Set<String> allowedOrigins,
      int maxPendingFrames) {
    ServerEndpointConfig config =
        ServerEndpointConfig.Builder.create(FlowSyncEndpoint.class, path)
            .configurator(
                new ServerEndpointConfig.Configurator() {
                  @Override
                  public <T> T getEndpointInstance(Class<T> endpointClass) {
                    return endpointClass.cast(new FlowSyncEndpoint(gateway, maxPendingFrames));
                  }

                  @Override
                  public boolean checkOrigin(String originHeaderValue) {
                    // Browsers always send Origin on a WebSocket upgrade, so its absence means a
                    // non-browser client (the Java client, a bot). Such a client could send any
                    // Origin it liked, so refusing it would protect nothing; its token decides.
                    return allowedOrigins.isEmpty()
                        || originHeaderValue == null
                        || allowedOrigins.contains(originHeaderValue);
                  }

                  @Override
                  public void modifyHandshake(
                      ServerEndpointConfig sec,
                      HandshakeRequest request,
                      jakarta.websocket.HandshakeResponse response) {
                    List<String> forwarded = request.getHeaders().get("X-Forwarded-For");
                    if (forwarded != null && !forwarded.isEmpty()) {
                      sec.getUserProperties().put("flowsync.remoteAddress", forwarded.get(0));
                    }
                  }
                })
            .build();
    JakartaWebSocketServletContainerInitializer.configure(
        context,
        (servletContext, container) -> {
          container.setDefaultMaxTextMessageBufferSize(maxFrameBytes);
          container.setDefaultMaxBinaryMessageBufferSize(maxFrameBytes);
          // Above the gateway's own silence limit (2 x heartbeat), so a silent client is closed
          // by the gateway with reason timeout rather than by Jetty's idle timeout.
          container.setDefaultMaxSessionIdleTimeout(
              3 * gateway.config().heartbeat().toMillis()
                  + gateway.config().helloTimeout().toMillis());
          container.addEndpoint(config);
        });
  }
}

package dev.flowsync.bench.relay;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A minimal relay on Jetty 12 with a Jakarta WebSocket endpoint, Jackson tree parsing and Jetty's
 * default thread pool and settings: the same shape as the "minimal relay" of the project's
 * performance notes, so the figures compare. Any token is accepted. {@code --api native} serves the
 * same protocol through Jetty's own WebSocket API instead of Jakarta.
 *
 * <pre>
 * java -Xmx1g -cp flowsync-bench.jar dev.flowsync.bench.relay.BareRelay --port 0 --ready-file relay.ready
 *   [--api jakarta|native]
 * </pre>
 */
public final class BareRelay {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Open sessions by connection id. */
  final Map<String, RelayConnection> byId = new ConcurrentHashMap<>();

  /** Members (connection ids) per room. */
  final Map<String, Set<String>> rooms = new ConcurrentHashMap<>();

  private BareRelay() {}

  /** Starts the relay and runs until killed. */
  public static void main(String[] argv) throws Exception {
    int port = 0;
    String host = "127.0.0.1";
    String ready = "relay.ready";
    String api = "jakarta";
    for (int i = 0; i + 1 < argv.length; i += 2) {
      switch (argv[i]) {
        case "--port" -> port = Integer.parseInt(argv[i + 1]);
        case "--host" -> host = argv[i + 1];
        case "--ready-file" -> ready = argv[i + 1];
        case "--api" -> api = argv[i + 1];
        default -> throw new IllegalArgumentException("Unknown option " + argv[i]);
      }
    }
    BareRelay relay = new BareRelay();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    if (api.equals("native")) {
      server.setHandler(
          WebSocketUpgradeHandler.from(
              server,
              container ->
                  container.addMapping(
                      "/ws", (request, response, callback) -> new NativeRelayEndpoint(relay))));
    } else {
      ServletContextHandler context = new ServletContextHandler("/");
      ServerEndpointConfig config =
          ServerEndpointConfig.Builder.create(BareRelayEndpoint.class, "/ws")
              .configurator(
                  new ServerEndpointConfig.Configurator() {
                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                      return endpointClass.cast(new BareRelayEndpoint(relay));
                    }
                  })
              .build();
      JakartaWebSocketServletContainerInitializer.configure(
          context, (servletContext, container) -> container.addEndpoint(config));
      server.setHandler(context);
    }
    server.start();
    writeReady(ready, connector.getLocalPort());
    System.out.println(
        "Bare Jetty relay listening on ws://" + host + ":" + connector.getLocalPort() + "/ws");
    new CountDownLatch(1).await();
  }

  private static void writeReady(String file, int port) throws IOException {
    Path tmp = Path.of(file + ".tmp");
    Files.writeString(tmp, "port=" + port + "\npid=" + ProcessHandle.current().pid() + "\n");
    Files.move(
        tmp, Path.of(file), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}

package dev.flowsync.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar flowsync-server.jar}: every setting is an environment variable. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    StandaloneServer running;
    try {
      running = StandaloneServer.start(System.getenv());
    } catch (RuntimeException e) {
      // The message is written to be actionable ("Port 8080 is already in use ...").
      System.err.println("FlowSync could not start: " + e.getMessage());
      System.exit(1);
      return;
    }
    // SIGTERM / Ctrl-C: clients get bye + 1001, presence is released, then the JVM exits.
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "flowsync-shutdown"));
    System.out.println(
        "FlowSync listening on "
            + running.server.httpUri()
            + "  (WebSocket: "
            + running.server.webSocketUri()
            + ")");
    if (running.apiKeyGenerated) {
      System.out.println(
          "Admin API key (generated, shown once; set FLOWSYNC_API_KEY to choose one): "
              + running.apiKey);
    }
    log.info("Node {} started", running.flowSync.nodeId());
  }
}

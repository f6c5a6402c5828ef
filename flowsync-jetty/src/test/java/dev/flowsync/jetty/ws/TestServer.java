package dev.flowsync.jetty.ws;

import dev.flowsync.core.FlowSync;
import dev.flowsync.jetty.FlowSyncServer;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.RateLimit;
import dev.flowsync.signaling.client.FlowSyncClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A real FlowSync server on a free port with fast timings (heartbeat, grace, hello deadline), and
 * helpers to issue tokens and open clients. Closes everything it opened.
 */
final class TestServer implements AutoCloseable {
  final FlowSync flowSync;
  final Gateway gateway;
  final FlowSyncServer server;
  private final List<AutoCloseable> opened = new ArrayList<>();

  private TestServer(FlowSync flowSync, Gateway gateway, int maxFrameBytes) {
    this.flowSync = flowSync;
    this.gateway = gateway;
    this.server =
        FlowSyncServer.builder(flowSync)
            .host("127.0.0.1")
            .port(0)
            .gateway(gateway)
            .maxFrameBytes(maxFrameBytes)
            .build()
            .start();
  }

  /** Default fast settings. */
  static TestServer start() {
    return start(fs -> {}, gw -> {});
  }

  static TestServer start(
      Consumer<FlowSync.Builder> flowSyncSettings, Consumer<Gateway.Builder> gatewaySettings) {
    FlowSync.Builder fs = FlowSync.builder().resumeGrace(Duration.ofMillis(1500));
    flowSyncSettings.accept(fs);
    return start(fs.build(), gatewaySettings, 64 * 1024);
  }

  static TestServer start(
      FlowSync flowSync, Consumer<Gateway.Builder> gatewaySettings, int maxFrameBytes) {
    Gateway.Builder gw =
        Gateway.builder(flowSync)
            .heartbeat(Duration.ofSeconds(5))
            .helloTimeout(Duration.ofSeconds(5))
            .rateLimit(RateLimit.parse("1000/s,burst=1000"));
    gatewaySettings.accept(gw);
    return new TestServer(flowSync, gw.build(), maxFrameBytes);
  }

  URI uri() {
    return server.webSocketUri();
  }

  String token(String userId) {
    return flowSync.tokens().issue(userId, "Name " + userId, null, null).token();
  }

  /** A connected client (welcome received). */
  FlowSyncClient client(String userId) {
    FlowSyncClient c = FlowSyncClient.connect(uri(), token(userId));
    opened.add(c);
    return c;
  }

  /** A raw WebSocket without hello. */
  WsClient raw() {
    WsClient c = new WsClient(uri());
    opened.add(c);
    return c;
  }

  /** A raw WebSocket after a successful hello. */
  WsClient rawHello(String userId) throws InterruptedException {
    WsClient c = raw();
    c.send("{\"type\":\"hello\",\"rid\":\"h\",\"token\":\"" + token(userId) + "\"}");
    c.await("welcome");
    return c;
  }

  @Override
  public void close() {
    for (AutoCloseable c : opened) {
      try {
        c.close();
      } catch (Exception e) {
        // already closed
      }
    }
    server.stop();
    flowSync.close();
  }
}

package dev.flowsync.server;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.jetty.FlowSyncServer;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.IceServers;
import java.util.HashSet;
import java.util.Map;

/**
 * The standalone server wired from its settings: chooses the stores (embedded default or
 * PostgreSQL/Redis), builds FlowSync, the gateway and the Jetty server. {@link Main} runs it; tests
 * start it in-process with their own environment.
 */
final class StandaloneServer implements AutoCloseable {
  final ServerSettings settings;
  final String apiKey;
  final boolean apiKeyGenerated;
  final FlowSync flowSync;
  final FlowSyncServer server;

  private StandaloneServer(ServerSettings settings) {
    this.settings = settings;
    this.apiKeyGenerated = settings.apiKey() == null;
    this.apiKey = apiKeyGenerated ? Ids.random("fsk_", 24) : settings.apiKey();
    Stores stores = InMemoryStores.create();
    FlowSync.Builder fs =
        FlowSync.builder()
            .stores(stores)
            .autoCreateRooms(settings.autoCreateRooms())
            .resumeGrace(settings.resumeGrace());
    if (settings.nodeId() != null) {
      fs.nodeId(settings.nodeId());
    }
    this.flowSync = fs.build();
    Gateway gateway =
        Gateway.builder(flowSync)
            .heartbeat(settings.heartbeat())
            .iceServers(
                IceServers.of(
                    settings.stunUrls(),
                    settings.turnUrls(),
                    settings.turnSecret(),
                    settings.turnTtl()))
            .build();
    this.server =
        FlowSyncServer.builder(flowSync)
            .host(settings.host())
            .port(settings.port())
            .gateway(gateway)
            .maxFrameBytes(settings.maxFrameBytes())
            .allowedOrigins(new HashSet<>(settings.allowedOrigins()))
            .build();
  }

  /** Builds and starts a server from environment variables. */
  static StandaloneServer start(Map<String, String> env) {
    StandaloneServer s = new StandaloneServer(ServerSettings.fromEnv(env));
    try {
      s.server.start();
    } catch (RuntimeException e) {
      s.flowSync.close();
      throw e;
    }
    return s;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } finally {
      flowSync.close();
    }
  }
}

package dev.flowsync.server;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.jetty.FlowSyncServer;
import dev.flowsync.jetty.metrics.StoreMetrics;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.IceServers;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.util.HashSet;
import java.util.Map;

/**
 * The standalone server wired from its settings: chooses the stores (embedded default or
 * PostgreSQL/Redis), builds FlowSync, the gateway and the Jetty server. {@link Main} runs it; tests
 * start it in-process with their own environment.
 */
final class StandaloneServer implements AutoCloseable {
  /** The classpath directory the browser demo (samples/web/public) is packaged into. */
  static final String WEB_RESOURCES = "flowsync-web";

  final ServerSettings settings;
  final String apiKey;
  final boolean apiKeyGenerated;
  final FlowSync flowSync;
  final Gateway gateway;
  final FlowSyncServer server;

  private StandaloneServer(ServerSettings settings) {
    // Say so rather than silently run single-node in memory when a service was asked for.
    if (settings.databaseUrl() != null) {
      throw new IllegalArgumentException(
          "FLOWSYNC_DATABASE_URL is set, but this build does not include the SQL store wiring yet");
    }
    if (settings.redisUrl() != null) {
      throw new IllegalArgumentException(
          "FLOWSYNC_REDIS_URL is set, but this build does not include the Redis store wiring yet");
    }
    this.settings = settings;
    this.apiKeyGenerated = settings.apiKey() == null;
    this.apiKey = apiKeyGenerated ? Ids.random("fsk_", 24) : settings.apiKey();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Stores stores = StoreMetrics.instrument(InMemoryStores.create(), registry);
    FlowSync.Builder fs =
        FlowSync.builder()
            .stores(stores)
            .autoCreateRooms(settings.autoCreateRooms())
            .resumeGrace(settings.resumeGrace());
    if (settings.nodeId() != null) {
      fs.nodeId(settings.nodeId());
    }
    this.flowSync = fs.build();
    try {
      this.gateway =
          Gateway.builder(flowSync)
              .heartbeat(settings.heartbeat())
              .iceServers(
                  IceServers.of(
                      settings.stunUrls(),
                      settings.turnUrls(),
                      settings.turnSecret(),
                      settings.turnTtl()))
              .build();
      FlowSyncServer.Builder server =
          FlowSyncServer.builder(flowSync)
              .host(settings.host())
              .port(settings.port())
              .gateway(gateway)
              .apiKey(apiKey)
              .guestTokens(settings.guestTokens())
              .behindProxy(settings.behindProxy())
              .maxFrameBytes(settings.maxFrameBytes())
              .allowedOrigins(new HashSet<>(settings.allowedOrigins()))
              .meterRegistry(registry)
              .staticResources(WEB_RESOURCES);
      if (settings.webhookUrl() != null || settings.webhookSecret() != null) {
        server.webhook(
            settings.webhookUrl() == null ? null : URI.create(settings.webhookUrl()),
            settings.webhookSecret());
      }
      if (settings.tlsKeyStore() != null) {
        if (settings.tlsKeyStorePassword() == null) {
          throw new IllegalArgumentException(
              "FLOWSYNC_TLS_KEYSTORE needs FLOWSYNC_TLS_KEYSTORE_PASSWORD as well");
        }
        server.tls(settings.tlsKeyStore(), settings.tlsKeyStorePassword());
      }
      this.server = server.build();
    } catch (RuntimeException e) {
      flowSync.close();
      throw e;
    }
  }

  /**
   * Builds and starts a server from environment variables.
   *
   * @throws IllegalArgumentException a variable has an invalid value (the message names it)
   * @throws IllegalStateException the server could not start (e.g. the port is in use)
   */
  static StandaloneServer start(Map<String, String> env) {
    StandaloneServer s = new StandaloneServer(ServerSettings.fromEnv(env));
    try {
      s.server.start();
    } catch (RuntimeException e) {
      s.gateway.close();
      s.flowSync.close();
      throw e;
    }
    return s;
  }

  /** Graceful stop: bye + 1001 to every client, webhooks flushed, then the stores released. */
  @Override
  public void close() {
    try {
      server.stop();
    } finally {
      gateway.close();
      flowSync.close();
    }
  }
}

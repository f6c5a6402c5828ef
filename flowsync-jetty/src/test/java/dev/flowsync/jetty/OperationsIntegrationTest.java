package dev.flowsync.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.auth.TokenStore;
import dev.flowsync.core.room.RoomStore;
import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import dev.flowsync.jetty.FlowSyncServer.MetricsAccess;
import dev.flowsync.jetty.metrics.StoreMetrics;
import dev.flowsync.signaling.Gateway;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Operating the server: health, metrics, static files, start, stop, TLS, mounting")
class OperationsIntegrationTest {
  static final String KEY = "test-admin-key-0123456789";

  @Nested
  @DisplayName("/health")
  class Health {
    @Test
    @DisplayName("is ok with a check per store, nodeId, uptime, connections, rooms and memory")
    void ok() {
      try (FlowSync fs = FlowSync.builder().nodeId("node-a").build();
          FlowSyncServer server = start(fs)) {
        Http.Answer a = new Http(server.httpUri()).get("/health", null);
        assertThat(a.status()).isEqualTo(200);
        JsonNode h = a.json();
        assertThat(h.get("status").asText()).isEqualTo("ok");
        assertThat(h.get("nodeId").asText()).isEqualTo("node-a");
        assertThat(h.get("uptimeMs").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(h.get("connections").asInt()).isZero();
        assertThat(h.get("rooms").asInt()).isZero();
        assertThat(h.at("/memory/heapUsedBytes").asLong()).isPositive();
        assertThat(h.at("/memory/heapMaxBytes").asLong()).isPositive();
        assertThat(h.get("stores").fieldNames())
            .toIterable()
            .containsExactly(
                "rooms", "presence", "timers", "messages", "sessions", "tokens", "clusterBus");
        assertThat(h.at("/stores/rooms/status").asText()).isEqualTo("ok");
      }
    }

    @Test
    @DisplayName("is down (503) when every backend is down; the API then answers 503 unavailable")
    void down() {
      Flaky sql = new Flaky();
      Stores mem = InMemoryStores.create();
      try (FlowSync fs =
              FlowSync.builder()
                  .stores(mem.withRooms(sql.wrap(mem.rooms(), RoomStore.class, "sql")))
                  .build();
          FlowSyncServer server = start(fs)) {
        Http http = new Http(server.httpUri());
        sql.down = true;
        Http.Answer down = http.get("/health", null);
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.json().get("status").asText()).isEqualTo("down");
        assertThat(down.json().at("/stores/rooms/backend").asText()).isEqualTo("sql");
        assertThat(down.json().at("/stores/rooms/status").asText()).isEqualTo("down");

        Http.Answer api = http.get("/api/rooms", KEY);
        assertThat(api.status()).isEqualTo(503);
        assertThat(api.error()).isEqualTo("unavailable");

        sql.down = false;
        assertThat(http.get("/health", null).json().get("status").asText()).isEqualTo("ok");
      }
    }

    @Test
    @DisplayName("is degraded (200) when one of two backends is down")
    void degraded() {
      Flaky sql = new Flaky();
      Flaky redis = new Flaky();
      Stores mem = InMemoryStores.create();
      Stores stores =
          mem.withRooms(sql.wrap(mem.rooms(), RoomStore.class, "sql"))
              .withTokens(redis.wrap(mem.tokens(), TokenStore.class, "redis"));
      try (FlowSync fs = FlowSync.builder().stores(stores).build();
          FlowSyncServer server = start(fs)) {
        redis.down = true;
        Http.Answer a = new Http(server.httpUri()).get("/health", null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().get("status").asText()).isEqualTo("degraded");
        assertThat(a.json().at("/stores/tokens/status").asText()).isEqualTo("down");
        assertThat(a.json().at("/stores/rooms/status").asText()).isEqualTo("ok");
      }
    }

    @Test
    @DisplayName("a bundle's health check (e.g. one SQL database) answers for the roles it serves")
    void bundleCheck() {
      java.util.concurrent.atomic.AtomicBoolean up =
          new java.util.concurrent.atomic.AtomicBoolean();
      dev.flowsync.core.store.StoreHealth sql =
          new dev.flowsync.core.store.StoreHealth() {
            @Override
            public String healthName() {
              return "sql";
            }

            @Override
            public boolean isHealthy() {
              return up.get();
            }
          };
      try (FlowSync fs = FlowSync.inMemory();
          FlowSyncServer server =
              FlowSyncServer.builder(fs)
                  .host("127.0.0.1")
                  .port(0)
                  .storeHealth(sql, "rooms", "messages")
                  .build()
                  .start()) {
        Http.Answer a = new Http(server.httpUri()).get("/health", null);
        assertThat(a.status()).isEqualTo(503);
        assertThat(a.json().at("/stores/messages/backend").asText()).isEqualTo("sql");
        assertThat(a.json().at("/stores/messages/status").asText()).isEqualTo("down");
        assertThat(a.json().at("/stores/presence/backend").asText()).isEqualTo("in-process");
        up.set(true);
        assertThat(new Http(server.httpUri()).get("/health", null).status()).isEqualTo(200);
      }
    }
  }

  @Nested
  @DisplayName("/metrics")
  class Metrics {
    @Test
    @DisplayName("serves Prometheus text: FlowSync gauges, errors by code, store calls, JVM")
    void prometheus() throws Exception {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      try (FlowSync fs =
              FlowSync.builder()
                  .stores(StoreMetrics.instrument(InMemoryStores.create(), registry))
                  .build();
          FlowSyncServer server =
              FlowSyncServer.builder(fs)
                  .host("127.0.0.1")
                  .port(0)
                  .apiKey(KEY)
                  .meterRegistry(registry)
                  .build()
                  .start()) {
        Http http = new Http(server.httpUri());
        assertThat(http.get("/api/rooms", null).status()).isEqualTo(401);
        http.post("/api/rooms", KEY, "{\"id\":\"standup\"}");
        String token = fs.tokens().issue("ana", "Ana", null, null).token();
        String boToken = fs.tokens().issue("bo", "Bo", null, null).token();
        try (RawClient ws = new RawClient(server.webSocketUri());
            RawClient bo = new RawClient(server.webSocketUri())) {
          ws.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
          ws.await("welcome");
          ws.send("{\"type\":\"join\",\"room\":\"standup\"}");
          ws.await("joined");
          bo.send("{\"type\":\"hello\",\"token\":\"" + boToken + "\"}");
          String boId = bo.await("welcome").get("connectionId").asText();
          bo.send("{\"type\":\"join\",\"room\":\"standup\"}");
          bo.await("joined");
          ws.await("member.joined");
          // Real traffic feeds the frame, relay and error meters through the gateway.
          ws.send(
              "{\"type\":\"signal\",\"room\":\"standup\",\"to\":\""
                  + boId
                  + "\",\"kind\":\"offer\",\"payload\":{}}");
          bo.await("signal");
          ws.send("{\"type\":\"no-such-type\",\"rid\":\"x\"}");
          ws.await("error");

          Http.Answer a = http.get("/metrics", null);
          assertThat(a.status()).isEqualTo(200);
          assertThat(a.header("Content-Type")).startsWith("text/plain");
          String text = a.raw().body();
          assertThat(text)
              .contains("flowsync_connections 2.0")
              .contains("flowsync_rooms 1.0")
              .contains("flowsync_members 2.0")
              .contains("flowsync_errors_total{code=\"unauthorized\",transport=\"http\"} 1.0")
              .contains("flowsync_errors_total{code=\"bad_request\",transport=\"ws\"} 1.0")
              .contains("flowsync_frames_in_total{type=\"join\"} 2.0")
              .contains("flowsync_frames_in_total{type=\"signal\"} 1.0")
              .contains("flowsync_frames_in_total{type=\"other\"} 1.0")
              .contains("flowsync_frames_out_total{type=\"joined\"} 2.0")
              .contains("flowsync_frames_out_total{type=\"signal\"} 1.0")
              .contains("flowsync_relay_latency_seconds_bucket")
              .contains("flowsync_relay_latency_seconds_count 1")
              .contains(
                  "flowsync_store_calls_seconds_count{method=\"create\",outcome=\"ok\",store=\"rooms\"}")
              .contains("flowsync_rooms_opened_total 1.0")
              .contains("jvm_memory_used_bytes")
              .contains("jvm_threads_live_threads");
        }
      }
    }

    @Test
    @DisplayName("store failures are counted as store errors")
    void storeErrors() {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Flaky sql = new Flaky();
      Stores mem = InMemoryStores.create();
      Stores stores =
          StoreMetrics.instrument(
              mem.withRooms(sql.wrap(mem.rooms(), RoomStore.class, "sql")), registry);
      try (FlowSync fs = FlowSync.builder().stores(stores).build();
          FlowSyncServer server =
              FlowSyncServer.builder(fs)
                  .host("127.0.0.1")
                  .port(0)
                  .apiKey(KEY)
                  .meterRegistry(registry)
                  .build()
                  .start()) {
        Http http = new Http(server.httpUri());
        sql.down = true;
        assertThat(http.get("/api/rooms/standup", KEY).status()).isEqualTo(503);
        // The instrumented stores keep the health interface of what they wrap.
        assertThat(http.get("/health", null).status()).isEqualTo(503);
        assertThat(http.get("/metrics", null).raw().body())
            .contains("flowsync_store_errors_total{method=\"find\",store=\"rooms\"} 1.0")
            .contains("flowsync_errors_total{code=\"unavailable\",transport=\"http\"} 1.0");
      }
    }

    @Test
    @DisplayName("can require the admin key, or be switched off")
    void access() {
      try (FlowSync fs = FlowSync.inMemory();
          FlowSyncServer admin =
              FlowSyncServer.builder(fs)
                  .host("127.0.0.1")
                  .port(0)
                  .apiKey(KEY)
                  .metrics(MetricsAccess.ADMIN)
                  .build()
                  .start();
          FlowSyncServer off =
              FlowSyncServer.builder(fs)
                  .host("127.0.0.1")
                  .port(0)
                  .metrics(MetricsAccess.DISABLED)
                  .build()
                  .start()) {
        Http http = new Http(admin.httpUri());
        assertThat(http.get("/metrics", null).status()).isEqualTo(401);
        assertThat(http.get("/metrics", KEY).status()).isEqualTo(200);
        assertThat(new Http(off.httpUri()).get("/metrics", null).status()).isEqualTo(404);
      }
    }
  }

  @Nested
  @DisplayName("Static files")
  class Static {
    @Test
    @DisplayName("a classpath directory is served at / with content types; unknown files are 404")
    void demo() {
      try (FlowSync fs = FlowSync.inMemory();
          FlowSyncServer server =
              FlowSyncServer.builder(fs)
                  .host("127.0.0.1")
                  .port(0)
                  .staticResources("test-web")
                  .build()
                  .start()) {
        Http http = new Http(server.httpUri());
        Http.Answer index = http.get("/", null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("Content-Type")).startsWith("text/html");
        assertThat(index.raw().body()).contains("Test demo");
        assertThat(http.get("/app.js", null).header("Content-Type")).startsWith("text/javascript");
        assertThat(http.get("/flowsync.js", null).status()).isEqualTo(200);
        assertThat(http.get("/nothing.css", null).status()).isEqualTo(404);
        assertThat(http.get("/health", null).status()).isEqualTo(200);
      }
    }
  }

  @Nested
  @DisplayName("Start-up")
  class Startup {
    @Test
    @DisplayName("a port in use fails with a message that says so and what to do")
    void portInUse() throws Exception {
      try (FlowSync fs = FlowSync.inMemory();
          ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
        FlowSyncServer server =
            FlowSyncServer.builder(fs).host("127.0.0.1").port(taken.getLocalPort()).build();
        assertThatThrownBy(server::start)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("Port " + taken.getLocalPort() + " is already in use")
            .hasMessageContaining("FLOWSYNC_PORT");
      }
    }

    @Test
    @DisplayName("invalid settings fail at build() naming the setting")
    void invalidSettings() {
      try (FlowSync fs = FlowSync.inMemory()) {
        assertThatThrownBy(() -> FlowSyncServer.builder(fs).port(70000).build())
            .hasMessageContaining("port must be 0-65535");
        assertThatThrownBy(() -> FlowSyncServer.builder(fs).apiKey("short").build())
            .hasMessageContaining("apiKey must be at least 16 characters");
        assertThatThrownBy(
                () -> FlowSyncServer.builder(fs).tls(Path.of("/no/such.p12"), "x").build())
            .hasMessageContaining("TLS keystore")
            .hasMessageContaining("does not exist");
        assertThatThrownBy(
                () ->
                    FlowSyncServer.builder(fs)
                        .webhook(URI.create("ftp://example.org"), "0123456789abcdef")
                        .build())
            .hasMessageContaining("webhook url");
        assertThatThrownBy(() -> FlowSyncServer.builder(fs).metrics(MetricsAccess.ADMIN).build())
            .hasMessageContaining("apiKey");
        assertThatThrownBy(() -> FlowSyncServer.builder(fs).acceptQueueSize(0).build())
            .hasMessageContaining("acceptQueueSize must be >= 1");
      }
    }

    @Test
    @DisplayName("the listen backlog holds a burst of connects: 1024 by default, settable")
    void acceptQueue() {
      try (FlowSync fs = FlowSync.inMemory()) {
        FlowSyncServer byDefault = FlowSyncServer.builder(fs).port(0).build();
        FlowSyncServer tuned = FlowSyncServer.builder(fs).port(0).acceptQueueSize(4096).build();
        assertThat(acceptQueueOf(byDefault)).isEqualTo(1024);
        assertThat(acceptQueueOf(tuned)).isEqualTo(4096);
      }
    }

    private int acceptQueueOf(FlowSyncServer server) {
      return ((ServerConnector) server.jettyServer().getConnectors()[0]).getAcceptQueueSize();
    }
  }

  @Nested
  @DisplayName("Shutdown")
  class Shutdown {
    @Test
    @DisplayName("stop() says bye to every client and closes it with 1001, then stops listening")
    void byeThen1001() throws Exception {
      FlowSync fs = FlowSync.inMemory();
      FlowSyncServer server = start(fs);
      URI uri = server.httpUri();
      String token = fs.tokens().issue("ana", "Ana", null, null).token();
      try (RawClient ws = new RawClient(server.webSocketUri())) {
        ws.send("{\"type\":\"hello\",\"token\":\"" + token + "\"}");
        ws.await("welcome");
        ws.send("{\"type\":\"join\",\"room\":\"standup\"}");
        ws.await("joined");
        server.stop();
        JsonNode bye = ws.await("bye");
        assertThat(bye.get("reason").asText()).isEqualTo("shutdown");
        assertThat(bye.get("reconnectAfterMs").asLong()).isPositive();
        assertThat(ws.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(1001);
      } finally {
        fs.close();
      }
      assertThat(fs.presence().members("standup")).isEmpty();
      assertThatThrownBy(() -> new Http(uri).get("/health", null))
          .isInstanceOf(AssertionError.class)
          .hasCauseInstanceOf(java.io.IOException.class);
    }
  }

  @Nested
  @DisplayName("TLS")
  class Tls {
    @Test
    @DisplayName("with a keystore it serves HTTPS and WSS")
    void https(@TempDir Path dir) throws Exception {
      Path keyStore = dir.resolve("server.p12");
      Process keytool =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                  "-genkeypair",
                  "-alias",
                  "flowsync",
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-dname",
                  "CN=localhost",
                  "-ext",
                  "san=dns:localhost,ip:127.0.0.1",
                  "-validity",
                  "2",
                  "-storetype",
                  "PKCS12",
                  "-keystore",
                  keyStore.toString(),
                  "-storepass",
                  "changeit",
                  "-keypass",
                  "changeit")
              .redirectErrorStream(true)
              .start();
      assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(keytool.exitValue()).isZero();
      KeyStore trust = KeyStore.getInstance("PKCS12");
      try (FileInputStream in = new FileInputStream(keyStore.toFile())) {
        trust.load(in, "changeit".toCharArray());
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);

      try (FlowSync fs = FlowSync.inMemory();
          FlowSyncServer server =
              FlowSyncServer.builder(fs)
                  .host("127.0.0.1")
                  .port(0)
                  .tls(keyStore, "changeit")
                  .build()
                  .start()) {
        assertThat(server.httpUri().getScheme()).isEqualTo("https");
        Http.Answer a =
            new Http(server.httpUri(), HttpClient.newBuilder().sslContext(ssl).build())
                .get("/health", null);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.header("Strict-Transport-Security")).contains("max-age=");
      }
    }

    @Test
    @DisplayName("a wrong keystore password fails start-up with a message naming the keystore")
    void wrongPassword(@TempDir Path dir) throws Exception {
      Path keyStore = dir.resolve("server.p12");
      Process keytool =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                  "-genkeypair",
                  "-alias",
                  "flowsync",
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-dname",
                  "CN=localhost",
                  "-validity",
                  "2",
                  "-storetype",
                  "PKCS12",
                  "-keystore",
                  keyStore.toString(),
                  "-storepass",
                  "changeit",
                  "-keypass",
                  "changeit")
              .redirectErrorStream(true)
              .start();
      assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
      try (FlowSync fs = FlowSync.inMemory()) {
        FlowSyncServer server =
            FlowSyncServer.builder(fs).host("127.0.0.1").port(0).tls(keyStore, "wrong").build();
        assertThatThrownBy(server::start)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(keyStore.toString());
      }
    }
  }

  @Nested
  @DisplayName("Mounting into an application's own Jetty")
  class Mount {
    @Test
    @DisplayName("the app's context gets /ws, /api, /health under its own path")
    void mount() throws Exception {
      try (FlowSync fs = FlowSync.inMemory()) {
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler app = new ServletContextHandler("/app");
        FlowSyncServer.Mounted mounted = FlowSyncServer.builder(fs).apiKey(KEY).mount(app);
        jetty.setHandler(app);
        jetty.start();
        try {
          URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/app");
          Http http = new Http(base);
          assertThat(http.get("/health", null).status()).isEqualTo(200);
          assertThat(http.post("/api/rooms", KEY, "{\"id\":\"standup\"}").status()).isEqualTo(201);
          try (RawClient ws =
              new RawClient(URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/app/ws"))) {
            ws.send(
                "{\"type\":\"hello\",\"token\":\""
                    + fs.tokens().issue("ana", "Ana", null, null).token()
                    + "\"}");
            assertThat(ws.await("welcome").get("userId").asText()).isEqualTo("ana");
            assertThat(mounted.gateway().connectionCount()).isEqualTo(1);
          }
        } finally {
          mounted.close();
          jetty.stop();
        }
      }
    }

    @Test
    @DisplayName("the static mount(context, flowSync, gateway) still works with defaults")
    void staticMount() throws Exception {
      try (FlowSync fs = FlowSync.inMemory();
          Gateway gateway = Gateway.builder(fs).build()) {
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler app = new ServletContextHandler("/");
        FlowSyncServer.Mounted mounted = FlowSyncServer.mount(app, fs, gateway);
        jetty.setHandler(app);
        jetty.start();
        try {
          Http http = new Http(URI.create("http://127.0.0.1:" + connector.getLocalPort()));
          assertThat(http.get("/health", null).status()).isEqualTo(200);
          assertThat(http.get("/api/rooms", KEY).status()).isEqualTo(401);
        } finally {
          mounted.close();
          jetty.stop();
        }
      }
    }
  }

  static FlowSyncServer start(FlowSync fs) {
    return FlowSyncServer.builder(fs).host("127.0.0.1").port(0).apiKey(KEY).build().start();
  }
}

package dev.flowsync.jetty;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.jetty.http.ApiServlet;
import dev.flowsync.jetty.http.ClasspathResourceServlet;
import dev.flowsync.jetty.http.CorsFilter;
import dev.flowsync.jetty.http.HealthServlet;
import dev.flowsync.jetty.http.HttpErrors;
import dev.flowsync.jetty.http.MetricsServlet;
import dev.flowsync.jetty.http.SecurityHeadersFilter;
import dev.flowsync.jetty.metrics.FlowSyncMetrics;
import dev.flowsync.jetty.webhook.WebhookSender;
import dev.flowsync.jetty.ws.WebSocketMount;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.IceServers;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.net.BindException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FlowSync as a Jetty 12 server: {@code /ws}, the HTTP API under {@code /api}, {@code /health},
 * {@code /metrics} and {@code /flowsync.js}. A thin facade: {@link #jettyServer()} is the escape
 * hatch to everything Jetty offers, and {@link Builder#mount} adds FlowSync to an application's
 * existing servlet context instead.
 *
 * <pre>{@code
 * FlowSyncServer server =
 *     FlowSyncServer.builder(flowSync).port(0).apiKey(System.getenv("API_KEY")).build().start();
 * URI ws = server.webSocketUri();
 * ...
 * server.stop(); // clients get bye + 1001, then Jetty stops
 * }</pre>
 */
public final class FlowSyncServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FlowSyncServer.class);

  /** The classpath resource served at {@code /flowsync.js}. */
  public static final String FLOWSYNC_JS = "dev/flowsync/jetty/flowsync.js";

  private final Builder settings;
  private final Server server;
  private final ServerConnector connector;
  private final Mounted mounted;

  private FlowSyncServer(Builder b) {
    this.settings = b;
    QueuedThreadPool pool = new QueuedThreadPool(b.maxThreads, b.minThreads, 60_000);
    pool.setName("flowsync-http");
    this.server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    if (b.behindProxy) {
      // Client address and scheme from the proxy's Forwarded / X-Forwarded-* headers.
      http.addCustomizer(new ForwardedRequestCustomizer());
    }
    if (b.keyStore != null) {
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setKeyStorePath(b.keyStore.toString());
      ssl.setKeyStorePassword(b.keyStorePassword);
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      // Clients reach a node by IP or through a proxy's name; the certificate is the proxy's job.
      secure.setSniHostCheck(false);
      http.addCustomizer(secure);
      this.connector =
          new ServerConnector(
              server,
              1,
              1,
              new SslConnectionFactory(ssl, "http/1.1"),
              new HttpConnectionFactory(http));
    } else {
      this.connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    }
    connector.setHost(b.host);
    connector.setPort(b.port);
    connector.setIdleTimeout(b.idleTimeout.toMillis());
    connector.setAcceptQueueSize(b.acceptQueueSize);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    this.mounted = b.install(context);
    server.setHandler(context);
    server.setStopAtShutdown(false);
    server.setStopTimeout(b.shutdownTimeout.toMillis());
  }

  /** A builder for a server around an existing {@link FlowSync}. */
  public static Builder builder(FlowSync flowSync) {
    return new Builder(flowSync);
  }

  /**
   * Adds FlowSync's endpoints with default settings ({@code /ws} and {@code /health}; the admin API
   * stays disabled without an API key) to an application's own servlet context; call before the
   * context starts. For the full set of options use {@link Builder#mount}.
   */
  public static Mounted mount(ServletContextHandler context, FlowSync flowSync, Gateway gateway) {
    return builder(flowSync).gateway(gateway).mount(context);
  }

  /**
   * Starts listening.
   *
   * @throws IllegalStateException with an actionable message, e.g. when the port is in use
   */
  public FlowSyncServer start() {
    try {
      server.start();
    } catch (Exception e) {
      closeQuietly();
      throw startFailure(e);
    }
    log.info("FlowSync listening on {} (WebSocket {})", httpUri(), webSocketUri());
    return this;
  }

  private IllegalStateException startFailure(Exception e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof BindException || root instanceof UnknownHostException) {
        break;
      }
      root = root.getCause();
    }
    if (root instanceof BindException) {
      return new IllegalStateException(
          "Port "
              + settings.port
              + " is already in use on "
              + settings.host
              + " (or the address is not available): stop the other process, or choose another"
              + " port (FLOWSYNC_PORT, or port(0) for a free one)",
          e);
    }
    if (root instanceof UnknownHostException) {
      return new IllegalStateException(
          "Cannot bind to host '"
              + settings.host
              + "': it is not an address of this machine (FLOWSYNC_HOST; 0.0.0.0 for all)",
          e);
    }
    if (settings.keyStore != null
        && (String.valueOf(e.getMessage()).contains("password")
            || String.valueOf(root.getMessage()).contains("password")
            || root instanceof java.security.GeneralSecurityException)) {
      return new IllegalStateException(
          "Could not load the TLS keystore "
              + settings.keyStore
              + ": wrong password or not a PKCS12/JKS keystore ("
              + root.getMessage()
              + ")",
          e);
    }
    return new IllegalStateException("FlowSync server failed to start: " + root, e);
  }

  private void closeQuietly() {
    try {
      server.stop();
    } catch (Exception ignored) {
      // already failing to start; the start failure is what the caller needs to see
    }
    mounted.close();
  }

  /**
   * Stops gracefully: stops accepting connections, marks {@code /health} down, sends every client
   * {@code bye} and close 1001 (their presence is released), waits up to the shutdown timeout for
   * them to close and for webhooks to flush, then stops Jetty. Calling it again does nothing.
   */
  public void stop() {
    if (!mounted.beginShutdown()) {
      return;
    }
    try {
      connector.close(); // no new connections from here on
    } catch (RuntimeException e) {
      log.debug("Closing the connector failed", e);
    }
    mounted.drain(settings.shutdownTimeout);
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("FlowSync server failed to stop cleanly", e);
    } finally {
      mounted.close();
    }
    log.info("FlowSync stopped");
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /** The port it listens on (the real one when started with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http://host:port} (or {@code https}). */
  public URI httpUri() {
    String host = settings.host.equals("0.0.0.0") ? "localhost" : settings.host;
    return URI.create((settings.keyStore != null ? "https" : "http") + "://" + host + ":" + port());
  }

  /** {@code ws://host:port/ws} (or {@code wss}). */
  public URI webSocketUri() {
    return URI.create(httpUri().toString().replaceFirst("^http", "ws") + settings.webSocketPath);
  }

  /** The gateway serving {@code /ws}. */
  public Gateway gateway() {
    return mounted.gateway;
  }

  /** The meters, also served at {@code /metrics}. */
  public FlowSyncMetrics metrics() {
    return mounted.metrics;
  }

  /** The escape hatch: the underlying Jetty server. */
  public Server jettyServer() {
    return server;
  }

  /** Who may read {@code /metrics}. */
  public enum MetricsAccess {
    /** Anyone who can reach the port (default; keep the port private or use a proxy rule). */
    PUBLIC,
    /** Only with {@code Authorization: Bearer <api key>}. */
    ADMIN,
    /** Not served. */
    DISABLED
  }

  /**
   * FlowSync installed in a servlet context: the parts that need stopping with it. Closing it sends
   * every client {@code bye} and close 1001 and flushes webhooks; the context itself stays the
   * application's.
   */
  public static final class Mounted implements AutoCloseable {
    private final Gateway gateway;
    private final boolean ownsGateway;
    private final FlowSyncMetrics metrics;
    private final WebhookSender webhooks;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Mounted(
        Gateway gateway, boolean ownsGateway, FlowSyncMetrics metrics, WebhookSender webhooks) {
      this.gateway = gateway;
      this.ownsGateway = ownsGateway;
      this.metrics = metrics;
      this.webhooks = webhooks;
    }

    /** The gateway serving the WebSocket endpoint. */
    public Gateway gateway() {
      return gateway;
    }

    /** The meters. */
    public FlowSyncMetrics metrics() {
      return metrics;
    }

    boolean beginShutdown() {
      return shuttingDown.compareAndSet(false, true);
    }

    boolean isShuttingDown() {
      return shuttingDown.get();
    }

    /** Says bye to every client and waits (bounded) until their connections have closed. */
    void drain(Duration timeout) {
      gateway.shutdown(Duration.ofSeconds(2));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (gateway.connectionCount() > 0 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
      if (gateway.connectionCount() > 0) {
        log.warn("{} connection(s) did not close in time", gateway.connectionCount());
      }
    }

    /**
     * Says bye to every client, flushes webhooks and releases the gateway (if this mount built it).
     */
    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      if (beginShutdown()) {
        drain(Duration.ofSeconds(5));
      }
      if (webhooks != null) {
        webhooks.close();
      }
      metrics.close();
      if (ownsGateway) {
        gateway.close();
      }
    }
  }

  /** Configures a {@link FlowSyncServer}; {@link #build()} validates. */
  public static final class Builder {
    /** The default listen backlog, see {@link #acceptQueueSize}. */
    public static final int DEFAULT_ACCEPT_QUEUE_SIZE = 1024;

    private static final Set<String> ROLES =
        Set.of("rooms", "presence", "timers", "messages", "sessions", "tokens", "clusterBus");

    private final FlowSync flowSync;
    private Gateway gateway;
    private String host = "0.0.0.0";
    private int port = 8080;
    private String webSocketPath = "/ws";
    private int maxFrameBytes = 64 * 1024;
    private Set<String> allowedOrigins = Set.of();
    private int maxPendingFrames = 1024;
    private int maxRequestBytes = 64 * 1024;
    private Duration heartbeat = Duration.ofSeconds(25);
    private IceServers iceServers = IceServers.none();
    private String apiKey;
    private boolean guestTokens;
    private int guestTokensPerMinute = 30;
    private Path keyStore;
    private String keyStorePassword;
    private URI webhookUrl;
    private String webhookSecret;
    private MetricsAccess metricsAccess = MetricsAccess.PUBLIC;
    private PrometheusMeterRegistry meterRegistry;
    private int maxThreads = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
    private int minThreads = 4;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private int acceptQueueSize = DEFAULT_ACCEPT_QUEUE_SIZE;
    private Duration shutdownTimeout = Duration.ofSeconds(5);
    private String staticResources;
    private boolean behindProxy;
    private final Map<String, StoreHealth> healthChecks = new HashMap<>();

    private Builder(FlowSync flowSync) {
      this.flowSync = Objects.requireNonNull(flowSync, "flowSync");
    }

    /** Bind address; default 0.0.0.0 (all interfaces). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Port; 0 picks a free one (read it back with {@link FlowSyncServer#port()}). Default 8080. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Where the WebSocket endpoint lives; default {@code /ws}. */
    public Builder webSocketPath(String path) {
      this.webSocketPath = Objects.requireNonNull(path, "path");
      return this;
    }

    /**
     * A gateway configured by the caller; default: one built from {@link #heartbeat} and {@link
     * #iceServers}. A gateway passed in is not closed by the server.
     */
    public Builder gateway(Gateway gateway) {
      this.gateway = gateway;
      return this;
    }

    /** The WebSocket ping interval (when the server builds the gateway); default 25 s. */
    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
      return this;
    }

    /** STUN/TURN servers for clients (when the server builds the gateway); default none. */
    public Builder iceServers(IceServers iceServers) {
      this.iceServers = Objects.requireNonNull(iceServers, "iceServers");
      return this;
    }

    /** Largest WebSocket frame; bigger ones close the connection with 1009. Default 64 KiB. */
    public Builder maxFrameBytes(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    /** Outbound frames in flight per connection before it is closed as too slow; default 1024. */
    public Builder maxPendingFrames(int maxPendingFrames) {
      this.maxPendingFrames = maxPendingFrames;
      return this;
    }

    /** Largest HTTP API request body; bigger ones get 413. Default 64 KiB. */
    public Builder maxRequestBytes(int maxRequestBytes) {
      this.maxRequestBytes = maxRequestBytes;
      return this;
    }

    /**
     * Origins whose pages may open {@code /ws} and call {@code /api/*} from the browser (CORS),
     * e.g. {@code https://app.example.org}; empty = any page may open {@code /ws} and no CORS
     * headers are sent.
     */
    public Builder allowedOrigins(Set<String> origins) {
      this.allowedOrigins = Set.copyOf(origins);
      return this;
    }

    /**
     * The admin API key ({@code Authorization: Bearer <key>}); null (default) disables the admin
     * endpoints. Use a long random value: it can issue tokens and delete rooms.
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /**
     * Whether {@code POST /api/guest-token {"name"}} issues tokens without the admin key (for
     * demos); default false. Guest tokens grant public rooms only, and each client address may get
     * {@link #guestTokensPerMinute} of them.
     */
    public Builder guestTokens(boolean enabled) {
      this.guestTokens = enabled;
      return this;
    }

    /** Guest tokens per client address and minute (also the burst); default 30. */
    public Builder guestTokensPerMinute(int perMinute) {
      this.guestTokensPerMinute = perMinute;
      return this;
    }

    /**
     * Serves HTTPS and WSS with the certificate in a PKCS12 (or JKS) keystore. Many deployments
     * terminate TLS at a proxy instead (see docs/deployment.md).
     */
    public Builder tls(Path keyStore, String password) {
      this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
      this.keyStorePassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /** POSTs events to {@code url}, signed with {@code secret}; default: no webhooks. */
    public Builder webhook(URI url, String secret) {
      this.webhookUrl = url;
      this.webhookSecret = secret;
      return this;
    }

    /** Who may read {@code /metrics}; default {@link MetricsAccess#PUBLIC}. */
    public Builder metrics(MetricsAccess access) {
      this.metricsAccess = Objects.requireNonNull(access, "access");
      return this;
    }

    /** The registry to fill and serve; default: a new one. Share it to add your own meters. */
    public Builder meterRegistry(PrometheusMeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Jetty's thread pool bounds; default 4 to max(16, 4 x cores). The selector and acceptor take
     * one thread each; the rest run requests and WebSocket frames.
     */
    public Builder threads(int minThreads, int maxThreads) {
      this.minThreads = minThreads;
      this.maxThreads = maxThreads;
      return this;
    }

    /** How long an idle HTTP connection stays open; default 60 s. */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
      return this;
    }

    /**
     * The listen backlog: connections the kernel completes before Jetty accepts them; default
     * {@value #DEFAULT_ACCEPT_QUEUE_SIZE}. Jetty's own default is the JVM's 50, which a burst of
     * reconnecting clients (e.g. after a deploy) overflows: the kernel drops their SYNs and they
     * retry only after 1 s, 3 s, 7 s. Linux caps the value at {@code net.core.somaxconn}.
     */
    public Builder acceptQueueSize(int acceptQueueSize) {
      this.acceptQueueSize = acceptQueueSize;
      return this;
    }

    /** How long {@link FlowSyncServer#stop()} waits for clients and webhooks; default 5 s. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
      return this;
    }

    /**
     * Whether the server runs behind a reverse proxy whose {@code Forwarded} / {@code
     * X-Forwarded-For} headers name the real client (default false). Then per-address limits (guest
     * tokens) count clients, not the proxy. Only switch it on when every request comes through the
     * proxy: otherwise clients could claim any address.
     */
    public Builder behindProxy(boolean behindProxy) {
      this.behindProxy = behindProxy;
      return this;
    }

    /**
     * Serves a classpath directory at {@code /} (e.g. {@code flowsync-web}, the demo in the
     * standalone server); default: nothing at {@code /}.
     */
    public Builder staticResources(String classpathDirectory) {
      this.staticResources = classpathDirectory;
      return this;
    }

    /**
     * Makes {@code /health} ask {@code check} for the given store roles ({@code rooms}, {@code
     * presence}, {@code timers}, {@code messages}, {@code sessions}, {@code tokens}, {@code
     * clusterBus}): for store bundles that know their backend's health as a whole, e.g. {@code
     * storeHealth(sqlStores, "rooms", "messages", "sessions", "tokens")}. Stores that implement
     * {@link StoreHealth} themselves need nothing.
     */
    public Builder storeHealth(StoreHealth check, String... roles) {
      Objects.requireNonNull(check, "check");
      for (String role : roles) {
        require(ROLES.contains(role), "Unknown store role '" + role + "'; use one of " + ROLES);
        healthChecks.put(role, check);
      }
      return this;
    }

    /**
     * Validates and builds (does not start).
     *
     * @throws IllegalArgumentException naming the invalid setting
     */
    public FlowSyncServer build() {
      validate();
      require(port >= 0 && port <= 65535, "port must be 0-65535, was " + port);
      require(acceptQueueSize >= 1, "acceptQueueSize must be >= 1, was " + acceptQueueSize);
      require(
          minThreads >= 1 && maxThreads >= Math.max(minThreads, 4),
          "threads must be min >= 1 and max >= max(min, 4), were "
              + minThreads
              + ", "
              + maxThreads);
      if (keyStore != null) {
        require(
            Files.isReadable(keyStore),
            "TLS keystore " + keyStore.toAbsolutePath() + " does not exist or is not readable");
      }
      return new FlowSyncServer(this);
    }

    /**
     * Installs FlowSync's endpoints into an application's own servlet context (before it starts):
     * {@code /ws}, {@code /api/*}, {@code /health}, {@code /metrics}, {@code /flowsync.js} and the
     * security headers, all relative to the context path. Host, port, TLS and thread settings do
     * not apply: they belong to the application's server.
     *
     * @return the handle to close when the application stops
     */
    public Mounted mount(ServletContextHandler context) {
      validate();
      return install(context);
    }

    private void validate() {
      require(maxFrameBytes >= 1024, "maxFrameBytes must be >= 1024, was " + maxFrameBytes);
      require(maxPendingFrames >= 1, "maxPendingFrames must be >= 1, was " + maxPendingFrames);
      require(maxRequestBytes >= 1024, "maxRequestBytes must be >= 1024, was " + maxRequestBytes);
      require(
          webSocketPath.startsWith("/") && webSocketPath.length() > 1,
          "webSocketPath must start with / and name a path, was " + webSocketPath);
      require(
          guestTokensPerMinute >= 1,
          "guestTokensPerMinute must be >= 1, was " + guestTokensPerMinute);
      require(
          apiKey == null || apiKey.length() >= 16,
          "apiKey must be at least 16 characters (FLOWSYNC_API_KEY)");
      require(
          metricsAccess != MetricsAccess.ADMIN || apiKey != null, "metrics(ADMIN) needs an apiKey");
      if (webhookUrl != null || webhookSecret != null) {
        // The sender checks these too, but only when it is built; fail at build() instead.
        require(
            webhookUrl != null
                && webhookUrl.isAbsolute()
                && ("http".equals(webhookUrl.getScheme())
                    || "https".equals(webhookUrl.getScheme())),
            "webhook url must be an absolute http(s) url (FLOWSYNC_WEBHOOK_URL), was "
                + webhookUrl);
        require(
            webhookSecret != null && webhookSecret.length() >= 16,
            "webhook secret must be at least 16 characters (FLOWSYNC_WEBHOOK_SECRET)");
      }
    }

    private Mounted install(ServletContextHandler context) {
      boolean ownsGateway = gateway == null;
      Gateway gw =
          ownsGateway
              ? Gateway.builder(flowSync).heartbeat(heartbeat).iceServers(iceServers).build()
              : gateway;
      PrometheusMeterRegistry registry =
          meterRegistry != null
              ? meterRegistry
              : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      FlowSyncMetrics metrics = FlowSyncMetrics.bind(registry, flowSync, gw);
      WebhookSender webhooks =
          webhookUrl == null
              ? null
              : WebhookSender.builder(flowSync, webhookUrl, webhookSecret).build();
      Mounted mounted = new Mounted(gw, ownsGateway, metrics, webhooks);
      HttpErrors errors = new HttpErrors(code -> metrics.error(code, "http"));

      context.addFilter(
          new FilterHolder(new SecurityHeadersFilter(keyStore != null)),
          "/*",
          EnumSet.of(DispatcherType.REQUEST));
      if (!allowedOrigins.isEmpty()) {
        context.addFilter(
            new FilterHolder(new CorsFilter(allowedOrigins)),
            "/api/*",
            EnumSet.of(DispatcherType.REQUEST));
      }
      WebSocketMount.install(
          context, gw, webSocketPath, maxFrameBytes, allowedOrigins, maxPendingFrames);
      addServlet(
          context,
          new ApiServlet(
              flowSync,
              apiKey,
              () -> gw.config().iceServers(),
              errors,
              maxRequestBytes,
              guestTokens,
              guestTokensPerMinute),
          "/api/*");
      addServlet(
          context,
          new HealthServlet(flowSync, gw, healthChecks, mounted::isShuttingDown),
          "/health");
      if (metricsAccess != MetricsAccess.DISABLED) {
        addServlet(
            context,
            new MetricsServlet(
                registry, flowSync, apiKey, metricsAccess == MetricsAccess.ADMIN, errors),
            "/metrics");
      }
      ClassLoader loader = FlowSyncServer.class.getClassLoader();
      addServlet(context, ClasspathResourceServlet.single(FLOWSYNC_JS, loader), "/flowsync.js");
      if (staticResources != null) {
        addServlet(context, ClasspathResourceServlet.directory(staticResources, loader), "/");
      }
      return mounted;
    }

    private static void addServlet(
        ServletContextHandler context, HttpServlet servlet, String path) {
      context.addServlet(new ServletHolder(servlet), path);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}

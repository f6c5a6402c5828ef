package dev.flowsync.jetty;

import dev.flowsync.core.FlowSync;
import dev.flowsync.jetty.http.HealthServlet;
import dev.flowsync.jetty.ws.WebSocketMount;
import dev.flowsync.signaling.Gateway;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * FlowSync as a Jetty 12 server: {@code /ws}, the HTTP API, {@code /health}. A thin facade: {@link
 * #jettyServer()} is the escape hatch to everything Jetty offers, and {@link #mount} adds FlowSync
 * to an existing servlet context instead.
 *
 * <pre>{@code
 * FlowSyncServer server = FlowSyncServer.builder(flowSync).port(0).build().start();
 * URI ws = server.webSocketUri();
 * }</pre>
 */
public final class FlowSyncServer implements AutoCloseable {
  private final Settings settings;
  private final FlowSync flowSync;
  private final Gateway gateway;
  private final Server server;
  private final ServerConnector connector;

  private FlowSyncServer(Builder b) {
    this.settings = new Settings(b);
    this.flowSync = b.flowSync;
    this.gateway =
        b.gateway != null ? b.gateway : Gateway.builder(flowSync).heartbeat(b.heartbeat).build();
    this.server = new Server();
    this.connector = new ServerConnector(server);
    connector.setHost(b.host);
    connector.setPort(b.port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    mount(context, flowSync, gateway, settings);
    server.setHandler(context);
    server.setStopAtShutdown(false);
  }

  /** A builder for a server around an existing {@link FlowSync}. */
  public static Builder builder(FlowSync flowSync) {
    return new Builder(flowSync);
  }

  /**
   * Adds FlowSync's endpoints ({@code /ws}, {@code /health}) to an application's own servlet
   * context; call before the context starts.
   */
  public static void mount(ServletContextHandler context, FlowSync flowSync, Gateway gateway) {
    mount(context, flowSync, gateway, new Settings(builder(flowSync)));
  }

  private static void mount(
      ServletContextHandler context, FlowSync flowSync, Gateway gateway, Settings s) {
    WebSocketMount.install(
        context, gateway, s.webSocketPath, s.maxFrameBytes, s.allowedOrigins, s.maxPendingFrames);
    addServlet(context, new HealthServlet(flowSync, gateway), "/health");
  }

  private static void addServlet(ServletContextHandler context, HttpServlet servlet, String path) {
    context.addServlet(new ServletHolder(servlet), path);
  }

  /**
   * Starts listening.
   *
   * @throws IllegalStateException with an actionable message, e.g. when the port is in use
   */
  public FlowSyncServer start() {
    try {
      server.start();
    } catch (IOException e) {
      if (e instanceof BindException || e.getCause() instanceof BindException) {
        throw new IllegalStateException(
            "Port "
                + settings.port
                + " is already in use on "
                + settings.host
                + ": stop the other process, or choose another port (FLOWSYNC_PORT, or port(0)"
                + " for a free one)",
            e);
      }
      throw new IllegalStateException("FlowSync server failed to start: " + e.getMessage(), e);
    } catch (Exception e) {
      throw new IllegalStateException("FlowSync server failed to start: " + e.getMessage(), e);
    }
    return this;
  }

  /** Stops gracefully: every client gets {@code bye} and close 1001, then Jetty stops. */
  public void stop() {
    gateway.shutdown(Duration.ofSeconds(2));
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("FlowSync server failed to stop cleanly", e);
    } finally {
      gateway.close();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** The port it listens on (the real one when started with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http://host:port}. */
  public URI httpUri() {
    String host = settings.host.equals("0.0.0.0") ? "localhost" : settings.host;
    return URI.create("http://" + host + ":" + port());
  }

  /** {@code ws://host:port/ws}. */
  public URI webSocketUri() {
    return URI.create(httpUri().toString().replaceFirst("^http", "ws") + settings.webSocketPath);
  }

  /** The gateway serving {@code /ws}. */
  public Gateway gateway() {
    return gateway;
  }

  /** The escape hatch: the underlying Jetty server. */
  public Server jettyServer() {
    return server;
  }

  /** Configures a {@link FlowSyncServer}. */
  public static final class Builder {
    private final FlowSync flowSync;
    private Gateway gateway;
    private String host = "0.0.0.0";
    private int port = 8080;
    private String webSocketPath = "/ws";
    private int maxFrameBytes = 64 * 1024;
    private Set<String> allowedOrigins = Set.of();
    private int maxPendingFrames = 1024;
    private Duration heartbeat = Duration.ofSeconds(25);

    private Builder(FlowSync flowSync) {
      this.flowSync = Objects.requireNonNull(flowSync, "flowSync");
    }

    /** Bind address; default 0.0.0.0. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Port; 0 picks a free one. Default 8080. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** A gateway configured by the caller; default: one built with the heartbeat below. */
    public Builder gateway(Gateway gateway) {
      this.gateway = gateway;
      return this;
    }

    /** The WebSocket ping interval; default 25 s. */
    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = heartbeat;
      return this;
    }

    /** Largest WebSocket frame; bigger ones close the connection with 1009. Default 64 KiB. */
    public Builder maxFrameBytes(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    /** Origins allowed to open {@code /ws}; empty (default) allows any. */
    public Builder allowedOrigins(Set<String> origins) {
      this.allowedOrigins = Set.copyOf(origins);
      return this;
    }

    /**
     * Validates and builds (does not start).
     *
     * @throws IllegalArgumentException naming the invalid setting
     */
    public FlowSyncServer build() {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0-65535, was " + port);
      }
      if (maxFrameBytes < 1024) {
        throw new IllegalArgumentException("maxFrameBytes must be >= 1024, was " + maxFrameBytes);
      }
      if (!webSocketPath.startsWith("/")) {
        throw new IllegalArgumentException("webSocketPath must start with /, was " + webSocketPath);
      }
      return new FlowSyncServer(this);
    }
  }

  private static final class Settings {
    final String host;
    final int port;
    final String webSocketPath;
    final int maxFrameBytes;
    final Set<String> allowedOrigins;
    final int maxPendingFrames;

    Settings(Builder b) {
      host = b.host;
      port = b.port;
      webSocketPath = b.webSocketPath;
      maxFrameBytes = b.maxFrameBytes;
      allowedOrigins = b.allowedOrigins;
      maxPendingFrames = b.maxPendingFrames;
    }
  }
}

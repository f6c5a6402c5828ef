package dev.flowsync.jetty.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.core.store.Stores;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.protocol.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health}: one check per store. {@code ok} when every store answers; {@code degraded}
 * when some do not (the node still serves what it can, e.g. signaling without chat); {@code down}
 * (503) when none of the stores with a backend answers, or while the server shuts down, so a load
 * balancer stops sending new clients. In-process stores (in-memory) always answer.
 */
public final class HealthServlet extends HttpServlet {
  private final transient FlowSync flowSync;
  private final transient Gateway gateway;
  private final transient BooleanSupplier shuttingDown;
  private final transient Map<String, StoreHealth> checks;
  private final long startedAt = System.currentTimeMillis();

  /**
   * @param checks health checks by store role ({@code rooms}, {@code messages}, ...) for stores
   *     whose health is known to a bundle rather than to each store (e.g. one SQL database); a role
   *     without an entry is checked through its store if that implements {@link StoreHealth}
   * @param shuttingDown true once a graceful shutdown began
   */
  public HealthServlet(
      FlowSync flowSync,
      Gateway gateway,
      Map<String, StoreHealth> checks,
      BooleanSupplier shuttingDown) {
    this.flowSync = flowSync;
    this.gateway = gateway;
    this.checks = Map.copyOf(checks);
    this.shuttingDown = shuttingDown;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Stores s = flowSync.stores();
    Map<String, Object> roles = new LinkedHashMap<>();
    roles.put("rooms", s.rooms());
    roles.put("presence", s.presence());
    roles.put("timers", s.timers());
    roles.put("messages", s.messages());
    roles.put("sessions", s.sessions());
    roles.put("tokens", s.tokens());
    roles.put("clusterBus", s.clusterBus());

    // One backend (e.g. one SQL database) serves several roles: ask it once.
    Map<Object, Boolean> answers = new IdentityHashMap<>();
    ObjectNode stores = Json.object();
    int checked = 0;
    int healthy = 0;
    for (Map.Entry<String, Object> role : roles.entrySet()) {
      ObjectNode check = stores.putObject(role.getKey());
      Object store =
          checks.containsKey(role.getKey()) ? checks.get(role.getKey()) : role.getValue();
      if (store instanceof StoreHealth h) {
        Boolean ok = answers.get(h);
        if (ok == null) {
          ok = isHealthy(h);
          answers.put(h, ok);
          checked++;
          healthy += ok ? 1 : 0;
        }
        check.put("backend", h.healthName());
        check.put("status", ok ? "ok" : "down");
      } else {
        check.put("backend", "in-process");
        check.put("status", "ok");
      }
    }
    String status;
    if (shuttingDown.getAsBoolean() || (checked > 0 && healthy == 0)) {
      status = "down";
    } else {
      status = healthy == checked ? "ok" : "degraded";
    }
    ObjectNode body = Json.object();
    body.put("status", status);
    body.put("nodeId", flowSync.nodeId());
    body.put("uptimeMs", System.currentTimeMillis() - startedAt);
    body.put("connections", gateway.connectionCount());
    body.put("rooms", gateway.localRoomCount());
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    body.putObject("memory")
        .put("heapUsedBytes", heap.getUsed())
        .put("heapMaxBytes", heap.getMax());
    body.set("stores", stores);
    resp.setStatus(status.equals("down") ? 503 : 200);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.getWriter().write(Json.write(body));
  }

  private static boolean isHealthy(StoreHealth h) {
    try {
      return h.isHealthy();
    } catch (RuntimeException e) {
      return false;
    }
  }
}

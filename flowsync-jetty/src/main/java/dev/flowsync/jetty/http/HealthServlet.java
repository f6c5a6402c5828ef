package dev.flowsync.jetty.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.protocol.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code GET /health}: ok when every store answers, degraded when one does not (the node still
 * serves what it can), down (503) when no store answers.
 */
public final class HealthServlet extends HttpServlet {
  private final FlowSync flowSync;
  private final Gateway gateway;
  private final long startedAt = System.currentTimeMillis();

  public HealthServlet(FlowSync flowSync, Gateway gateway) {
    this.flowSync = flowSync;
    this.gateway = gateway;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    ObjectNode stores = Json.object();
    int checked = 0;
    int healthy = 0;
    Map<Object, Boolean> seen = new IdentityHashMap<>();
    var s = flowSync.stores();
    for (Object store :
        Stream.of(
                s.rooms(),
                s.presence(),
                s.timers(),
                s.messages(),
                s.sessions(),
                s.tokens(),
                s.clusterBus())
            .toList()) {
      if (store instanceof StoreHealth h && seen.put(store, Boolean.TRUE) == null) {
        boolean ok = h.isHealthy();
        checked++;
        healthy += ok ? 1 : 0;
        stores.put(h.healthName(), ok ? "ok" : "down");
      }
    }
    String status = healthy == checked ? "ok" : healthy == 0 ? "down" : "degraded";
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
    resp.setHeader("Cache-Control", "no-store");
    resp.getWriter().write(Json.write(body));
  }
}

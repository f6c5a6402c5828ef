package dev.flowsync.jetty.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /metrics}: the registry in the Prometheus text format; optionally only for the admin
 * key.
 */
public final class MetricsServlet extends HttpServlet {
  private final transient PrometheusMeterRegistry registry;
  private final transient ApiAuth adminAuth;
  private final transient HttpErrors errors;

  /**
   * @param adminOnly whether scraping needs {@code Authorization: Bearer <api key>}
   */
  public MetricsServlet(
      PrometheusMeterRegistry registry,
      dev.flowsync.core.FlowSync flowSync,
      String apiKey,
      boolean adminOnly,
      HttpErrors errors) {
    this.registry = registry;
    this.adminAuth = adminOnly ? new ApiAuth(flowSync, apiKey) : null;
    this.errors = errors;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    try {
      if (adminAuth != null) {
        adminAuth.requireAdmin(req);
      }
    } catch (RuntimeException e) {
      errors.write(resp, e);
      return;
    }
    resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
    resp.getWriter().write(registry.scrape());
  }
}

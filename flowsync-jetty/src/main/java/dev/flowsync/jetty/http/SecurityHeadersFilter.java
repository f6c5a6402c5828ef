package dev.flowsync.jetty.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Adds the security headers every HTTP answer carries. API, health and metrics answers are data
 * that is never cached and never rendered, so they also get a deny-all content security policy; the
 * demo page keeps the browser defaults it needs (camera, microphone, its own scripts).
 */
public final class SecurityHeadersFilter extends HttpFilter {
  private final boolean tls;

  /**
   * @param tls whether the server speaks HTTPS (then HSTS is sent too)
   */
  public SecurityHeadersFilter(boolean tls) {
    this.tls = tls;
  }

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    resp.setHeader("X-Content-Type-Options", "nosniff");
    resp.setHeader("X-Frame-Options", "DENY");
    resp.setHeader("Referrer-Policy", "no-referrer");
    if (tls) {
      resp.setHeader("Strict-Transport-Security", "max-age=31536000");
    }
    String path = req.getRequestURI().substring(req.getContextPath().length());
    if (path.startsWith("/api/") || path.equals("/health") || path.equals("/metrics")) {
      resp.setHeader("Cache-Control", "no-store");
      resp.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    }
    chain.doFilter(req, resp);
  }
}

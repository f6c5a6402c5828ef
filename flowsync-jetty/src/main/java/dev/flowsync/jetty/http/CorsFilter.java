package dev.flowsync.jetty.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;

/**
 * Lets pages on the allowed origins call the HTTP API from the browser (CORS), e.g. a front end on
 * {@code https://app.example} reading chat history from FlowSync on {@code https://rooms.example}.
 * Installed only when allowed origins are configured; other origins get no CORS headers, so their
 * pages cannot read answers. Credentials are bearer tokens, never cookies, so {@code
 * Access-Control-Allow-Credentials} is never sent.
 */
public final class CorsFilter extends HttpFilter {
  private final Set<String> allowedOrigins;

  /**
   * @param allowedOrigins exact origins, e.g. {@code https://app.example}
   */
  public CorsFilter(Set<String> allowedOrigins) {
    this.allowedOrigins = Set.copyOf(allowedOrigins);
  }

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    String origin = req.getHeader("Origin");
    boolean preflight =
        "OPTIONS".equals(req.getMethod()) && req.getHeader("Access-Control-Request-Method") != null;
    if (origin == null) {
      chain.doFilter(req, resp);
      return;
    }
    // The answer depends on Origin: caches must not hand one origin's answer to another.
    resp.addHeader("Vary", "Origin");
    if (!allowedOrigins.contains(origin)) {
      if (preflight) {
        resp.setStatus(HttpServletResponse.SC_FORBIDDEN);
        return;
      }
      chain.doFilter(req, resp);
      return;
    }
    resp.setHeader("Access-Control-Allow-Origin", origin);
    if (preflight) {
      resp.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE");
      resp.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
      resp.setHeader("Access-Control-Max-Age", "600");
      resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
      return;
    }
    chain.doFilter(req, resp);
  }
}

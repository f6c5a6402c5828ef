package dev.flowsync.jetty.http;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/**
 * Serves files from the classpath: {@code flowsync.js} and, in the standalone server, the browser
 * demo. Works the same from a directory or a (shaded) jar; paths with {@code ..} or a backslash are
 * refused before any lookup.
 */
public final class ClasspathResourceServlet extends HttpServlet {
  private static final Map<String, String> TYPES =
      Map.ofEntries(
          Map.entry("html", "text/html; charset=utf-8"),
          Map.entry("js", "text/javascript; charset=utf-8"),
          Map.entry("mjs", "text/javascript; charset=utf-8"),
          Map.entry("css", "text/css; charset=utf-8"),
          Map.entry("json", "application/json"),
          Map.entry("map", "application/json"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("png", "image/png"),
          Map.entry("jpg", "image/jpeg"),
          Map.entry("ico", "image/x-icon"),
          Map.entry("webmanifest", "application/manifest+json"),
          Map.entry("txt", "text/plain; charset=utf-8"),
          Map.entry("woff2", "font/woff2"));

  private final String base;
  private final String fixedResource;
  private final transient ClassLoader loader;

  private ClasspathResourceServlet(String base, String fixedResource, ClassLoader loader) {
    this.base = base;
    this.fixedResource = fixedResource;
    this.loader = loader;
  }

  /** Serves every path below the mapping from the classpath directory {@code base}. */
  public static ClasspathResourceServlet directory(String base, ClassLoader loader) {
    return new ClasspathResourceServlet(base.replaceAll("/+$", ""), null, loader);
  }

  /** Serves exactly one classpath resource, whatever the path. */
  public static ClasspathResourceServlet single(String resource, ClassLoader loader) {
    return new ClasspathResourceServlet(null, resource, loader);
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String resource = fixedResource != null ? fixedResource : resolve(req);
    if (resource == null) {
      resp.sendError(404);
      return;
    }
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        resp.sendError(404);
        return;
      }
      resp.setContentType(contentType(resource));
      // Small files, served rarely: always revalidate so a redeploy is seen at once.
      resp.setHeader("Cache-Control", "no-cache");
      in.transferTo(resp.getOutputStream());
    }
  }

  private String resolve(HttpServletRequest req) {
    String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
    if (path.contains("..") || path.contains("\\") || path.contains("\0")) {
      return null;
    }
    if (path.isEmpty() || path.endsWith("/")) {
      path = path + "index.html";
    }
    return base + (path.startsWith("/") ? path : "/" + path);
  }

  static String contentType(String resource) {
    int dot = resource.lastIndexOf('.');
    String ext = dot < 0 ? "" : resource.substring(dot + 1).toLowerCase(Locale.ROOT);
    return TYPES.getOrDefault(ext, "application/octet-stream");
  }
}

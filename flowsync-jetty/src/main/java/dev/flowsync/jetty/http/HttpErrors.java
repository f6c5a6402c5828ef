package dev.flowsync.jetty.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowsync.core.ErrorCode;
import dev.flowsync.core.FlowSyncException;
import dev.flowsync.signaling.protocol.Json;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers: a {@link FlowSyncException}'s {@link ErrorCode}
 * gives the status ({@link ErrorCode#httpStatus()}) and the {@code error} field; anything else is a
 * 500 {@code internal} whose details stay in the log.
 */
public final class HttpErrors {
  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

  private final Consumer<ErrorCode> onError;

  /**
   * @param onError told about every error answered (for the errors-by-code metric); may be a no-op
   */
  public HttpErrors(Consumer<ErrorCode> onError) {
    this.onError = onError;
  }

  /** Answers the failure as {@code {"error","message"}} with the matching status. */
  public void write(HttpServletResponse resp, Throwable failure) throws IOException {
    if (failure instanceof FlowSyncException e) {
      if (e.code() == ErrorCode.UNAVAILABLE) {
        log.warn("HTTP API: {}", e.getMessage(), e.getCause());
      }
      write(resp, e.code().httpStatus(), e.code(), e.getMessage());
      if (e.code() == ErrorCode.UNAUTHORIZED) {
        resp.setHeader("WWW-Authenticate", "Bearer");
      }
    } else {
      log.error("HTTP API: internal error", failure);
      write(resp, 500, ErrorCode.INTERNAL, "Internal server error");
    }
  }

  /** Answers with an explicit status (e.g. 405), still in the JSON error shape. */
  public void write(HttpServletResponse resp, int status, ErrorCode code, String message)
      throws IOException {
    onError.accept(code);
    if (resp.isCommitted()) {
      return;
    }
    resp.resetBuffer();
    ObjectNode body = Json.object();
    body.put("error", code.wireName());
    body.put("message", message);
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.getWriter().write(Json.write(body));
  }
}

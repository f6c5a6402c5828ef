package dev.flowsync.signaling.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One frame from the server, as parsed JSON.
 *
 * @param type the frame's {@code type}
 * @param rid the echoed request id, or null
 * @param json the whole frame
 */
public record ServerFrame(String type, String rid, JsonNode json) {

  /** A text field, or null when absent. */
  public String text(String field) {
    JsonNode n = json.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  /** A number field, or {@code fallback} when absent. */
  public long number(String field, long fallback) {
    JsonNode n = json.get(field);
    return n == null || !n.isNumber() ? fallback : n.asLong();
  }

  @Override
  public String toString() {
    return json.toString();
  }
}

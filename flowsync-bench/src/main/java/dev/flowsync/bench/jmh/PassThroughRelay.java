package dev.flowsync.bench.jmh;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * A prototype of the cheaper relay codec the performance notes suggest, for comparison only (the
 * gateway does not use it): one streaming pass reads {@code type}, {@code room}, {@code to}, {@code
 * kind} and {@code rid}, skips over {@code payload} and keeps its raw text, and the relay frame is
 * assembled from strings. No tree is built and the payload is never re-serialized.
 */
final class PassThroughRelay {
  private static final JsonFactory FACTORY = new JsonFactory();

  /** The decoded routing fields of a signal and the payload's raw JSON text. */
  record Decoded(String type, String rid, String room, String to, String kind, String payload) {}

  private PassThroughRelay() {}

  static Decoded decode(String frame) throws IOException {
    String type = null;
    String rid = null;
    String room = null;
    String to = null;
    String kind = null;
    String payload = null;
    try (JsonParser p = FACTORY.createParser(frame)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("A frame must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "type" -> type = p.getText();
          case "rid" -> rid = p.getText();
          case "room" -> room = p.getText();
          case "to" -> to = p.getText();
          case "kind" -> kind = p.getText();
          case "payload" -> {
            int start = (int) p.currentTokenLocation().getCharOffset();
            if (value.isStructStart()) {
              p.skipChildren();
            }
            int end = (int) p.currentLocation().getCharOffset();
            payload = frame.substring(start, end);
          }
          default -> p.skipChildren();
        }
      }
    }
    return new Decoded(type, rid, room, to, kind, payload);
  }

  /** The relay frame for the target; ids are plain tokens, so they need no escaping here. */
  static String encodeRelay(Decoded d, String from) {
    return new StringBuilder(96 + d.payload().length())
        .append("{\"type\":\"signal\",\"room\":\"")
        .append(d.room())
        .append("\",\"from\":\"")
        .append(from)
        .append("\",\"kind\":\"")
        .append(d.kind())
        .append("\",\"payload\":")
        .append(d.payload())
        .append('}')
        .toString();
  }
}

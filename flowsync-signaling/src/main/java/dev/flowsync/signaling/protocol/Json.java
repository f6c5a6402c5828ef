package dev.flowsync.signaling.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowsync.core.FlowSyncException.BadRequestException;

/** The one configured Jackson mapper of the protocol, and small helpers around it. */
public final class Json {
  /** Shared and thread-safe once configured. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  static {
    // Frames are at most 64 KiB, so tight nesting and number limits cost nothing legitimate.
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(40).build());
  }

  private Json() {}

  /** A new empty object node. */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /**
   * Parses a frame that must be a JSON object.
   *
   * @throws BadRequestException for malformed JSON or a non-object
   */
  public static ObjectNode parseObject(String text) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadRequestException("Malformed JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new BadRequestException("A frame must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /**
   * Parses a small JSON value (a field the streaming decoder kept as text).
   *
   * @throws BadRequestException when it is not valid JSON
   */
  public static JsonNode parseTree(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadRequestException("Malformed JSON: " + e.getOriginalMessage());
    }
  }

  /** Serializes a node; node trees of this package always serialize. */
  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Could not serialize a frame", e);
    }
  }
}

package dev.flowsync.signaling.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowsync.core.FlowSyncException.BadRequestException;

/** Typed, validating reads of request fields; every failure is a bad_request naming the field. */
public final class Fields {
  private Fields() {}

  /** A required string of 1 to {@code maxLength} characters. */
  public static String requiredString(ObjectNode frame, String field, int maxLength) {
    String value = optionalString(frame, field, maxLength);
    if (value == null) {
      throw new BadRequestException("Field '" + field + "' is required");
    }
    return value;
  }

  /** An optional string of 1 to {@code maxLength} characters, or null when absent or null. */
  public static String optionalString(ObjectNode frame, String field, int maxLength) {
    JsonNode node = frame.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new BadRequestException("Field '" + field + "' must be a string");
    }
    String value = node.textValue();
    if (value.isEmpty() || value.length() > maxLength) {
      throw new BadRequestException(
          "Field '" + field + "' must be 1 to " + maxLength + " characters");
    }
    return value;
  }

  /** An optional JSON object, or null when absent. */
  public static ObjectNode optionalObject(ObjectNode frame, String field) {
    JsonNode node = frame.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new BadRequestException("Field '" + field + "' must be an object");
    }
    return (ObjectNode) node;
  }

  /** A required JSON object. */
  public static ObjectNode requiredObject(ObjectNode frame, String field) {
    ObjectNode value = optionalObject(frame, field);
    if (value == null) {
      throw new BadRequestException("Field '" + field + "' is required");
    }
    return value;
  }

  /** An optional integral number in [min, max], or null when absent. */
  public static Long optionalLong(ObjectNode frame, String field, long min, long max) {
    JsonNode node = frame.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw new BadRequestException("Field '" + field + "' must be an integer");
    }
    long value = node.longValue();
    if (value < min || value > max) {
      throw new BadRequestException(
          "Field '" + field + "' must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /** An optional boolean, or {@code fallback} when absent. */
  public static boolean optionalBoolean(ObjectNode frame, String field, boolean fallback) {
    JsonNode node = frame.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isBoolean()) {
      throw new BadRequestException("Field '" + field + "' must be true or false");
    }
    return node.booleanValue();
  }
}

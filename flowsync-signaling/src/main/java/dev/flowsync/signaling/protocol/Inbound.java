package dev.flowsync.signaling.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.FlowSyncException.BadRequestException;
import java.io.IOException;

/**
 * One client frame, decoded in a single pass of Jackson's streaming parser into just the top-level
 * fields the protocol knows. Objects and arrays are not built into trees: they are kept as the
 * range of the original text they occupy, so a signal's {@code payload} is relayed as the exact
 * JSON the client sent. Unknown fields are skipped (clients may be newer than the server).
 *
 * <p>Every accessor validates: a missing required field, a wrong JSON type or a value out of range
 * is a {@link BadRequestException} naming the field.
 */
public final class Inbound {
  /** The most characters of a {@code rid}. */
  public static final int MAX_RID = 64;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(40).build())
          .build();

  /** The top-level fields of the protocol; anything else in a frame is ignored. */
  public enum Field {
    TYPE("type"),
    RID("rid"),
    TOKEN("token"),
    RESUME("resume"),
    LAST_SEQ("lastSeq"),
    CLIENT("client"),
    ROOM("room"),
    NAME("name"),
    STATE("state"),
    TO("to"),
    KIND("kind"),
    PAYLOAD("payload"),
    TEXT("text"),
    CLIENT_MSG_ID("clientMsgId"),
    BEFORE_SEQ("beforeSeq"),
    AFTER_SEQ("afterSeq"),
    LIMIT("limit"),
    PHASES("phases"),
    REPEAT("repeat"),
    T0("t0");

    final String json;

    Field(String json) {
      this.json = json;
    }

    static Field of(String name) {
      return switch (name) {
        case "type" -> TYPE;
        case "rid" -> RID;
        case "token" -> TOKEN;
        case "resume" -> RESUME;
        case "lastSeq" -> LAST_SEQ;
        case "client" -> CLIENT;
        case "room" -> ROOM;
        case "name" -> NAME;
        case "state" -> STATE;
        case "to" -> TO;
        case "kind" -> KIND;
        case "payload" -> PAYLOAD;
        case "text" -> TEXT;
        case "clientMsgId" -> CLIENT_MSG_ID;
        case "beforeSeq" -> BEFORE_SEQ;
        case "afterSeq" -> AFTER_SEQ;
        case "limit" -> LIMIT;
        case "phases" -> PHASES;
        case "repeat" -> REPEAT;
        case "t0" -> T0;
        default -> null;
      };
    }
  }

  // Per field: its JSON token kind, and either a String value, a long, or a [start, end) range.
  private static final int FIELDS = Field.values().length;
  private final String text;
  private final JsonToken[] kinds = new JsonToken[FIELDS];
  private final String[] strings = new String[FIELDS];
  private final long[] numbers = new long[FIELDS];
  private final int[] starts = new int[FIELDS];
  private final int[] ends = new int[FIELDS];
  private String rid;
  private boolean ridInvalid;

  private Inbound(String text) {
    this.text = text;
  }

  /**
   * Decodes a frame.
   *
   * @throws MalformedFrameException for malformed JSON or a frame that is not an object; carries
   *     the {@code rid} when it could be read before the error
   */
  public static Inbound parse(String text) {
    Inbound in = new Inbound(text);
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new MalformedFrameException(null, "A frame must be a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        Field f = Field.of(p.currentName());
        JsonToken value = p.nextToken();
        if (f == null) {
          p.skipChildren();
          continue;
        }
        int i = f.ordinal();
        in.kinds[i] = value;
        switch (value) {
          case VALUE_STRING -> in.strings[i] = p.getText();
          case VALUE_NUMBER_INT -> {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
              // Beyond a long: kept as text, and reported as "must be an integer" when read.
              in.kinds[i] = JsonToken.VALUE_NUMBER_FLOAT;
              in.strings[i] = p.getText();
            } else {
              in.numbers[i] = p.getLongValue();
            }
          }
          case START_OBJECT, START_ARRAY -> {
            in.starts[i] = (int) p.currentTokenLocation().getCharOffset();
            p.skipChildren();
            in.ends[i] = (int) p.currentLocation().getCharOffset();
          }
          case VALUE_NUMBER_FLOAT -> in.strings[i] = p.getText();
          default -> {
            // booleans and null keep only their kind
          }
        }
        if (f == Field.RID) {
          in.readRid();
        }
      }
      if (t != JsonToken.END_OBJECT) {
        throw new MalformedFrameException(in.rid, "A frame must be one JSON object");
      }
      if (p.nextToken() != null) {
        throw new MalformedFrameException(in.rid, "Unexpected data after the JSON object");
      }
    } catch (IOException e) {
      String detail =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
              ? jpe.getOriginalMessage()
              : e.getMessage();
      throw new MalformedFrameException(in.rid, "Malformed JSON: " + detail);
    }
    return in;
  }

  private void readRid() {
    int i = Field.RID.ordinal();
    rid = null;
    ridInvalid = false;
    if (kinds[i] == JsonToken.VALUE_NULL) {
      return;
    }
    String s = strings[i];
    if (kinds[i] != JsonToken.VALUE_STRING || s.isEmpty() || s.length() > MAX_RID) {
      ridInvalid = true;
      return;
    }
    rid = s;
  }

  /** The request id to echo, or null when absent or invalid. */
  public String rid() {
    return rid;
  }

  /** Throws bad_request if a {@code rid} was given but is not a string of 1 to 64 characters. */
  public void checkRid() {
    if (ridInvalid) {
      throw new BadRequestException("Field 'rid' must be a string of 1 to " + MAX_RID + " chars");
    }
  }

  /** The frame's {@code type}; bad_request when missing or not a string. */
  public String type() {
    return requiredString(Field.TYPE, 64);
  }

  /** Whether the field is present and not null. */
  public boolean has(Field f) {
    JsonToken k = kinds[f.ordinal()];
    return k != null && k != JsonToken.VALUE_NULL;
  }

  /** A required string of 1 to {@code maxLength} characters. */
  public String requiredString(Field f, int maxLength) {
    String value = optionalString(f, maxLength);
    if (value == null) {
      throw new BadRequestException("Field '" + f.json + "' is required");
    }
    return value;
  }

  /** An optional string of 1 to {@code maxLength} characters, or null when absent or null. */
  public String optionalString(Field f, int maxLength) {
    if (!has(f)) {
      return null;
    }
    int i = f.ordinal();
    if (kinds[i] != JsonToken.VALUE_STRING) {
      throw new BadRequestException("Field '" + f.json + "' must be a string");
    }
    String value = strings[i];
    if (value.isEmpty() || value.length() > maxLength) {
      throw new BadRequestException(
          "Field '" + f.json + "' must be 1 to " + maxLength + " characters");
    }
    return value;
  }

  /** An optional integer in [min, max], or {@code fallback} when absent or null. */
  public long optionalLong(Field f, long min, long max, long fallback) {
    if (!has(f)) {
      return fallback;
    }
    int i = f.ordinal();
    if (kinds[i] != JsonToken.VALUE_NUMBER_INT) {
      throw new BadRequestException("Field '" + f.json + "' must be an integer");
    }
    long value = numbers[i];
    if (value < min || value > max) {
      throw new BadRequestException(
          "Field '" + f.json + "' must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /** A required integer in [min, max]. */
  public long requiredLong(Field f, long min, long max) {
    if (!has(f)) {
      throw new BadRequestException("Field '" + f.json + "' is required");
    }
    return optionalLong(f, min, max, 0);
  }

  /** An optional boolean, or {@code fallback} when absent or null. */
  public boolean optionalBoolean(Field f, boolean fallback) {
    if (!has(f)) {
      return fallback;
    }
    JsonToken k = kinds[f.ordinal()];
    if (k != JsonToken.VALUE_TRUE && k != JsonToken.VALUE_FALSE) {
      throw new BadRequestException("Field '" + f.json + "' must be true or false");
    }
    return k == JsonToken.VALUE_TRUE;
  }

  /** An optional JSON object as its original text, or null when absent or null. */
  public String optionalObjectText(Field f) {
    if (!has(f)) {
      return null;
    }
    int i = f.ordinal();
    if (kinds[i] != JsonToken.START_OBJECT) {
      throw new BadRequestException("Field '" + f.json + "' must be an object");
    }
    return text.substring(starts[i], ends[i]);
  }

  /** A required JSON object as its original text. */
  public String requiredObjectText(Field f) {
    String value = optionalObjectText(f);
    if (value == null) {
      throw new BadRequestException("Field '" + f.json + "' is required");
    }
    return value;
  }

  /** An optional JSON array as a tree (rare, small fields only), or null when absent or null. */
  public JsonNode optionalArray(Field f) {
    if (!has(f)) {
      return null;
    }
    int i = f.ordinal();
    if (kinds[i] != JsonToken.START_ARRAY) {
      throw new BadRequestException("Field '" + f.json + "' must be an array");
    }
    return Json.parseTree(text.substring(starts[i], ends[i]));
  }

  /** An optional JSON object as a tree (rare, small fields only), or null when absent or null. */
  public JsonNode optionalObjectTree(Field f) {
    String raw = optionalObjectText(f);
    return raw == null ? null : Json.parseTree(raw);
  }

  /**
   * Appends the field's value exactly as the client sent it (any JSON value), or {@code fallback}
   * when the field is absent. For a relay that must not touch what it carries.
   */
  public void appendRaw(StringBuilder out, Field f, String fallback) {
    int i = f.ordinal();
    JsonToken k = kinds[i];
    if (k == null) {
      out.append(fallback);
      return;
    }
    switch (k) {
      case START_OBJECT, START_ARRAY -> out.append(text, starts[i], ends[i]);
      case VALUE_STRING -> Outbound.appendString(out, strings[i]);
      case VALUE_NUMBER_INT -> out.append(numbers[i]);
      case VALUE_NUMBER_FLOAT -> out.append(strings[i]);
      case VALUE_TRUE -> out.append("true");
      case VALUE_FALSE -> out.append("false");
      case VALUE_NULL -> out.append("null");
      default -> out.append(fallback);
    }
  }

  /** The frame's text. */
  public String text() {
    return text;
  }

  /** Malformed JSON, or a frame that is not one JSON object; a bad_request. */
  public static final class MalformedFrameException extends RuntimeException {
    private final String rid;

    MalformedFrameException(String rid, String message) {
      super(message, null, false, false);
      this.rid = rid;
    }

    /** The rid read before the error, or null. */
    public String rid() {
      return rid;
    }
  }
}

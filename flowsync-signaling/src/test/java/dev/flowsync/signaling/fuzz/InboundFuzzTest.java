package dev.flowsync.signaling.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.signaling.protocol.Inbound;
import dev.flowsync.signaling.protocol.Inbound.Field;
import dev.flowsync.signaling.protocol.Inbound.MalformedFrameException;
import dev.flowsync.signaling.protocol.Json;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the frame decoder with arbitrary text. Properties: decoding either succeeds or throws
 * {@link MalformedFrameException}; every accessor either answers or throws {@link
 * BadRequestException}; a relayed object or raw value is exactly the JSON value Jackson's own tree
 * parser sees in the same frame; a {@code rid} is either absent or 1 to 64 characters.
 *
 * <p>A plain build runs the seeds in {@code src/test/resources/.../InboundFuzzTestInputs}; {@code
 * JAZZER_FUZZ=1} fuzzes (see docs/hardening.md).
 */
class InboundFuzzTest {

  @FuzzTest
  void decode(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Inbound in;
    try {
      in = Inbound.parse(text);
    } catch (MalformedFrameException e) {
      assertThat(e.rid()).satisfiesAnyOf(r -> assertThat(r).isNull(), r -> assertRid(r));
      return;
    }
    if (in.rid() != null) {
      assertRid(in.rid());
    }
    JsonNode tree = treeOrNull(text);
    // Inbound accepted the frame, so it is one JSON object: Jackson agrees.
    assertThat(tree).as("Jackson's view of an accepted frame").isNotNull();
    assertThat(tree.isObject()).isTrue();

    for (Field f : Field.values()) {
      String name = jsonName(f);
      JsonNode expected = tree.get(name);
      boolean present = expected != null && !expected.isNull();
      assertThat(in.has(f)).as("has(%s)", name).isEqualTo(present);

      accept(() -> in.optionalString(f, 64));
      accept(() -> in.optionalLong(f, Long.MIN_VALUE, Long.MAX_VALUE, 0));
      accept(() -> in.optionalBoolean(f, false));
      accept(() -> in.optionalArray(f));
      accept(() -> in.optionalObjectTree(f));

      String objectText = acceptOrNull(() -> in.optionalObjectText(f));
      if (objectText != null) {
        assertThat(Json.parseTree(objectText)).as("object %s", name).isEqualTo(expected);
      }
      StringBuilder raw = new StringBuilder();
      in.appendRaw(raw, f, "\"<absent>\"");
      if (expected != null) {
        JsonNode rawTree = treeOrNull(raw.toString());
        assertThat(rawTree).as("raw %s: %s", name, raw).isNotNull();
        if (!expected.isNumber()) {
          // numbers may be re-rendered (1.50e3 is kept as text, 007 is not valid anyway)
          assertThat(rawTree).as("raw %s", name).isEqualTo(expected);
        }
      }
    }
    accept(in::type);
    accept(in::checkRid);
  }

  private static void assertRid(String rid) {
    assertThat(rid.length()).isBetween(1, Inbound.MAX_RID);
  }

  private static String jsonName(Field f) {
    String lower = f.name().toLowerCase(java.util.Locale.ROOT);
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : lower.toCharArray()) {
      if (c == '_') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return switch (f) {
      case T0 -> "t0";
      default -> b.toString();
    };
  }

  private static JsonNode treeOrNull(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static void accept(Runnable r) {
    try {
      r.run();
    } catch (BadRequestException expected) {
      // a validation answer: fine
    }
  }

  private static <T> T acceptOrNull(java.util.function.Supplier<T> s) {
    try {
      return s.get();
    } catch (BadRequestException expected) {
      return null;
    }
  }
}

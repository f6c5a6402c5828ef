package dev.flowsync.signaling.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.signaling.protocol.Inbound.Field;
import dev.flowsync.signaling.protocol.Inbound.MalformedFrameException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Inbound: the streaming frame decoder")
class InboundTest {

  @Test
  @DisplayName("reads the known fields and skips unknown ones, however nested")
  void readsFields() {
    Inbound in =
        Inbound.parse(
            "{\"x\":{\"deep\":[1,{\"type\":\"no\"}]},\"type\":\"signal\",\"rid\":\"5\",\"room\":\"r\",\"to\":\"c_1\",\"kind\":\"offer\",\"limit\":7,\"repeat\":true}");
    assertThat(in.type()).isEqualTo("signal");
    assertThat(in.rid()).isEqualTo("5");
    assertThat(in.requiredString(Field.ROOM, 64)).isEqualTo("r");
    assertThat(in.optionalLong(Field.LIMIT, 1, 200, 50)).isEqualTo(7);
    assertThat(in.optionalBoolean(Field.REPEAT, false)).isTrue();
    assertThat(in.optionalString(Field.TEXT, 10)).isNull();
  }

  @Test
  @DisplayName("passes any payload through as the exact text the client sent")
  void rawPayload() {
    String payload = "{ \"sdp\" : \"v=0\\r\\n\", \"n\" : 1.50e3, \"u\":\"\\u00e9\" }";
    Inbound in = Inbound.parse("{\"type\":\"signal\",\"payload\":" + payload + "}");
    assertThat(Outbound.signal("r", "c_a", "offer", in))
        .isEqualTo(
            "{\"type\":\"signal\",\"room\":\"r\",\"from\":\"c_a\",\"kind\":\"offer\",\"payload\":"
                + payload
                + "}");
    for (String scalar :
        new String[] {
          "\"s\"",
          "12",
          "-1.5",
          "true",
          "false",
          "null",
          "[1,[2]]",
          "123456789012345678901234567890"
        }) {
      StringBuilder sb = new StringBuilder();
      Inbound.parse("{\"payload\":" + scalar + "}").appendRaw(sb, Field.PAYLOAD, "{}");
      assertThat(sb.toString()).isEqualTo(scalar);
    }
    StringBuilder none = new StringBuilder();
    Inbound.parse("{}").appendRaw(none, Field.PAYLOAD, "{}");
    assertThat(none.toString()).isEqualTo("{}");
  }

  @Test
  @DisplayName("malformed JSON keeps the rid read before the error")
  void malformed() {
    assertThatThrownBy(() -> Inbound.parse("{\"rid\":\"a1\",\"type\":"))
        .isInstanceOf(MalformedFrameException.class)
        .extracting(e -> ((MalformedFrameException) e).rid())
        .isEqualTo("a1");
    assertThatThrownBy(() -> Inbound.parse("[]")).isInstanceOf(MalformedFrameException.class);
    assertThatThrownBy(() -> Inbound.parse("{} {}")).isInstanceOf(MalformedFrameException.class);
    assertThatThrownBy(() -> Inbound.parse("")).isInstanceOf(MalformedFrameException.class);
    StringBuilder deep = new StringBuilder("{\"x\":");
    deep.append("[".repeat(100)).append("]".repeat(100)).append("}");
    assertThatThrownBy(() -> Inbound.parse(deep.toString()))
        .isInstanceOf(MalformedFrameException.class);
  }

  @Test
  @DisplayName("every wrong type or range is a bad_request naming the field")
  void validation() {
    Inbound in =
        Inbound.parse(
            "{\"type\":1,\"rid\":\""
                + "r".repeat(65)
                + "\",\"room\":\"\",\"limit\":1.5,\"repeat\":\"y\",\"state\":[],\"beforeSeq\":99999999999999999999}");
    assertThat(in.rid()).isNull();
    assertThatThrownBy(in::checkRid)
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("'rid'");
    assertThatThrownBy(in::type)
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("'type'");
    assertThatThrownBy(() -> in.requiredString(Field.ROOM, 64)).hasMessageContaining("'room'");
    assertThatThrownBy(() -> in.requiredString(Field.TO, 64))
        .hasMessageContaining("'to' is required");
    assertThatThrownBy(() -> in.optionalLong(Field.LIMIT, 1, 200, 50))
        .hasMessageContaining("integer");
    assertThatThrownBy(() -> in.optionalLong(Field.BEFORE_SEQ, 1, Long.MAX_VALUE, 0))
        .hasMessageContaining("integer");
    assertThatThrownBy(() -> in.optionalBoolean(Field.REPEAT, false))
        .hasMessageContaining("'repeat'");
    assertThatThrownBy(() -> in.optionalObjectText(Field.STATE))
        .hasMessageContaining("'state' must be an object");
    Inbound range = Inbound.parse("{\"limit\":500}");
    assertThatThrownBy(() -> range.optionalLong(Field.LIMIT, 1, 200, 50))
        .hasMessageContaining("500");
  }

  @Test
  @DisplayName("strings are escaped so any text is valid JSON")
  void escaping() {
    String nasty = "q\"b\\n\n\t\u0001\u2028é";
    String json = Outbound.error("r\"1", "bad_request", nasty);
    var node = Json.parseTree(json);
    assertThat(node.get("message").asText()).isEqualTo(nasty);
    assertThat(node.get("rid").asText()).isEqualTo("r\"1");
    assertThat(json).contains("\\u2028");
  }
}

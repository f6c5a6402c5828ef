package dev.flowsync.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PassThroughRelayTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  @DisplayName("the pass-through relay carries the payload byte for byte and the routing fields")
  void relaysPayloadUntouched() throws Exception {
    String frame = Frames.signal("standup", "c_9a1");
    PassThroughRelay.Decoded d = PassThroughRelay.decode(frame);
    assertThat(d.type()).isEqualTo("signal");
    assertThat(d.room()).isEqualTo("standup");
    assertThat(d.to()).isEqualTo("c_9a1");
    assertThat(d.kind()).isEqualTo("candidate");

    JsonNode relay = MAPPER.readTree(PassThroughRelay.encodeRelay(d, "c_8f2"));
    assertThat(relay.get("from").asText()).isEqualTo("c_8f2");
    assertThat(relay.get("payload")).isEqualTo(MAPPER.readTree(frame).get("payload"));
  }
}

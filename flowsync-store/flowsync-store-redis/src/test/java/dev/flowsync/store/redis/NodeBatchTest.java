package dev.flowsync.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A batch of bus messages for one node")
class NodeBatchTest {

  private static List<String> split(String payload) {
    List<String> out = new ArrayList<>();
    NodeBatch.split(payload, out::add);
    return out;
  }

  @Test
  @DisplayName("comes apart into the same messages in the same order, newlines and colons too")
  void roundTrip() {
    NodeBatch b = new NodeBatch();
    List<String> messages =
        List.of("Sroom\nc1\n\n{\"a\":1}", "", "12:34", "é\u0001ü", "x".repeat(500));
    messages.forEach(b::add);
    assertThat(split(b.toString())).containsExactlyElementsOf(messages);
  }

  @Test
  @DisplayName("a lone message travels unchanged, so older nodes understand it")
  void single() {
    assertThat(NodeBatch.single("Sroom\nc1\n\n{}")).isEqualTo("Sroom\nc1\n\n{}");
    assertThat(split("Sroom\nc1\n\n{}")).containsExactly("Sroom\nc1\n\n{}");
  }

  @Test
  @DisplayName("a lone message that starts with the batch mark is wrapped and still comes back")
  void singleStartingWithMark() {
    String odd = NodeBatch.MARK + "5:hello";
    assertThat(split(NodeBatch.single(odd))).containsExactly(odd);
  }

  @Test
  @DisplayName("a truncated batch is refused after the messages before the damage")
  void truncated() {
    NodeBatch b = new NodeBatch();
    b.add("first");
    b.add("second");
    String cut = b.toString().substring(0, b.toString().length() - 2);
    List<String> out = new ArrayList<>();
    assertThatThrownBy(() -> NodeBatch.split(cut, out::add))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(out).containsExactly("first");
  }
}

package dev.flowsync.bench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowsync.signaling.protocol.Inbound;
import dev.flowsync.signaling.protocol.Json;
import dev.flowsync.signaling.protocol.Outbound;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The codec alone, on a ~300-byte candidate signal: FlowSync's protocol codec (Jackson tree in,
 * tree out) against {@link PassThroughRelay}, a streaming decode that passes the payload through as
 * raw text.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx512m"})
public class CodecBenchmark {
  private final String frame = Frames.signal("standup", "c_9a1b2c3d4e5f");

  /** Decode only, with the gateway's codec: a Jackson tree. */
  @Benchmark
  public ObjectNode treeDecode() {
    return Json.parseObject(frame);
  }

  /** Decode and encode the relay frame the way the gateway does: tree in, new tree out. */
  @Benchmark
  public String treeDecodeEncodeRelay() {
    ObjectNode in = Json.parseObject(frame);
    ObjectNode relay = Json.object();
    relay.put("type", "signal");
    relay.put("room", in.get("room").asText());
    relay.put("from", "c_0123456789ab");
    relay.put("kind", in.get("kind").asText());
    relay.set("payload", in.get("payload"));
    return Json.write(relay);
  }

  /**
   * Decode and encode with the gateway's own codec: {@link Inbound} (one streaming pass, payload
   * kept as raw text) and {@link Outbound#signal}.
   */
  @Benchmark
  public String gatewayDecodeEncodeRelay() {
    Inbound in = Inbound.parse(frame);
    String room = in.requiredString(Inbound.Field.ROOM, 64);
    in.requiredString(Inbound.Field.TO, 128);
    String kind = in.requiredString(Inbound.Field.KIND, 16);
    return Outbound.signal(room, "c_0123456789ab", kind, in);
  }

  /** Decode and encode with the streaming pass-through prototype. */
  @Benchmark
  public String passThroughDecodeEncodeRelay() throws IOException {
    return PassThroughRelay.encodeRelay(PassThroughRelay.decode(frame), "c_0123456789ab");
  }
}

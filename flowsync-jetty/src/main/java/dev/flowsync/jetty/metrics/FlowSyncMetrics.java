package dev.flowsync.jetty.metrics;

import dev.flowsync.core.ErrorCode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.event.ChatMessagePosted;
import dev.flowsync.core.event.FlowSyncEvent;
import dev.flowsync.core.event.MemberJoined;
import dev.flowsync.core.event.MemberLeft;
import dev.flowsync.core.event.RoomClosed;
import dev.flowsync.core.event.RoomCreated;
import dev.flowsync.core.event.TimerChanged;
import dev.flowsync.signaling.Gateway;
import dev.flowsync.signaling.GatewayObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * FlowSync's meters on a Micrometer registry: connections, rooms and members on this node, frames
 * in and out by type, relay latency, errors by code, room and chat activity, and the JVM.
 *
 * <p>Connections and rooms are read from the {@link Gateway}; members and activity come from
 * FlowSync's events. Frame counts, relay latency and WebSocket errors need the transport to report
 * them: it calls {@link #frameIn}, {@link #frameOut}, {@link #relayed} and {@link #error}. Store
 * call latency and errors come from {@link StoreMetrics}.
 *
 * <p>Frame types are bounded to the protocol's own names (anything else counts as {@code other}),
 * so a client cannot blow up the number of series.
 */
public final class FlowSyncMetrics implements AutoCloseable, GatewayObserver {
  private static final Set<String> FRAME_TYPES =
      Set.of(
          "hello",
          "welcome",
          "join",
          "joined",
          "leave",
          "left",
          "state",
          "member.joined",
          "member.updated",
          "member.left",
          "room.closed",
          "signal",
          "ok",
          "chat.send",
          "chat.ack",
          "chat.message",
          "chat.history",
          "timer.start",
          "timer.pause",
          "timer.resume",
          "timer.reset",
          "timer.skip",
          "timer",
          "time",
          "ping",
          "pong",
          "refresh",
          "refreshed",
          "kicked",
          "error",
          "bye");

  private final MeterRegistry registry;
  // Per-type counters on the frame path, looked up without building a key per frame.
  private final Map<String, Counter> framesIn = new ConcurrentHashMap<>();
  private final Map<String, Counter> framesOut = new ConcurrentHashMap<>();
  private final String nodeId;
  private final AtomicLong localMembers = new AtomicLong();
  private final Timer relayLatency;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final AutoCloseable subscription;
  private AutoCloseable observation;

  private FlowSyncMetrics(MeterRegistry registry, FlowSync flowSync, Gateway gateway) {
    this.registry = registry;
    this.nodeId = flowSync.nodeId();
    Gauge.builder("flowsync.connections", gateway, Gateway::connectionCount)
        .description("Open WebSocket connections that completed hello, on this node")
        .register(registry);
    Gauge.builder("flowsync.rooms", gateway, Gateway::localRoomCount)
        .description("Rooms with members connected to this node")
        .register(registry);
    Gauge.builder("flowsync.members", localMembers, AtomicLong::get)
        .description("Room memberships held by this node")
        .register(registry);
    this.relayLatency =
        Timer.builder("flowsync.relay.latency")
            .description("Time from receiving a signal to handing it to the target's connection")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(10_000))
            .maximumExpectedValue(Duration.ofSeconds(5))
            .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.subscription = flowSync.subscribe(this::onEvent);
  }

  /**
   * Registers FlowSync's meters on {@code registry} and starts counting events.
   *
   * @param gateway the gateway whose connections and rooms are reported
   */
  public static FlowSyncMetrics bind(MeterRegistry registry, FlowSync flowSync, Gateway gateway) {
    FlowSyncMetrics metrics = new FlowSyncMetrics(registry, flowSync, gateway);
    // Frames, relay latency and WebSocket errors reach the meters through the gateway.
    metrics.observation = gateway.observe(metrics);
    return metrics;
  }

  /** The registry the meters live on. */
  public MeterRegistry registry() {
    return registry;
  }

  /** A frame of {@code type} arrived from a client. */
  @Override
  public void frameIn(String type) {
    framesIn
        .computeIfAbsent(boundedType(type), t -> frameCounter("flowsync.frames.in", t))
        .increment();
  }

  /** A frame of {@code type} was sent to a client. */
  @Override
  public void frameOut(String type) {
    framesOut
        .computeIfAbsent(boundedType(type), t -> frameCounter("flowsync.frames.out", t))
        .increment();
  }

  @Override
  public void signalRelayed(long nanos) {
    relayLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  @Override
  public void errorSent(String code) {
    ErrorCode known = ErrorCode.fromWireName(code);
    error(known == null ? ErrorCode.INTERNAL : known);
  }

  private Counter frameCounter(String name, String type) {
    return Counter.builder(name).tag("type", type).register(registry);
  }

  /** A signal took {@code latency} from arrival to the target's outbound queue. */
  public void relayed(Duration latency) {
    relayLatency.record(latency);
  }

  /** An error answered to a client over WebSocket. */
  public void error(ErrorCode code) {
    error(code, "ws");
  }

  /** An error answered over {@code transport} ({@code ws} or {@code http}). */
  public void error(ErrorCode code, String transport) {
    counter("flowsync.errors", "code", code.wireName(), "transport", transport).increment();
  }

  private void onEvent(FlowSyncEvent event) {
    if (event instanceof MemberJoined e) {
      if (nodeId.equals(e.member().nodeId())) {
        localMembers.incrementAndGet();
      }
      counter("flowsync.members.joined").increment();
    } else if (event instanceof MemberLeft e) {
      if (nodeId.equals(e.member().nodeId())) {
        localMembers.updateAndGet(n -> Math.max(0, n - 1));
      }
      counter("flowsync.members.left", "reason", e.reason().wireName()).increment();
    } else if (event instanceof RoomClosed e) {
      long here = e.members().stream().filter(m -> nodeId.equals(m.nodeId())).count();
      localMembers.updateAndGet(n -> Math.max(0, n - here));
      counter("flowsync.rooms.closed").increment();
    } else if (event instanceof RoomCreated) {
      counter("flowsync.rooms.opened").increment();
    } else if (event instanceof ChatMessagePosted) {
      counter("flowsync.chat.messages").increment();
    } else if (event instanceof TimerChanged e && e.phaseStarted()) {
      counter("flowsync.timer.phases").increment();
    }
  }

  private Counter counter(String name, String... tags) {
    String key = name + String.join("\u0000", tags);
    return counters.computeIfAbsent(key, k -> Counter.builder(name).tags(tags).register(registry));
  }

  private static String boundedType(String type) {
    if (type == null) {
      return "other";
    }
    String t = type.toLowerCase(Locale.ROOT);
    return FRAME_TYPES.contains(t) ? t : "other";
  }

  /** Stops counting events; the meters stay registered. */
  @Override
  public void close() {
    try {
      subscription.close();
      observation.close();
    } catch (Exception e) {
      // removing a listener or an observer does not fail
    }
  }
}

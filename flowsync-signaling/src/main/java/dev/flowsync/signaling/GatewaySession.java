package dev.flowsync.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.FlowSyncException;
import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.ForbiddenException;
import dev.flowsync.core.FlowSyncException.PeerNotFoundException;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.presence.JoinResult;
import dev.flowsync.core.presence.LeaveReason;
import dev.flowsync.signaling.protocol.Fields;
import dev.flowsync.signaling.protocol.Frames;
import dev.flowsync.signaling.protocol.Json;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One client connection's protocol state: before hello, authenticated, closed. */
final class GatewaySession implements ClientSession {
  private static final Logger log = LoggerFactory.getLogger(GatewaySession.class);
  private static final int MAX_RID = 64;
  private static final int MAX_ID = 128;

  private final Gateway gateway;
  private final FlowSync flowSync;
  private final Connection connection;
  private volatile AccessToken token;
  private volatile String connectionId;
  private volatile boolean closed;

  GatewaySession(Gateway gateway, Connection connection) {
    this.gateway = gateway;
    this.flowSync = gateway.flowSync();
    this.connection = connection;
  }

  void armHelloDeadline(ScheduledExecutorService timers, Duration timeout) {
    Gateway.schedule(
        timers,
        () -> {
          if (token == null && !closed) {
            connection.close(CloseCodes.HELLO_TIMEOUT, "No hello in time");
          }
        },
        timeout);
  }

  @Override
  public String connectionId() {
    return connectionId;
  }

  void send(String frame) {
    if (!connection.send(frame)) {
      log.debug("Outbound queue of {} is full; closing it", connectionId);
    }
  }

  @Override
  public void onText(String text) {
    String rid = null;
    try {
      ObjectNode frame = Json.parseObject(text);
      rid = Fields.optionalString(frame, "rid", MAX_RID);
      String type = Fields.requiredString(frame, "type", 64);
      if (token == null) {
        if (!type.equals("hello")) {
          unauthorized(rid, "The first frame must be hello");
          return;
        }
        hello(frame, rid);
        return;
      }
      dispatch(type, frame, rid);
    } catch (FlowSyncException e) {
      send(Frames.error(rid, e.code().wireName(), e.getMessage()));
    } catch (RuntimeException e) {
      log.error("Internal error handling a frame on {}", connectionId, e);
      send(Frames.error(rid, "internal", "Internal server error"));
    }
  }

  private void dispatch(String type, ObjectNode frame, String rid) {
    switch (type) {
      case "join" -> join(frame, rid);
      case "leave" -> leave(frame, rid);
      case "state" -> state(frame, rid);
      case "signal" -> signal(frame, rid);
      case "ping" -> send(Json.write(Frames.reply("pong", rid)));
      case "time" -> time(frame, rid);
      case "hello" -> throw new BadRequestException("Already authenticated");
      default -> throw new BadRequestException("Unknown message type '" + type + "'");
    }
  }

  private void hello(ObjectNode frame, String rid) {
    AccessToken verified;
    try {
      verified = flowSync.tokens().verify(Fields.optionalString(frame, "token", 512));
    } catch (FlowSyncException e) {
      unauthorized(rid, e.getMessage());
      return;
    }
    connectionId = Ids.random("c_", 12);
    token = verified;
    gateway.registered(this);
    ObjectNode welcome = Frames.reply("welcome", rid);
    welcome.put("connectionId", connectionId);
    welcome.put("userId", verified.userId());
    welcome.put("name", verified.name());
    welcome.put("serverTime", flowSync.clock().millis());
    welcome.put("heartbeatMs", gateway.config().heartbeat().toMillis());
    welcome.put("resumeToken", Ids.random("rt_", 24));
    welcome.put("resumed", false);
    welcome.set(
        "iceServers",
        Json.MAPPER.valueToTree(
            gateway.config().iceServers().forUser(verified.userId(), flowSync.clock().instant())));
    send(Json.write(welcome));
  }

  private void unauthorized(String rid, String message) {
    send(Frames.error(rid, "unauthorized", message));
    connection.close(CloseCodes.UNAUTHORIZED, "Unauthorized");
  }

  private void join(ObjectNode frame, String rid) {
    String room = Fields.requiredString(frame, "room", 64);
    String name = Fields.optionalString(frame, "name", 100);
    ObjectNode state = Fields.optionalObject(frame, "state");
    JoinResult result =
        flowSync
            .presence()
            .join(token, connectionId, room, name, state == null ? null : Json.write(state));
    gateway.addToRoom(room, this);
    ObjectNode joined = Frames.reply("joined", rid);
    joined.put("room", room);
    joined.set("self", Frames.member(result.self()));
    joined.set("members", Frames.members(result.members()));
    joined.set("timer", Frames.timer(flowSync.timers().get(room)));
    joined.set("history", Frames.messages(flowSync.chat().recent(room)));
    joined.put("lastSeq", flowSync.chat().lastSeq(room));
    send(Json.write(joined));
  }

  private void leave(ObjectNode frame, String rid) {
    String room = Fields.requiredString(frame, "room", 64);
    if (flowSync.presence().leave(connectionId, room, LeaveReason.LEFT, null).isEmpty()) {
      throw new ForbiddenException("Not a member of room '" + room + "'");
    }
    gateway.removeFromRoom(room, this);
    ObjectNode left = Frames.reply("left", rid);
    left.put("room", room);
    send(Json.write(left));
  }

  private void state(ObjectNode frame, String rid) {
    String room = Fields.requiredString(frame, "room", 64);
    ObjectNode state = Fields.requiredObject(frame, "state");
    flowSync.presence().updateState(connectionId, room, Json.write(state));
  }

  private void signal(ObjectNode frame, String rid) {
    String room = Fields.requiredString(frame, "room", 64);
    String to = Fields.requiredString(frame, "to", MAX_ID);
    String kind = Fields.requiredString(frame, "kind", 16);
    if (!kind.matches("offer|answer|candidate|bye|custom")) {
      throw new BadRequestException(
          "Field 'kind' must be offer, answer, candidate, bye or custom, was '" + kind + "'");
    }
    JsonNode payload = frame.get("payload");
    if (flowSync.presence().find(room, connectionId).isEmpty()
        || flowSync.presence().find(room, to).isEmpty()) {
      throw new PeerNotFoundException("No connection '" + to + "' in room '" + room + "'");
    }
    GatewaySession target = gateway.localConnection(to);
    if (target == null) {
      throw new PeerNotFoundException("Connection '" + to + "' is not reachable");
    }
    ObjectNode relay = Frames.reply("signal", null);
    relay.put("room", room);
    relay.put("from", connectionId);
    relay.put("kind", kind);
    relay.set("payload", payload == null ? Json.object() : payload);
    target.send(Json.write(relay));
    if (rid != null) {
      send(Json.write(Frames.reply("ok", rid)));
    }
  }

  private void time(ObjectNode frame, String rid) {
    ObjectNode reply = Frames.reply("time", rid);
    Long t0 = Fields.optionalLong(frame, "t0", Long.MIN_VALUE, Long.MAX_VALUE);
    if (t0 != null) {
      reply.put("t0", t0);
    }
    reply.put("serverTime", flowSync.clock().millis());
    send(Json.write(reply));
  }

  @Override
  public void onBinary() {
    send(Frames.error(null, "bad_request", "Binary frames are not part of the protocol"));
  }

  @Override
  public void onPong() {}

  @Override
  public void onClose(int code) {
    if (closed) {
      return;
    }
    closed = true;
    if (connectionId != null) {
      for (String room : flowSync.presence().roomsOf(connectionId)) {
        flowSync.presence().leave(connectionId, room, LeaveReason.DISCONNECTED, null);
        gateway.removeFromRoom(room, this);
      }
      gateway.unregistered(this);
    }
  }

  void closeForShutdown() {
    connection.close(CloseCodes.GOING_AWAY, "Server shutting down");
  }
}

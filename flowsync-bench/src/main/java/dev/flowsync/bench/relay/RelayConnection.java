package dev.flowsync.bench.relay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay's protocol for one connection (hello, join, signal, leave), whatever WebSocket API
 * carries it; Jackson tree in, tree out.
 */
abstract class RelayConnection {
  private final BareRelay relay;
  private final Set<String> myRooms = ConcurrentHashMap.newKeySet();
  private volatile String connectionId;

  RelayConnection(BareRelay relay) {
    this.relay = relay;
  }

  /** Handles one text frame. */
  void onText(String text) {
    JsonNode frame;
    try {
      frame = BareRelay.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      error(null, "bad_request", "Malformed JSON");
      return;
    }
    String rid = frame.path("rid").isTextual() ? frame.get("rid").asText() : null;
    String type = frame.path("type").asText("");
    if (connectionId == null && !type.equals("hello")) {
      error(rid, "unauthorized", "The first frame must be hello");
      return;
    }
    switch (type) {
      case "hello" -> {
        connectionId = "c_" + UUID.randomUUID().toString().substring(0, 12);
        relay.byId.put(connectionId, this);
        ObjectNode welcome = reply("welcome", rid);
        welcome.put("connectionId", connectionId);
        welcome.put("userId", "u_" + connectionId);
        welcome.put("serverTime", System.currentTimeMillis());
        send(welcome);
      }
      case "join" -> {
        String room = frame.path("room").asText();
        Set<String> members = relay.rooms.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet());
        members.add(connectionId);
        myRooms.add(room);
        ObjectNode joined = reply("joined", rid);
        joined.put("room", room);
        ArrayNode list = joined.putArray("members");
        ObjectNode announce = reply("member.joined", null);
        announce.put("room", room);
        announce.putObject("member").put("connectionId", connectionId);
        String announceText = write(announce);
        for (String id : members) {
          list.addObject().put("connectionId", id);
          RelayConnection other = relay.byId.get(id);
          if (other != null && other != this) {
            other.sendText(announceText);
          }
        }
        send(joined);
      }
      case "signal" -> {
        String room = frame.path("room").asText();
        String to = frame.path("to").asText();
        Set<String> members = relay.rooms.get(room);
        RelayConnection target = relay.byId.get(to);
        if (members == null
            || !members.contains(connectionId)
            || !members.contains(to)
            || target == null) {
          error(rid, "peer_not_found", "No connection '" + to + "' in room '" + room + "'");
          return;
        }
        ObjectNode out = reply("signal", null);
        out.put("room", room);
        out.put("from", connectionId);
        out.set("kind", frame.get("kind"));
        out.set("payload", frame.get("payload"));
        target.send(out);
      }
      case "leave" -> {
        String room = frame.path("room").asText();
        leaveRoom(room);
        ObjectNode left = reply("left", rid);
        left.put("room", room);
        send(left);
      }
      default -> error(rid, "bad_request", "Unknown message type '" + type + "'");
    }
  }

  private void leaveRoom(String room) {
    myRooms.remove(room);
    relay.rooms.computeIfPresent(
        room,
        (r, set) -> {
          set.remove(connectionId);
          return set.isEmpty() ? null : set;
        });
  }

  /** Releases the connection's rooms. */
  void onClose() {
    if (connectionId != null) {
      for (String room : myRooms) {
        leaveRoom(room);
      }
      relay.byId.remove(connectionId, this);
    }
  }

  private static ObjectNode reply(String type, String rid) {
    ObjectNode n = BareRelay.MAPPER.createObjectNode();
    n.put("type", type);
    if (rid != null) {
      n.put("rid", rid);
    }
    return n;
  }

  private void error(String rid, String code, String message) {
    ObjectNode e = reply("error", rid);
    e.put("code", code);
    e.put("message", message);
    send(e);
  }

  private void send(ObjectNode node) {
    sendText(write(node));
  }

  private static String write(ObjectNode node) {
    try {
      return BareRelay.MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends a text frame without waiting for it. */
  abstract void sendText(String text);
}

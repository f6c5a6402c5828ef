package dev.flowsync.signaling.protocol;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.presence.Member;
import dev.flowsync.core.timer.Phase;
import dev.flowsync.core.timer.TimerState;
import java.util.List;

/** Builds the server's frames and the shared object shapes (member, message, timer). */
public final class Frames {
  private Frames() {}

  /** A frame of the given type, echoing {@code rid} when the request had one. */
  public static ObjectNode reply(String type, String rid) {
    ObjectNode frame = Json.object();
    frame.put("type", type);
    if (rid != null) {
      frame.put("rid", rid);
    }
    return frame;
  }

  /** An {@code error} frame. */
  public static String error(String rid, String code, String message) {
    ObjectNode frame = reply("error", rid);
    frame.put("code", code);
    frame.put("message", message);
    return Json.write(frame);
  }

  /** {@code <member>}: connectionId, userId, name, state, joinedAt. */
  public static ObjectNode member(Member m) {
    ObjectNode node = Json.object();
    node.put("connectionId", m.connectionId());
    node.put("userId", m.userId());
    node.put("name", m.name());
    node.putRawValue("state", new RawValue(m.stateJson()));
    node.put("joinedAt", m.joinedAt().toEpochMilli());
    return node;
  }

  /** An array of {@code <member>}. */
  public static ArrayNode members(List<Member> members) {
    ArrayNode array = Json.MAPPER.createArrayNode();
    members.forEach(m -> array.add(member(m)));
    return array;
  }

  /** {@code <message>}. */
  public static ObjectNode message(ChatMessage m) {
    ObjectNode node = Json.object();
    node.put("id", m.id());
    node.put("seq", m.seq());
    node.put("room", m.room());
    node.put("userId", m.userId());
    node.put("name", m.name());
    node.put("text", m.text());
    node.put("sentAt", m.sentAt().toEpochMilli());
    if (m.clientMsgId() == null) {
      node.putNull("clientMsgId");
    } else {
      node.put("clientMsgId", m.clientMsgId());
    }
    return node;
  }

  /** An array of {@code <message>}. */
  public static ArrayNode messages(List<ChatMessage> messages) {
    ArrayNode array = Json.MAPPER.createArrayNode();
    messages.forEach(m -> array.add(message(m)));
    return array;
  }

  /** {@code <timer>}. */
  public static ObjectNode timer(TimerState t) {
    ObjectNode node = Json.object();
    node.put("status", t.status().wireName());
    ArrayNode phases = node.putArray("phases");
    for (Phase p : t.phases()) {
      phases.addObject().put("name", p.name()).put("durationMs", p.durationMs());
    }
    node.put("phaseIndex", t.phaseIndex());
    node.put("round", t.round());
    node.put("repeat", t.repeat());
    if (t.endsAt() == null) {
      node.putNull("endsAt");
    } else {
      node.put("endsAt", t.endsAt().toEpochMilli());
    }
    node.put("remainingMs", t.remainingMs());
    node.put("version", t.version());
    if (t.updatedBy() == null) {
      node.putNull("updatedBy");
    } else {
      node.put("updatedBy", t.updatedBy());
    }
    return node;
  }
}

package dev.flowsync.signaling.protocol;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.chat.HistoryPage;
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

  /** {@code member.joined}. */
  public static String memberJoined(Member m) {
    ObjectNode frame = reply("member.joined", null);
    frame.put("room", m.room());
    frame.set("member", member(m));
    return Json.write(frame);
  }

  /** {@code member.updated}, with the rid when it answers the member's own {@code state}. */
  public static String memberUpdated(Member m, String rid) {
    ObjectNode frame = reply("member.updated", rid);
    frame.put("room", m.room());
    frame.set("member", member(m));
    return Json.write(frame);
  }

  /** {@code member.left}. */
  public static String memberLeft(Member m, String reason) {
    ObjectNode frame = reply("member.left", null);
    frame.put("room", m.room());
    frame.put("connectionId", m.connectionId());
    frame.put("userId", m.userId());
    frame.put("reason", reason);
    return Json.write(frame);
  }

  /** {@code room.closed}. */
  public static String roomClosed(String room) {
    ObjectNode frame = reply("room.closed", null);
    frame.put("room", room);
    return Json.write(frame);
  }

  /** {@code kicked}, to the member an admin removed. */
  public static String kicked(String room, String reason) {
    ObjectNode frame = reply("kicked", null);
    frame.put("room", room);
    frame.put("reason", reason == null ? "" : reason);
    return Json.write(frame);
  }

  /** {@code chat.message}. */
  public static String chatMessage(ChatMessage m) {
    ObjectNode frame = reply("chat.message", null);
    frame.put("room", m.room());
    frame.set("message", message(m));
    return Json.write(frame);
  }

  /** {@code chat.ack}. */
  public static String chatAck(String rid, ChatMessage m) {
    ObjectNode frame = reply("chat.ack", rid);
    frame.set("message", message(m));
    return Json.write(frame);
  }

  /** The {@code chat.history} reply. */
  public static String history(String rid, String room, HistoryPage page) {
    ObjectNode frame = reply("chat.history", rid);
    frame.put("room", room);
    frame.set("messages", messages(page.messages()));
    frame.put("hasMore", page.hasMore());
    return Json.write(frame);
  }

  /** {@code timer}, with the rid when it answers the member's own timer command. */
  public static String timerFrame(String room, TimerState t, String rid) {
    ObjectNode frame = reply("timer", rid);
    frame.put("room", room);
    frame.set("timer", timer(t));
    return Json.write(frame);
  }

  /** {@code joined}. */
  public static String joined(
      String rid,
      String room,
      Member self,
      List<Member> members,
      TimerState timer,
      List<ChatMessage> history,
      long lastSeq) {
    ObjectNode frame = reply("joined", rid);
    frame.put("room", room);
    frame.set("self", member(self));
    frame.set("members", members(members));
    frame.set("timer", timer(timer));
    frame.set("history", messages(history));
    frame.put("lastSeq", lastSeq);
    return Json.write(frame);
  }

  /** {@code left}. */
  public static String left(String rid, String room) {
    ObjectNode frame = reply("left", rid);
    frame.put("room", room);
    return Json.write(frame);
  }

  /** {@code refreshed}. */
  public static String refreshed(String rid, long expiresAtMs) {
    ObjectNode frame = reply("refreshed", rid);
    frame.put("expiresAt", expiresAtMs);
    return Json.write(frame);
  }

  /** The {@code time} reply; {@code t0} is echoed when the request had it. */
  public static String time(String rid, Long t0, long serverTime) {
    ObjectNode frame = reply("time", rid);
    if (t0 != null) {
      frame.put("t0", t0);
    }
    frame.put("serverTime", serverTime);
    return Json.write(frame);
  }

  /** {@code bye}, sent before a shutdown close. */
  public static String bye(String reason, long reconnectAfterMs) {
    ObjectNode frame = reply("bye", null);
    frame.put("reason", reason);
    frame.put("reconnectAfterMs", reconnectAfterMs);
    return Json.write(frame);
  }
}

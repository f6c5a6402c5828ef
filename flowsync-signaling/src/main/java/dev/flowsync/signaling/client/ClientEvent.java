package dev.flowsync.signaling.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.chat.ChatMessage;
import dev.flowsync.core.timer.TimerState;
import java.util.List;

/** Something the server sent that was not the direct reply to a request. */
public sealed interface ClientEvent {

  /** A member as the protocol describes it ({@code <member>}). */
  record MemberInfo(
      String connectionId, String userId, String name, String stateJson, long joinedAt) {}

  /** A relayed WebRTC signal; {@code payloadJson} is exactly what the sender put there. */
  record Signal(String room, String from, String kind, String payloadJson) implements ClientEvent {}

  /** Another connection joined a room this client is in. */
  record MemberJoined(String room, MemberInfo member) implements ClientEvent {}

  /** A member (this client too) replaced its state. */
  record MemberUpdated(String room, MemberInfo member) implements ClientEvent {}

  /** A member left: {@code reason} is left, disconnected, timeout, kicked or closed. */
  record MemberLeft(String room, String connectionId, String userId, String reason)
      implements ClientEvent {}

  /** A chat message was stored in a room (this client's own messages too). */
  record Chat(String room, ChatMessage message) implements ClientEvent {}

  /** A room's timer changed. */
  record Timer(String room, TimerState timer) implements ClientEvent {}

  /** A room this client was in was deleted. */
  record RoomClosed(String room) implements ClientEvent {}

  /** An admin removed this client from a room. */
  record Kicked(String room, String reason) implements ClientEvent {}

  /** The server is shutting down; reconnect after the given delay. */
  record Bye(String reason, long reconnectAfterMs) implements ClientEvent {}

  /**
   * A room's full state, sent unasked after a resume (one per room the connection was in).
   *
   * @param history the messages after the client's last seen seq of that room
   */
  record Joined(
      String room,
      MemberInfo self,
      List<MemberInfo> members,
      TimerState timer,
      List<ChatMessage> history,
      long lastSeq)
      implements ClientEvent {}

  /** An {@code error} that answers no request of this client (e.g. a token expiring). */
  record Error(String code, String message) implements ClientEvent {}

  /** The connection closed with this WebSocket close code. */
  record Closed(int code, String reason) implements ClientEvent {}

  /**
   * The client reconnected by itself after the connection dropped ({@code autoReconnect}).
   *
   * @param resumed whether the server resumed the session (same connection id, same rooms)
   */
  record Reconnected(String connectionId, boolean resumed) implements ClientEvent {}

  /** Any other frame (newer servers may add types). */
  record Other(String type, JsonNode frame) implements ClientEvent {}
}

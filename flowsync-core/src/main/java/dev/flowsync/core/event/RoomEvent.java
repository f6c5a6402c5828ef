package dev.flowsync.core.event;

/** An event about one room. */
public sealed interface RoomEvent extends FlowSyncEvent
    permits RoomCreated,
        RoomClosed,
        MemberJoined,
        MemberUpdated,
        MemberLeft,
        ChatMessagePosted,
        TimerChanged {
  /** The id of the room it is about. */
  String roomId();
}

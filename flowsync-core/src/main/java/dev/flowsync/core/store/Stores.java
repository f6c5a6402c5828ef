package dev.flowsync.core.store;

import dev.flowsync.core.auth.TokenStore;
import dev.flowsync.core.chat.MessageStore;
import dev.flowsync.core.cluster.ClusterBus;
import dev.flowsync.core.presence.PresenceStore;
import dev.flowsync.core.room.RoomStore;
import dev.flowsync.core.session.SessionStore;
import dev.flowsync.core.timer.TimerStore;
import java.util.Objects;

/**
 * The set of stores one FlowSync instance runs on. Start from a complete bundle and swap parts,
 * e.g. {@code InMemoryStores.create().withRooms(sql.rooms()).withMessages(sql.messages())}.
 */
public record Stores(
    RoomStore rooms,
    PresenceStore presence,
    TimerStore timers,
    MessageStore messages,
    SessionStore sessions,
    TokenStore tokens,
    ClusterBus clusterBus) {

  /**
   * Checks that every part is present.
   *
   * @throws NullPointerException if any store or the bus is null
   */
  public Stores {
    Objects.requireNonNull(rooms, "rooms");
    Objects.requireNonNull(presence, "presence");
    Objects.requireNonNull(timers, "timers");
    Objects.requireNonNull(messages, "messages");
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(clusterBus, "clusterBus");
  }

  /** A copy with another room store; the other parts stay. */
  public Stores withRooms(RoomStore s) {
    return new Stores(s, presence, timers, messages, sessions, tokens, clusterBus);
  }

  /** A copy with another presence store; the other parts stay. */
  public Stores withPresence(PresenceStore s) {
    return new Stores(rooms, s, timers, messages, sessions, tokens, clusterBus);
  }

  /** A copy with another timer store; the other parts stay. */
  public Stores withTimers(TimerStore s) {
    return new Stores(rooms, presence, s, messages, sessions, tokens, clusterBus);
  }

  /** A copy with another message store; the other parts stay. */
  public Stores withMessages(MessageStore s) {
    return new Stores(rooms, presence, timers, s, sessions, tokens, clusterBus);
  }

  /** A copy with another session store; the other parts stay. */
  public Stores withSessions(SessionStore s) {
    return new Stores(rooms, presence, timers, messages, s, tokens, clusterBus);
  }

  /** A copy with another token store; the other parts stay. */
  public Stores withTokens(TokenStore s) {
    return new Stores(rooms, presence, timers, messages, sessions, s, clusterBus);
  }

  /** A copy with another cluster bus; the other parts stay. */
  public Stores withClusterBus(ClusterBus b) {
    return new Stores(rooms, presence, timers, messages, sessions, tokens, b);
  }
}

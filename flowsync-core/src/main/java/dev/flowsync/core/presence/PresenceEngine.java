package dev.flowsync.core.presence;

import static dev.flowsync.core.internal.StoreCalls.call;

import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.ForbiddenException;
import dev.flowsync.core.FlowSyncException.RoomFullException;
import dev.flowsync.core.FlowSyncException.TooLargeException;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.event.MemberJoined;
import dev.flowsync.core.event.MemberLeft;
import dev.flowsync.core.event.MemberUpdated;
import dev.flowsync.core.internal.EngineContext;
import dev.flowsync.core.room.Room;
import dev.flowsync.core.room.RoomEngine;
import dev.flowsync.core.session.MemberSession;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins, state updates, leaves and kicks. Every change to a room runs in that room's lane, so the
 * events of one room come out in the order the store applied them.
 */
public final class PresenceEngine {
  private static final Logger log = LoggerFactory.getLogger(PresenceEngine.class);

  private final EngineContext ctx;
  private final RoomEngine rooms;

  /** Before this instant this node judges no other node dead (see {@link #renewLease()}). */
  private volatile Instant reapNotBefore = Instant.MIN;

  /**
   * Connections of dead nodes this node took over, by connection id: they wait here for a resume
   * until the grace runs out, then leave.
   */
  private final Map<String, Orphan> orphans = new ConcurrentHashMap<>();

  /** A dead node's connection held here for a resume, and the task that ends its grace. */
  /** A dead node's connection held for a resume: its memberships as taken over, by room. */
  private record Orphan(String userId, Map<String, Member> members, ScheduledFuture<?>[] expiry) {
    Set<String> rooms() {
      return members.keySet();
    }
  }

  /**
   * Created by {@code FlowSync}; applications obtain the engine from {@code FlowSync.presence()}.
   */
  public PresenceEngine(EngineContext ctx, RoomEngine rooms) {
    this.ctx = ctx;
    this.rooms = rooms;
  }

  /**
   * Adds the connection to the room, creating the room first when it does not exist and
   * auto-creation is on (the joiner becomes its owner). Announces {@code MemberJoined} unless the
   * connection already was a member.
   *
   * @param token the connection's verified token
   * @param connectionId the joining connection
   * @param roomId the room id
   * @param name display name, or null for the token's
   * @param stateJson a JSON object as text (at most the configured bytes), or null for {@code {}}
   * @return the room, the member and everyone in the room, the joiner included
   * @throws dev.flowsync.core.FlowSyncException.NotFoundException unknown room, auto-create off
   * @throws ForbiddenException a private room not in the token's grants
   * @throws RoomFullException the room is at capacity
   * @throws TooLargeException the state is over the limit
   * @throws BadRequestException an invalid room id or a name over 100 characters
   */
  public JoinResult join(
      AccessToken token, String connectionId, String roomId, String name, String stateJson) {
    String state = checkState(stateJson == null ? "{}" : stateJson);
    String displayName = name == null || name.isBlank() ? token.name() : checkName(name);
    RoomEngine.requireValidId(roomId);
    // The room is looked up inside its lane so that a delete cannot slip in between the lookup and
    // the admission and leave a member behind in a room that no longer exists.
    return ctx.lanes()
        .inLane(
            roomId,
            () -> {
              Room room = rooms.findOrAutoCreate(roomId, token.userId());
              if (room.isPrivate() && !token.grants(room.id())) {
                throw new ForbiddenException(
                    "Room '" + room.id() + "' is private and the token does not grant it");
              }
              Instant now = ctx.clock().instant();
              Member member =
                  new Member(
                      room.id(),
                      connectionId,
                      token.userId(),
                      displayName,
                      state,
                      now,
                      ctx.config().nodeId());
              PresenceStore store = ctx.stores().presence();
              AdmitResult result = call("Joining room", () -> store.admit(member, room.capacity()));
              if (result == AdmitResult.FULL) {
                throw new RoomFullException(
                    "Room '" + room.id() + "' is full (capacity " + room.capacity() + ")");
              }
              List<Member> members = call("Listing members", () -> store.members(room.id()));
              if (result == AdmitResult.ALREADY_MEMBER) {
                Member self =
                    members.stream()
                        .filter(m -> m.connectionId().equals(connectionId))
                        .findFirst()
                        .orElse(member);
                return new JoinResult(room, self, members, true);
              }
              recordSession(
                  () ->
                      ctx.stores()
                          .sessions()
                          .open(
                              new MemberSession(
                                  room.id(), connectionId, token.userId(), now, null, null)));
              ctx.events().publish(new MemberJoined(member, now));
              return new JoinResult(room, member, members, false);
            });
  }

  /**
   * Replaces the member's state (no merge) and announces {@code MemberUpdated}.
   *
   * @param connectionId the member's connection
   * @param roomId the room id
   * @param stateJson the new state, a JSON object as text
   * @return the member with its new state
   * @throws ForbiddenException if the connection is not a member of the room
   * @throws BadRequestException if the state is missing
   * @throws TooLargeException if the state is over the limit
   */
  public Member updateState(String connectionId, String roomId, String stateJson) {
    if (stateJson == null) {
      throw new BadRequestException("A state update needs a state object");
    }
    String state = checkState(stateJson);
    return ctx.lanes()
        .inLane(
            roomId,
            () -> {
              Member updated =
                  call(
                          "Updating state",
                          () -> ctx.stores().presence().updateState(roomId, connectionId, state))
                      .orElseThrow(() -> notAMember(roomId));
              ctx.events().publish(new MemberUpdated(updated, ctx.clock().instant()));
              return updated;
            });
  }

  /**
   * Removes the connection from the room, ends its session and announces {@code MemberLeft}.
   *
   * @param connectionId the connection
   * @param roomId the room id
   * @param reason why it leaves
   * @param detail a human-readable detail (a kick reason), or null
   * @return the member as it was, or empty if the connection was not a member (nothing announced)
   */
  public Optional<Member> leave(
      String connectionId, String roomId, LeaveReason reason, String detail) {
    return ctx.lanes()
        .inLane(
            roomId,
            () -> {
              Optional<Member> removed =
                  call("Leaving room", () -> ctx.stores().presence().remove(roomId, connectionId));
              removed.ifPresent(m -> afterLeave(m, reason, detail));
              return removed;
            });
  }

  /**
   * Removes the connection from every room it is in (it closed, timed out or the node shuts down).
   *
   * @param connectionId the connection
   * @param reason why it leaves
   * @return the members removed
   */
  public List<Member> leaveAll(String connectionId, LeaveReason reason) {
    List<Member> left = new ArrayList<>();
    for (String roomId :
        call("Listing rooms", () -> ctx.stores().presence().roomsOf(connectionId))) {
      leave(connectionId, roomId, reason, null).ifPresent(left::add);
    }
    return left;
  }

  /**
   * Removes members from a room by user id or connection id (either matching is enough).
   *
   * @param roomId the room id
   * @param userId remove every connection of this user, or null
   * @param connectionId remove this connection, or null
   * @param reason a human-readable reason sent with {@code kicked}, or null
   * @return the members removed (they get {@code kicked}, the others {@code member.left})
   * @throws BadRequestException if both userId and connectionId are null
   * @throws dev.flowsync.core.FlowSyncException.NotFoundException if the room does not exist
   */
  public List<Member> kick(String roomId, String userId, String connectionId, String reason) {
    if (userId == null && connectionId == null) {
      throw new BadRequestException("A kick needs a userId or a connectionId");
    }
    rooms.get(roomId);
    List<Member> kicked = new ArrayList<>();
    for (Member m : members(roomId)) {
      boolean match =
          (connectionId != null && m.connectionId().equals(connectionId))
              || (userId != null && m.userId().equals(userId));
      if (match) {
        leave(m.connectionId(), roomId, LeaveReason.KICKED, reason).ifPresent(kicked::add);
      }
    }
    return kicked;
  }

  /**
   * The room's members, cluster-wide.
   *
   * @param roomId the room id
   * @return the members, oldest first; empty for an unknown room
   */
  public List<Member> members(String roomId) {
    return call("Listing members", () -> ctx.stores().presence().members(roomId));
  }

  /**
   * The connection's membership of the room.
   *
   * @param roomId the room id
   * @param connectionId the connection
   * @return the member, or empty
   */
  public Optional<Member> find(String roomId, String connectionId) {
    return call("Reading member", () -> ctx.stores().presence().find(roomId, connectionId));
  }

  /**
   * The rooms a connection is in.
   *
   * @param connectionId the connection
   * @return room ids
   */
  public List<String> roomsOf(String connectionId) {
    return call("Listing rooms", () -> ctx.stores().presence().roomsOf(connectionId));
  }

  /**
   * Moves the connection's memberships to this node: the client resumed here after another node.
   *
   * @param connectionId the resumed connection
   * @return its memberships, now held by this node
   */
  public List<Member> adoptConnection(String connectionId) {
    return call(
        "Resuming connection",
        () -> ctx.stores().presence().transferConnection(connectionId, ctx.config().nodeId()));
  }

  /**
   * Writes a live member of this node back to the store as it is, without a capacity check and
   * without an event (the others never saw it leave): the store lost it, e.g. Redis restarted
   * empty.
   *
   * @param member the member as this node holds it
   * @return true if it was missing and is back
   */
  public boolean restore(Member member) {
    return ctx.lanes()
        .inLane(
            member.room(),
            () ->
                call("Restoring member", () -> ctx.stores().presence().admit(member, 0))
                    == dev.flowsync.core.presence.AdmitResult.ADMITTED);
  }

  /**
   * Extends this node's presence lease by the configured lease time; FlowSync calls it every
   * second.
   */
  public void renewLease() {
    Instant expires = ctx.clock().instant().plus(ctx.config().nodeLeaseTtl());
    try {
      call(
          "Renewing node lease",
          () -> {
            ctx.stores().presence().renewLease(ctx.config().nodeId(), expires);
            return null;
          });
    } catch (RuntimeException e) {
      // When this node cannot reach the store, the other nodes probably cannot either, and their
      // leases run out through no fault of theirs. Once the store answers again, give them a
      // lease period plus one renewal round to renew before reaping anyone.
      reapNotBefore = ctx.clock().instant().plus(ctx.config().nodeLeaseTtl()).plusSeconds(1);
      throw e;
    }
  }

  /**
   * Handles the other nodes whose lease has expired (they died). With a resume grace, this node
   * takes their members over without an event: they stay in their rooms, held by this node, so that
   * their clients can resume on any node ({@link #claimOrphan}); those not resumed within the grace
   * leave with reason {@code disconnected}. Without a grace they leave at once. This node's own
   * members are never touched here, and nobody's for a lease period (plus one second) after this
   * node last failed to renew its own lease: an outage of the store keeps every node from renewing,
   * and must not make the first node to reach it again take all the others for dead.
   *
   * @return the members taken over (or, without a grace, removed) by this call
   */
  public List<Member> removeDeadNodes() {
    PresenceStore store = ctx.stores().presence();
    List<Member> handled = new ArrayList<>();
    Instant now = ctx.clock().instant();
    if (now.isBefore(reapNotBefore)) {
      return handled;
    }
    String self = ctx.config().nodeId();
    boolean grace = !ctx.config().resumeGrace().isZero();
    for (String node : call("Reading node leases", () -> store.expiredNodes(now))) {
      if (node.equals(self)) {
        continue;
      }
      if (grace) {
        List<Member> taken = call("Taking over a dead node", () -> store.takeOverNode(node, self));
        holdForResume(taken);
        handled.addAll(taken);
        if (!taken.isEmpty()) {
          log.info(
              "Node '{}' is dead: {} of its members wait here for a resume", node, taken.size());
        }
        continue;
      }
      for (Member m : call("Removing a dead node", () -> store.removeNode(node))) {
        ctx.lanes()
            .inLane(
                m.room(),
                () -> {
                  afterLeave(m, LeaveReason.DISCONNECTED, null);
                  return null;
                });
        handled.add(m);
      }
    }
    return handled;
  }

  /**
   * Takes over a connection of a dead node that this node holds for a resume (see {@link
   * #removeDeadNodes}): its grace ends here, and the caller resumes it, here or on the node it
   * hands it to.
   *
   * @param connectionId the connection the client resumes
   * @param userId the resuming client's user; another user's connection is refused
   * @return the rooms it is a member of; empty if this node holds no such connection for that user
   */
  public Set<String> claimOrphan(String connectionId, String userId) {
    Orphan o = orphans.get(connectionId);
    if (o == null || !o.userId().equals(userId) || !orphans.remove(connectionId, o)) {
      return Set.of();
    }
    ScheduledFuture<?> f = o.expiry()[0];
    if (f != null) {
      f.cancel(false);
    }
    return Set.copyOf(o.rooms());
  }

  /**
   * Writes the dead nodes' members this node holds for a resume back to the store, as {@link
   * #restore} does for live ones: when the store lost them (Redis restarted empty), their grace
   * must still end in {@code member.left}, and that leave needs them on record.
   *
   * @return how many were missing and are back
   */
  public int restoreOrphans() {
    int restored = 0;
    for (Orphan o : orphans.values()) {
      for (Member m : o.members().values()) {
        if (restore(m)) {
          restored++;
        }
      }
    }
    return restored;
  }

  /** How many connections of dead nodes this node holds for a resume. */
  public int orphanCount() {
    return orphans.size();
  }

  private void holdForResume(List<Member> taken) {
    Map<String, Orphan> byConnection = new LinkedHashMap<>();
    for (Member m : taken) {
      byConnection
          .computeIfAbsent(
              m.connectionId(),
              c -> new Orphan(m.userId(), new ConcurrentHashMap<>(), new ScheduledFuture<?>[1]))
          .members()
          .put(m.room(), m);
    }
    long graceMs = ctx.config().resumeGrace().toMillis();
    byConnection.forEach(
        (connectionId, o) -> {
          orphans.put(connectionId, o);
          try {
            o.expiry()[0] =
                ctx.scheduler()
                    .schedule(() -> endGrace(connectionId, o), graceMs, TimeUnit.MILLISECONDS);
          } catch (RejectedExecutionException e) {
            // shutting down: they stay held by this node until its own lease runs out
          }
        });
  }

  /**
   * Nobody resumed the dead node's connection in time: it leaves wherever this node still holds it.
   * Rooms the store could not be reached for are tried again a second later.
   */
  private void endGrace(String connectionId, Orphan o) {
    if (!orphans.remove(connectionId, o)) {
      return;
    }
    Orphan retry = new Orphan(o.userId(), new ConcurrentHashMap<>(), new ScheduledFuture<?>[1]);
    for (Member held : o.members().values()) {
      String room = held.room();
      try {
        boolean ours =
            find(room, connectionId)
                .map(m -> m.nodeId().equals(ctx.config().nodeId()))
                .orElse(false);
        if (ours) {
          leave(connectionId, room, LeaveReason.DISCONNECTED, null);
        }
      } catch (RuntimeException e) {
        log.warn("Could not remove {} of a dead node from room '{}'", connectionId, room, e);
        retry.members().put(room, held);
      }
    }
    if (!retry.rooms().isEmpty() && orphans.putIfAbsent(connectionId, retry) == null) {
      try {
        retry.expiry()[0] =
            ctx.scheduler().schedule(() -> endGrace(connectionId, retry), 1, TimeUnit.SECONDS);
      } catch (RejectedExecutionException e) {
        orphans.remove(connectionId, retry);
      }
    }
  }

  private void afterLeave(Member m, LeaveReason reason, String detail) {
    Instant now = ctx.clock().instant();
    recordSession(() -> ctx.stores().sessions().close(m.room(), m.connectionId(), now, reason));
    ctx.events().publish(new MemberLeft(m, reason, detail, now));
  }

  /**
   * Sessions are analytics: once presence has changed, a failing session store must not turn the
   * change into an error the others never hear about.
   */
  private static void recordSession(Runnable write) {
    try {
      write.run();
    } catch (RuntimeException e) {
      log.warn("Recording a member session failed; presence is unaffected", e);
    }
  }

  private String checkState(String stateJson) {
    int bytes = stateJson.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > ctx.config().maxStateBytes()) {
      throw new TooLargeException(
          "Member state is " + bytes + " bytes; the limit is " + ctx.config().maxStateBytes());
    }
    return stateJson;
  }

  private static String checkName(String name) {
    if (name.length() > 100) {
      throw new BadRequestException("Name is longer than 100 characters");
    }
    return name;
  }

  private static ForbiddenException notAMember(String roomId) {
    return new ForbiddenException("Not a member of room '" + roomId + "'");
  }
}

package dev.flowsync.core.timer;

import static dev.flowsync.core.internal.StoreCalls.call;

import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.ConflictException;
import dev.flowsync.core.FlowSyncException.ForbiddenException;
import dev.flowsync.core.event.TimerChanged;
import dev.flowsync.core.internal.EngineContext;
import dev.flowsync.core.room.Room;
import dev.flowsync.core.room.RoomEngine;
import dev.flowsync.core.room.TimerControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-authoritative timer of each room. Commands and phase ends are compare-and-set writes
 * on the timer's version, so when several engines share a store exactly one of them applies each
 * change. Running timers have one scheduled wake-up each, at their {@code endsAt}; there is no
 * periodic tick.
 */
public final class TimerEngine {
  private static final Logger log = LoggerFactory.getLogger(TimerEngine.class);
  static final int MAX_PHASES = 32;
  static final long MAX_PHASE_MS = Duration.ofDays(7).toMillis();

  private final EngineContext ctx;
  private final RoomEngine rooms;
  private final Map<String, ScheduledFuture<?>> wakeUps = new ConcurrentHashMap<>();

  /**
   * The newest running or paused state this engine saw per room, so it can write them back if the
   * store loses them ({@link #restoreKnown()}).
   */
  private final Map<String, TimerState> known = new ConcurrentHashMap<>();

  /** Created by {@code FlowSync}; applications obtain the engine from {@code FlowSync.timers()}. */
  public TimerEngine(EngineContext ctx, RoomEngine rooms) {
    this.ctx = ctx;
    this.rooms = rooms;
  }

  /**
   * The room's timer as of now, applying due phase ends first (announced as {@code TimerChanged}).
   *
   * @param roomId the room id
   * @return the state; idle at version 0 if no timer was ever started
   */
  public TimerState get(String roomId) {
    TimerState s =
        call("Reading timer", () -> ctx.stores().timers().find(roomId)).orElse(TimerState.idle());
    if (TimerMath.advance(s, ctx.clock().instant()) != null) {
      s = advanceDue(roomId);
    }
    return TimerMath.observedAt(s, ctx.clock().instant());
  }

  /**
   * Starts the phases from the first, in round 1.
   *
   * @param roomId the room id
   * @param userId the user giving the command
   * @param phases 1 to 32 phases of 1 ms to 7 days with names of 1 to 64 characters
   * @param repeat whether the phases start over after the last
   * @return the running timer
   * @throws BadRequestException invalid phases
   * @throws ConflictException the timer is running or paused
   * @throws ForbiddenException the room lets only its owner control the timer
   * @throws dev.flowsync.core.FlowSyncException.NotFoundException the room does not exist
   */
  public TimerState start(String roomId, String userId, List<Phase> phases, boolean repeat) {
    if (phases == null || phases.isEmpty() || phases.size() > MAX_PHASES) {
      throw new BadRequestException("A timer needs 1 to " + MAX_PHASES + " phases");
    }
    for (Phase p : phases) {
      if (p.durationMs() > MAX_PHASE_MS || p.name().isEmpty() || p.name().length() > 64) {
        throw new BadRequestException(
            "Phase '" + p.name() + "' needs a name of 1-64 characters and 1 ms to 7 days");
      }
    }
    List<Phase> copy = List.copyOf(phases);
    return command(roomId, userId, "start", s -> TimerMath.start(s, copy, repeat, now(), userId));
  }

  /**
   * Freezes the remaining time of a running timer.
   *
   * @param roomId the room id
   * @param userId the user giving the command
   * @return the new state
   * @throws ConflictException unless the timer is running
   * @throws ForbiddenException the room lets only its owner control the timer
   * @throws dev.flowsync.core.FlowSyncException.NotFoundException the room does not exist
   */
  public TimerState pause(String roomId, String userId) {
    return command(roomId, userId, "pause", s -> TimerMath.pause(s, now(), userId));
  }

  /**
   * Runs a paused timer on from its frozen remaining time.
   *
   * @param roomId the room id
   * @param userId the user giving the command
   * @return the new state
   * @throws ConflictException unless the timer is paused
   * @throws ForbiddenException the room lets only its owner control the timer
   * @throws dev.flowsync.core.FlowSyncException.NotFoundException the room does not exist
   */
  public TimerState resume(String roomId, String userId) {
    return command(roomId, userId, "resume", s -> TimerMath.resume(s, now(), userId));
  }

  /**
   * Resets the timer to idle at its first phase, keeping the phases.
   *
   * @param roomId the room id
   * @param userId the user giving the command
   * @return the new state
   * @throws ConflictException unless the timer is anything but idle
   * @throws ForbiddenException the room lets only its owner control the timer
   * @throws dev.flowsync.core.FlowSyncException.NotFoundException the room does not exist
   */
  public TimerState reset(String roomId, String userId) {
    return command(roomId, userId, "reset", s -> TimerMath.reset(s, userId));
  }

  /**
   * Ends the current phase now: the next phase starts, the next round, or the timer finishes.
   *
   * @param roomId the room id
   * @param userId the user giving the command
   * @return the new state
   * @throws ConflictException unless the timer is running or paused
   * @throws ForbiddenException the room lets only its owner control the timer
   * @throws dev.flowsync.core.FlowSyncException.NotFoundException the room does not exist
   */
  public TimerState skip(String roomId, String userId) {
    return command(roomId, userId, "skip", s -> TimerMath.skip(s, now(), userId));
  }

  /**
   * Makes sure this engine wakes up for the room's running timer (for example after another node
   * changed it), so phase ends happen even if that node dies.
   *
   * @param roomId the room id
   */
  public void watch(String roomId) {
    call("Reading timer", () -> ctx.stores().timers().find(roomId))
        .ifPresent(s -> schedule(roomId, s));
  }

  /** Schedules (or catches up) every running timer in the store; called at start-up. */
  public void recoverRunning() {
    call("Reading timers", () -> ctx.stores().timers().running()).forEach(this::schedule);
  }

  /**
   * Writes the running and paused timers this engine knows back into the store where it lost them
   * (Redis restarted empty), never over a state of the same or a newer version, then wakes up for
   * them again. Every node may call this at once: each timer is stored once, the newest version any
   * of them knew, and its phase ends stay compare-and-set writes, so each still happens once.
   *
   * @return how many timers this call wrote back
   */
  public int restoreKnown() {
    int restored = 0;
    for (Map.Entry<String, TimerState> e : Map.copyOf(known).entrySet()) {
      String roomId = e.getKey();
      boolean stored =
          ctx.lanes()
              .inLane(
                  roomId,
                  () ->
                      call(
                          "Restoring timer",
                          () -> ctx.stores().timers().restore(roomId, e.getValue())));
      if (stored) {
        restored++;
      }
      watch(roomId);
    }
    return restored;
  }

  /** Cancels every scheduled wake-up. */
  public void stop() {
    wakeUps.values().forEach(f -> f.cancel(false));
    wakeUps.clear();
  }

  /**
   * Forgets the room's wake-up (the room was deleted).
   *
   * @param roomId the room id
   */
  public void forget(String roomId) {
    known.remove(roomId);
    ScheduledFuture<?> f = wakeUps.remove(roomId);
    if (f != null) {
      f.cancel(false);
    }
  }

  private TimerState command(
      String roomId, String userId, String name, UnaryOperator<TimerState> change) {
    // The room is checked inside its lane: a delete cannot then slip in between the check and the
    // write and leave a timer behind that a re-created room of the same id would inherit.
    return ctx.lanes()
        .inLane(
            roomId,
            () -> {
              Room room = rooms.get(roomId);
              if (room.timerControl() == TimerControl.OWNER
                  && !Objects.equals(userId, room.ownerId())) {
                throw new ForbiddenException(
                    "Only the owner of room '" + roomId + "' may control its timer");
              }
              while (true) {
                TimerState current = get(roomId);
                TimerState next = change.apply(current);
                if (next == null) {
                  throw new ConflictException(
                      "Cannot "
                          + name
                          + " the timer of room '"
                          + roomId
                          + "' while it is "
                          + current.status().wireName());
                }
                if (cas(roomId, current.version(), next)) {
                  ctx.events().publish(new TimerChanged(roomId, next, isPhaseStart(name), now()));
                  schedule(roomId, next);
                  return next;
                }
                // Another node changed it between our read and write: decide again on fresh state.
              }
            });
  }

  private static boolean isPhaseStart(String command) {
    return command.equals("start") || command.equals("skip");
  }

  /** Applies due phase ends with CAS; the engine that wins the CAS publishes. */
  private TimerState advanceDue(String roomId) {
    return ctx.lanes()
        .inLane(
            roomId,
            () -> {
              while (true) {
                TimerState current =
                    call("Reading timer", () -> ctx.stores().timers().find(roomId))
                        .orElse(TimerState.idle());
                TimerState next = TimerMath.advance(current, now());
                if (next == null) {
                  schedule(roomId, current);
                  return current;
                }
                if (cas(roomId, current.version(), next)) {
                  ctx.events().publish(new TimerChanged(roomId, next, true, now()));
                  schedule(roomId, next);
                  return next;
                }
              }
            });
  }

  private boolean cas(String roomId, long expected, TimerState next) {
    return call("Writing timer", () -> ctx.stores().timers().compareAndSet(roomId, expected, next));
  }

  private void schedule(String roomId, TimerState s) {
    remember(roomId, s);
    ScheduledFuture<?> previous;
    if (s.status() != TimerStatus.RUNNING) {
      previous = wakeUps.remove(roomId);
    } else {
      long delay = Math.max(0, s.endsAt().toEpochMilli() - now().toEpochMilli());
      ScheduledFuture<?> next =
          ctx.scheduler().schedule(() -> wake(roomId), delay, TimeUnit.MILLISECONDS);
      previous = wakeUps.put(roomId, next);
    }
    if (previous != null) {
      previous.cancel(false);
    }
  }

  /**
   * Keeps the newest state seen. A store that lost the timer reads as idle at version 0, which is
   * older than what is remembered and so does not erase it.
   */
  private void remember(String roomId, TimerState s) {
    boolean live = s.status() == TimerStatus.RUNNING || s.status() == TimerStatus.PAUSED;
    known.compute(
        roomId,
        (r, old) -> {
          if (old != null && old.version() > s.version()) {
            return old;
          }
          return live ? s : null;
        });
  }

  private void wake(String roomId) {
    try {
      advanceDue(roomId);
    } catch (RuntimeException e) {
      log.warn("Advancing the timer of room '{}' failed; retrying in 1 s", roomId, e);
      wakeUps.put(roomId, ctx.scheduler().schedule(() -> wake(roomId), 1, TimeUnit.SECONDS));
    }
  }

  private Instant now() {
    return ctx.clock().instant();
  }
}

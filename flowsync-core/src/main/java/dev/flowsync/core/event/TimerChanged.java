package dev.flowsync.core.event;

import dev.flowsync.core.timer.TimerState;
import java.time.Instant;

/**
 * A room's timer changed.
 *
 * @param roomId the room
 * @param timer the new state
 * @param phaseStarted true when a new phase began or the timer finished (the {@code timer.phase}
 *     webhook), false for pause, resume and other changes
 * @param at when
 */
public record TimerChanged(String roomId, TimerState timer, boolean phaseStarted, Instant at)
    implements RoomEvent {}

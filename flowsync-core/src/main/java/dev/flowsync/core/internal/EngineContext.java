package dev.flowsync.core.internal;

import dev.flowsync.core.FlowSyncConfig;
import dev.flowsync.core.event.EventPublisher;
import dev.flowsync.core.store.Stores;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/** What every engine shares: configuration, clock, stores, events, lanes and the scheduler. */
public record EngineContext(
    FlowSyncConfig config,
    Clock clock,
    Stores stores,
    EventPublisher events,
    RoomLanes lanes,
    ScheduledExecutorService scheduler) {}

package dev.flowsync.core;

import java.time.Duration;

/**
 * The engine settings of one FlowSync instance; immutable, validated by {@link
 * FlowSync.Builder#build()}.
 *
 * @param nodeId this node's id in a cluster
 * @param autoCreateRooms whether joining an unknown room creates it
 * @param defaultRoomCapacity capacity of rooms created without one; 0 = no limit
 * @param resumeGrace how long a closed connection's memberships wait for a resume; zero disables
 * @param historyLimit how many recent messages {@code joined} carries
 * @param maxStateBytes the largest member state, in UTF-8 bytes
 * @param maxTextLength the longest chat text, in characters
 * @param tokenTtl the default access-token lifetime
 * @param nodeLeaseTtl how long a node's presence lease lasts without renewal
 */
public record FlowSyncConfig(
    String nodeId,
    boolean autoCreateRooms,
    int defaultRoomCapacity,
    Duration resumeGrace,
    int historyLimit,
    int maxStateBytes,
    int maxTextLength,
    Duration tokenTtl,
    Duration nodeLeaseTtl) {}

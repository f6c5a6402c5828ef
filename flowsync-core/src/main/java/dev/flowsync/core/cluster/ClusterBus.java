package dev.flowsync.core.cluster;

/**
 * Moves messages between the nodes of a cluster. Payloads are opaque text (the signaling layer
 * encodes them), so a bus implementation needs no knowledge of the protocol.
 *
 * <p>Delivery is best-effort and at most once: a room event or signal that cannot be delivered is
 * lost for that node, as it would be for a connection that drops. State that must survive lives in
 * the stores.
 */
public interface ClusterBus extends AutoCloseable {

  /**
   * Starts delivering messages addressed to this node, and to rooms this node has {@linkplain
   * #joinRoom joined}, to the listener. Called once, before any other method.
   */
  void start(String nodeId, ClusterListener listener);

  /** This node now has local members in the room: deliver the room's messages here. */
  void joinRoom(String room);

  /** This node has no more local members in the room. */
  void leaveRoom(String room);

  /** Sends to every other node that has joined the room (never back to this node). */
  void publishToRoom(String room, String payload);

  /** Sends to one node (for example the one holding a signal's target connection). */
  void sendToNode(String nodeId, String payload);

  /** Sends to every other node. */
  void broadcast(String payload);

  /** Whether the bus is connected; false makes {@code /health} report degraded. */
  default boolean isHealthy() {
    return true;
  }

  /** Stops delivering and releases connections; further sends are dropped. */
  @Override
  void close();

  /** Receives messages from other nodes. */
  @FunctionalInterface
  interface ClusterListener {
    /**
     * Receives one message from another node.
     *
     * @param payload the text another node sent
     */
    void onMessage(String payload);

    /**
     * A message sent with {@link #sendToNode} reached no node: nothing listens for that node any
     * more (it died, or its subscription is down). Best effort, for rerouting: a bus that cannot
     * tell never calls it. Called on a sending thread; must not block.
     *
     * @param nodeId the node the message was addressed to
     * @param payload the message
     */
    default void onUndelivered(String nodeId, String payload) {}
  }
}

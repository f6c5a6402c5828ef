package dev.flowsync.jetty.ws;

import dev.flowsync.core.cluster.ClusterBus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A cluster bus between gateways in one JVM, with the delivery rules of {@link ClusterBus}: room
 * messages reach the other nodes that joined the room, never the sender; each node receives on its
 * own thread, in order, as a pub/sub subscriber would.
 */
final class InMemoryClusterHub implements AutoCloseable {
  private final Map<String, Node> nodes = new ConcurrentHashMap<>();
  private final Set<String> unreachable = ConcurrentHashMap.newKeySet();

  /** From now on messages to this node are lost, as if it had died or been partitioned. */
  void makeUnreachable(String nodeId) {
    unreachable.add(nodeId);
  }

  /**
   * From now on nothing listens for this node: messages sent to it are reported to their sender as
   * undelivered, as Redis reports a PUBLISH that no subscriber received.
   */
  void kill(String nodeId) {
    nodes.remove(nodeId);
  }

  ClusterBus bus() {
    return new Node();
  }

  @Override
  public void close() {
    nodes.values().forEach(n -> n.inbox.shutdownNow());
  }

  private final class Node implements ClusterBus {
    final ExecutorService inbox =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "test-bus");
              t.setDaemon(true);
              return t;
            });
    final Set<String> rooms = ConcurrentHashMap.newKeySet();
    volatile String nodeId;
    volatile ClusterListener listener;

    @Override
    public void start(String nodeId, ClusterListener listener) {
      this.nodeId = nodeId;
      this.listener = listener;
      nodes.put(nodeId, this);
    }

    void deliver(String payload) {
      if (unreachable.contains(nodeId)) {
        return;
      }
      inbox.execute(() -> listener.onMessage(payload));
    }

    @Override
    public void joinRoom(String room) {
      rooms.add(room);
    }

    @Override
    public void leaveRoom(String room) {
      rooms.remove(room);
    }

    @Override
    public void publishToRoom(String room, String payload) {
      for (Node n : nodes.values()) {
        if (n != this && n.rooms.contains(room)) {
          n.deliver(payload);
        }
      }
    }

    @Override
    public void sendToNode(String nodeId, String payload) {
      Node n = nodes.get(nodeId);
      if (n == null) {
        listener.onUndelivered(nodeId, payload);
      } else if (n != this) {
        n.deliver(payload);
      }
    }

    @Override
    public void broadcast(String payload) {
      for (Node n : nodes.values()) {
        if (n != this) {
          n.deliver(payload);
        }
      }
    }

    @Override
    public void close() {
      nodes.remove(nodeId, this);
    }
  }
}

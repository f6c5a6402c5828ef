package dev.flowsync.core.cluster;

/** The bus of a single node: there is nobody else to tell, so every send is a no-op. */
public final class LocalClusterBus implements ClusterBus {

  @Override
  public void start(String nodeId, ClusterListener listener) {}

  @Override
  public void joinRoom(String room) {}

  @Override
  public void leaveRoom(String room) {}

  @Override
  public void publishToRoom(String room, String payload) {}

  @Override
  public void sendToNode(String nodeId, String payload) {}

  @Override
  public void broadcast(String payload) {}

  @Override
  public void close() {}
}

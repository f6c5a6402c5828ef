package dev.flowsync.bench.relay;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One connection of the {@link BareRelay} on Jetty's own WebSocket API (no Jakarta layer, no
 * servlet): the same protocol code, to see what the Jakarta layer costs.
 */
public final class NativeRelayEndpoint implements Session.Listener.AutoDemanding {
  private final RelayConnection connection;

  NativeRelayEndpoint(BareRelay relay) {
    this.connection =
        new RelayConnection(relay) {
          @Override
          void sendText(String text) {
            Session s = session;
            if (s != null && s.isOpen()) {
              s.sendText(text, Callback.NOOP);
            }
          }
        };
  }

  private volatile Session session;

  @Override
  public void onWebSocketOpen(Session session) {
    this.session = session;
  }

  @Override
  public void onWebSocketText(String message) {
    connection.onText(message);
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason, Callback callback) {
    connection.onClose();
    callback.succeed();
  }
}

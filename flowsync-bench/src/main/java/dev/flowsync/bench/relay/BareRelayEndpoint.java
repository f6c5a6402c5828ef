package dev.flowsync.bench.relay;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;

/** One connection of the {@link BareRelay} on the Jakarta WebSocket API. */
public final class BareRelayEndpoint extends Endpoint {
  private final BareRelay relay;
  private RelayConnection connection;

  BareRelayEndpoint(BareRelay relay) {
    this.relay = relay;
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    connection =
        new RelayConnection(relay) {
          @Override
          void sendText(String text) {
            if (session.isOpen()) {
              session.getAsyncRemote().sendText(text);
            }
          }
        };
    RelayConnection c = connection;
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) c::onText);
  }

  @Override
  public void onClose(Session session, CloseReason closeReason) {
    if (connection != null) {
      connection.onClose();
    }
  }
}

package dev.flowsync.jetty.ws;

import dev.flowsync.signaling.ClientSession;
import dev.flowsync.signaling.Gateway;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /ws} endpoint: adapts one Jakarta WebSocket session to the gateway. No state of its
 * own beyond the session it serves; the gateway is handed in by {@link WebSocketMount}.
 */
public final class FlowSyncEndpoint extends Endpoint {
  private static final Logger log = LoggerFactory.getLogger(FlowSyncEndpoint.class);
  private final Gateway gateway;
  private final int maxPendingFrames;
  private ClientSession client;

  FlowSyncEndpoint(Gateway gateway, int maxPendingFrames) {
    this.gateway = gateway;
    this.maxPendingFrames = maxPendingFrames;
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    Object address = session.getUserProperties().get("flowsync.remoteAddress");
    if (address == null) {
      address = session.getUserProperties().get("jakarta.websocket.endpoint.remoteAddress");
    }
    client =
        gateway.open(
            new JakartaConnection(
                session,
                maxPendingFrames,
                gateway.config().maxOutboundBytes(),
                address == null ? "?" : address.toString()));
    ClientSession c = client;
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) c::onText);
    session.addMessageHandler(
        ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) b -> c.onBinary());
    session.addMessageHandler(
        PongMessage.class, (MessageHandler.Whole<PongMessage>) p -> c.onPong());
  }

  @Override
  public void onClose(Session session, CloseReason closeReason) {
    if (client != null) {
      client.onClose(closeReason.getCloseCode().getCode());
    }
  }

  @Override
  public void onError(Session session, Throwable thr) {
    // Jetty closes the session after an error (e.g. 1009 for a frame over the limit); onClose
    // then releases the connection's presence.
    log.debug("WebSocket error on {}", session.getId(), thr);
  }
}

package dev.flowsync.jetty.ws;

import dev.flowsync.signaling.Connection;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Connection} over a Jakarta WebSocket session. Sends are asynchronous; the number of
 * frames in flight is bounded, and a client that lets it fill up is closed instead of growing the
 * server's memory.
 */
final class JakartaConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(JakartaConnection.class);
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final Session session;
  private final int maxPendingFrames;
  private final AtomicInteger pending = new AtomicInteger();
  private final String remoteAddress;

  JakartaConnection(Session session, int maxPendingFrames, String remoteAddress) {
    this.session = session;
    this.maxPendingFrames = maxPendingFrames;
    this.remoteAddress = remoteAddress;
  }

  @Override
  public boolean send(String text) {
    if (!session.isOpen()) {
      return false;
    }
    if (pending.incrementAndGet() > maxPendingFrames) {
      pending.decrementAndGet();
      close(CloseReason.CloseCodes.VIOLATED_POLICY.getCode(), "Slow consumer");
      return false;
    }
    session.getAsyncRemote().sendText(text, result -> pending.decrementAndGet());
    return true;
  }

  @Override
  public void ping() {
    try {
      session.getAsyncRemote().sendPing(EMPTY);
    } catch (IOException | IllegalStateException e) {
      log.debug("Ping to {} failed", remoteAddress, e);
    }
  }

  @Override
  public void close(int code, String reason) {
    try {
      session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
    } catch (IOException | IllegalStateException e) {
      log.debug("Closing {} failed", remoteAddress, e);
    }
  }

  @Override
  public String remoteAddress() {
    return remoteAddress;
  }
}

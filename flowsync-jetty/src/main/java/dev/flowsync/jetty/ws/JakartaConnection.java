package dev.flowsync.jetty.ws;

import dev.flowsync.signaling.Connection;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Connection} over a Jakarta WebSocket session. Sends are asynchronous; the frames and
 * bytes in flight are bounded, and a client that lets them fill up is closed instead of growing the
 * server's memory.
 */
final class JakartaConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(JakartaConnection.class);
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final Session session;
  private final int maxPendingFrames;
  private final long maxPendingBytes;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong pendingChars = new AtomicLong();
  private final String remoteAddress;
  private volatile boolean slow;

  JakartaConnection(
      Session session, int maxPendingFrames, long maxPendingBytes, String remoteAddress) {
    this.session = session;
    this.maxPendingFrames = maxPendingFrames;
    this.maxPendingBytes = maxPendingBytes;
    this.remoteAddress = remoteAddress;
  }

  @Override
  public boolean send(String text) {
    if (slow || !session.isOpen()) {
      return false;
    }
    int frames = pending.incrementAndGet();
    long chars = pendingChars.addAndGet(text.length());
    // One frame always fits, however big: the bound is on what piles up behind it.
    if (frames > maxPendingFrames || (frames > 1 && chars > maxPendingBytes)) {
      pending.decrementAndGet();
      pendingChars.addAndGet(-text.length());
      slow = true;
      log.info(
          "Closing {}: slow consumer ({} frames, {} chars queued)", remoteAddress, frames, chars);
      close(CloseReason.CloseCodes.VIOLATED_POLICY.getCode(), "Slow consumer");
      return false;
    }
    int length = text.length();
    try {
      session
          .getAsyncRemote()
          .sendText(
              text,
              result -> {
                pending.decrementAndGet();
                pendingChars.addAndGet(-length);
              });
    } catch (IllegalStateException e) {
      pending.decrementAndGet();
      pendingChars.addAndGet(-length);
      return false;
    }
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

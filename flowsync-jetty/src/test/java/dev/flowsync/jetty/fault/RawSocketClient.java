package dev.flowsync.jetty.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a bare TCP socket, for faults a well-behaved client library cannot make: it
 * can vanish with a TCP reset ({@link #abort}) or a plain FIN ({@link #dropWithoutCloseFrame}) and
 * never sends a close frame. It never reads after the handshake.
 */
final class RawSocketClient implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;

  RawSocketClient(URI wsUri) throws IOException {
    this(wsUri, false);
  }

  /**
   * @param smallWindow a small TCP receive buffer, so that a client that never reads stalls the
   *     server's writes after little data (a slow consumer)
   */
  RawSocketClient(URI wsUri, boolean smallWindow) throws IOException {
    socket = new Socket();
    if (smallWindow) {
      socket.setReceiveBufferSize(8 * 1024);
    }
    socket.connect(new InetSocketAddress(wsUri.getHost(), wsUri.getPort()), 5000);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    String request =
        "GET "
            + wsUri.getPath()
            + " HTTP/1.1\r\nHost: "
            + wsUri.getHost()
            + ":"
            + wsUri.getPort()
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(key)
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("Handshake failed: " + head);
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("Handshake failed: " + head);
    }
  }

  /** Sends one masked text frame (payloads under 64 KiB). */
  void send(String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    byte[] frame = new byte[2 + (payload.length < 126 ? 0 : 2) + 4 + payload.length];
    int i = 0;
    frame[i++] = (byte) 0x81;
    if (payload.length < 126) {
      frame[i++] = (byte) (0x80 | payload.length);
    } else {
      frame[i++] = (byte) (0x80 | 126);
      frame[i++] = (byte) (payload.length >> 8);
      frame[i++] = (byte) payload.length;
    }
    System.arraycopy(mask, 0, frame, i, 4);
    i += 4;
    for (int j = 0; j < payload.length; j++) {
      frame[i + j] = (byte) (payload[j] ^ mask[j % 4]);
    }
    out.write(frame);
    out.flush();
  }

  /** Vanishes with a TCP reset: no close frame, no FIN. */
  void abort() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  /** Closes the TCP connection normally (FIN) without a WebSocket close frame. */
  void dropWithoutCloseFrame() throws IOException {
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

package dev.flowsync.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Client} on a minimal WebSocket client of its own over NIO ({@code --transport nio}): the
 * HTTP upgrade, text frames out with a zero masking key (valid, and the payload is then sent as
 * is), frames in parsed from a shared buffer, pings answered. It exists because the JDK client
 * costs more CPU per message than the server under test; with it the sweep can push the server
 * further on the same two cores. Protocol handling stays in {@link Client}.
 */
final class NioClient extends Client {
  private static final byte[] NO_MASK = new byte[4];

  private final NioLoop loop;
  private final ConcurrentLinkedQueue<byte[]> out = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean dirty = new AtomicBoolean();
  private SocketChannel channel;
  private SelectionKey key;
  private URI uri;
  private CompletableFuture<Void> upgraded;
  private boolean open;
  private byte[] leftoverWrite;
  private byte[] leftoverRead;
  private java.io.ByteArrayOutputStream fragments;

  NioClient(int index, String room, String token, Stats stats, NioLoop loop) {
    super(index, room, token, stats);
    this.loop = loop;
  }

  @Override
  CompletableFuture<Void> connect(HttpClient ignored, URI uri) {
    this.uri = uri;
    upgraded = new CompletableFuture<>();
    try {
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
      channel.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
    } catch (IOException e) {
      upgraded.completeExceptionally(e);
      return upgraded;
    }
    loop.register(this);
    return upgraded;
  }

  void registerWith(Selector selector) throws IOException {
    key = channel.register(selector, SelectionKey.OP_CONNECT, this);
  }

  void finishConnect(SelectionKey k) {
    try {
      channel.finishConnect();
    } catch (IOException e) {
      k.cancel();
      upgraded.completeExceptionally(e);
      return;
    }
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String request =
        "GET "
            + uri.getRawPath()
            + " HTTP/1.1\r\nHost: "
            + uri.getHost()
            + ":"
            + uri.getPort()
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(nonce)
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    k.interestOps(SelectionKey.OP_READ);
    out.add(request.getBytes(StandardCharsets.US_ASCII));
    flush();
  }

  @Override
  void send(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    out.add(frame(0x81, payload));
    if (dirty.compareAndSet(false, true)) {
      loop.markDirty(this);
    }
  }

  private static byte[] frame(int opcodeByte, byte[] payload) {
    int n = payload.length;
    int header = n < 126 ? 2 : n < 65536 ? 4 : 10;
    byte[] f = new byte[header + 4 + n];
    f[0] = (byte) opcodeByte;
    if (n < 126) {
      f[1] = (byte) (0x80 | n);
    } else if (n < 65536) {
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (n >>> 8);
      f[3] = (byte) n;
    } else {
      f[1] = (byte) (0x80 | 127);
      for (int i = 0; i < 8; i++) {
        f[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
      }
    }
    System.arraycopy(NO_MASK, 0, f, header, 4);
    System.arraycopy(payload, 0, f, header + 4, n);
    return f;
  }

  /** On the loop thread: writes what is queued, as much as the socket takes. */
  void flush() {
    dirty.set(false);
    if (channel == null || !channel.isConnected()) {
      return;
    }
    ByteBuffer wb = loop.writeBuffer;
    try {
      while (true) {
        wb.clear();
        if (leftoverWrite != null) {
          wb.put(leftoverWrite);
          leftoverWrite = null;
        }
        byte[] f;
        while ((f = out.peek()) != null && f.length <= wb.remaining()) {
          wb.put(out.poll());
        }
        if (wb.position() == 0 && (f = out.poll()) != null) {
          wb = ByteBuffer.wrap(f); // bigger than the shared buffer
        } else {
          wb.flip();
        }
        if (!wb.hasRemaining()) {
          break;
        }
        channel.write(wb);
        if (wb.hasRemaining()) {
          leftoverWrite = new byte[wb.remaining()];
          wb.get(leftoverWrite);
          key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
          return;
        }
        if (out.isEmpty()) {
          break;
        }
      }
      if (key != null && key.isValid() && (key.interestOps() & SelectionKey.OP_WRITE) != 0) {
        key.interestOps(SelectionKey.OP_READ);
      }
    } catch (IOException e) {
      closed("write failed: " + e);
    }
  }

  /** On the loop thread: reads and handles every complete frame. */
  void read() {
    ByteBuffer rb = loop.readBuffer;
    rb.clear();
    if (leftoverRead != null) {
      rb.put(leftoverRead);
      leftoverRead = null;
    }
    int n;
    try {
      n = channel.read(rb);
    } catch (IOException e) {
      closed("read failed: " + e);
      return;
    }
    if (n < 0) {
      closed("connection closed by the server");
      return;
    }
    rb.flip();
    if (!open && !readUpgrade(rb)) {
      keep(rb);
      return;
    }
    while (rb.remaining() >= 2) {
      int start = rb.position();
      int b0 = rb.get(start) & 0xFF;
      int b1 = rb.get(start + 1) & 0xFF;
      int len = b1 & 0x7F;
      int header = 2;
      if (len == 126) {
        if (rb.remaining() < 4) {
          break;
        }
        len = ((rb.get(start + 2) & 0xFF) << 8) | (rb.get(start + 3) & 0xFF);
        header = 4;
      } else if (len == 127) {
        if (rb.remaining() < 10) {
          break;
        }
        len = (int) rb.getLong(start + 2);
        header = 10;
      }
      if ((b1 & 0x80) != 0) {
        header += 4; // servers do not mask; tolerate it anyway by skipping the key
      }
      if (rb.remaining() < header + len) {
        if (header + len > rb.capacity()) {
          // A frame bigger than the shared buffer: collect it in a fragment buffer.
          closed("frame of " + len + " bytes is larger than the generator's buffer");
          return;
        }
        break;
      }
      byte[] payload = new byte[len];
      rb.position(start + header);
      rb.get(payload);
      onWireFrame(b0, payload);
    }
    keep(rb);
  }

  private void keep(ByteBuffer rb) {
    if (rb.hasRemaining()) {
      leftoverRead = new byte[rb.remaining()];
      rb.get(leftoverRead);
    }
  }

  private boolean readUpgrade(ByteBuffer rb) {
    int end = -1;
    for (int i = rb.position(); i + 3 < rb.limit(); i++) {
      if (rb.get(i) == '\r'
          && rb.get(i + 1) == '\n'
          && rb.get(i + 2) == '\r'
          && rb.get(i + 3) == '\n') {
        end = i + 4;
        break;
      }
    }
    if (end < 0) {
      return false;
    }
    byte[] head = new byte[end - rb.position()];
    rb.get(head);
    String response = new String(head, StandardCharsets.US_ASCII);
    if (!response.startsWith("HTTP/1.1 101")) {
      closed("upgrade refused: " + response.lines().findFirst().orElse(""));
      return false;
    }
    open = true;
    upgraded.complete(null);
    return true;
  }

  private void onWireFrame(int b0, byte[] payload) {
    int opcode = b0 & 0x0F;
    boolean fin = (b0 & 0x80) != 0;
    switch (opcode) {
      case 0x1, 0x0 -> {
        if (!fin || fragments != null) {
          if (fragments == null) {
            fragments = new java.io.ByteArrayOutputStream();
          }
          fragments.writeBytes(payload);
          if (!fin) {
            return;
          }
          payload = fragments.toByteArray();
          fragments = null;
        }
        onFrame(new String(payload, StandardCharsets.UTF_8));
      }
      case 0x9 -> {
        out.add(frame(0x8A, payload));
        flush();
      }
      case 0x8 -> {
        int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        closed(
            "closed "
                + code
                + " "
                + new String(payload, StandardCharsets.UTF_8)
                    .substring(Math.min(2, payload.length)));
      }
      default -> {
        // pong or binary: nothing to do
      }
    }
  }

  private void closed(String why) {
    if (key != null) {
      key.cancel();
    }
    try {
      channel.close();
    } catch (IOException e) {
      // already closed
    }
    if (!upgraded.isDone()) {
      upgraded.completeExceptionally(new IOException(why));
    }
    if (open) {
      open = false;
      stats.error(stats.closedByServer, "client " + index + " " + why);
    }
    failExpected(new IOException(why));
  }

  @Override
  void abort() {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // closing anyway
    }
  }
}

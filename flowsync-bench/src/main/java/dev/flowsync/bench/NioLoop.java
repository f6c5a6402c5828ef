package dev.flowsync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread of the lean generator transport ({@code --transport nio}): registers {@link
 * NioClient} channels, reads and parses their frames, and flushes the frames other threads queued,
 * gathering all of a connection's pending frames into one write.
 */
final class NioLoop extends Thread {
  private final Selector selector;
  private final ConcurrentLinkedQueue<NioClient> toRegister = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<NioClient> dirty = new ConcurrentLinkedQueue<>();

  /** Shared by this loop's connections for gathering writes; only this thread touches it. */
  final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(256 * 1024);

  /** Shared read buffer; a connection keeps only what a partial frame leaves over. */
  final ByteBuffer readBuffer = ByteBuffer.allocateDirect(256 * 1024);

  NioLoop(int i) {
    super("gen-nio-" + i);
    setDaemon(true);
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void register(NioClient c) {
    toRegister.add(c);
    selector.wakeup();
  }

  void markDirty(NioClient c) {
    dirty.add(c);
    selector.wakeup();
  }

  @Override
  public void run() {
    while (true) {
      try {
        selector.select();
        NioClient c;
        while ((c = toRegister.poll()) != null) {
          c.registerWith(selector);
        }
        while ((c = dirty.poll()) != null) {
          c.flush();
        }
        for (SelectionKey key : selector.selectedKeys()) {
          NioClient client = (NioClient) key.attachment();
          if (!key.isValid()) {
            continue;
          }
          if (key.isConnectable()) {
            client.finishConnect(key);
          } else {
            if (key.isReadable()) {
              client.read();
            }
            if (key.isValid() && key.isWritable()) {
              client.flush();
            }
          }
        }
        selector.selectedKeys().clear();
      } catch (IOException | RuntimeException e) {
        System.err.println(getName() + ": " + e);
      }
    }
  }
}

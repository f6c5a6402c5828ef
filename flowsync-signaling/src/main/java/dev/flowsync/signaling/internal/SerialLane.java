package dev.flowsync.signaling.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's requests one after another on a shared executor, so its replies keep the
 * order of its requests while store calls never run on the transport's threads.
 */
public final class SerialLane implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SerialLane.class);

  private final Executor executor;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();

  public SerialLane(Executor executor) {
    this.executor = executor;
  }

  /** True when nothing is queued or running: a request may then run on the caller's thread. */
  public boolean isIdle() {
    return size.get() == 0;
  }

  /** How many requests are queued or running. */
  public int size() {
    return size.get();
  }

  /** Queues a task behind the earlier ones. */
  public void submit(Runnable task) {
    queue.add(task);
    if (size.getAndIncrement() == 0) {
      executor.execute(this);
    }
  }

  @Override
  public void run() {
    do {
      Runnable task = queue.poll();
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("A queued request failed", e);
      }
    } while (size.decrementAndGet() > 0);
  }
}

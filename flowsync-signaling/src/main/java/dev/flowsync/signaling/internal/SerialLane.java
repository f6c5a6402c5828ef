package dev.flowsync.signaling.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's requests one after another on a shared executor, so its replies keep the
 * order of its requests while store calls never run on the transport's threads. A request may
 * finish later than its task returns ({@link #submitAsync}): the lane then waits for it without
 * holding a thread.
 */
public final class SerialLane implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SerialLane.class);

  private final Executor executor;
  private final ConcurrentLinkedQueue<Supplier<? extends CompletionStage<?>>> queue =
      new ConcurrentLinkedQueue<>();
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
    submitAsync(
        () -> {
          task.run();
          return null;
        });
  }

  /**
   * Queues a task whose request ends when the stage it returns completes (null: when it returns);
   * the next task starts only then.
   */
  public void submitAsync(Supplier<? extends CompletionStage<?>> task) {
    queue.add(task);
    if (size.getAndIncrement() == 0) {
      executor.execute(this);
    }
  }

  @Override
  public void run() {
    do {
      Supplier<? extends CompletionStage<?>> task = queue.poll();
      CompletionStage<?> pending = null;
      try {
        pending = task.get();
      } catch (RuntimeException e) {
        log.error("A queued request failed", e);
      }
      if (pending != null && !isDone(pending)) {
        pending.whenComplete((result, failure) -> resume());
        return;
      }
    } while (size.decrementAndGet() > 0);
  }

  private void resume() {
    if (size.decrementAndGet() > 0) {
      executor.execute(this);
    }
  }

  private static boolean isDone(CompletionStage<?> stage) {
    return stage instanceof CompletableFuture<?> f && f.isDone();
  }
}

package dev.flowsync.jetty.metrics;

import dev.flowsync.core.store.Stores;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Measures every store call: {@code flowsync.store.calls} (a timer, tagged with the store role,
 * method and outcome) and {@code flowsync.store.errors}. Wrap the stores before building FlowSync:
 *
 * <pre>{@code
 * FlowSync flowSync = FlowSync.builder().stores(StoreMetrics.instrument(stores, registry)).build();
 * }</pre>
 *
 * <p>The wrappers keep every interface of the wrapped store (e.g. {@code StoreHealth}), so health
 * checks still find them.
 */
public final class StoreMetrics {
  private StoreMetrics() {}

  /** The same stores, each call timed and failures counted on {@code registry}. */
  public static Stores instrument(Stores stores, MeterRegistry registry) {
    return new Stores(
        wrap(stores.rooms(), "rooms", registry),
        wrap(stores.presence(), "presence", registry),
        wrap(stores.timers(), "timers", registry),
        wrap(stores.messages(), "messages", registry),
        wrap(stores.sessions(), "sessions", registry),
        wrap(stores.tokens(), "tokens", registry),
        wrap(stores.clusterBus(), "clusterBus", registry));
  }

  @SuppressWarnings("unchecked")
  private static <T> T wrap(T target, String role, MeterRegistry registry) {
    Set<Class<?>> interfaces = new LinkedHashSet<>();
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      interfaces.addAll(Set.of(c.getInterfaces()));
    }
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return method.invoke(target, args);
          }
          long start = System.nanoTime();
          try {
            Object result = method.invoke(target, args);
            record(registry, role, method, "ok", start);
            return result;
          } catch (InvocationTargetException e) {
            record(registry, role, method, "error", start);
            Counter.builder("flowsync.store.errors")
                .tag("store", role)
                .tag("method", method.getName())
                .register(registry)
                .increment();
            throw e.getCause();
          }
        };
    return (T)
        Proxy.newProxyInstance(
            target.getClass().getClassLoader(), interfaces.toArray(new Class<?>[0]), handler);
  }

  private static void record(
      MeterRegistry registry, String role, Method method, String outcome, long start) {
    Timer.builder("flowsync.store.calls")
        .tag("store", role)
        .tag("method", method.getName())
        .tag("outcome", outcome)
        .register(registry)
        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }
}

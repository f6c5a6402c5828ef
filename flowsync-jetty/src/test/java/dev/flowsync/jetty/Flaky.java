package dev.flowsync.jetty;

import dev.flowsync.core.store.StoreHealth;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * A real store behind a switch that makes it behave like a backend that went away: every call fails
 * and its health check says so. For outage tests only.
 */
final class Flaky {
  volatile boolean down;

  /** {@code store} as {@code type} plus {@link StoreHealth} named {@code backend}. */
  <T> T wrap(T store, Class<T> type, String backend) {
    return type.cast(
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {type, StoreHealth.class},
            (proxy, method, args) -> {
              if (method.getDeclaringClass() == StoreHealth.class) {
                return method.getName().equals("healthName") ? backend : !down;
              }
              if (method.getDeclaringClass() == Object.class) {
                return method.invoke(store, args);
              }
              if (down) {
                throw new IllegalStateException(
                    "Connection refused (test outage of " + backend + ")");
              }
              try {
                return method.invoke(store, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }));
  }
}

package dev.flowsync.core.internal;

import dev.flowsync.core.FlowSyncException;
import java.util.function.Supplier;

/** Turns unexpected store failures into {@code unavailable}, keeping FlowSync's own exceptions. */
public final class StoreCalls {
  private StoreCalls() {}

  /** Runs a store call; any non-FlowSync runtime failure becomes an UnavailableException. */
  public static <T> T call(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (FlowSyncException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new FlowSyncException.UnavailableException(what + " failed: store unavailable", e);
    }
  }
}

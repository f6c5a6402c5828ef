package dev.flowsync.bench.jmh;

import dev.flowsync.signaling.Connection;

/** A transport that keeps the last frame sent to it and counts them; never closes. */
final class CapturingConnection implements Connection {
  volatile String last;
  volatile long count;

  @Override
  public boolean send(String text) {
    last = text;
    count++;
    return true;
  }

  @Override
  public void ping() {}

  @Override
  public void close(int code, String reason) {}

  @Override
  public String remoteAddress() {
    return "127.0.0.1";
  }
}

package dev.flowsync.bench.jmh;

/** The frames the microbenchmarks feed, the same shape and size as the load generator's. */
final class Frames {
  static final String CANDIDATE =
      "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.5 rport"
          + " 46154 generation 0 ufrag EXAMPLE network-id 1 network-cost 10";

  private Frames() {}

  static String signal(String room, String to) {
    return "{\"type\":\"signal\",\"room\":\""
        + room
        + "\",\"to\":\""
        + to
        + "\",\"kind\":\"candidate\",\"payload\":{\"candidate\":\""
        + CANDIDATE
        + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0,\"bench\":[123456789012345,42]}}";
  }
}

package dev.flowsync.jetty.ws;

import dev.flowsync.testing.WsTestClient;
import java.net.URI;
import java.time.Duration;

/** The shared raw test client, under the short name these tests use. */
final class WsClient extends WsTestClient {

  WsClient(URI uri) {
    super(uri);
  }

  /** With {@code reading} false the client never asks for frames: a consumer that stalls. */
  WsClient(URI uri, boolean reading) {
    super(uri, reading, Duration.ofSeconds(5));
  }
}

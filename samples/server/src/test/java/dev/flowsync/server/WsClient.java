package dev.flowsync.server;

import dev.flowsync.testing.WsTestClient;
import java.net.URI;
import java.time.Duration;

/** The shared raw test client; these tests run a whole server, so they wait up to 10 s. */
final class WsClient extends WsTestClient {

  WsClient(URI uri) {
    super(uri, true, Duration.ofSeconds(10));
  }
}

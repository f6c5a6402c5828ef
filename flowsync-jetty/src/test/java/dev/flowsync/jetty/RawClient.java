package dev.flowsync.jetty;

import dev.flowsync.testing.WsTestClient;
import java.net.URI;

/** The shared raw test client, under the short name these tests use. */
final class RawClient extends WsTestClient {

  RawClient(URI uri) {
    super(uri);
  }
}

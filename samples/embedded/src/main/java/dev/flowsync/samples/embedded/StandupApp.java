package dev.flowsync.samples.embedded;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.event.MemberJoined;
import dev.flowsync.core.event.MemberLeft;
import dev.flowsync.core.room.RoomSpec;
import dev.flowsync.core.room.TimerControl;
import dev.flowsync.jetty.FlowSyncServer;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small application that embeds FlowSync: a daily standup room for a team of up to eight. The
 * application owns the users (here: it simply issues tokens by name), creates the room at start,
 * and keeps its own attendance list from FlowSync's events. Browsers (or any WebSocket client)
 * connect to {@link #webSocketUri()} with a token the application issued.
 *
 * <p>Run it with {@code java -cp ... dev.flowsync.samples.embedded.StandupApp [port]}.
 */
public final class StandupApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StandupApp.class);

  /** The room every team member joins. */
  public static final String ROOM = "standup";

  private final FlowSync flowSync;
  private final FlowSyncServer server;
  private final List<String> attendance = new CopyOnWriteArrayList<>();

  private StandupApp(int port, int capacity) {
    // In-memory stores: nothing to install. Swap in SQL/Redis stores for production.
    this.flowSync =
        FlowSync.builder()
            .autoCreateRooms(false)
            .listener(
                event -> {
                  // Listeners run on the engine's thread: keep them quick, as here.
                  if (event instanceof MemberJoined joined) {
                    attendance.add(joined.member().name());
                    log.info("{} joined the standup", joined.member().name());
                  } else if (event instanceof MemberLeft left) {
                    log.info("{} left ({})", left.member().name(), left.reason().wireName());
                  }
                })
            .build();
    flowSync
        .rooms()
        .create(
            new RoomSpec(ROOM, "Daily standup", capacity, false, TimerControl.ANYONE, null, null));
    this.server = FlowSyncServer.builder(flowSync).host("127.0.0.1").port(port).build();
  }

  /**
   * Starts the app on {@code port} (0 picks a free one) with a room of {@code capacity} members.
   */
  public static StandupApp start(int port, int capacity) {
    StandupApp app = new StandupApp(port, capacity);
    try {
      app.server.start();
    } catch (RuntimeException e) {
      app.flowSync.close();
      throw e;
    }
    return app;
  }

  /** An access token for a team member; the app decides who may have one. */
  public String tokenFor(String userId, String name) {
    return flowSync.tokens().issue(userId, name, List.of(ROOM), null).token();
  }

  /** Names of everyone who joined the standup since the app started, in order. */
  public List<String> attendance() {
    return List.copyOf(attendance);
  }

  /** Where clients connect. */
  public URI webSocketUri() {
    return server.webSocketUri();
  }

  /** The FlowSync instance, for anything else the app wants to do with rooms. */
  public FlowSync flowSync() {
    return flowSync;
  }

  /** Says bye to every client, then stops. */
  @Override
  public void close() {
    try {
      server.stop();
    } finally {
      flowSync.close();
    }
  }

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    StandupApp app = start(port, 8);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "standup-shutdown"));
    System.out.println("Standup room at " + app.webSocketUri());
    System.out.println("Token for Ana: " + app.tokenFor("ana", "Ana"));
  }
}

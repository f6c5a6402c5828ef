package dev.flowsync.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowsync.core.FlowSync;
import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.room.RoomSpec;
import dev.flowsync.core.support.Harness;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Events")
class EventsTest {
  private final Harness h = Harness.create();
  private final FlowSync fs = h.flowSync;

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  @DisplayName("each event is published after its write: a listener reading the stores sees it")
  void afterTheWrite() {
    List<String> seen = new ArrayList<>();
    fs.subscribe(
        e -> {
          if (e instanceof RoomCreated c) {
            seen.add("created:" + fs.rooms().find(c.roomId()).isPresent());
          } else if (e instanceof MemberJoined j) {
            seen.add(
                "joined:" + fs.presence().find(j.roomId(), j.member().connectionId()).isPresent());
          } else if (e instanceof MemberUpdated u) {
            seen.add(
                "updated:"
                    + fs.presence()
                        .find(u.roomId(), u.member().connectionId())
                        .orElseThrow()
                        .stateJson());
          } else if (e instanceof ChatMessagePosted p) {
            seen.add("posted:" + fs.chat().lastSeq(p.roomId()));
          } else if (e instanceof TimerChanged t) {
            seen.add("timer:" + fs.timers().get(t.roomId()).version());
          } else if (e instanceof MemberLeft l) {
            seen.add("left:" + fs.presence().find(l.roomId(), "c1").isEmpty());
          } else if (e instanceof RoomClosed c) {
            seen.add("closed:" + fs.rooms().find(c.roomId()).isEmpty());
          } else if (e instanceof TokenRevoked r) {
            seen.add("revoked:" + !fs.tokens().isValid(r.tokenId()));
          }
        });
    AccessToken token = h.token("u1");

    fs.presence().join(token, "c1", "r", null, null);
    fs.presence().updateState("c1", "r", "{\"s\":1}");
    fs.chat().send("r", "u1", "Ana", "hi", null);
    fs.timers().start("r", "u1", List.of(new dev.flowsync.core.timer.Phase("p", 60_000)), false);
    fs.presence().leave("c1", "r", dev.flowsync.core.presence.LeaveReason.LEFT, null);
    fs.rooms().delete("r");
    fs.tokens().revoke(fs.tokens().issue("u2", null, null, null).token());

    assertThat(seen)
        .containsExactly(
            "created:true",
            "joined:true",
            "updated:{\"s\":1}",
            "posted:1",
            "timer:1",
            "left:true",
            "closed:true",
            "revoked:true");
  }

  @Test
  @DisplayName("a throwing listener is logged and skipped; the engine and other listeners go on")
  void throwingListener() throws Exception {
    List<FlowSyncEvent> after = new ArrayList<>();
    fs.subscribe(
        e -> {
          throw new IllegalStateException("listener bug");
        });
    fs.subscribe(after::add);
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      fs.rooms().create(RoomSpec.of("r"));
    } finally {
      System.setErr(original);
    }

    assertThat(fs.rooms().find("r")).isPresent();
    assertThat(after).singleElement().isInstanceOf(RoomCreated.class);
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("WARN")
        .contains("RoomCreated")
        .contains("listener bug");
  }

  @Test
  @DisplayName("closing a subscription stops its events")
  void unsubscribe() throws Exception {
    List<FlowSyncEvent> got = new ArrayList<>();
    AutoCloseable subscription = fs.subscribe(got::add);
    fs.rooms().create(RoomSpec.of("a"));

    subscription.close();
    fs.rooms().create(RoomSpec.of("b"));

    assertThat(got).hasSize(1);
  }
}

package dev.flowsync.jetty.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.room.RoomSpec;
import dev.flowsync.core.room.TimerControl;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("§1.5 the shared timer over a real WebSocket")
class TimerTest {
  private static final String START =
      "{\"type\":\"timer.start\",\"rid\":\"9\",\"room\":\"t\",\"phases\":[{\"name\":\"focus\",\"durationMs\":1500000},{\"name\":\"break\",\"durationMs\":300000}],\"repeat\":true}";
  private TestServer s;
  private WsClient ana;
  private WsClient bo;

  @BeforeEach
  void start() throws Exception {
    s = TestServer.start();
    ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"t\"}");
    ana.await("joined");
    bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"t\"}");
    bo.await("joined");
  }

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  @DisplayName(
      "start, pause, resume, skip and reset each broadcast timer; the requester's copy carries its rid")
  void commands() throws Exception {
    long before = System.currentTimeMillis();
    ana.send(START);
    JsonNode mine = ana.await("timer");
    assertThat(mine.get("rid").asText()).isEqualTo("9");
    JsonNode t = mine.get("timer");
    assertThat(t.get("status").asText()).isEqualTo("running");
    assertThat(t.get("phases")).hasSize(2);
    assertThat(t.get("phaseIndex").asInt()).isZero();
    assertThat(t.get("round").asInt()).isEqualTo(1);
    assertThat(t.get("repeat").asBoolean()).isTrue();
    assertThat(t.get("endsAt").asLong())
        .isBetween(before + 1_499_000, System.currentTimeMillis() + 1_500_000);
    assertThat(t.get("remainingMs").asLong()).isBetween(1_499_000L, 1_500_000L);
    assertThat(t.get("updatedBy").asText()).isEqualTo("ana");
    long v = t.get("version").asLong();
    JsonNode theirs = bo.await("timer");
    assertThat(theirs.has("rid")).isFalse();
    assertThat(theirs.get("room").asText()).isEqualTo("t");
    assertThat(theirs.get("timer")).isEqualTo(t);

    String[][] steps = {
      {"timer.pause", "paused"},
      {"timer.resume", "running"},
      {"timer.skip", "running"},
      {"timer.reset", "idle"}
    };
    for (String[] step : steps) {
      bo.send("{\"type\":\"" + step[0] + "\",\"rid\":\"" + step[0] + "\",\"room\":\"t\"}");
      JsonNode reply = bo.await("timer");
      assertThat(reply.get("rid").asText()).isEqualTo(step[0]);
      assertThat(reply.at("/timer/status").asText()).isEqualTo(step[1]);
      assertThat(reply.at("/timer/version").asLong()).isEqualTo(++v);
      assertThat(reply.at("/timer/updatedBy").asText()).isEqualTo("bo");
      assertThat(ana.await("timer").get("timer")).isEqualTo(reply.get("timer"));
    }
  }

  @Test
  @DisplayName("a command that does not fit the state is conflict")
  void conflict() throws Exception {
    ana.send("{\"type\":\"timer.pause\",\"rid\":\"p\",\"room\":\"t\"}");
    JsonNode e = ana.await("error");
    assertThat(e.get("code").asText()).isEqualTo("conflict");
    assertThat(e.get("rid").asText()).isEqualTo("p");
    ana.send(START);
    ana.await("timer");
    ana.send(START);
    assertThat(ana.await("error").get("code").asText()).isEqualTo("conflict");
  }

  @Test
  @DisplayName("in an owner-controlled room only the owner may control the timer (forbidden)")
  void ownerOnly() throws Exception {
    s.flowSync
        .rooms()
        .create(new RoomSpec("owned", null, null, null, TimerControl.OWNER, "ana", null));
    ana.send("{\"type\":\"join\",\"room\":\"owned\"}");
    ana.await("joined");
    bo.send("{\"type\":\"join\",\"room\":\"owned\"}");
    bo.await("joined");
    bo.send(START.replace("\"room\":\"t\"", "\"room\":\"owned\""));
    assertThat(bo.await("error").get("code").asText()).isEqualTo("forbidden");
    ana.send(START.replace("\"room\":\"t\"", "\"room\":\"owned\""));
    assertThat(ana.await("timer").at("/timer/status").asText()).isEqualTo("running");
  }

  @Test
  @DisplayName("when a phase ends the server advances it and broadcasts timer once")
  void phaseEnds() throws Exception {
    ana.send(
        "{\"type\":\"timer.start\",\"rid\":\"s\",\"room\":\"t\",\"phases\":[{\"name\":\"a\",\"durationMs\":300},{\"name\":\"b\",\"durationMs\":300}]}");
    ana.await("timer");
    bo.await("timer");
    JsonNode next = bo.await("timer", Duration.ofSeconds(5));
    assertThat(next.at("/timer/phaseIndex").asInt()).isEqualTo(1);
    assertThat(next.at("/timer/updatedBy").isNull()).isTrue();
    JsonNode done = bo.await("timer", Duration.ofSeconds(5));
    assertThat(done.at("/timer/status").asText()).isEqualTo("finished");
    assertThat(done.at("/timer/version").asLong())
        .isEqualTo(next.at("/timer/version").asLong() + 1);
  }

  @Test
  @DisplayName("bad phases are bad_request")
  void badPhases() throws Exception {
    for (String phases :
        new String[] {
          "[]", "[{\"name\":\"x\"}]", "[{\"name\":\"x\",\"durationMs\":0}]", "{}", "[1]"
        }) {
      ana.send("{\"type\":\"timer.start\",\"rid\":\"b\",\"room\":\"t\",\"phases\":" + phases + "}");
      assertThat(ana.await("error").get("code").asText()).as(phases).isEqualTo("bad_request");
    }
    ana.send(
        "{\"type\":\"timer.start\",\"rid\":\"b\",\"room\":\"t\",\"phases\":[{\"name\":\"x\",\"durationMs\":5}],\"repeat\":\"yes\"}");
    assertThat(ana.await("error").get("code").asText()).isEqualTo("bad_request");
  }
}

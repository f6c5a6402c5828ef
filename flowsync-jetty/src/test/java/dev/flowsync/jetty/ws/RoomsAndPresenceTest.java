package dev.flowsync.jetty.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowsync.core.room.RoomSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("§1.2 rooms and presence over a real WebSocket")
class RoomsAndPresenceTest {
  private TestServer s;

  @BeforeEach
  void start() {
    s = TestServer.start();
  }

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  @DisplayName(
      "joined lists everyone (the joiner too), a fresh room has lastSeq 0, an idle timer and no history; others get member.joined")
  void joinAndSeeEachOther() throws Exception {
    WsClient ana = s.rawHello("ana");
    ana.send(
        "{\"type\":\"join\",\"rid\":\"1\",\"room\":\"standup\",\"name\":\"Ana\",\"state\":{\"status\":\"focus\",\"mic\":true}}");
    JsonNode j1 = ana.await("joined");
    assertThat(j1.get("rid").asText()).isEqualTo("1");
    assertThat(j1.get("room").asText()).isEqualTo("standup");
    assertThat(j1.get("lastSeq").asLong()).isZero();
    assertThat(j1.get("history")).isEmpty();
    assertThat(j1.at("/timer/status").asText()).isEqualTo("idle");
    JsonNode self = j1.get("self");
    assertThat(self.get("userId").asText()).isEqualTo("ana");
    assertThat(self.get("name").asText()).isEqualTo("Ana");
    assertThat(self.at("/state/status").asText()).isEqualTo("focus");
    assertThat(self.get("joinedAt").asLong()).isPositive();
    assertThat(j1.get("members")).hasSize(1);

    WsClient bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"rid\":\"2\",\"room\":\"standup\"}");
    JsonNode j2 = bo.await("joined");
    assertThat(j2.get("members"))
        .extracting(m -> m.get("userId").asText())
        .containsExactly("ana", "bo");
    assertThat(j2.at("/self/name").asText()).isEqualTo("Name bo"); // the token's name
    JsonNode event = ana.await("member.joined");
    assertThat(event.get("room").asText()).isEqualTo("standup");
    assertThat(event.at("/member/connectionId").asText())
        .isEqualTo(j2.at("/self/connectionId").asText());
    assertThat(event.has("rid")).isFalse();
  }

  @Test
  @DisplayName("state replaces the member's state and reaches everyone, the sender with its rid")
  void stateUpdate() throws Exception {
    WsClient ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"r\",\"state\":{\"a\":1,\"b\":2}}");
    ana.await("joined");
    WsClient bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"r\"}");
    bo.await("joined");
    ana.send("{\"type\":\"state\",\"rid\":\"s1\",\"room\":\"r\",\"state\":{\"status\":\"break\"}}");
    JsonNode mine = ana.await("member.updated");
    assertThat(mine.get("rid").asText()).isEqualTo("s1");
    assertThat(mine.at("/member/state").toString()).isEqualTo("{\"status\":\"break\"}");
    JsonNode theirs = bo.await("member.updated");
    assertThat(theirs.has("rid")).isFalse();
    assertThat(theirs.at("/member/state").toString()).isEqualTo("{\"status\":\"break\"}");
  }

  @Test
  @DisplayName("state over 2 KiB is too_large; state that is not an object is bad_request")
  void stateLimits() throws Exception {
    WsClient ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"r\"}");
    ana.await("joined");
    ana.send(
        "{\"type\":\"state\",\"rid\":\"big\",\"room\":\"r\",\"state\":{\"x\":\""
            + "y".repeat(3000)
            + "\"}}");
    JsonNode e = ana.await("error");
    assertThat(e.get("code").asText()).isEqualTo("too_large");
    assertThat(e.get("rid").asText()).isEqualTo("big");
    ana.send("{\"type\":\"state\",\"rid\":\"arr\",\"room\":\"r\",\"state\":[1]}");
    JsonNode e2 = ana.await("error");
    assertThat(e2.get("code").asText()).isEqualTo("bad_request");
    assertThat(e2.get("rid").asText()).isEqualTo("arr");
  }

  @Test
  @DisplayName(
      "leave answers left; the others get member.left with reason left; leaving again is forbidden")
  void leave() throws Exception {
    WsClient ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"r\"}");
    String anaId = ana.await("joined").at("/self/connectionId").asText();
    WsClient bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"r\"}");
    bo.await("joined");
    ana.send("{\"type\":\"leave\",\"rid\":\"4\",\"room\":\"r\"}");
    JsonNode left = ana.await("left");
    assertThat(left.get("rid").asText()).isEqualTo("4");
    assertThat(left.get("room").asText()).isEqualTo("r");
    JsonNode ml = bo.await("member.left");
    assertThat(ml.get("connectionId").asText()).isEqualTo(anaId);
    assertThat(ml.get("userId").asText()).isEqualTo("ana");
    assertThat(ml.get("reason").asText()).isEqualTo("left");
    ana.send("{\"type\":\"leave\",\"rid\":\"5\",\"room\":\"r\"}");
    assertThat(ana.await("error").get("code").asText()).isEqualTo("forbidden");
  }

  @Test
  @DisplayName("a connection may be in several rooms; events never cross rooms")
  void severalRooms() throws Exception {
    WsClient ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"a\"}");
    ana.await("joined");
    ana.send("{\"type\":\"join\",\"room\":\"b\"}");
    ana.await("joined");
    WsClient bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"b\"}");
    bo.await("joined");
    assertThat(ana.await("member.joined").get("room").asText()).isEqualTo("b");
    WsClient cy = s.rawHello("cy");
    cy.send("{\"type\":\"join\",\"room\":\"a\"}");
    cy.await("joined");
    assertThat(ana.await("member.joined").get("room").asText()).isEqualTo("a");
    bo.send("{\"type\":\"ping\",\"rid\":\"p\"}");
    bo.await("pong");
    assertThat(bo.drain()).noneMatch(f -> f.path("room").asText().equals("a"));
  }

  @Test
  @DisplayName("a full room answers room_full, a private room without a grant forbidden")
  void fullAndPrivate() throws Exception {
    s.flowSync.rooms().create(new RoomSpec("tiny", null, 1, null, null, null, null));
    s.flowSync.rooms().create(new RoomSpec("secret", null, null, true, null, null, null));
    WsClient ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"tiny\"}");
    ana.await("joined");
    WsClient bo = s.raw(); // a token that grants only "tiny"
    bo.send(
        "{\"type\":\"hello\",\"token\":\""
            + s.flowSync.tokens().issue("bo", "Bo", Set.of("tiny"), null).token()
            + "\"}");
    bo.await("welcome");
    bo.send("{\"type\":\"join\",\"rid\":\"f\",\"room\":\"tiny\"}");
    JsonNode full = bo.await("error");
    assertThat(full.get("code").asText()).isEqualTo("room_full");
    assertThat(full.get("rid").asText()).isEqualTo("f");
    bo.send("{\"type\":\"join\",\"rid\":\"p\",\"room\":\"secret\"}");
    assertThat(bo.await("error").get("code").asText()).isEqualTo("forbidden");

    String granted = s.flowSync.tokens().issue("cy", "Cy", Set.of("secret"), null).token();
    WsClient cy = s.raw();
    cy.send("{\"type\":\"hello\",\"token\":\"" + granted + "\"}");
    cy.await("welcome");
    cy.send("{\"type\":\"join\",\"rid\":\"ok\",\"room\":\"secret\"}");
    assertThat(cy.await("joined").get("rid").asText()).isEqualTo("ok");
  }

  @Test
  @DisplayName("an unknown room is not_found when auto-creation is off")
  void notFound() throws Exception {
    try (TestServer strict = TestServer.start(fs -> fs.autoCreateRooms(false), gw -> {})) {
      WsClient c = strict.rawHello("u");
      c.send("{\"type\":\"join\",\"rid\":\"n\",\"room\":\"nowhere\"}");
      JsonNode e = c.await("error");
      assertThat(e.get("code").asText()).isEqualTo("not_found");
      assertThat(e.get("rid").asText()).isEqualTo("n");
    }
  }

  @Test
  @DisplayName("an invalid room id is bad_request")
  void invalidRoomId() throws Exception {
    WsClient c = s.rawHello("u");
    c.send("{\"type\":\"join\",\"rid\":\"x\",\"room\":\"no spaces allowed\"}");
    assertThat(c.await("error").get("code").asText()).isEqualTo("bad_request");
  }

  @Test
  @DisplayName("commands about a room the connection is not in answer forbidden")
  void notAMember() throws Exception {
    WsClient c = s.rawHello("u");
    for (String frame :
        List.of(
            "{\"type\":\"state\",\"rid\":\"1\",\"room\":\"x\",\"state\":{}}",
            "{\"type\":\"chat.send\",\"rid\":\"2\",\"room\":\"x\",\"text\":\"hi\"}",
            "{\"type\":\"chat.history\",\"rid\":\"3\",\"room\":\"x\"}",
            "{\"type\":\"timer.pause\",\"rid\":\"4\",\"room\":\"x\"}",
            "{\"type\":\"leave\",\"rid\":\"5\",\"room\":\"x\"}")) {
      c.send(frame);
      JsonNode e = c.await("error");
      assertThat(e.get("code").asText()).as(frame).isEqualTo("forbidden");
    }
  }

  @Test
  @DisplayName("a kicked member gets kicked, the others member.left with reason kicked")
  void kicked() throws Exception {
    WsClient ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"k\"}");
    ana.await("joined");
    WsClient bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"k\"}");
    bo.await("joined");
    s.flowSync.presence().kick("k", "bo", null, "be nice");
    JsonNode kicked = bo.await("kicked");
    assertThat(kicked.get("room").asText()).isEqualTo("k");
    assertThat(kicked.get("reason").asText()).isEqualTo("be nice");
    JsonNode left = ana.await("member.left");
    assertThat(left.get("userId").asText()).isEqualTo("bo");
    assertThat(left.get("reason").asText()).isEqualTo("kicked");
    bo.send("{\"type\":\"chat.send\",\"rid\":\"c\",\"room\":\"k\",\"text\":\"still here?\"}");
    assertThat(bo.await("error").get("code").asText()).isEqualTo("forbidden");
  }

  @Test
  @DisplayName("deleting a room sends room.closed to its members, who are then out of it")
  void roomClosed() throws Exception {
    WsClient ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"gone\"}");
    ana.await("joined");
    s.flowSync.rooms().delete("gone");
    assertThat(ana.await("room.closed").get("room").asText()).isEqualTo("gone");
    ana.send("{\"type\":\"state\",\"rid\":\"s\",\"room\":\"gone\",\"state\":{}}");
    assertThat(ana.await("error").get("code").asText()).isEqualTo("forbidden");
    assertThat(s.gateway.localRoomCount()).isZero();
  }

  @Test
  @DisplayName(
      "a connection that closes without leave keeps its membership for the grace, then the others get member.left disconnected")
  void disconnectAfterGrace() throws Exception {
    WsClient ana = s.rawHello("ana");
    ana.send("{\"type\":\"join\",\"room\":\"g\"}");
    String anaId = ana.await("joined").at("/self/connectionId").asText();
    WsClient bo = s.rawHello("bo");
    bo.send("{\"type\":\"join\",\"room\":\"g\"}");
    bo.await("joined");
    long closedAt = System.nanoTime();
    ana.close();
    JsonNode left = bo.await("member.left", java.time.Duration.ofSeconds(5));
    assertThat(left.get("connectionId").asText()).isEqualTo(anaId);
    assertThat(left.get("reason").asText()).isEqualTo("disconnected");
    assertThat(System.nanoTime() - closedAt).isGreaterThan(1_000_000_000L); // grace is 1.5 s
  }

  @Test
  @DisplayName("no room event reaches a joiner before its joined, even while the room is busy")
  void nothingBeforeJoined() throws Exception {
    WsClient busy = s.rawHello("busy");
    busy.send("{\"type\":\"join\",\"room\":\"busy\"}");
    busy.await("joined");
    Thread spammer =
        new Thread(
            () -> {
              for (int i = 0; i < 300 && !Thread.currentThread().isInterrupted(); i++) {
                busy.sendAsync("{\"type\":\"state\",\"room\":\"busy\",\"state\":{\"i\":" + i + "}}")
                    .join();
              }
            });
    spammer.start();
    List<WsClient> joiners = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      WsClient j = s.rawHello("j" + i);
      j.send("{\"type\":\"join\",\"rid\":\"join\",\"room\":\"busy\"}");
      joiners.add(j);
    }
    spammer.join();
    for (WsClient j : joiners) {
      JsonNode first = j.next();
      assertThat(first.get("type").asText()).isEqualTo("joined");
    }
  }

  @Test
  @DisplayName(
      "members joining at once: each one's joined plus the events after it add up to everyone, once")
  void concurrentJoinsGiveConsistentViews() throws Exception {
    int n = 16;
    List<WsClient> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clients.add(s.rawHello("c" + i));
    }
    List<Thread> threads = new ArrayList<>();
    for (WsClient c : clients) {
      Thread t = new Thread(() -> c.sendAsync("{\"type\":\"join\",\"room\":\"crowd\"}").join());
      threads.add(t);
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    java.util.Set<String> everyone = new java.util.HashSet<>();
    s.flowSync.presence().members("crowd").forEach(m -> everyone.add(m.connectionId()));
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> s.flowSync.presence().members("crowd").size() == n);
    s.flowSync.presence().members("crowd").forEach(m -> everyone.add(m.connectionId()));
    for (WsClient c : clients) {
      JsonNode joined = c.await("joined");
      List<String> view = new ArrayList<>();
      joined.get("members").forEach(m -> view.add(m.get("connectionId").asText()));
      while (view.size() < n) {
        JsonNode e = c.await("member.joined");
        view.add(e.at("/member/connectionId").asText());
      }
      assertThat(view).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(everyone);
    }
    for (WsClient c : clients) {
      c.send("{\"type\":\"ping\",\"rid\":\"p\"}");
      c.await("pong");
      assertThat(c.drain()).noneMatch(f -> f.path("type").asText().startsWith("member."));
    }
  }
}

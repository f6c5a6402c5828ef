package dev.flowsync.jetty.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.flowsync.core.ErrorCode;
import dev.flowsync.core.FlowSync;
import dev.flowsync.core.FlowSyncException;
import dev.flowsync.core.FlowSyncException.BadRequestException;
import dev.flowsync.core.FlowSyncException.ForbiddenException;
import dev.flowsync.core.FlowSyncException.NotFoundException;
import dev.flowsync.core.FlowSyncException.TooLargeException;
import dev.flowsync.core.Page;
import dev.flowsync.core.auth.IssuedToken;
import dev.flowsync.core.chat.HistoryPage;
import dev.flowsync.core.internal.Ids;
import dev.flowsync.core.presence.Member;
import dev.flowsync.core.room.Room;
import dev.flowsync.core.room.RoomSpec;
import dev.flowsync.core.room.TimerControl;
import dev.flowsync.core.session.MemberSession;
import dev.flowsync.jetty.http.ApiAuth.Admin;
import dev.flowsync.jetty.http.ApiAuth.Caller;
import dev.flowsync.jetty.http.ApiAuth.User;
import dev.flowsync.signaling.IceServers;
import dev.flowsync.signaling.protocol.Frames;
import dev.flowsync.signaling.protocol.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The HTTP API of PROTOCOL.md §2 under {@code /api}: tokens, rooms, kicks, chat history, sessions,
 * ICE servers and (when enabled) guest tokens. JSON in and out; every failure goes through {@link
 * HttpErrors}.
 */
public final class ApiServlet extends HttpServlet {
  private static final Logger log = LoggerFactory.getLogger(ApiServlet.class);
  private static final int DEFAULT_PAGE = 50;

  private final transient FlowSync flowSync;
  private final transient Supplier<IceServers> iceServers;
  private final transient ApiAuth auth;
  private final transient HttpErrors errors;
  private final int maxRequestBytes;
  private final boolean guestTokens;
  private final transient RateLimiter guestLimiter;

  /**
   * @param apiKey the admin key, or null to disable the admin endpoints
   * @param iceServers what {@code GET /api/ice-servers} hands out (the gateway's)
   * @param maxRequestBytes larger bodies are refused with 413
   * @param guestTokens whether {@code POST /api/guest-token} issues tokens without the admin key
   * @param guestTokensPerMinute per client address, with a burst of the same size
   */
  public ApiServlet(
      FlowSync flowSync,
      String apiKey,
      Supplier<IceServers> iceServers,
      HttpErrors errors,
      int maxRequestBytes,
      boolean guestTokens,
      int guestTokensPerMinute) {
    this.flowSync = flowSync;
    this.iceServers = iceServers;
    this.auth = new ApiAuth(flowSync, apiKey);
    this.errors = errors;
    this.maxRequestBytes = maxRequestBytes;
    this.guestTokens = guestTokens;
    this.guestLimiter = new RateLimiter(guestTokensPerMinute, guestTokensPerMinute);
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getPathInfo() == null ? "" : req.getPathInfo();
    String[] p = path.replaceAll("^/+|/+$", "").split("/");
    try {
      route(req.getMethod(), p, req, resp);
    } catch (MethodNotAllowed e) {
      resp.setHeader("Allow", e.allow);
      errors.write(
          resp,
          405,
          ErrorCode.BAD_REQUEST,
          "Method " + req.getMethod() + " is not allowed here; use " + e.allow);
    } catch (RuntimeException e) {
      errors.write(resp, e);
    } finally {
      MDC.remove("room");
    }
  }

  private void route(String method, String[] p, HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    String head = p[0];
    switch (p.length) {
      case 1 -> {
        switch (head) {
          case "tokens" -> only(method, "POST", () -> issueToken(req, resp));
          case "guest-token" -> {
            if (!guestTokens) {
              throw notFound();
            }
            only(method, "POST", () -> guestToken(req, resp));
          }
          case "ice-servers" -> only(method, "GET", () -> iceServers(req, resp));
          case "rooms" -> {
            switch (method) {
              case "GET" -> listRooms(req, resp);
              case "POST" -> createRoom(req, resp);
              default -> throw new MethodNotAllowed("GET, POST");
            }
          }
          default -> throw notFound();
        }
      }
      case 2 -> {
        if (head.equals("tokens")) {
          only(method, "DELETE", () -> revokeToken(p[1], req, resp));
        } else if (head.equals("rooms")) {
          MDC.put("room", p[1]);
          switch (method) {
            case "GET" -> getRoom(p[1], req, resp);
            case "DELETE" -> deleteRoom(p[1], req, resp);
            default -> throw new MethodNotAllowed("GET, DELETE");
          }
        } else {
          throw notFound();
        }
      }
      case 3 -> {
        if (!head.equals("rooms")) {
          throw notFound();
        }
        MDC.put("room", p[1]);
        switch (p[2]) {
          case "kick" -> only(method, "POST", () -> kick(p[1], req, resp));
          case "messages" -> only(method, "GET", () -> messages(p[1], req, resp));
          case "sessions" -> only(method, "GET", () -> sessions(p[1], req, resp));
          default -> throw notFound();
        }
      }
      default -> throw notFound();
    }
  }

  // --- tokens ---

  private void issueToken(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    auth.requireAdmin(req);
    ObjectNode body = readBody(req);
    String userId = requiredText(body, "userId");
    String name = optionalText(body, "name");
    List<String> rooms = null;
    if (body.hasNonNull("rooms")) {
      JsonNode r = body.get("rooms");
      if (!r.isArray()) {
        throw new BadRequestException("'rooms' must be an array of room ids or \"*\"");
      }
      rooms = new ArrayList<>();
      for (JsonNode id : r) {
        if (!id.isTextual()) {
          throw new BadRequestException("'rooms' must be an array of room ids or \"*\"");
        }
        rooms.add(id.asText());
      }
    }
    Duration ttl = null;
    if (body.hasNonNull("ttlSeconds")) {
      JsonNode t = body.get("ttlSeconds");
      if (!t.canConvertToLong() || !t.isIntegralNumber()) {
        throw new BadRequestException("'ttlSeconds' must be a whole number");
      }
      ttl = Duration.ofSeconds(t.asLong());
    }
    IssuedToken issued = flowSync.tokens().issue(userId, name, rooms, ttl);
    log.info(
        "Issued an access token for user {} (token id {})",
        issued.claims().userId(),
        shortId(issued.claims().tokenId()));
    writeJson(resp, 200, tokenJson(issued));
  }

  private void guestToken(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (!guestLimiter.tryAcquire(req.getRemoteAddr(), System.nanoTime())) {
      throw new FlowSyncException(
          ErrorCode.RATE_LIMITED, "Too many guest tokens from this address; try again later");
    }
    ObjectNode body = readBody(req);
    String name = requiredText(body, "name");
    if (name.isBlank() || name.length() > 100) {
      throw new BadRequestException("'name' must be 1 to 100 characters");
    }
    // Guests get public rooms only: no grants, so private rooms stay closed to them.
    IssuedToken issued = flowSync.tokens().issue(Ids.random("g_", 9), name.strip(), Set.of(), null);
    ObjectNode json = tokenJson(issued);
    json.put("userId", issued.claims().userId());
    writeJson(resp, 200, json);
  }

  private void revokeToken(String token, HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    auth.requireAdmin(req);
    if (!flowSync.tokens().revoke(token)) {
      throw new NotFoundException("No such token (it may have expired or been revoked already)");
    }
    log.info("Revoked access token {}", shortId(Ids.sha256Hex(token)));
    resp.setStatus(204);
  }

  private static ObjectNode tokenJson(IssuedToken issued) {
    ObjectNode json = Json.object();
    json.put("token", issued.token());
    json.put("expiresAt", issued.claims().expiresAt().toEpochMilli());
    return json;
  }

  // --- rooms ---

  private void createRoom(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    auth.requireAdmin(req);
    ObjectNode body = readBody(req);
    String id = optionalText(body, "id");
    Integer capacity = null;
    if (body.hasNonNull("capacity")) {
      JsonNode c = body.get("capacity");
      if (!c.isIntegralNumber() || !c.canConvertToInt()) {
        throw new BadRequestException("'capacity' must be a whole number (0 = no limit)");
      }
      capacity = c.asInt();
    }
    Boolean isPrivate = null;
    if (body.hasNonNull("private")) {
      if (!body.get("private").isBoolean()) {
        throw new BadRequestException("'private' must be true or false");
      }
      isPrivate = body.get("private").asBoolean();
    }
    TimerControl timerControl = null;
    String control = optionalText(body, "timerControl");
    if (control != null) {
      timerControl = TimerControl.fromWireName(control);
      if (timerControl == null) {
        throw new BadRequestException(
            "'timerControl' must be \"anyone\" or \"owner\", was \"" + control + "\"");
      }
    }
    String meta = null;
    if (body.hasNonNull("meta")) {
      if (!body.get("meta").isObject()) {
        throw new BadRequestException("'meta' must be a JSON object");
      }
      meta = Json.write(body.get("meta"));
    }
    Room room =
        flowSync
            .rooms()
            .create(
                new RoomSpec(
                    id,
                    optionalText(body, "name"),
                    capacity,
                    isPrivate,
                    timerControl,
                    optionalText(body, "ownerId"),
                    meta));
    MDC.put("room", room.id());
    log.info("Room created through the API");
    resp.setHeader("Location", req.getContextPath() + "/api/rooms/" + room.id());
    writeJson(resp, 201, roomJson(room, 0));
  }

  private void listRooms(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    auth.requireAdmin(req);
    Page<Room> page =
        flowSync.rooms().list(intParam(req, "limit", DEFAULT_PAGE), req.getParameter("cursor"));
    ObjectNode json = Json.object();
    ArrayNode items = json.putArray("items");
    for (Room room : page.items()) {
      items.add(roomJson(room, flowSync.rooms().memberCount(room.id())));
    }
    putNullable(json, "nextCursor", page.nextCursor());
    writeJson(resp, 200, json);
  }

  private void getRoom(String id, HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    Room room = requireAdminOrMember(id, req);
    List<Member> members = flowSync.presence().members(id);
    ObjectNode json = roomJson(room, members.size());
    json.set("members", Frames.members(members));
    json.set("timer", Frames.timer(flowSync.timers().get(id)));
    writeJson(resp, 200, json);
  }

  private void deleteRoom(String id, HttpServletRequest req, HttpServletResponse resp) {
    auth.requireAdmin(req);
    flowSync.rooms().delete(id);
    log.info("Room deleted through the API");
    resp.setStatus(204);
  }

  private void kick(String id, HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    auth.requireAdmin(req);
    ObjectNode body = readBody(req);
    String userId = optionalText(body, "userId");
    String connectionId = optionalText(body, "connectionId");
    String reason = optionalText(body, "reason");
    if (reason != null && reason.length() > 200) {
      throw new BadRequestException("'reason' must be at most 200 characters");
    }
    List<Member> kicked = flowSync.presence().kick(id, userId, connectionId, reason);
    log.info("Kicked {} member(s) through the API", kicked.size());
    ObjectNode json = Json.object();
    json.set("kicked", Frames.members(kicked));
    writeJson(resp, 200, json);
  }

  private void messages(String id, HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    requireAdminOrMember(id, req);
    Long before = longParam(req, "beforeSeq");
    Long after = longParam(req, "afterSeq");
    if (before != null && after != null) {
      throw new BadRequestException("Give beforeSeq or afterSeq, not both");
    }
    int limit = intParam(req, "limit", DEFAULT_PAGE);
    HistoryPage page =
        after != null
            ? flowSync.chat().after(id, after, limit)
            : flowSync.chat().before(id, before, limit);
    ObjectNode json = Json.object();
    json.set("messages", Frames.messages(page.messages()));
    json.put("hasMore", page.hasMore());
    writeJson(resp, 200, json);
  }

  private void sessions(String id, HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    auth.requireAdmin(req);
    flowSync.rooms().get(id);
    Page<MemberSession> page =
        flowSync
            .rooms()
            .sessions(id, intParam(req, "limit", DEFAULT_PAGE), req.getParameter("cursor"));
    ObjectNode json = Json.object();
    ArrayNode items = json.putArray("items");
    for (MemberSession s : page.items()) {
      ObjectNode item = items.addObject();
      item.put("room", s.room());
      item.put("connectionId", s.connectionId());
      item.put("userId", s.userId());
      item.put("joinedAt", s.joinedAt().toEpochMilli());
      if (s.leftAt() == null) {
        item.putNull("leftAt");
        item.putNull("durationMs");
        item.putNull("reason");
      } else {
        item.put("leftAt", s.leftAt().toEpochMilli());
        item.put("durationMs", s.durationMs());
        item.put("reason", s.reason() == null ? null : s.reason().wireName());
      }
    }
    putNullable(json, "nextCursor", page.nextCursor());
    writeJson(resp, 200, json);
  }

  private void iceServers(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Caller caller = auth.authenticate(req);
    if (!(caller instanceof User user)) {
      throw new ForbiddenException(
          "ICE credentials are issued per user: call this with a user access token");
    }
    ObjectNode json = Json.object();
    json.set(
        "iceServers",
        Json.MAPPER.valueToTree(
            iceServers.get().forUser(user.token().userId(), flowSync.clock().instant())));
    writeJson(resp, 200, json);
  }

  /** The room, for the admin or for a user with a member in it. */
  private Room requireAdminOrMember(String id, HttpServletRequest req) {
    Caller caller = auth.authenticate(req);
    Room room = flowSync.rooms().get(id);
    if (caller instanceof Admin) {
      return room;
    }
    String userId = ((User) caller).token().userId();
    if (flowSync.presence().members(id).stream().noneMatch(m -> m.userId().equals(userId))) {
      throw new ForbiddenException("Only the admin or a member of room '" + id + "' may read it");
    }
    return room;
  }

  static ObjectNode roomJson(Room room, int memberCount) {
    ObjectNode json = Json.object();
    json.put("id", room.id());
    json.put("name", room.name());
    json.put("capacity", room.capacity());
    json.put("private", room.isPrivate());
    json.put("timerControl", room.timerControl().wireName());
    putNullable(json, "ownerId", room.ownerId());
    json.putRawValue("meta", new RawValue(room.metaJson()));
    json.put("createdAt", room.createdAt().toEpochMilli());
    json.put("memberCount", memberCount);
    return json;
  }

  // --- plumbing ---

  private ObjectNode readBody(HttpServletRequest req) throws IOException {
    long declared = req.getContentLengthLong();
    if (declared > maxRequestBytes) {
      throw tooLarge();
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (InputStream in = req.getInputStream()) {
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) != -1) {
        buffer.write(chunk, 0, n);
        if (buffer.size() > maxRequestBytes) {
          throw tooLarge();
        }
      }
    }
    if (buffer.size() == 0) {
      throw new BadRequestException("This request needs a JSON object body");
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(buffer.toString(StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new BadRequestException("Malformed JSON body: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new BadRequestException("The body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  private TooLargeException tooLarge() {
    return new TooLargeException("The request body is larger than " + maxRequestBytes + " bytes");
  }

  private static String requiredText(ObjectNode body, String field) {
    String value = optionalText(body, field);
    if (value == null || value.isEmpty()) {
      throw new BadRequestException("'" + field + "' is required");
    }
    return value;
  }

  private static String optionalText(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new BadRequestException("'" + field + "' must be a string");
    }
    return v.asText();
  }

  private static int intParam(HttpServletRequest req, String name, int fallback) {
    Long v = longParam(req, name);
    if (v == null) {
      return fallback;
    }
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new BadRequestException("'" + name + "' is out of range");
    }
    return v.intValue();
  }

  private static Long longParam(HttpServletRequest req, String name) {
    String v = req.getParameter(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new BadRequestException("'" + name + "' must be a whole number, was '" + v + "'");
    }
  }

  private static void putNullable(ObjectNode json, String field, String value) {
    if (value == null) {
      json.putNull(field);
    } else {
      json.put(field, value);
    }
  }

  private static void writeJson(HttpServletResponse resp, int status, JsonNode body)
      throws IOException {
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.getWriter().write(Json.write(body));
  }

  private static String shortId(String tokenId) {
    return tokenId.substring(0, Math.min(12, tokenId.length()));
  }

  private static NotFoundException notFound() {
    return new NotFoundException("No such API endpoint");
  }

  private interface Action {
    void run() throws IOException;
  }

  private static void only(String method, String allowed, Action action) throws IOException {
    if (!method.equals(allowed)) {
      throw new MethodNotAllowed(allowed);
    }
    action.run();
  }

  private static final class MethodNotAllowed extends RuntimeException {
    final String allow;

    MethodNotAllowed(String allow) {
      super(null, null, false, false);
      this.allow = allow;
    }
  }
}

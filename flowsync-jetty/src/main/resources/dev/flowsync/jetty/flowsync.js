/**
 * flowsync.js - the FlowSync browser client. A dependency-free ES module.
 *
 * Rooms with presence, a shared server-authoritative timer, persisted chat and
 * WebRTC mesh signaling over one WebSocket, following the FlowSync wire protocol v1.
 *
 * @example
 * import { FlowSyncClient, FlowSyncMesh } from '/flowsync.js';
 * const client = new FlowSyncClient({ token: () => fetchToken() });
 * await client.connect();
 * const room = await client.join('standup', { state: { status: 'focus' } });
 * room.on('chat', (m) => console.log(m.name, m.text));
 * await room.sendChat('hello');
 *
 * @module flowsync
 */

/** Version string sent to the server in `hello`. */
export const VERSION = '1.0';

const CLIENT_ID = `flowsync-js/${VERSION}`;

// Replies that carry nothing for the room beyond what the request's caller gets.
const REPLY_ONLY = new Set(['error', 'ok', 'left', 'time', 'pong', 'chat.ack', 'chat.history', 'refreshed']);

/**
 * A tiny typed-ish event emitter. Listeners that throw are reported on the console
 * and never break the emitter or other listeners.
 */
export class Emitter {
  constructor() {
    /** @type {Map<string, Set<Function>>} */
    this._listeners = new Map();
  }

  /**
   * Adds a listener.
   * @param {string} type event name
   * @param {(detail: any) => void} fn listener
   * @returns {() => void} a function that removes the listener
   */
  on(type, fn) {
    let set = this._listeners.get(type);
    if (!set) {
      set = new Set();
      this._listeners.set(type, set);
    }
    set.add(fn);
    return () => this.off(type, fn);
  }

  /**
   * Adds a listener that runs at most once.
   * @param {string} type event name
   * @param {(detail: any) => void} fn listener
   * @returns {() => void} a function that removes the listener
   */
  once(type, fn) {
    const off = this.on(type, (detail) => {
      off();
      fn(detail);
    });
    return off;
  }

  /**
   * Removes a listener.
   * @param {string} type event name
   * @param {Function} fn the listener given to {@link Emitter#on}
   */
  off(type, fn) {
    this._listeners.get(type)?.delete(fn);
  }

  /**
   * Resolves with the next event of a type.
   * @param {string} type event name
   * @param {number} [timeoutMs] reject after this long (no timeout when omitted)
   * @returns {Promise<any>}
   */
  next(type, timeoutMs) {
    return new Promise((resolve, reject) => {
      let timer = null;
      const off = this.once(type, (d) => {
        if (timer) clearTimeout(timer);
        resolve(d);
      });
      if (timeoutMs != null) {
        timer = setTimeout(() => {
          off();
          reject(new FlowSyncError('timeout', `No '${type}' event within ${timeoutMs} ms`));
        }, timeoutMs);
      }
    });
  }

  /** @protected */
  emit(type, detail) {
    const set = this._listeners.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(detail);
      } catch (e) {
        console.error(`flowsync: a '${type}' listener failed`, e);
      }
    }
  }
}

/**
 * An error answered by the server (`code` is one of the protocol's error codes) or raised by
 * the client: `timeout` (no reply in time), `disconnected` (the connection dropped before the
 * reply), `closed` (the client was closed).
 */
export class FlowSyncError extends Error {
  /**
   * @param {string} code protocol error code or a client code
   * @param {string} message human readable text
   */
  constructor(code, message) {
    super(message || code);
    this.name = 'FlowSyncError';
    /** @type {string} */
    this.code = code;
  }
}

/**
 * Estimates the offset between the local clock and the server's from `time` round trips,
 * NTP-style: for a sample sent at local t0, answered with serverTime and received at local t1,
 * offset = serverTime - (t0 + t1) / 2. The sample with the smallest round trip wins, because its
 * error is bounded by half its round trip.
 */
export class ClockSync {
  /** @param {() => number} now the local clock */
  constructor(now) {
    this._now = now;
    /** @type {{offset:number, rtt:number, at:number}[]} */
    this._samples = [];
    /** Current best estimate of serverTime - localTime, in ms. */
    this.offset = 0;
    /** Round trip of the sample behind {@link ClockSync#offset}; Infinity before any sample. */
    this.rtt = Infinity;
  }

  /**
   * Adds one sample.
   * @param {number} t0 local time the request was sent
   * @param {number} serverTime the server's clock when it answered
   * @param {number} t1 local time the reply arrived
   */
  addSample(t0, serverTime, t1) {
    const rtt = Math.max(0, t1 - t0);
    this._samples.push({ offset: serverTime - (t0 + t1) / 2, rtt, at: t1 });
    // Keep a window so a drifting local clock is followed, not frozen on one old best sample.
    if (this._samples.length > 16) this._samples.shift();
    let best = this._samples[0];
    for (const s of this._samples) if (s.rtt < best.rtt) best = s;
    this.offset = best.offset;
    this.rtt = best.rtt;
  }

  /** Seeds the estimate from a one-way server timestamp when no round trip was measured yet. */
  seed(serverTime) {
    if (this._samples.length === 0) this.offset = serverTime - this._now();
  }

  /** @returns {number} the server's clock now, as best known */
  serverNow() {
    return this._now() + this.offset;
  }

  /** Forgets all samples (after a reconnect the path to the server may have changed). */
  reset() {
    this._samples = [];
    this.rtt = Infinity;
  }
}

const DEFAULTS = {
  requestTimeoutMs: 10000,
  reconnect: true,
  minReconnectDelayMs: 500,
  maxReconnectDelayMs: 15000,
  clockSamples: 6,
  clockResyncMs: 30000,
  clockTargetRttMs: 20,
};

/**
 * The connection to a FlowSync server.
 *
 * Events (`client.on(type, fn)`):
 * - `state` `{state}`: `idle` | `connecting` | `open` | `reconnecting` | `closed`
 * - `welcome` the server's welcome frame (after every (re)connect)
 * - `reconnecting` `{attempt, delayMs}`; `resumed` `{resumed:boolean}` after a reconnect
 * - `clock` `{offset, rtt}` when the clock estimate improves
 * - `message` every frame received (raw)
 * - `error` a {@link FlowSyncError} not tied to a request (e.g. the token was refused)
 * - `closed` `{code, reason}` when the client stops for good
 */
export class FlowSyncClient extends Emitter {
  /**
   * @param {object} options
   * @param {string | (() => (string | Promise<string>))} options.token access token, or a function
   *   called before every (re)connect that returns one (e.g. fetches a fresh one)
   * @param {string} [options.url] WebSocket url; default `ws(s)://<this page's host>/ws`
   * @param {string} [options.name] display name used by {@link FlowSyncClient#join} when none is given
   * @param {boolean} [options.reconnect=true] reconnect (and resume) after a dropped connection
   * @param {number} [options.minReconnectDelayMs=500] first backoff delay
   * @param {number} [options.maxReconnectDelayMs=15000] backoff cap
   * @param {number} [options.requestTimeoutMs=10000] default timeout of a request
   * @param {number} [options.clockSamples=6] `time` round trips taken after each connect
   * @param {number} [options.clockResyncMs=30000] interval of a further clock sample
   * @param {number} [options.clockTargetRttMs=20] keep sampling (a few a second, for a while) until
   *   a round trip this short was seen: the offset's error is at most half the best round trip
   * @param {typeof WebSocket} [options.WebSocket] WebSocket implementation (for Node < 22)
   * @param {() => number} [options.now] local clock, default `Date.now`
   */
  constructor(options) {
    super();
    if (!options || options.token == null) throw new TypeError('FlowSyncClient: options.token is required');
    this.options = { ...DEFAULTS, ...options };
    this.url = options.url || defaultUrl();
    this._WebSocket = options.WebSocket || globalThis.WebSocket;
    this._now = options.now || (() => Date.now());
    /** Clock offset to the server; see {@link FlowSyncClient#serverNow}. */
    this.clock = new ClockSync(this._now);
    /** @type {'idle'|'connecting'|'open'|'reconnecting'|'closed'} */
    this.state = 'idle';
    /** This connection's id (stable across a resume), or null before the first welcome. */
    this.connectionId = null;
    /** The user id and name from the token, after welcome. */
    this.userId = null;
    this.name = options.name || null;
    /** ICE servers handed out by the server in welcome (STUN/TURN). */
    this.iceServers = [];
    /** @type {Map<string, Room>} rooms joined (or being rejoined), by id */
    this.rooms = new Map();
    this._ws = null;
    this._rid = 0;
    /** @type {Map<string, {resolve:Function, reject:Function, timer:any, expect?:string}>} */
    this._pending = new Map();
    this._resumeToken = null;
    this._attempt = 0;
    this._reconnectTimer = null;
    this._heartbeatTimer = null;
    this._clockTimer = null;
    this._closedByUser = false;
    this._readyWaiters = [];
    this._serverDelayMs = 0;
  }

  /**
   * Opens the connection and authenticates. Resolves with the welcome frame; rejects with a
   * {@link FlowSyncError} (`unauthorized`, ...) if the first attempt fails. Later drops are
   * handled by reconnecting.
   * @returns {Promise<object>} the welcome frame
   */
  connect() {
    if (this.state === 'open') return Promise.resolve(this._welcome);
    this._closedByUser = false;
    return this._open(false);
  }

  /**
   * Leaves every room, tells the server and closes the connection. The client does not reconnect.
   * @returns {Promise<void>}
   */
  async close() {
    this._closedByUser = true;
    clearTimeout(this._reconnectTimer);
    const ws = this._ws;
    this._ws = null;
    if (ws && ws.readyState === 1) {
      const send = (m) => ws.send(JSON.stringify(m));
      // Leave explicitly: a plain close would keep our presence for the resume grace period.
      for (const id of this.rooms.keys()) send({ type: 'leave', room: id });
    }
    for (const room of this.rooms.values()) room._markLeft('closed');
    this.rooms.clear();
    this._teardown(new FlowSyncError('closed', 'The client was closed'));
    if (ws) {
      try {
        ws.close(1000, 'bye');
      } catch (_) {
        /* already closing */
      }
    }
    this._setState('closed');
    this.emit('closed', { code: 1000, reason: 'client closed' });
  }

  /**
   * Hands the server a new access token for the same user before the current one expires (a
   * connection whose token expires is closed). With a token function, omit `token` and it is called.
   * @param {string} [token]
   * @returns {Promise<{expiresAt: number}>}
   */
  async refresh(token) {
    const fresh = token ?? (await this._resolveToken());
    const reply = await this.request({ type: 'refresh', token: fresh });
    this._acceptedToken = fresh;
    return { expiresAt: reply.expiresAt };
  }

  /** @returns {number} the server's clock now, in ms since the epoch, as best known */
  serverNow() {
    return this.clock.serverNow();
  }

  /**
   * Joins a room (creating it when the server allows). Resolves with the {@link Room}, whose
   * members, timer and recent history are filled in.
   * @param {string} roomId
   * @param {{name?: string, state?: object}} [opts] display name and initial presence state
   * @returns {Promise<Room>}
   */
  async join(roomId, opts = {}) {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = new Room(this, roomId);
      this.rooms.set(roomId, room);
      this.emit('room', room);
    }
    room._joinName = opts.name ?? room._joinName ?? this.name ?? undefined;
    if (opts.state !== undefined) room._state = opts.state;
    try {
      await room._join();
    } catch (e) {
      if (this.rooms.get(roomId) === room && !room.joined) this.rooms.delete(roomId);
      throw e;
    }
    return room;
  }

  /**
   * Sends a request and resolves with the reply that echoes its `rid` (or rejects with the
   * `error` that does). Waits for the connection to be open first, within the same timeout.
   * @param {object} message a frame with a `type`; `rid` is assigned
   * @param {{timeoutMs?: number}} [opts]
   * @returns {Promise<object>} the reply frame
   */
  request(message, opts = {}) {
    const timeoutMs = opts.timeoutMs ?? this.options.requestTimeoutMs;
    const deadline = this._now() + timeoutMs;
    return this._whenOpen(timeoutMs).then(() => this._requestNow(message, Math.max(1, deadline - this._now())));
  }

  /**
   * Sends a frame without waiting for a reply. Returns false when the connection is not open.
   * @param {object} message
   * @returns {boolean}
   */
  send(message) {
    if (this.state !== 'open') return false;
    return this._sendRaw(message);
  }

  /**
   * Takes `n` clock samples one after the other; the estimate keeps the best round trip.
   * @param {number} [n]
   * @returns {Promise<{offset:number, rtt:number}>}
   */
  async syncClock(n = this.options.clockSamples) {
    for (let i = 0; i < n; i++) {
      if (this.state !== 'open') break;
      const t0 = this._now();
      try {
        const reply = await this._requestNow({ type: 'time', t0 }, 5000);
        const t1 = this._now();
        if (typeof reply.serverTime === 'number') {
          const before = this.clock.rtt;
          this.clock.addSample(typeof reply.t0 === 'number' ? reply.t0 : t0, reply.serverTime, t1);
          if (this.clock.rtt !== before) this.emit('clock', { offset: this.clock.offset, rtt: this.clock.rtt });
        }
      } catch (e) {
        if (e.code !== 'timeout') break;
      }
    }
    return { offset: this.clock.offset, rtt: this.clock.rtt };
  }

  // ---------------------------------------------------------------- internals

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', { state });
    if (state === 'open') {
      const waiters = this._readyWaiters;
      this._readyWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  _whenOpen(timeoutMs) {
    if (this.state === 'open') return Promise.resolve();
    if (this.state === 'closed' || (this.state === 'idle' && this._closedByUser)) {
      return Promise.reject(new FlowSyncError('closed', 'The client is closed'));
    }
    return new Promise((resolve, reject) => {
      const w = { resolve: () => (clearTimeout(timer), resolve()), reject };
      const timer = setTimeout(() => {
        this._readyWaiters = this._readyWaiters.filter((x) => x !== w);
        reject(new FlowSyncError('timeout', `Not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      w.reject = (e) => (clearTimeout(timer), reject(e));
      this._readyWaiters.push(w);
    });
  }

  _nextRid() {
    this._rid += 1;
    return `r${this._rid}`;
  }

  _requestNow(message, timeoutMs) {
    return new Promise((resolve, reject) => {
      const rid = this._nextRid();
      const timer = setTimeout(() => {
        this._pending.delete(rid);
        reject(new FlowSyncError('timeout', `No reply to '${message.type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this._pending.set(rid, { resolve, reject, timer });
      if (!this._sendRaw({ ...message, rid })) {
        clearTimeout(timer);
        this._pending.delete(rid);
        reject(new FlowSyncError('disconnected', 'The connection is not open'));
      }
    });
  }

  _sendRaw(message) {
    const ws = this._ws;
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(JSON.stringify(message));
      return true;
    } catch (_) {
      return false;
    }
  }

  async _resolveToken() {
    const t = this.options.token;
    return typeof t === 'function' ? await t() : t;
  }

  /**
   * One connection attempt: open the socket, say hello (with resume data when we have it),
   * wait for welcome.
   */
  async _open(isReconnect) {
    this._setState(isReconnect ? 'reconnecting' : 'connecting');
    let token;
    try {
      // A resume must be for the same user, and a token function may hand out a new identity each
      // call (guest tokens do): reuse the accepted token until the server refuses it.
      token = isReconnect && this._acceptedToken ? this._acceptedToken : await this._resolveToken();
    } catch (e) {
      const err = new FlowSyncError('unauthorized', `Could not get an access token: ${e.message || e}`);
      err.beforeSocket = true;
      throw err;
    }
    if (this._closedByUser) throw new FlowSyncError('closed', 'The client was closed');
    return new Promise((resolve, reject) => {
      let settled = false;
      let ws;
      try {
        ws = new this._WebSocket(this.url);
      } catch (e) {
        reject(new FlowSyncError('unavailable', `Cannot open ${this.url}: ${e.message || e}`));
        return;
      }
      this._ws = ws;
      const hello = { type: 'hello', token, client: CLIENT_ID };
      if (this._resumeToken) {
        hello.resume = this._resumeToken;
        const lastSeq = {};
        for (const [id, room] of this.rooms) lastSeq[id] = room.lastSeq;
        hello.lastSeq = lastSeq;
      }
      const helloRid = this._nextRid();
      hello.rid = helloRid;
      const helloTimer = setTimeout(() => {
        if (!settled) {
          settled = true;
          reject(new FlowSyncError('timeout', 'No welcome from the server'));
          try {
            ws.close(4000, 'no welcome');
          } catch (_) {
            /* ignore */
          }
        }
      }, this.options.requestTimeoutMs);

      ws.onopen = () => {
        ws.send(JSON.stringify(hello));
      };
      ws.onmessage = (ev) => {
        let msg;
        try {
          msg = JSON.parse(ev.data);
        } catch (_) {
          return;
        }
        if (!settled && msg.rid === helloRid) {
          settled = true;
          clearTimeout(helloTimer);
          if (msg.type === 'welcome') {
            this._acceptedToken = token;
            this._onWelcome(msg, isReconnect);
            resolve(msg);
          } else {
            if (msg.code === 'unauthorized') this._acceptedToken = null; // expired or revoked: ask again
            const err = new FlowSyncError(msg.code || 'internal', msg.message || 'hello refused');
            reject(err);
          }
          return;
        }
        this._onMessage(msg);
      };
      ws.onclose = (ev) => {
        clearTimeout(helloTimer);
        if (this._ws !== ws) return;
        if (!settled) {
          settled = true;
          reject(new FlowSyncError(ev.code === 4401 ? 'unauthorized' : 'unavailable', `Connection closed (${ev.code})`));
        }
        this._onClose(ev);
      };
      ws.onerror = () => {
        /* a close event follows */
      };
    }).catch((e) => {
      // A refused first connect stops the client; a transient outage keeps it retrying.
      if (!isReconnect && (e.code === 'unauthorized' || e.code === 'closed')) {
        this._closedByUser = true;
        clearTimeout(this._reconnectTimer);
        this._teardown(e);
        this._setState('closed');
      } else if (e.beforeSocket && !this._closedByUser) {
        this._scheduleReconnect();
      }
      throw e;
    });
  }

  _onWelcome(msg, isReconnect) {
    this._welcome = msg;
    const previousConnection = this.connectionId;
    this.connectionId = msg.connectionId;
    this.userId = msg.userId;
    if (!this.name) this.name = msg.name;
    this.iceServers = Array.isArray(msg.iceServers) ? msg.iceServers : [];
    this._resumeToken = msg.resumeToken || null;
    this._attempt = 0;
    this._serverDelayMs = 0;
    if (typeof msg.serverTime === 'number') this.clock.seed(msg.serverTime);
    this._setState('open');
    this.emit('welcome', msg);
    this._startHeartbeat(msg.heartbeatMs || 25000);
    this.clock.reset();
    this._refineClock(0);
    clearInterval(this._clockTimer);
    this._clockTimer = setInterval(() => this.syncClock(2).catch(() => {}), this.options.clockResyncMs);
    if (isReconnect) {
      const resumed = msg.resumed === true && msg.connectionId === previousConnection;
      this.emit('resumed', { resumed, previousConnectionId: previousConnection });
      if (!resumed) {
        // A new connection: our memberships are gone on the server; join again.
        for (const room of this.rooms.values()) {
          room._rejoin();
        }
      }
    }
  }

  async _refineClock(round) {
    await this.syncClock(round === 0 ? this.options.clockSamples : 3).catch(() => {});
    // On a busy machine or network every sample may be slow; a few more, spread out, find a quick one.
    if (this.state === 'open' && this.clock.rtt > this.options.clockTargetRttMs && round < 10) {
      clearTimeout(this._refineTimer);
      this._refineTimer = setTimeout(() => this._refineClock(round + 1), 1000);
    }
  }

  _startHeartbeat(heartbeatMs) {
    clearInterval(this._heartbeatTimer);
    // The server pings at the WebSocket level; an application ping lets us notice a dead link too.
    this._heartbeatTimer = setInterval(() => {
      if (this.state !== 'open') return;
      this._requestNow({ type: 'ping' }, heartbeatMs).catch((e) => {
        if (e.code === 'timeout' && this._ws) {
          try {
            this._ws.close(4000, 'heartbeat timeout');
          } catch (_) {
            /* ignore */
          }
        }
      });
    }, heartbeatMs);
  }

  _onMessage(msg) {
    this.emit('message', msg);
    if (msg.rid != null && this._pending.has(msg.rid)) {
      const p = this._pending.get(msg.rid);
      this._pending.delete(msg.rid);
      clearTimeout(p.timer);
      if (msg.type === 'error') p.reject(new FlowSyncError(msg.code || 'internal', msg.message));
      else p.resolve(msg);
      // Some replies are also room events (joined, timer, member.updated): let the room see them.
      if (REPLY_ONLY.has(msg.type)) return;
    }
    switch (msg.type) {
      case 'bye':
        this._serverDelayMs = Number(msg.reconnectAfterMs) || 0;
        return;
      case 'error':
        this.emit('error', new FlowSyncError(msg.code || 'internal', msg.message));
        return;
      case 'pong':
      case 'time':
        return;
      default:
        break;
    }
    const room = msg.room != null ? this.rooms.get(msg.room) : null;
    if (room) room._onMessage(msg);
  }

  _teardown(err) {
    clearInterval(this._heartbeatTimer);
    clearTimeout(this._refineTimer);
    clearInterval(this._clockTimer);
    for (const p of this._pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this._pending.clear();
    if (this._closedByUser) {
      const waiters = this._readyWaiters;
      this._readyWaiters = [];
      for (const w of waiters) w.reject(err);
    }
  }

  _onClose(ev) {
    this._ws = null;
    if (ev.code === 4401) this._acceptedToken = null;
    this._teardown(new FlowSyncError('disconnected', `Connection closed (${ev.code})`));
    if (this._closedByUser) return;
    const fatal = ev.code === 4401 && typeof this.options.token !== 'function';
    if (!this.options.reconnect || fatal) {
      this._setState('closed');
      if (fatal) this.emit('error', new FlowSyncError('unauthorized', 'The server refused the token'));
      this.emit('closed', { code: ev.code, reason: ev.reason });
      return;
    }
    this._scheduleReconnect();
  }

  _scheduleReconnect() {
    clearTimeout(this._reconnectTimer);
    this._attempt += 1;
    const { minReconnectDelayMs: min, maxReconnectDelayMs: max } = this.options;
    // Exponential backoff with "full jitter": spreads a crowd of clients after a server restart.
    const cap = Math.min(max, min * 2 ** Math.min(this._attempt - 1, 16));
    const delayMs = Math.max(this._serverDelayMs, Math.round(min / 2 + Math.random() * (cap - min / 2)));
    this._setState('reconnecting');
    this.emit('reconnecting', { attempt: this._attempt, delayMs });
    // A failed attempt schedules the next one itself (from _onClose, or before the socket exists).
    this._reconnectTimer = setTimeout(() => this._open(true).catch(() => {}), delayMs);
  }
}

/**
 * A room this client is a member of. Obtain it from {@link FlowSyncClient#join}.
 *
 * Events (`room.on(type, fn)`):
 * - `joined` `{room, self, members}` after every (re)join, including a resume
 * - `member.joined` `member`, `member.updated` `member`, `member.left` `{connectionId, userId, reason, member}`
 * - `members` `Member[]` after any presence change
 * - `chat` `message` for each new message (history included once, in seq order);
 *   `history` `message[]` when older/resumed messages were merged
 * - `timer` `timer` when the shared timer changes
 * - `signal` `{from, kind, payload}` WebRTC signaling addressed to us
 * - `left` `{reason}` when we are no longer a member (left, kicked, closed)
 */
export class Room extends Emitter {
  /** @param {FlowSyncClient} client @param {string} id */
  constructor(client, id) {
    super();
    /** @type {FlowSyncClient} */
    this.client = client;
    /** Room id. */
    this.id = id;
    /** True while we are a member. */
    this.joined = false;
    /** Our own member record. */
    this.self = null;
    /** @type {Map<string, object>} members by connectionId (ourselves included) */
    this.members = new Map();
    /** @type {object[]} chat messages known locally, ascending seq */
    this.messages = [];
    /** Highest chat seq seen in this room (sent as `lastSeq` on resume). */
    this.lastSeq = 0;
    /** The shared timer. */
    this.timer = new RoomTimer(this);
    this._state = undefined;
    this._joinName = undefined;
    this._joining = null;
    /** Presence events that arrived while a join was in flight, replayed over its snapshot. */
    this._early = [];
    this._buffering = false;
  }

  /** @returns {object[]} members as an array, in join order */
  memberList() {
    return [...this.members.values()].sort((a, b) => (a.joinedAt || 0) - (b.joinedAt || 0));
  }

  /**
   * Replaces our presence state (a free JSON object, at most 2 KiB); everyone sees `member.updated`.
   * @param {object} state
   * @returns {Promise<object>} the reply
   */
  setState(state) {
    this._state = state;
    const self = () => this.client.connectionId;
    return this._requestOrEvent({ type: 'state', room: this.id, state }, 'member.updated', (m) => m.connectionId === self());
  }

  /**
   * Sends a chat message. Resolves with the stored message once the server acknowledged it.
   * Survives a reconnect: it is retried with the same `clientMsgId`, which the server stores once.
   * @param {string} text 1 to 4000 characters
   * @param {{timeoutMs?: number}} [opts]
   * @returns {Promise<object>} the stored message
   */
  async sendChat(text, opts = {}) {
    const clientMsgId = randomId();
    const timeoutMs = opts.timeoutMs ?? 30000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const ack = await this.client.request(
          { type: 'chat.send', room: this.id, text, clientMsgId },
          { timeoutMs: Math.max(1, deadline - Date.now()) },
        );
        if (ack.message) this._addMessages([ack.message]);
        return ack.message;
      } catch (e) {
        if (e.code !== 'disconnected' || Date.now() >= deadline) throw e;
      }
    }
  }

  /**
   * Loads older messages (before the oldest known one) and merges them into {@link Room#messages}.
   * @param {{limit?: number, beforeSeq?: number}} [opts]
   * @returns {Promise<{messages: object[], hasMore: boolean}>}
   */
  async loadHistory(opts = {}) {
    const beforeSeq = opts.beforeSeq ?? (this.messages.length ? this.messages[0].seq : this.lastSeq + 1);
    const reply = await this.client.request({
      type: 'chat.history',
      room: this.id,
      beforeSeq,
      limit: opts.limit ?? 50,
    });
    const messages = reply.messages || [];
    this._addMessages(messages);
    return { messages, hasMore: !!reply.hasMore };
  }

  /**
   * Sends a WebRTC signaling frame to another member.
   * @param {string} to the target's connectionId
   * @param {'offer'|'answer'|'candidate'|'bye'|'custom'} kind
   * @param {object} payload relayed untouched
   * @returns {boolean} false when the connection is not open
   */
  signal(to, kind, payload) {
    return this.client.send({ type: 'signal', room: this.id, to, kind, payload });
  }

  /**
   * Leaves the room.
   * @returns {Promise<void>}
   */
  async leave() {
    this.client.rooms.delete(this.id);
    if (!this.joined) return;
    try {
      await this.client.request({ type: 'leave', room: this.id }, { timeoutMs: 5000 });
    } finally {
      this._markLeft('left');
    }
  }

  // ---------------------------------------------------------------- internals

  /**
   * Some commands are answered by a room event that reaches everyone (the sender too) rather than
   * by a reply of their own; resolve on whichever comes first, reject on an `error` with our rid.
   */
  _requestOrEvent(message, event, matches) {
    return new Promise((resolve, reject) => {
      const off = this.on(event, (detail) => {
        if (matches(detail)) {
          off();
          resolve(detail);
        }
      });
      this.client.request(message).then(
        (reply) => {
          off();
          resolve(reply);
        },
        (e) => {
          off();
          reject(e);
        },
      );
    });
  }

  _join() {
    if (this._joining) return this._joining;
    const msg = { type: 'join', room: this.id };
    if (this._joinName) msg.name = this._joinName;
    if (this._state !== undefined) msg.state = this._state;
    this._early = [];
    this._buffering = true;
    this._joining = this.client.request(msg).then(
      (reply) => {
        this._joining = null;
        return reply;
      },
      (e) => {
        this._joining = null;
        this._early = [];
        this._buffering = false;
        throw e;
      },
    );
    return this._joining;
  }

  _rejoin() {
    this._join().catch((e) => {
      if (e.code === 'disconnected' || e.code === 'timeout') return; // the next welcome retries
      this.client.rooms.delete(this.id);
      this._markLeft(e.code);
    });
  }

  _markLeft(reason) {
    if (!this.joined) return;
    this.joined = false;
    this.emit('left', { reason });
  }

  _onMessage(msg) {
    if (this._buffering && msg.type.startsWith('member.')) this._early.push(msg);
    switch (msg.type) {
      case 'joined':
        this._onJoined(msg);
        break;
      case 'member.joined':
        if (msg.member) {
          this.members.set(msg.member.connectionId, msg.member);
          this.emit('member.joined', msg.member);
          this.emit('members', this.memberList());
        }
        break;
      case 'member.updated':
        if (msg.member) {
          this.members.set(msg.member.connectionId, msg.member);
          if (msg.member.connectionId === this.client.connectionId) this.self = msg.member;
          this.emit('member.updated', msg.member);
          this.emit('members', this.memberList());
        }
        break;
      case 'member.left': {
        const member = this.members.get(msg.connectionId);
        this.members.delete(msg.connectionId);
        this.emit('member.left', { ...msg, member });
        this.emit('members', this.memberList());
        break;
      }
      case 'chat.message':
        if (msg.message) this._addMessages([msg.message]);
        break;
      case 'timer':
        this.timer._update(msg.timer);
        break;
      case 'signal':
        this.emit('signal', { from: msg.from, kind: msg.kind, payload: msg.payload });
        break;
      case 'left':
        this.client.rooms.delete(this.id);
        this._markLeft('left');
        break;
      case 'kicked':
        this.client.rooms.delete(this.id);
        this._markLeft('kicked');
        break;
      case 'room.closed':
        this.client.rooms.delete(this.id);
        this._markLeft('closed');
        break;
      default:
        break;
    }
  }

  _onJoined(msg) {
    this.joined = true;
    this.self = msg.self || null;
    this.members = new Map();
    for (const m of msg.members || []) this.members.set(m.connectionId, m);
    if (this.self) this.members.set(this.self.connectionId, this.self);
    // An event may overtake the snapshot it postdates; applying it again is harmless otherwise.
    for (const e of this._early.splice(0)) {
      if (e.type === 'member.left') this.members.delete(e.connectionId);
      else if (e.member) this.members.set(e.member.connectionId, e.member);
    }
    this._buffering = false;
    if (msg.timer) this.timer._update(msg.timer, true);
    this.emit('joined', { room: this, self: this.self, members: this.memberList() });
    this.emit('members', this.memberList());
    this._addMessages(msg.history || [], true);
    if (typeof msg.lastSeq === 'number' && msg.lastSeq > this.lastSeq) this.lastSeq = msg.lastSeq;
  }

  _addMessages(list, asHistory = false) {
    const known = new Set(this.messages.map((m) => m.seq));
    const fresh = list.filter((m) => m && typeof m.seq === 'number' && !known.has(m.seq));
    if (fresh.length === 0) return;
    fresh.sort((a, b) => a.seq - b.seq);
    const appendOnly = this.messages.length === 0 || fresh[0].seq > this.messages[this.messages.length - 1].seq;
    this.messages.push(...fresh);
    if (!appendOnly) this.messages.sort((a, b) => a.seq - b.seq);
    for (const m of fresh) if (m.seq > this.lastSeq) this.lastSeq = m.seq;
    if (asHistory || !appendOnly) this.emit('history', fresh);
    if (appendOnly && !asHistory) for (const m of fresh) this.emit('chat', m);
  }
}

/**
 * The room's shared, server-authoritative timer. Read `state`, `phase`, {@link RoomTimer#remainingMs};
 * control it with start / pause / resume / reset / skip (the server answers `conflict` when a command
 * does not fit, e.g. pause while paused).
 */
export class RoomTimer {
  /** @param {Room} room */
  constructor(room) {
    this._room = room;
    /** The last `<timer>` record from the server, or an idle one. */
    this.state = { status: 'idle', phases: [], phaseIndex: 0, round: 1, repeat: false, endsAt: null, remainingMs: 0, version: 0 };
  }

  /** @returns {string} `idle` | `running` | `paused` | `finished` */
  get status() {
    return this.state.status;
  }

  /** @returns {{name: string, durationMs: number} | null} the current phase */
  get phase() {
    return this.state.phases?.[this.state.phaseIndex] ?? null;
  }

  /**
   * Milliseconds left in the current phase, computed from the server's `endsAt` and this
   * client's clock offset, so every client shows the same number at the same instant.
   * @param {number} [atLocalTime] a local `Date.now()` value; default now
   * @returns {number}
   */
  remainingMs(atLocalTime) {
    const s = this.state;
    if (s.status === 'running' && typeof s.endsAt === 'number') {
      const local = atLocalTime ?? this._room.client._now();
      return Math.max(0, s.endsAt - (local + this._room.client.clock.offset));
    }
    return Math.max(0, s.remainingMs || 0);
  }

  /**
   * Starts the timer.
   * @param {{name: string, durationMs: number}[]} phases
   * @param {{repeat?: boolean}} [opts]
   */
  start(phases, opts = {}) {
    return this._command('timer.start', { phases, repeat: !!opts.repeat });
  }

  /** Pauses the running timer. */
  pause() {
    return this._command('timer.pause');
  }

  /** Resumes the paused timer. */
  resume() {
    return this._command('timer.resume');
  }

  /** Resets the timer to idle. */
  reset() {
    return this._command('timer.reset');
  }

  /** Skips to the next phase. */
  skip() {
    return this._command('timer.skip');
  }

  _command(type, extra = {}) {
    const before = this.state.version ?? 0;
    const msg = { type, room: this._room.id, ...extra };
    return this._room._requestOrEvent(msg, 'timer', (t) => (t.version ?? 0) > before).then((reply) => {
      if (reply && reply.timer) this._update(reply.timer);
      return this.state;
    });
  }

  _update(timer, force = false) {
    if (!timer) return;
    if (!force && typeof timer.version === 'number' && typeof this.state.version === 'number' && timer.version < this.state.version) {
      return; // an older broadcast overtaken by a newer reply
    }
    this.state = timer;
    this._room.emit('timer', timer);
  }
}

/**
 * A WebRTC full mesh for one room, using the "perfect negotiation" pattern: each pair of peers
 * agrees, by comparing connectionIds, which side is polite (the one with the smaller id) and
 * backs off when both send an offer at once. ICE servers come from the server's welcome; a
 * connection whose ICE fails is restarted.
 *
 * Create it before joining so no early offer is missed:
 * ```
 * const mesh = new FlowSyncMesh(client, 'standup', { localStream });
 * mesh.on('track', ({ peerId, stream }) => show(peerId, stream));
 * await client.join('standup');
 * ```
 *
 * Events: `peer` `{peerId, pc}` (a new RTCPeerConnection), `track` `{peerId, stream, track}`,
 * `connectionstatechange` `{peerId, state}`, `peer.closed` `{peerId}`,
 * `datachannel.message` `{peerId, data}` (when `dataChannel` is on).
 */
export class FlowSyncMesh extends Emitter {
  /**
   * @param {FlowSyncClient} client
   * @param {string} roomId
   * @param {object} [opts]
   * @param {MediaStream} [opts.localStream] tracks sent to every peer
   * @param {RTCConfiguration} [opts.rtcConfig] extra configuration; `iceServers` default to the server's
   * @param {boolean} [opts.dataChannel=true] open a negotiated data channel to each peer
   * @param {number} [opts.disconnectedRestartMs=4000] restart ICE when `disconnected` lasts this long
   * @param {number} [opts.stuckRestartMs=3000] restart ICE when a negotiated connection stays `new` this long
   * @param {number} [opts.politeWaitMs=1500] on a new pair the polite side waits this long for the other's offer
   * @param {boolean} [opts.debug=false] log every negotiation step to the console
   */
  constructor(client, roomId, opts = {}) {
    super();
    this.client = client;
    this.roomId = roomId;
    this.localStream = opts.localStream || null;
    this.rtcConfig = opts.rtcConfig || {};
    this.useDataChannel = opts.dataChannel !== false;
    this.disconnectedRestartMs = opts.disconnectedRestartMs ?? 4000;
    this.stuckRestartMs = opts.stuckRestartMs ?? 3000;
    this.politeWaitMs = opts.politeWaitMs ?? 1500;
    this.debug = !!opts.debug;
    /** @type {Map<string, Peer>} peers by their connectionId */
    this.peers = new Map();
    this._offs = [];
    this._room = null;
    this._closed = false;
    this._attachWhenRoomExists();
  }

  /**
   * Replaces the outgoing track of a kind (e.g. after switching camera), or sets the local stream.
   * @param {MediaStream} stream
   */
  async setLocalStream(stream) {
    this.localStream = stream;
    for (const peer of this.peers.values()) peer.syncTracks(stream);
  }

  /**
   * Sends data on every peer's data channel.
   * @param {string} data
   */
  broadcast(data) {
    for (const peer of this.peers.values()) peer.sendData(data);
  }

  /** Closes every peer connection, tells the peers, and stops listening to the room. */
  close() {
    this._closed = true;
    for (const [peerId, peer] of this.peers) {
      this._room?.signal(peerId, 'bye', {});
      peer.close();
    }
    this.peers.clear();
    for (const off of [...this._offs, ...(this._roomOffs || [])]) off();
    this._offs = [];
    this._roomOffs = [];
  }

  /** @returns {Promise<object[]>} per peer: connection state and inbound video statistics */
  async stats() {
    const out = [];
    for (const [peerId, peer] of this.peers) {
      const s = { peerId, connectionState: peer.pc.connectionState, framesDecoded: 0, bytesReceived: 0 };
      const report = await peer.pc.getStats();
      report.forEach((r) => {
        if (r.type === 'inbound-rtp' && (r.kind === 'video' || r.mediaType === 'video')) {
          s.framesDecoded += r.framesDecoded || 0;
          s.frameWidth = r.frameWidth;
        }
        if (r.type === 'inbound-rtp') s.bytesReceived += r.bytesReceived || 0;
      });
      out.push(s);
    }
    return out;
  }

  // ---------------------------------------------------------------- internals

  _attachWhenRoomExists() {
    // client.join() creates the Room and announces it before it sends the join frame.
    this._offs.push(
      this.client.on('room', (room) => {
        if (room.id === this.roomId && !this._closed) this._attach(room);
      }),
      // Signals for a new connection can arrive before its joined; forget the old one's peers first.
      this.client.on('welcome', (w) => {
        if (this._selfId && w.connectionId !== this._selfId) {
          for (const id of [...this.peers.keys()]) this._dropPeer(id);
        }
        this._selfId = w.connectionId;
      }),
    );
    const existing = this.client.rooms.get(this.roomId);
    if (existing) this._attach(existing);
  }

  _attach(room) {
    for (const off of this._roomOffs || []) off();
    this._room = room;
    this._roomOffs = [
      room.on('joined', ({ members }) => this._sync(members)),
      room.on('member.joined', (m) => this._ensurePeer(m.connectionId)),
      room.on('member.left', ({ connectionId }) => this._dropPeer(connectionId)),
      room.on('signal', (s) => this._onSignal(s)),
      room.on('left', () => {
        for (const id of [...this.peers.keys()]) this._dropPeer(id);
      }),
    ];
    // The joined reply may already have been handled before we attached.
    if (room.joined) this._sync(room.memberList());
  }

  _sync(members) {
    const self = this.client.connectionId;
    if (this._selfId && this._selfId !== self) {
      // We came back as a new connection: the peers dropped our old one, so start afresh.
      for (const id of [...this.peers.keys()]) this._dropPeer(id);
    }
    this._selfId = self;
    const wanted = new Set(members.map((m) => m.connectionId).filter((id) => id !== self));
    for (const id of [...this.peers.keys()]) if (!wanted.has(id)) this._dropPeer(id);
    for (const id of wanted) this._ensurePeer(id);
  }

  _log(...args) {
    if (this.debug) console.debug('flowsync mesh', this.client.connectionId, ...args);
  }

  _ensurePeer(peerId) {
    if (this._closed || peerId === this.client.connectionId) return null;
    let peer = this.peers.get(peerId);
    if (!peer) {
      const polite = String(this.client.connectionId) < String(peerId);
      peer = new Peer(this, peerId, polite);
      this.peers.set(peerId, peer);
      this._log('peer', peerId, polite ? 'polite' : 'impolite');
      this.emit('peer', { peerId, pc: peer.pc, polite });
    }
    return peer;
  }

  _dropPeer(peerId) {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this._log('drop', peerId);
    this.peers.delete(peerId);
    peer.close();
    this.emit('peer.closed', { peerId });
  }

  _onSignal({ from, kind, payload }) {
    this._log('recv', kind, 'from', from);
    if (kind === 'bye') {
      this._dropPeer(from);
      return;
    }
    if (kind !== 'offer' && kind !== 'answer' && kind !== 'candidate') return;
    const peer = this._ensurePeer(from);
    if (peer) peer.onSignal(kind, payload);
  }
}

/** One RTCPeerConnection of a {@link FlowSyncMesh}, negotiated perfectly. Internal. */
class Peer {
  constructor(mesh, peerId, polite) {
    this.mesh = mesh;
    this.peerId = peerId;
    this.polite = polite;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.isSettingRemoteAnswerPending = false;
    this.remoteStream = null;
    this._restartTimer = null;
    this._chain = Promise.resolve();
    const iceServers = mesh.rtcConfig.iceServers || mesh.client.iceServers || [];
    this.pc = new RTCPeerConnection({ ...mesh.rtcConfig, iceServers });
    this.channel = null;
    if (mesh.useDataChannel) {
      // Negotiated with a fixed id: both sides create it, neither waits for the other's announcement.
      this.channel = this.pc.createDataChannel('flowsync', { negotiated: true, id: 0 });
      this.channel.onmessage = (ev) => mesh.emit('datachannel.message', { peerId, data: ev.data });
    }
    this.pc.onnegotiationneeded = () => this._negotiate();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate) this._signal('candidate', candidate.toJSON());
    };
    this.pc.ontrack = ({ track, streams }) => {
      const stream = streams[0] || this.remoteStream || new MediaStream();
      if (!streams[0]) stream.addTrack(track);
      this.remoteStream = stream;
      mesh.emit('track', { peerId, stream, track });
    };
    this.pc.onconnectionstatechange = () => {
      mesh.emit('connectionstatechange', { peerId, state: this.pc.connectionState });
    };
    this.pc.oniceconnectionstatechange = () => this._watchIce();
    if (mesh.localStream) this.syncTracks(mesh.localStream);
    // After an offer collision Chromium can end up negotiated but never gathering candidates (the
    // polite side rolled back mid-setLocalDescription); nothing moves then. Restart ICE if so.
    this._stuckChecks = 0;
    this._stuckTimer = setInterval(() => this._checkStuck(), mesh.stuckRestartMs);
  }

  _checkStuck() {
    const pc = this.pc;
    if (pc.connectionState !== 'new' || this._stuckChecks >= 5) {
      if (pc.connectionState !== 'new') clearInterval(this._stuckTimer);
      return;
    }
    if (pc.signalingState === 'stable' && pc.remoteDescription && !this.makingOffer) {
      this._stuckChecks += 1;
      this.mesh._log('stuck in new, restarting ICE', this.peerId);
      pc.restartIce();
    }
  }

  syncTracks(stream) {
    const senders = this.pc.getSenders();
    for (const track of stream.getTracks()) {
      const sender = senders.find((s) => s.track && s.track.kind === track.kind);
      if (sender) {
        if (sender.track !== track) sender.replaceTrack(track);
      } else {
        this.pc.addTrack(track, stream);
      }
    }
  }

  sendData(data) {
    if (this.channel && this.channel.readyState === 'open') this.channel.send(data);
  }

  _signal(kind, payload) {
    const sent = this.mesh._room?.signal(this.peerId, kind, payload);
    this.mesh._log('send', kind, 'to', this.peerId, sent ? '' : 'NOT SENT');
  }

  async _negotiate() {
    this.mesh._log('negotiationneeded', this.peerId, this.pc.signalingState);
    if (this.polite && !this.pc.remoteDescription && !this._waitedForOffer) {
      // First negotiation of a new pair: let the impolite side offer, and answer it. Chromium can
      // lose ICE gathering for good when a polite offer is rolled back mid-setLocalDescription.
      this._waitedForOffer = true;
      await new Promise((r) => setTimeout(r, this.mesh.politeWaitMs));
      if (this.pc.remoteDescription || this.pc.signalingState !== 'stable' || this.pc.signalingState === 'closed') return;
    }
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this._signal('offer', { type: this.pc.localDescription.type, sdp: this.pc.localDescription.sdp });
    } catch (e) {
      console.warn('flowsync: offer failed', e);
    } finally {
      this.makingOffer = false;
    }
  }

  onSignal(kind, payload) {
    // Descriptions must be applied in arrival order; candidates may depend on them.
    this._chain = this._chain.then(() => this._handle(kind, payload)).catch((e) => console.warn('flowsync: signal failed', e));
  }

  async _handle(kind, payload) {
    const pc = this.pc;
    if (pc.signalingState === 'closed') return;
    if (kind === 'candidate') {
      try {
        await pc.addIceCandidate(payload);
      } catch (e) {
        if (!this.ignoreOffer) throw e;
      }
      return;
    }
    const description = { type: payload.type || kind, sdp: payload.sdp };
    const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.isSettingRemoteAnswerPending);
    const offerCollision = description.type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.polite && offerCollision;
    if (this.ignoreOffer) {
      this.mesh._log('ignore offer from', this.peerId);
      return;
    }
    this.isSettingRemoteAnswerPending = description.type === 'answer';
    await pc.setRemoteDescription(description); // rolls back our own offer when polite
    this.isSettingRemoteAnswerPending = false;
    if (description.type === 'offer') {
      await pc.setLocalDescription();
      this._signal('answer', { type: pc.localDescription.type, sdp: pc.localDescription.sdp });
    }
  }

  _watchIce() {
    const state = this.pc.iceConnectionState;
    clearTimeout(this._restartTimer);
    if (state === 'failed') {
      this.pc.restartIce();
    } else if (state === 'disconnected') {
      // Often recovers by itself; restart only if it does not.
      this._restartTimer = setTimeout(() => {
        if (this.pc.iceConnectionState === 'disconnected') this.pc.restartIce();
      }, this.mesh.disconnectedRestartMs);
    }
  }

  close() {
    clearTimeout(this._restartTimer);
    clearInterval(this._stuckTimer);
    try {
      this.pc.close();
    } catch (_) {
      /* already closed */
    }
  }
}

/**
 * Fetches a demo token from a server started with `FLOWSYNC_GUEST_TOKENS=true`
 * (`POST /api/guest-token {"name"}`).
 * @param {string} name display name
 * @param {string} [baseUrl] the server's http(s) base url; default this page's origin
 * @returns {Promise<string>} the access token
 */
export async function fetchGuestToken(name, baseUrl = '') {
  const res = await fetch(`${baseUrl}/api/guest-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.token) {
    throw new FlowSyncError(body.error || 'unauthorized', body.message || `guest token refused (HTTP ${res.status})`);
  }
  return body.token;
}

function defaultUrl() {
  if (typeof location === 'undefined') throw new TypeError('FlowSyncClient: options.url is required outside a browser');
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

function randomId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

// FlowSync demo: video mesh, presence, chat and a shared timer in one page, on flowsync.js.
// No build step: served as-is by the standalone server, which also serves /flowsync.js.
import { FlowSyncClient, FlowSyncMesh, fetchGuestToken } from './flowsync.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
// ?server=http://host:port lets the page talk to a server other than the one that served it.
const serverBase = (params.get('server') || location.origin).replace(/\/$/, '');
const wsUrl = serverBase.replace(/^http/, 'ws') + '/ws';

const app = {
  client: null,
  room: null,
  mesh: null,
  localStream: null,
  tiles: new Map(),
  timerLoop: null,
};
// Handy in the console, and how the browser tests look inside.
window.flowsyncDemo = app;

// ------------------------------------------------------------------ lobby

const savedName = sessionStorage.getItem('flowsync.name') || localStorage.getItem('flowsync.name') || '';
$('name').value = savedName;
$('room').value = params.get('room') || '';
$('join-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  join($('name').value.trim(), $('room').value.trim());
});
// Came back (reload) with a name and a room: rejoin straight away.
if (savedName && params.get('room') && sessionStorage.getItem('flowsync.name')) {
  join(savedName, params.get('room'));
}

async function join(name, roomId) {
  if (!name || !roomId) return;
  $('join-error').textContent = '';
  $('join-form').querySelector('button').disabled = true;
  try {
    sessionStorage.setItem('flowsync.name', name);
    localStorage.setItem('flowsync.name', name);
    app.localStream = await getMedia();

    const client = new FlowSyncClient({ url: wsUrl, name, token: guestToken(name) });
    app.client = client;
    client.on('state', ({ state }) => showConnection(state));
    client.on('error', (e) => console.warn(`flowsync: server error ${e.code}: ${e.message}`));
    // The mesh listens before we join, so no early offer from a peer is lost.
    app.mesh = new FlowSyncMesh(client, roomId, { localStream: app.localStream, debug: params.has('debug') });
    wireMesh(app.mesh);

    await client.connect();
    const room = await client.join(roomId, { name, state: presenceState() });
    app.room = room;
    wireRoom(room);

    const url = new URL(location.href);
    url.searchParams.set('room', roomId);
    history.replaceState(null, '', url);
    $('lobby').hidden = true;
    $('call').hidden = false;
    $('room-title').hidden = false;
    $('room-title').textContent = `# ${roomId}`;
    document.title = `${roomId} · FlowSync`;
    addTile('self', name, app.localStream, true);
    renderMembers();
    renderMessages(true);
    startTimerLoop();
  } catch (e) {
    console.error(e);
    $('join-error').textContent = `Could not join: ${e.message || e}`;
    app.client?.close();
    app.mesh?.close();
  } finally {
    $('join-form').querySelector('button').disabled = false;
  }
}

// A demo identity per tab: a reload keeps it (your messages stay yours); the client asks for a new
// token only when the server refuses the one it has.
function guestToken(name) {
  let first = true;
  return async () => {
    const key = `flowsync.token.${name}`;
    const saved = first ? sessionStorage.getItem(key) : null;
    first = false;
    if (saved) return saved;
    const token = await fetchGuestToken(name, serverBase);
    sessionStorage.setItem(key, token);
    return token;
  };
}

async function getMedia() {
  if (!navigator.mediaDevices?.getUserMedia) return new MediaStream();
  for (const constraints of [{ audio: true, video: { width: 640, height: 360 } }, { audio: true }, { video: true }]) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (_) {
      // try with less
    }
  }
  return new MediaStream(); // watch and chat without a camera or microphone
}

function presenceState() {
  const audio = app.localStream?.getAudioTracks()[0];
  const video = app.localStream?.getVideoTracks()[0];
  return {
    status: $('status').value,
    mic: !!audio && audio.enabled,
    cam: !!video && video.enabled,
  };
}

// ------------------------------------------------------------------ room

function wireRoom(room) {
  room.on('members', () => {
    renderMembers();
    for (const [peerId, tile] of app.tiles) if (peerId !== 'self') updateTileLabel(peerId, tile);
  });
  room.on('chat', (m) => appendMessage(m));
  room.on('history', () => renderMessages(false));
  room.on('timer', () => renderTimer());
  room.on('left', ({ reason }) => {
    if (reason !== 'left') $('join-error').textContent = `You are no longer in the room (${reason}).`;
  });
}

function renderMembers() {
  const list = $('members');
  list.replaceChildren();
  const members = app.room ? app.room.memberList() : [];
  $('member-count').textContent = String(members.length);
  for (const m of members) {
    const li = document.createElement('li');
    li.dataset.status = m.state?.status || 'available';
    li.dataset.connectionId = m.connectionId;
    const dot = el('span', 'dot');
    const who = el('span', 'who', m.name + (m.connectionId === app.client.connectionId ? ' (you)' : ''));
    const meta = el('span', 'meta', [statusLabel(m.state?.status), m.state?.mic === false ? 'muted' : null, m.state?.cam === false ? 'no video' : null].filter(Boolean).join(' · '));
    li.append(dot, who, meta);
    list.append(li);
  }
}

function statusLabel(status) {
  return { available: 'available', focus: 'focusing', break: 'on a break', away: 'away' }[status] || status || 'available';
}

// ------------------------------------------------------------------ chat

function renderMessages(scroll) {
  const list = $('messages');
  list.replaceChildren();
  const messages = app.room?.messages || [];
  for (const m of messages) list.append(messageItem(m));
  if (scroll) list.scrollTop = list.scrollHeight;
  // The join brings the latest messages; older ones are a click away.
  $('earlier').hidden = !(messages.length && messages[0].seq > 1) || app.noEarlier === true;
}

$('earlier').addEventListener('click', async () => {
  try {
    const { hasMore } = await app.room.loadHistory({ limit: 50 });
    if (!hasMore) app.noEarlier = true;
    renderMessages(false);
  } catch (e) {
    $('join-error').textContent = `Could not load earlier messages: ${e.message}`;
  }
});

function appendMessage(m) {
  const list = $('messages');
  if (list.children.length === 0 && m.seq > 1) $('earlier').hidden = false;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(messageItem(m));
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function messageItem(m) {
  const li = document.createElement('li');
  li.dataset.seq = m.seq;
  if (m.userId === app.client.userId) li.classList.add('mine');
  const head = el('div');
  head.append(el('span', 'from', m.name || m.userId), el('span', 'at', new Date(m.sentAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })));
  li.append(head, el('div', 'text', m.text));
  return li;
}

$('chat-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const input = $('chat-input');
  const text = input.value.trim();
  if (!text || !app.room) return;
  input.value = '';
  try {
    await app.room.sendChat(text);
  } catch (e) {
    input.value = text;
    $('join-error').textContent = `Message not sent: ${e.message}`;
  }
});

// ------------------------------------------------------------------ timer

function startTimerLoop() {
  clearInterval(app.timerLoop);
  renderTimer();
  app.timerLoop = setInterval(renderTimer, 250);
}

function renderTimer() {
  const timer = app.room?.timer;
  if (!timer) return;
  const s = timer.state;
  const phase = timer.phase;
  $('timer-phase').textContent = phase ? phase.name : 'No timer';
  $('timer-round').textContent = s.status === 'idle' ? '' : `round ${s.round}`;
  $('timer-clock').textContent = s.status === 'idle' ? '--:--' : formatMs(timer.remainingMs());
  $('timer-status').textContent = s.status;
  $('timer-start').disabled = s.status === 'running' || s.status === 'paused';
  $('timer-pause').disabled = s.status !== 'running';
  $('timer-resume').disabled = s.status !== 'paused';
  $('timer-skip').disabled = s.status !== 'running' && s.status !== 'paused';
  $('timer-reset').disabled = s.status === 'idle';
  $('timer-setup').hidden = s.status === 'running' || s.status === 'paused';
}

function formatMs(ms) {
  const total = Math.ceil(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

async function timerCommand(fn) {
  try {
    await fn(app.room.timer);
  } catch (e) {
    $('join-error').textContent = `Timer: ${e.message}`;
  }
}

$('timer-start').addEventListener('click', () =>
  timerCommand((t) =>
    t.start(
      [
        { name: 'focus', durationMs: Math.max(1, Number($('focus-min').value) || 25) * 60000 },
        { name: 'break', durationMs: Math.max(1, Number($('break-min').value) || 5) * 60000 },
      ],
      { repeat: true },
    ),
  ),
);
$('timer-pause').addEventListener('click', () => timerCommand((t) => t.pause()));
$('timer-resume').addEventListener('click', () => timerCommand((t) => t.resume()));
$('timer-skip').addEventListener('click', () => timerCommand((t) => t.skip()));
$('timer-reset').addEventListener('click', () => timerCommand((t) => t.reset()));

// ------------------------------------------------------------------ media and tiles

function wireMesh(mesh) {
  mesh.on('track', ({ peerId, stream }) => addTile(peerId, null, stream, false));
  mesh.on('peer', ({ peerId }) => addTile(peerId, null, null, false));
  mesh.on('connectionstatechange', ({ peerId, state }) => {
    const tile = app.tiles.get(peerId);
    if (tile) {
      tile.dataset.conn = state;
      tile.querySelector('.badge').textContent = state;
    }
  });
  mesh.on('peer.closed', ({ peerId }) => {
    app.tiles.get(peerId)?.remove();
    app.tiles.delete(peerId);
  });
}

function addTile(peerId, name, stream, isSelf) {
  let tile = app.tiles.get(peerId);
  if (!tile) {
    tile = el('div', 'tile');
    tile.dataset.peer = peerId;
    if (isSelf) tile.classList.add('self');
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.muted = isSelf; // never play our own microphone back
    tile.append(video, el('div', 'avatar'), el('div', 'label'), el('div', 'badge', isSelf ? '' : 'connecting'));
    if (isSelf) tile.dataset.conn = 'connected';
    app.tiles.set(peerId, tile);
    const tiles = $('tiles');
    if (isSelf) tiles.prepend(tile);
    else tiles.append(tile);
  }
  const video = tile.querySelector('video');
  if (stream && video.srcObject !== stream) {
    video.srcObject = stream;
    video.play().catch(() => {});
  }
  if (isSelf) {
    tile.querySelector('.label').textContent = `${name} (you)`;
    tile.querySelector('.avatar').textContent = initials(name);
    tile.classList.toggle('cam-off', !presenceState().cam);
  } else {
    updateTileLabel(peerId, tile);
  }
}

function updateTileLabel(peerId, tile) {
  const m = app.room?.members.get(peerId);
  const name = m?.name || 'guest';
  tile.querySelector('.label').textContent = name + (m?.state?.mic === false ? ' · muted' : '');
  tile.querySelector('.avatar').textContent = initials(name);
  tile.classList.toggle('cam-off', m?.state?.cam === false);
}

function initials(name) {
  return (name || '?')
    .split(/\s+/)
    .map((p) => p[0])
    .join('')
    .slice(0, 2)
    .toUpperCase();
}

function toggleTrack(kind, button, onLabel, offLabel) {
  const tracks = kind === 'audio' ? app.localStream.getAudioTracks() : app.localStream.getVideoTracks();
  if (tracks.length === 0) return;
  const enabled = !tracks[0].enabled;
  for (const t of tracks) t.enabled = enabled;
  button.setAttribute('aria-pressed', String(enabled));
  button.textContent = enabled ? onLabel : offLabel;
  app.tiles.get('self')?.classList.toggle('cam-off', !presenceState().cam);
  app.room?.setState(presenceState()).catch(() => {});
}

$('toggle-mic').addEventListener('click', (ev) => toggleTrack('audio', ev.currentTarget, 'Mic on', 'Mic off'));
$('toggle-cam').addEventListener('click', (ev) => toggleTrack('video', ev.currentTarget, 'Camera on', 'Camera off'));
$('status').addEventListener('change', () => app.room?.setState(presenceState()).catch(() => {}));

$('leave').addEventListener('click', async () => {
  sessionStorage.removeItem('flowsync.name');
  await shutdown();
  const url = new URL(location.href);
  url.searchParams.delete('room');
  location.replace(url);
});

async function shutdown() {
  clearInterval(app.timerLoop);
  app.mesh?.close();
  await app.client?.close();
  for (const t of app.localStream?.getTracks() || []) t.stop();
}

// Leaving the page says goodbye, so the others see us go at once instead of after the grace period.
window.addEventListener('pagehide', () => {
  app.mesh?.close();
  app.client?.close();
});

function showConnection(state) {
  const badge = $('conn-state');
  badge.dataset.state = state;
  badge.textContent = { idle: 'offline', connecting: 'connecting', open: 'connected', reconnecting: 'reconnecting', closed: 'offline' }[state] || state;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

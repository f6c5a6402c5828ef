// Browser tests of the FlowSync demo and flowsync.js in real headless Chromium with real WebRTC.
//
// Run inside a network namespace that has only loopback, with the server in the same namespace:
//   unshare -n bash -c 'ip link set lo up; FLOWSYNC_SERVER_JAR=../../server/target/flowsync-server.jar node run-e2e.mjs'
// or against a running server: FLOWSYNC_URL=http://127.0.0.1:8080 node run-e2e.mjs
// (WebDemoBrowserIT in samples/web does the former from `mvn verify`.)
//
// Env: FLOWSYNC_URL | FLOWSYNC_SERVER_JAR, CHROMIUM_PATH (default /usr/bin/chromium),
//      SCREENSHOT_DIR (write screenshots of the three-way call there), E2E_HEADFUL=1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ROOM = `e2e-${Date.now().toString(36)}`;
const NAMES = ['Ana', 'Ben', 'Chen'];
// Chen's page runs with a local clock 7 s ahead: the timer must still agree, through the clock offset.
const SKEW_MS = [0, 0, 7000];
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

let baseUrl = process.env.FLOWSYNC_URL?.replace(/\/$/, '');
let serverProcess = null;
let browser = null;
/** @type {{name:string, skew:number, context:any, page:any, logs:string[]}[]} */
const peers = [];
// The later tests build on the pages being in the call; without it they fail at once, not by timeout.
let inCall = false;
const requireCall = () => assert.ok(inCall, 'the three pages are not in the call (see the join test)');

/** Polls fn (which may be async inside the page) until it returns a truthy value. */
// Upper bounds, not delays: generous because CI machines can be heavily loaded.
async function until(what, fn, timeoutMs = 60000, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last?.message ?? last)}\n${await diagnose()}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function startServer(jar) {
  const dataDir = mkdtempSync(join(tmpdir(), 'flowsync-e2e-'));
  const child = spawn('java', ['-jar', jar], {
    env: { ...process.env, FLOWSYNC_PORT: '0', FLOWSYNC_GUEST_TOKENS: 'true', FLOWSYNC_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('The server printed no URL within 60 s')), 60000);
    const onData = (buf) => {
      const text = buf.toString();
      process.stderr.write(`[server] ${text}`);
      const url = parseServerUrl(text);
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`The server exited with ${code} before it printed its URL`)));
  });
}

/** The standalone server prints "FlowSync listening on http://<host>:<port>"; we reach it on loopback. */
export function parseServerUrl(text) {
  const m = /listening on https?:\/\/[^\s/]*:(\d+)/.exec(text);
  return m ? `http://127.0.0.1:${m[1]}` : null;
}

/** What each page shows, for failure messages: connection, room members, errors, peer states. */
async function diagnose() {
  const lines = [];
  for (const p of peers) {
    const d = await p.page
      .evaluate(() => {
        const app = window.flowsyncDemo;
        return {
          conn: app?.client?.state,
          id: app?.client?.connectionId,
          members: app?.room ? app.room.memberList().map((m) => `${m.name}:${m.connectionId}`) : null,
          error: document.querySelector('[data-testid="join-error"]')?.textContent,
          peers: app?.mesh ? [...app.mesh.peers].map(([id, x]) => `${id}:${x.pc.connectionState}/${x.pc.signalingState}/${x.polite ? 'polite' : 'impolite'}`) : null,
          timer: app?.room?.timer.state.status,
          messages: app?.room?.messages.length,
        };
      })
      .catch((e) => ({ unavailable: e.message }));
    lines.push(`  ${p.name}: ${JSON.stringify(d)}`);
  }
  return lines.join('\n');
}

async function openPeer(name, skew) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
  await context.grantPermissions(['camera', 'microphone']);
  if (skew) {
    await context.addInitScript((s) => {
      const realNow = Date.now.bind(Date);
      Date.now = () => realNow() + s;
    }, skew);
  }
  context.setDefaultTimeout(60000);
  const page = await context.newPage();
  const logs = [];
  page.on('console', (msg) => logs.push(`[${name} ${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => logs.push(`[${name} pageerror] ${err.message}`));
  return { name, skew, context, page, logs };
}

async function joinThroughUi(peer) {
  const { page } = peer;
  await page.goto(`${baseUrl}/${process.env.E2E_DEBUG ? '?debug' : ''}`);
  await page.getByTestId('name').fill(peer.name);
  await page.getByTestId('room').fill(ROOM);
  await page.getByTestId('join').click();
}

const memberCount = (page) => page.evaluate(() => document.querySelectorAll('[data-testid="members"] li').length);

/** Per page: peer connection states, decoded frames per peer, and the remote videos' widths. */
const mediaState = (page) =>
  page.evaluate(async () => {
    const app = window.flowsyncDemo;
    if (!app?.mesh) return null;
    const stats = await app.mesh.stats();
    const videos = [...document.querySelectorAll('.tile:not(.self) video')].map((v) => v.videoWidth);
    return { stats, videos };
  });

function mediaReady(state, expectedPeers) {
  return (
    state &&
    state.stats.length === expectedPeers &&
    state.stats.every((s) => s.connectionState === 'connected' && s.framesDecoded > 0) &&
    state.videos.length === expectedPeers &&
    state.videos.every((w) => w > 0)
  );
}

async function allConnected(timeoutMs = 90000) {
  const started = Date.now();
  await until(
    'every peer connection connected with decoded video',
    async () => {
      const states = await Promise.all(peers.map((p) => mediaState(p.page)));
      return states.every((s) => mediaReady(s, peers.length - 1)) ? states : null;
    },
    timeoutMs,
    250,
  );
  return Date.now() - started;
}

describe('FlowSync demo in three Chromium pages', { concurrency: false }, () => {
  before(async () => {
    if (!baseUrl) {
      const jar = process.env.FLOWSYNC_SERVER_JAR;
      if (!jar) throw new Error('Set FLOWSYNC_URL (a running server) or FLOWSYNC_SERVER_JAR (to start one)');
      const started = await startServer(jar);
      serverProcess = started.child;
      baseUrl = started.url;
    }
    console.log(`server: ${baseUrl}, room: ${ROOM}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: !process.env.E2E_HEADFUL, args: LAUNCH_ARGS });
    for (let i = 0; i < NAMES.length; i++) peers.push(await openPeer(NAMES[i], SKEW_MS[i]));
  });

  after(async () => {
    // Warnings and errors from the pages always; everything with E2E_LOGS=1.
    for (const p of peers) {
      for (const line of p.logs) if (process.env.E2E_LOGS || !/^\[\S+ (log|info|debug)\]/.test(line)) console.log(line);
    }
    await browser?.close();
    serverProcess?.kill('SIGTERM');
  });

  test('the server serves the demo at / and the client library at /flowsync.js', async () => {
    const index = await fetch(`${baseUrl}/`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /FlowSync demo/);
    const lib = await fetch(`${baseUrl}/flowsync.js`);
    assert.equal(lib.status, 200);
    assert.match(lib.headers.get('content-type') || '', /javascript/);
    assert.match(await lib.text(), /export class FlowSyncClient/);
  });

  test('three pages join one room through the demo UI and see each other', async () => {
    for (const p of peers) await joinThroughUi(p);
    for (const p of peers) {
      await until(`${p.name} to list 3 members`, async () => (await memberCount(p.page)) === 3);
      const names = await p.page.locator('[data-testid="members"] li .who').allTextContents();
      assert.deepEqual(names.map((n) => n.replace(' (you)', '')).sort(), [...NAMES].sort());
    }
    inCall = true;
  });

  test('every peer connection reaches connected and decodes the fake video', async () => {
    requireCall();
    const ms = await allConnected();
    console.log(`three-way mesh connected with decoded video in ${ms} ms after the last join`);
    for (const p of peers) {
      const s = await mediaState(p.page);
      assert.equal(s.stats.length, 2, `${p.name} has two peer connections`);
      for (const st of s.stats) {
        assert.equal(st.connectionState, 'connected');
        assert.ok(st.framesDecoded > 0, `${p.name} decoded frames from ${st.peerId}`);
      }
      assert.ok(s.videos.every((w) => w > 0), `${p.name} shows two playing remote videos`);
    }
    if (process.env.SCREENSHOT_DIR) {
      mkdirSync(process.env.SCREENSHOT_DIR, { recursive: true });
    }
  });

  test('chat typed in one page shows in the others', async () => {
    requireCall();
    const [ana, ben, chen] = peers;
    await ana.page.getByTestId('chat-input').fill('Morning all, standup in 5');
    await ana.page.getByTestId('chat-input').press('Enter');
    await ben.page.getByTestId('chat-input').fill('On my way');
    await ben.page.getByTestId('chat-send').click();
    for (const p of peers) {
      await until(`${p.name} to show both messages`, async () => {
        const texts = await p.page.locator('[data-testid="messages"] li .text').allTextContents();
        return texts.includes('Morning all, standup in 5') && texts.includes('On my way');
      });
    }
    const seqs = await chen.page.locator('[data-testid="messages"] li').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'messages are in seq order');
  });

  test('the shared timer shows the same remaining time and phase in every page', async () => {
    requireCall();
    const [ana, ben, chen] = peers;
    // Every client must have measured its clock offset by now (best of N round trips).
    for (const p of peers) {
      await until(`${p.name} to have a clock sample`, () => p.page.evaluate(() => Number.isFinite(window.flowsyncDemo.client.clock.rtt)));
    }
    // On a loaded machine the client keeps sampling until it sees a quick round trip; give it time.
    const rtts = () => Promise.all(peers.map((p) => p.page.evaluate(() => window.flowsyncDemo.client.clock.rtt)));
    await until('every clock to have a round trip of 40 ms or less', async () => (await rtts()).every((r) => r <= 40), 20000).catch(() => {});
    console.log(`best clock round trips (ms): ${JSON.stringify(await rtts())}`);
    const chenOffset = await chen.page.evaluate(() => window.flowsyncDemo.client.clock.offset);
    assert.ok(Math.abs(chenOffset + 7000) < 100, `Chen's 7 s fast clock is measured as such (offset ${chenOffset} ms)`);

    await ana.page.getByTestId('focus-min').fill('25');
    await ana.page.getByTestId('timer-start').click();
    for (const p of peers) {
      await until(`${p.name} to show the running focus phase`, async () =>
        (await p.page.getByTestId('timer-status').textContent()) === 'running' &&
        (await p.page.getByTestId('timer-phase').textContent()) === 'focus',
      );
    }

    const spread = await sampleRemainingSpread();
    console.log(`remainingMs spread across the three pages: ${spread.spread} ms (${JSON.stringify(spread.values)})`);
    assert.ok(spread.spread <= 50, `remainingMs agrees within 50 ms, got ${spread.spread} ms`);
    assert.ok(spread.values.every((v) => v > 24 * 60000 && v <= 25 * 60000));

    await ben.page.getByTestId('timer-pause').click();
    for (const p of peers) await until(`${p.name} to show paused`, async () => (await p.page.getByTestId('timer-status').textContent()) === 'paused');
    const paused = await Promise.all(peers.map((p) => p.page.evaluate(() => window.flowsyncDemo.room.timer.remainingMs())));
    assert.equal(new Set(paused).size, 1, `a paused timer shows the same remaining time everywhere: ${paused}`);

    await chen.page.getByTestId('timer-resume').click();
    for (const p of peers) await until(`${p.name} to show running again`, async () => (await p.page.getByTestId('timer-status').textContent()) === 'running');

    await ana.page.getByTestId('timer-skip').click();
    for (const p of peers) await until(`${p.name} to show the break phase`, async () => (await p.page.getByTestId('timer-phase').textContent()) === 'break');
    const afterSkip = await sampleRemainingSpread();
    assert.ok(afterSkip.spread <= 50, `after skip remainingMs agrees within 50 ms, got ${afterSkip.spread} ms`);
    assert.ok(afterSkip.values.every((v) => v > 4 * 60000 && v <= 5 * 60000), `break phase is 5 min: ${afterSkip.values}`);
  });

  test('a muted microphone and a status change show in every member list', async () => {
    requireCall();
    const [, ben, chen] = peers;
    await chen.page.getByTestId('toggle-mic').click();
    assert.equal(await chen.page.getByTestId('toggle-mic').getAttribute('aria-pressed'), 'false');
    await ben.page.getByTestId('status').selectOption('focus');
    for (const p of peers) {
      await until(`${p.name} to show Chen muted and Ben focusing`, async () => {
        const rows = await p.page.locator('[data-testid="members"] li').evaluateAll((els) =>
          els.map((e) => ({ who: e.querySelector('.who').textContent, meta: e.querySelector('.meta').textContent, status: e.dataset.status })),
        );
        const chenRow = rows.find((r) => r.who.startsWith('Chen'));
        const benRow = rows.find((r) => r.who.startsWith('Ben'));
        return chenRow?.meta.includes('muted') && benRow?.status === 'focus';
      });
    }
    // Muting disables the track; the connection and video stay up.
    const s = await mediaState(peers[0].page);
    assert.ok(mediaReady(s, 2));
  });

  test('the demo screenshots of the three-way call', { skip: !process.env.SCREENSHOT_DIR }, async () => {
    requireCall();
    for (let i = 0; i < peers.length; i++) {
      await peers[i].page.screenshot({ path: join(process.env.SCREENSHOT_DIR, `demo-three-peers${i === 0 ? '' : `-${peers[i].name.toLowerCase()}`}.png`) });
    }
    const narrow = peers[1].page;
    await narrow.setViewportSize({ width: 420, height: 900 });
    await narrow.screenshot({ path: join(process.env.SCREENSHOT_DIR, 'demo-three-peers-narrow.png'), fullPage: true });
    await narrow.setViewportSize({ width: 1280, height: 760 });
  });

  test('a dropped connection resumes: same connection, no flicker for the others, missed chat delivered', async () => {
    requireCall();
    const [ana, , chen] = peers;
    await ana.page.evaluate(() => {
      window.__left = [];
      window.flowsyncDemo.room.on('member.left', (e) => window.__left.push(e.connectionId));
    });
    const before = await chen.page.evaluate(() => {
      const c = window.flowsyncDemo.client;
      window.__resumed = null;
      c.once('resumed', (e) => (window.__resumed = e));
      // Wait long enough before reconnecting that a message is certainly sent meanwhile.
      c.options.minReconnectDelayMs = 3000;
      c._ws.close(); // the socket drops without a leave, as when the network blips
      return c.connectionId;
    });
    await until("Chen's client to notice the drop", () => chen.page.evaluate(() => window.flowsyncDemo.client.state === 'reconnecting'));
    await ana.page.getByTestId('chat-input').fill('Sent while Chen was away');
    await ana.page.getByTestId('chat-input').press('Enter');
    const resumed = await until('Chen to be resumed', () => chen.page.evaluate(() => window.__resumed), 30000);
    assert.equal(resumed.resumed, true, 'the server resumed the connection');
    assert.equal(await chen.page.evaluate(() => window.flowsyncDemo.client.connectionId), before, 'same connectionId');
    await until('Chen to show the message sent while away', async () =>
      (await chen.page.locator('[data-testid="messages"] li .text').allTextContents()).includes('Sent while Chen was away'),
    );
    assert.deepEqual(await ana.page.evaluate(() => window.__left), [], 'the others saw no member.left');
    assert.ok(mediaReady(await mediaState(chen.page), 2), 'the video connections stayed up');
  });

  test('a reloaded page rejoins, shows the history and reconnects its video', async () => {
    requireCall();
    const ben = peers[1];
    const before = await ben.page.evaluate(() => window.flowsyncDemo.client.connectionId);
    await ben.page.reload();
    await until('Ben to be back in the room', async () => (await memberCount(ben.page)) === 3);
    const after = await ben.page.evaluate(() => window.flowsyncDemo.client.connectionId);
    assert.notEqual(after, before, 'a reload is a new connection');
    const texts = await ben.page.locator('[data-testid="messages"] li .text').allTextContents();
    assert.ok(texts.includes('Morning all, standup in 5') && texts.includes('On my way'), `history shown after reload: ${JSON.stringify(texts)}`);
    for (const p of peers) {
      await until(`${p.name} to list exactly 3 members after the reload`, async () => (await memberCount(p.page)) === 3);
    }
    const ms = await allConnected();
    console.log(`mesh reconnected after the reload in ${ms} ms`);
    assert.equal(await ben.page.getByTestId('timer-phase').textContent(), 'break', 'the reloaded page shows the running timer');
  });
});

/**
 * Samples remainingMs() in all pages for the same real instant: each page is asked for the value
 * at a local time T + its own clock skew, so the sampling moment is identical even though the
 * three evaluate() calls run at slightly different times.
 */
async function sampleRemainingSpread() {
  const at = Date.now();
  const values = await Promise.all(peers.map((p) => p.page.evaluate((t) => window.flowsyncDemo.room.timer.remainingMs(t), at + p.skew)));
  return { values, spread: Math.max(...values) - Math.min(...values) };
}

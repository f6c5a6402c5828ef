// Unit tests of flowsync.js logic that needs no server or browser: the clock estimate, merging
// chat messages by seq, and the timer's remaining time. Run: node --test client.test.mjs
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockSync, FlowSyncClient, Room } from '../../../flowsync-jetty/src/main/resources/dev/flowsync/jetty/flowsync.js';

describe('ClockSync', () => {
  test('offset is serverTime minus the midpoint of the round trip', () => {
    const clock = new ClockSync(() => 0);
    clock.addSample(1000, 5050, 1100);
    assert.equal(clock.offset, 4000);
    assert.equal(clock.rtt, 100);
  });

  test('the sample with the smallest round trip wins, whatever the order', () => {
    const clock = new ClockSync(() => 0);
    clock.addSample(0, 10_000 + 150, 400); // rtt 400, asymmetric: estimate 9950
    clock.addSample(1000, 11_000 + 10, 1020); // rtt 20: estimate 10000
    clock.addSample(2000, 12_000 + 300, 2300); // rtt 300: estimate 10150
    assert.equal(clock.offset, 10_000);
    assert.equal(clock.rtt, 20);
  });

  test('old samples leave the window so a drifting clock is followed', () => {
    const clock = new ClockSync(() => 0);
    clock.addSample(0, 500, 0); // perfect sample, offset 500
    for (let i = 1; i <= 16; i++) clock.addSample(i * 1000, i * 1000 + 10 + 700, i * 1000 + 20);
    assert.equal(clock.offset, 700);
  });

  test('a one-way seed is used only until a round trip is measured', () => {
    let now = 1000;
    const clock = new ClockSync(() => now);
    clock.seed(3000);
    assert.equal(clock.serverNow(), 3000);
    clock.addSample(1000, 1500, 1000);
    clock.seed(99_999);
    assert.equal(clock.offset, 500);
    now = 2000;
    assert.equal(clock.serverNow(), 2500);
  });
});

function roomWithClock(localNow, offset) {
  const client = new FlowSyncClient({ token: 't', url: 'ws://unused', now: () => localNow });
  client.clock.offset = offset;
  return new Room(client, 'standup');
}

describe('Room chat merge', () => {
  const msg = (seq) => ({ id: `m${seq}`, seq, room: 'standup', userId: 'u1', name: 'Ana', text: `#${seq}`, sentAt: seq });

  test('new messages are appended once each and raise chat events in order', () => {
    const room = roomWithClock(0, 0);
    const seen = [];
    room.on('chat', (m) => seen.push(m.seq));
    room._addMessages([msg(1)]);
    room._addMessages([msg(2), msg(1)]);
    room._addMessages([msg(2)]);
    assert.deepEqual(room.messages.map((m) => m.seq), [1, 2]);
    assert.deepEqual(seen, [1, 2]);
    assert.equal(room.lastSeq, 2);
  });

  test('older messages are merged in seq order as history, not as new chat', () => {
    const room = roomWithClock(0, 0);
    room._addMessages([msg(5), msg(6)]);
    const chat = [];
    const history = [];
    room.on('chat', (m) => chat.push(m.seq));
    room.on('history', (list) => history.push(list.map((m) => m.seq)));
    room._addMessages([msg(3), msg(4)]);
    assert.deepEqual(room.messages.map((m) => m.seq), [3, 4, 5, 6]);
    assert.deepEqual(chat, []);
    assert.deepEqual(history, [[3, 4]]);
    assert.equal(room.lastSeq, 6);
  });

  test('a presence event that overtakes the joined snapshot is not lost', () => {
    const room = roomWithClock(0, 0);
    const member = (id, name) => ({ connectionId: id, userId: id, name, state: {}, joinedAt: 1 });
    room._buffering = true; // as while a join request is in flight
    room._onMessage({ type: 'member.joined', room: 'standup', member: member('c2', 'Ben') });
    room._onMessage({ type: 'member.left', room: 'standup', connectionId: 'c3', userId: 'c3', reason: 'left' });
    room._onMessage({ type: 'joined', room: 'standup', self: member('c1', 'Ana'), members: [member('c1', 'Ana'), member('c3', 'Chen')], history: [], lastSeq: 0 });
    assert.deepEqual([...room.members.keys()].sort(), ['c1', 'c2']);
    // After the snapshot, nothing is buffered any more.
    room._onMessage({ type: 'member.left', room: 'standup', connectionId: 'c2', userId: 'c2', reason: 'left' });
    room._onMessage({ type: 'joined', room: 'standup', self: member('c1', 'Ana'), members: [member('c1', 'Ana'), member('c4', 'Dan')], history: [], lastSeq: 0 });
    assert.deepEqual([...room.members.keys()].sort(), ['c1', 'c4']);
  });

  test('a joined frame after a resume adds only the missed messages', () => {
    const room = roomWithClock(0, 0);
    room._onMessage({ type: 'joined', room: 'standup', self: null, members: [], history: [msg(1), msg(2)], lastSeq: 2 });
    room._onMessage({ type: 'joined', room: 'standup', self: null, members: [], history: [msg(3)], lastSeq: 3 });
    assert.deepEqual(room.messages.map((m) => m.seq), [1, 2, 3]);
    assert.equal(room.lastSeq, 3);
  });
});

describe('RoomTimer', () => {
  const running = { status: 'running', phases: [{ name: 'focus', durationMs: 60000 }], phaseIndex: 0, round: 1, repeat: false, endsAt: 100_000, remainingMs: 60000, version: 3 };

  test('remaining time uses the server clock: endsAt - (local now + offset)', () => {
    const room = roomWithClock(50_000, 20_000); // local clock 20 s behind the server
    room.timer._update(running);
    assert.equal(room.timer.remainingMs(), 30_000);
    assert.equal(room.timer.remainingMs(60_000), 20_000);
    assert.equal(room.timer.remainingMs(200_000), 0);
    assert.equal(room.timer.phase.name, 'focus');
  });

  test('a paused timer shows the stored remaining time', () => {
    const room = roomWithClock(50_000, 0);
    room.timer._update({ ...running, status: 'paused', endsAt: null, remainingMs: 12_345, version: 4 });
    assert.equal(room.timer.remainingMs(), 12_345);
  });

  test('an older timer version does not overwrite a newer one', () => {
    const room = roomWithClock(0, 0);
    room.timer._update({ ...running, version: 5, status: 'paused', endsAt: null });
    room.timer._update({ ...running, version: 4 });
    assert.equal(room.timer.status, 'paused');
  });
});

// events.js's stream logic with a stand-in EventSource: one stream for all listeners, opened by
// the first and closed by the last, live on `ready` (which also asks for a snapshot), down on an
// error, reopened later after a refusal, `resync` passed on, and session_end handed over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStream } from '../js/events.js';

class FakeSource {
  constructor(url) { this.url = url; this.handlers = {}; this.readyState = 0; this.closed = false; }
  addEventListener(kind, fn) { (this.handlers[kind] ||= []).push(fn); }
  close() { this.closed = true; this.readyState = 2; }
  fire(kind, data) { for (const fn of this.handlers[kind] || []) fn({ data: JSON.stringify(data) }); }
}

function setup() {
  const opened = [];
  const ended = [];
  const timers = [];
  const stream = createStream({
    open: (url) => { const s = new FakeSource(url); opened.push(s); return s; },
    sessionEnded: (reason, clearReason) => ended.push([reason, clearReason]),
    setTimer: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
    clearTimer: () => {},
  });
  return { stream, opened, ended, timers };
}

test('one stream for every listener; closed when the last leaves', () => {
  const { stream, opened } = setup();
  const a = []; const b = [];
  const stopA = stream.listen({ bulk_job: (j) => a.push(j.reception_number) });
  const stopB = stream.listen({ bulk_job: (j) => b.push(j.reception_number), reader: () => {} });
  assert.equal(opened.length, 1);
  assert.equal(opened[0].url, '/api/v1/events');
  opened[0].fire('bulk_job', { reception_number: 'R1' });
  assert.deepEqual([a, b], [['R1'], ['R1']]);
  assert.equal(opened[0].handlers.bulk_job.length, 1, 'one handler per kind on the source');
  assert.ok(opened[0].handlers.reader);
  stopA();
  assert.equal(opened[0].closed, false);
  stopB();
  assert.equal(opened[0].closed, true);
  assert.equal(stream.state(), 'down');
});

test('ready → live and a snapshot; error → down; resync → snapshot', () => {
  const { stream, opened } = setup();
  const states = []; let snapshots = 0;
  stream.listen({ state: (s) => states.push(s), resync: () => { snapshots++; } });
  assert.deepEqual(states, ['down']);
  opened[0].fire('ready', { heartbeat_seconds: 20 });
  assert.deepEqual([states, snapshots], [['down', 'live'], 1]);
  opened[0].readyState = 0; // the browser reconnects by itself
  opened[0].onerror();
  assert.deepEqual(states, ['down', 'live', 'down']);
  assert.equal(opened.length, 1, 'EventSource retries on its own');
  opened[0].fire('ready', { heartbeat_seconds: 20 });
  opened[0].fire('resync', {});
  assert.equal(snapshots, 3);
  assert.equal(stream.state(), 'live');
});

test('a refusal closes the source; a new one is opened later, each time later', () => {
  const { stream, opened, timers } = setup();
  stream.listen({ bulk_job: () => {} });
  opened[0].readyState = 2;
  opened[0].onerror();
  assert.equal(timers.length, 1);
  timers[0].fn();
  assert.equal(opened.length, 2);
  opened[1].readyState = 2;
  opened[1].onerror();
  assert.ok(timers[1].ms > timers[0].ms, `${timers[1].ms} > ${timers[0].ms}`);
  timers[1].fn();
  opened[2].fire('ready', {});
  opened[2].readyState = 2;
  opened[2].onerror();
  assert.equal(timers[2].ms, timers[0].ms, 'a stream that came up starts the wait again');
});

test('session_end closes the stream and hands the reason to the session module', () => {
  const { stream, opened, ended } = setup();
  stream.listen({ bulk_job: () => {} });
  opened[0].fire('session_end', { reason: 'expired' });
  assert.equal(opened[0].closed, true);
  assert.deepEqual(ended, [['expired', 'timed-out']]);
  stream.reopen();
  opened[1].fire('session_end', { reason: 'changed' });
  assert.deepEqual(ended[1], ['changed', null], 'a role change reloads the session instead of signing out');
});

test('a listener added while the stream is open gets its kinds bound', () => {
  const { stream, opened } = setup();
  stream.listen({ bulk_job: () => {} });
  const got = [];
  stream.listen({ reader: (r) => got.push(r.id) });
  opened[0].fire('reader', { id: 7 });
  assert.deepEqual(got, [7]);
});

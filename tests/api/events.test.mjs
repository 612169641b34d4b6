// GET /api/v1/events, the live-update stream: every event kind (bulk jobs queued, claimed,
// progressing and finished, from a job run by another onshid; readers and the PC/SC service;
// sessions that end), tenant and tier isolation, capabilities, the limits per session and per
// process, the heartbeat and retry, a stream that does not keep an idle session alive, and
// every stream ended cleanly by SIGTERM and by a reload that lowers a limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid, eventually, TEST_NODES } from '../support/harness.mjs';
import { createInstitution, signedIn, json, raw } from '../support/people.mjs';
import { openStream } from '../support/events.mjs';

const A = '1319600001';
const B = '1319600002';
const HEADER = '権限区分,ユーザID,ユーザ名,ユーザ名（カナ）,利用開始年月日,利用終了年月日\r\n';
let pg;
let db;
let web; // serves the streams; processes no bulk jobs
let worker; // processes the jobs (another onshid on the same database)
let idleSrv; // a 60-second idle timeout, for the idle-session test
const people = {};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-events-'));
const open = [];

const stream = async (call, server = web, headers = {}) => {
  const s = await openStream(() => call('GET', '/api/v1/events', undefined, server, { Accept: 'text/event-stream', ...headers }));
  if (s.status === 200) open.push(s);
  return s;
};

async function account(master, code, role, userId) {
  const made = await json(await master('POST', '/api/v1/accounts', { role, user_id: userId,
    name: '試験 花子', name_kana: 'ｼｹﾝ ﾊﾅｺ', start_date: '2020-04-01' }), 201);
  return signedIn(web, code, userId, made.initial_password, 'Kanri2026!x');
}

const rows = (n, prefix) => Array.from({ length: n }, (_, i) =>
  `一般利用者,${prefix}${String(i).padStart(5, '0')},ﾔﾏﾀﾞ ﾀﾛｳ,ﾔﾏﾀﾞ ﾀﾛｳ,2026/12/01,\r\n`).join('');

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  const env = { ONSHI_EVENT_HEARTBEAT_SECONDS: '1', ONSHI_EVENT_STREAMS_PER_SESSION: '3', ONSHI_EVENT_STREAMS_MAX: '12' };
  [web, worker] = await Promise.all([
    startOnshid({ database: pg.conninfo(db), env: { ...env, ONSHI_BULK_WORKER: '0' } }),
    startOnshid({ database: pg.conninfo(db), env }),
  ]);
  for (const code of [A, B]) {
    const inst = createInstitution(pg, db, code, 'medical', 'イベント試験医院');
    const master = await signedIn(web, code, inst.master.user_id, inst.master.initial_password);
    const admin = await account(master, code, 'admin', 'kanri01');
    people[code] = { master, admin, general: await account(admin, code, 'general', 'ippan01') };
  }
});

after(async () => {
  await Promise.all(open.map((s) => s.close()));
  for (const s of [web, worker, idleSrv]) if (s) assert.deepEqual(await s.stop(), { code: 0, signal: null });
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a stream opens with retry and ready, sends heartbeats, and needs a session', async () => {
  const s = await stream(people[A].admin);
  assert.equal(s.status, 200);
  assert.match(s.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(s.headers.get('cache-control'), 'no-store');
  const ready = await s.next((e) => e.event === 'ready');
  assert.deepEqual(ready.data, { heartbeat_seconds: 1 });
  assert.equal(s.retry, 5000);
  const t0 = Date.now();
  while (s.comments.filter((c) => c.text === 'heartbeat').length < 2) {
    assert.ok(Date.now() - t0 < 5000, 'two heartbeats within 5 s at a 1 s interval');
    await new Promise((r) => setTimeout(r, 100));
  }
  await s.close();
  const anon = await fetch(`${web.base}/api/v1/events`);
  assert.equal(anon.status, 401);
  assert.equal((await anon.json()).error.code, 'auth.required');
});

test('a bulk job processed by another onshid: queued, claimed, progress every 500 rows, finished, as GET shows it', async () => {
  const { admin, master, general } = people[A];
  const s = await stream(admin);
  const ms = await stream(master); // the master's tier: the admins' jobs are not its
  const gs = await stream(general); // no bulk capability
  const other = await stream(people[B].admin); // another institution
  await s.next((e) => e.event === 'ready');
  await other.next((e) => e.event === 'ready');
  const res = await admin('POST', '/api/v1/bulk-jobs', raw(HEADER + rows(1200, 'ev'), 'text/csv'), web);
  const { reception_number: rn } = await json(res, 202);
  const done = await s.next((e) => e.event === 'bulk_job' && e.data.status === 'completed', { timeoutMs: 60000 });
  const mine = s.events.filter((e) => e.event === 'bulk_job').map((e) => e.data);
  assert.ok(mine.every((j) => j.reception_number === rn));
  assert.equal(mine[0].status, 'waiting');
  assert.ok(mine.some((j) => j.status === 'processing' && j.processed === 0), 'claimed');
  const progress = mine.filter((j) => j.status === 'processing').map((j) => j.processed);
  for (const n of [500, 1000]) assert.ok(progress.includes(n), `progress at ${n}: ${progress}`);
  assert.deepEqual(progress, [...progress].sort((x, y) => x - y), 'progress only grows');
  const { job } = await json(await admin('GET', `/api/v1/bulk-jobs/${rn}`, undefined, web));
  assert.deepEqual(done.data, job, 'the same object as GET /bulk-jobs/{reception_number}');
  assert.equal(job.processed, 1200);
  assert.equal(job.registered, 1200);
  for (const x of [ms, gs, other]) assert.equal(x.events.filter((e) => e.event === 'bulk_job').length, 0);
  await Promise.all([s, ms, gs, other].map((x) => x.close()));
});

test('readers and the PC/SC service: only for accounts with the readers capability, only of their institution', async () => {
  const s = await stream(people[A].admin);
  const g = await stream(people[A].general);
  const other = await stream(people[B].admin);
  await s.next((e) => e.event === 'ready');
  pg.psql(db, `INSERT INTO reader_services (institution_code, up) VALUES ('${A}', true)`);
  const up = await s.next((e) => e.event === 'reader_service' && e.data.up === true);
  assert.match(up.data.seen_at, /Z$/);
  pg.psql(db, `INSERT INTO readers (institution_code, name) VALUES ('${A}', 'Virtual PCD 00 00')`);
  pg.psql(db, `UPDATE readers SET state = 'card_present', last_event_at = now() WHERE institution_code = '${A}'`);
  const card = await s.next((e) => e.event === 'reader' && e.data.state === 'card_present');
  const list = await json(await people[A].admin('GET', '/api/v1/readers', undefined, web));
  assert.deepEqual(card.data, list.items[0], 'the same object as GET /readers items[]');
  // A bridge whose heartbeat stops is down after 10 s, without any write: the hub notices.
  pg.psql(db, `UPDATE reader_services SET seen_at = now() - interval '1 minute' WHERE institution_code = '${A}'`);
  await s.next((e) => e.event === 'reader_service' && e.data.up === false, { timeoutMs: 10000 });
  assert.deepEqual(g.events.filter((e) => e.event.startsWith('reader')), [], 'no readers capability');
  // The other institution hears only of its own service (never seen: down), never of A's.
  const theirs = other.events.filter((e) => e.event.startsWith('reader')).map((e) => e.data);
  assert.ok(theirs.every((d) => d.up === false && d.seen_at === null), JSON.stringify(theirs));
  await Promise.all([s, g, other].map((x) => x.close()));
});

// Streams a client dropped are counted off when the next write to them fails (a heartbeat).
const streamsOpen = async (srv) => Number(/^onshi_event_streams (\d+)$/m.exec(await (await fetch(`${srv.base}/metrics`)).text())[1]);
const settled = async (srv, n) => eventually(async () => (await streamsOpen(srv)) === n);

// Limits a node keeps for itself: behind HAProxy each node counts its own streams
// (packaging/operations.md: N nodes allow N times as much), so they are tested on one.
test('limits: per session (429 events.session_limit), per process (503 events.capacity)',
  { skip: TEST_NODES > 1 && 'per-node limits: tested with one onshid' }, async () => {
  await Promise.all(open.splice(0).map((x) => x.close())); // also those a failed test left open
  await settled(web, 0);
  const held = [];
  for (const call of [people[B].general, people[B].admin, people[B].master, people[A].master]) {
    for (let i = 0; i < 3; i++) held.push(await stream(call));
  }
  assert.ok(held.every((x) => x.status === 200));
  assert.equal(await streamsOpen(web), 12);
  const fourth = await stream(people[B].general);
  assert.equal(fourth.status, 429);
  assert.equal(fourth.body.error.code, 'events.session_limit');
  const full = await stream(people[A].admin); // 3 per session × 4 = 12 = event_streams_max
  assert.equal(full.status, 503);
  assert.equal(full.body.error.code, 'events.capacity');
  await Promise.all(held.map((x) => x.close()));
  await settled(web, 0);
  const after = await stream(people[A].admin);
  assert.equal(after.status, 200);
  await after.close();
});

test('the session ends: signed out elsewhere, disabled, its kind changed, password changed', async () => {
  const { admin: master } = people[A]; // the admin registers and changes general accounts
  const mk = async (id, role = 'general') => {
    const made = await json(await master('POST', '/api/v1/accounts', { role, user_id: id, name: '試験 次郎',
      name_kana: 'ｼｹﾝ ｼﾞﾛｳ', start_date: '2020-04-01' }), 201);
    return signedIn(web, A, id, made.initial_password, 'Kanri2026!x');
  };
  const out = await mk('end01');
  let s = await stream(out);
  await s.next((e) => e.event === 'ready');
  assert.equal((await out('DELETE', '/api/v1/session', undefined, worker)).status, 204); // signed out through the other onshid
  assert.deepEqual((await s.next((e) => e.event === 'session_end')).data, { reason: 'ended' });
  await s.done;
  assert.ok(s.ended, 'the stream ends after session_end');

  const dis = await mk('end02');
  s = await stream(dis);
  await s.next((e) => e.event === 'ready');
  let a = (await json(await master('GET', '/api/v1/accounts/end02'))).account;
  await json(await master('PATCH', '/api/v1/accounts/end02', { enabled: false, version: a.version }));
  assert.deepEqual((await s.next((e) => e.event === 'session_end')).data, { reason: 'disabled' });

  const role = await mk('end03');
  s = await stream(role);
  await s.next((e) => e.event === 'ready');
  // The API never changes a kind; an operator's SQL can, and the stream must not keep the old one's events.
  pg.psql(db, `UPDATE accounts SET role = 'medical_viewer' WHERE institution_code = '${A}' AND user_id = 'end03'`);
  assert.deepEqual((await s.next((e) => e.event === 'session_end')).data, { reason: 'changed' });

  // Changing the password ends the account's other sessions (their streams with them).
  const pw = await mk('end04');
  s = await stream(pw);
  await s.next((e) => e.event === 'ready');
  await signedIn(web, A, 'end04', 'Kanri2026!x', 'Kanri2026!w');
  assert.deepEqual((await s.next((e) => e.event === 'session_end')).data, { reason: 'ended' });
});

test('a bearer token streams too', async () => {
  const res = await fetch(`${web.base}/api/v1/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: B, user_id: 'kanri01', password: 'Kanri2026!x' }) });
  const { access_token: token } = await json(res);
  const s = await openStream(() => fetch(`${web.base}/api/v1/events`, { headers: { Authorization: `Bearer ${token}` } }));
  assert.equal(s.status, 200);
  open.push(s);
  await s.next((e) => e.event === 'ready');
  await fetch(`${web.base}/api/v1/tokens/current`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
  assert.deepEqual((await s.next((e) => e.event === 'session_end')).data, { reason: 'ended' });
});

test('the listener loses its database connection: it listens again and every stream is told to resync', async () => {
  const s = await stream(people[A].admin);
  await s.next((e) => e.event === 'ready');
  // Both onshid's hubs listen; ending their backends is what a database restart does to them.
  const ended = pg.psql(db, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'onshid event hub'");
  assert.equal(ended, String(2 * TEST_NODES));
  await s.next((e) => e.event === 'resync', { timeoutMs: 10000 });
  // And it hears what happens afterwards.
  const { reception_number: rn } = await json(await people[A].admin('POST', '/api/v1/bulk-jobs',
    raw(HEADER + rows(3, 'rs'), 'text/csv'), web), 202);
  await s.next((e) => e.event === 'bulk_job' && e.data.reception_number === rn && e.data.status === 'completed', { timeoutMs: 30000 });
  await s.close();
});

test('a stream does not keep an idle session alive', { timeout: 120000 }, async () => {
  idleSrv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_SESSION_IDLE_TIMEOUT: '60', ONSHI_BULK_WORKER: '0' } });
  const inst = createInstitution(pg, db, '1319600003', 'medical', '放置試験医院');
  const m = await signedIn(idleSrv, '1319600003', inst.master.user_id, inst.master.initial_password);
  const s = await openStream(() => m('GET', '/api/v1/events', undefined, idleSrv));
  open.push(s);
  const t0 = Date.now();
  const end = await s.next((e) => e.event === 'session_end', { timeoutMs: 70000 });
  assert.deepEqual(end.data, { reason: 'expired' });
  const waited = (end.at - t0) / 1000;
  assert.ok(waited > 55 && waited < 65, `ended after ${waited} s of a 60 s idle timeout`);
  const res = await m('GET', '/api/v1/session', undefined, idleSrv);
  assert.equal(res.status, 401, 'the session really ended');
});

test('a reload that lowers the per-session limit ends the newest streams; SIGTERM ends every stream and exits',
  { skip: TEST_NODES > 1 && 'per-node limits: tested with one onshid' }, async () => {
  const conf = path.join(tmp, 'onshid.conf');
  fs.writeFileSync(conf, 'event_streams_per_session = 3\n');
  const srv = await startOnshid({ database: pg.conninfo(db), args: ['--config', conf], env: { ONSHI_BULK_WORKER: '0' } });
  const me = await signedIn(srv, B, 'kanri01', 'Kanri2026!x', 'Kanri2026!v');
  const three = [];
  for (let i = 0; i < 3; i++) {
    three.push(await openStream(() => me('GET', '/api/v1/events', undefined, srv)));
    await three[i].next((e) => e.event === 'ready');
  }
  fs.writeFileSync(conf, 'event_streams_per_session = 1\n');
  srv.proc.kill('SIGHUP');
  await three[2].done;
  await three[1].done;
  assert.ok(three[2].ended && three[1].ended, 'the two newest streams ended');
  assert.equal(three[0].ended, false, 'the oldest stays');
  const t0 = Date.now();
  const exit = srv.stop('SIGTERM');
  await three[0].done;
  assert.deepEqual(await exit, { code: 0, signal: null });
  assert.ok(Date.now() - t0 < 5000, `exited ${Date.now() - t0} ms after SIGTERM with a stream open`);
});

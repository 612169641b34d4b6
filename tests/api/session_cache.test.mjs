// The session cache (store/session_cache.h): each onshid remembers the sessions it looked up
// for half a second, so an authenticated read is one round trip. What a lookup guarantees
// still holds across processes: a token ended, an account disabled or a password changed
// through one onshid stops working in another within the bound measured here (never a
// second), also while the other's listening connection is cut; and in the onshid that made
// the change, at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, startOnshid, eventually } from '../support/harness.mjs';
import { createInstitution, signedIn, json } from '../support/people.mjs';

const CODE = '1319700001';
const PASSWORD = 'Sakura2026!';
let pg;
let db;
let a; // where the changes are made
let b; // where the sessions are used
let listenerOfB; // the backend pid of b's event hub connection
let master; // a cookie helper on a

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  const env = { ONSHI_BULK_WORKER: '0' };
  b = await startOnshid({ database: pg.conninfo(db), env });
  // b alone so far: its hub's connection is the one named so.
  listenerOfB = await eventually(() => pg.psql(db,
    "SELECT pid FROM pg_stat_activity WHERE application_name = 'onshid event hub'"));
  a = await startOnshid({ database: pg.conninfo(db), env });
  const inst = createInstitution(pg, db, CODE);
  master = await signedIn(a, CODE, inst.master.user_id, inst.master.initial_password, PASSWORD);
});

after(async () => {
  await a?.stop();
  await b?.stop();
  pg?.stop();
});

async function token(server, userId) {
  const res = await fetch(`${server.base}/api/v1/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: CODE, user_id: userId, password: PASSWORD }) });
  return (await json(res, 200)).access_token;
}

// An administrator with a chosen password, and a bearer token of theirs.
async function admin(userId) {
  const created = await json(await master('POST', '/api/v1/accounts', { role: 'admin', user_id: userId,
    name: '管理 太郎', name_kana: 'カンリ タロウ', start_date: '2020-01-01' }), 201);
  await signedIn(a, CODE, userId, created.initial_password, PASSWORD);
  return token(a, userId);
}

const get = (server, bearer, p = '/api/v1/session') =>
  fetch(`${server.base}${p}`, { headers: { Authorization: `Bearer ${bearer}` } });

async function cacheHits(server) {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  return Number(/^onshi_session_cache_hits_total (\d+)$/m.exec(text)[1]);
}

// Uses the token on b until it is refused; the milliseconds from `since`.
async function refusedAfter(bearer, since) {
  for (;;) {
    const res = await get(b, bearer);
    await res.arrayBuffer();
    if (res.status === 401) return performance.now() - since;
    assert.equal(res.status, 200);
    assert.ok(performance.now() - since < 5000, 'still accepted 5 s after the change');
  }
}

// b serves the token from its cache (so the test measures the cache, not a lookup).
async function warm(bearer) {
  const hits = await cacheHits(b);
  for (let i = 0; i < 20; i++) assert.equal((await get(b, bearer)).status, 200);
  assert.ok(await cacheHits(b) >= hits + 15, 'b remembered the session');
}

test('a token ended through one onshid is refused by another within the bound', async () => {
  const t = await admin('kanri01');
  await warm(t);
  const res = await fetch(`${a.base}/api/v1/tokens/current`, { method: 'DELETE', headers: { Authorization: `Bearer ${t}` } });
  assert.equal(res.status, 204);
  const ms = await refusedAfter(t, performance.now());
  console.log(`revocation across onshids (token ended): ${ms.toFixed(1)} ms`);
  assert.ok(ms < 1000, `${ms} ms`);
});

test('an account disabled, or its password changed, through one onshid: its tokens stop in the other', async () => {
  const t = await admin('kanri02');
  await warm(t);
  const account = await json(await master('GET', '/api/v1/accounts/kanri02'));
  assert.equal((await master('PATCH', '/api/v1/accounts/kanri02', { enabled: false, version: account.account.version })).status, 200);
  const disabled = await refusedAfter(t, performance.now());
  console.log(`revocation across onshids (account disabled): ${disabled.toFixed(1)} ms`);
  assert.ok(disabled < 1000, `${disabled} ms`);

  // A password initialised by the administrator ends the account's sessions.
  const u = await admin('kanri03');
  await warm(u);
  assert.equal((await master('POST', '/api/v1/accounts/kanri03/password-reset')).status, 200);
  const reset = await refusedAfter(u, performance.now());
  console.log(`revocation across onshids (password initialised): ${reset.toFixed(1)} ms`);
  assert.ok(reset < 1000, `${reset} ms`);
});

test('in the onshid that made the change it holds at once: the very next request is refused', async () => {
  const t = await admin('kanri04');
  for (let i = 0; i < 5; i++) assert.equal((await get(a, t)).status, 200);
  const res = await fetch(`${a.base}/api/v1/tokens/current`, { method: 'DELETE', headers: { Authorization: `Bearer ${t}` } });
  assert.equal(res.status, 204);
  assert.equal((await get(a, t)).status, 401);
});

test('while the listening connection of the other is cut, a change still reaches it within the bound', async () => {
  const t = await admin('kanri05');
  await warm(t);
  // Cut b's listener, then end the token at once: b may have missed the notification.
  assert.equal(pg.psql(db, `SELECT pg_terminate_backend(${listenerOfB})`), 't');
  const res = await fetch(`${a.base}/api/v1/tokens/current`, { method: 'DELETE', headers: { Authorization: `Bearer ${t}` } });
  assert.equal(res.status, 204);
  const ms = await refusedAfter(t, performance.now());
  console.log(`revocation across onshids (listener cut): ${ms.toFixed(1)} ms`);
  assert.ok(ms < 1000, `${ms} ms`);
  // b listens again, and remembers sessions again.
  await eventually(() => /event hub: listening again/.test(b.log()));
  const u = await token(a, 'kanri01');
  await eventually(async () => {
    const hits = await cacheHits(b);
    for (let i = 0; i < 5; i++) await (await get(b, u)).arrayBuffer();
    return (await cacheHits(b)) > hits;
  });
});

test('a change no notification tells of (the expiry moved by SQL) is refused within the cache TTL', async () => {
  const t = await admin('kanri06');
  await warm(t);
  pg.psql(db, `UPDATE sessions SET expires_at = now() WHERE institution_code = '${CODE}' AND user_id = 'kanri06'`);
  // No notification for this change: the remembered entry ends with the TTL at the latest.
  const ms = await refusedAfter(t, performance.now());
  console.log(`a session ended by the clock: refused after ${ms.toFixed(1)} ms`);
  assert.ok(ms < 1000, `${ms} ms`);
});

// Slow and greedy clients (issue 17 §2): a client that sends one header line every few
// seconds is never idle, so connection_timeout alone let ~1,030 of them shut everyone out.
// header_timeout bounds the head, body_min_rate the body, connections_per_address one
// address, and the reserve keeps health checks and signed-in users served when every
// connection is taken. The slow clients come from other loopback addresses (127.0.0.2…),
// the served ones from 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startPostgres, startOnshid, eventually } from '../support/harness.mjs';
import { createInstitution, signedIn } from '../support/people.mjs';

let pg;
let db;
const CODE = '1319700001';
let inst;

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  inst = createInstitution(pg, db, CODE, 'medical', '低速試験医院');
});
after(() => pg?.stop());

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A client that starts a request and then sends one more header line every `everyMs`,
// forever: it never completes its head and is never idle.
function slowClient(port, localAddress, everyMs = 300) {
  const c = { state: 'connecting', text: '', closedAt: null };
  c.socket = net.connect({ port, host: '127.0.0.1', localAddress });
  c.socket.on('connect', () => {
    c.state = 'open';
    c.openedAt = Date.now();
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: onshi\r\n');
    c.timer = setInterval(() => c.socket.writable && c.socket.write('X-Slow: 1\r\n'), everyMs);
  });
  c.socket.on('data', (d) => { c.text += d; });
  c.socket.on('error', () => {});
  c.socket.on('close', () => {
    clearInterval(c.timer);
    c.closedAt = Date.now();
    c.state = c.text.startsWith('HTTP/1.1 503') ? 'refused' : 'closed';
  });
  c.end = () => { clearInterval(c.timer); c.socket.destroy(); };
  return c;
}

const count = (clients, state) => clients.filter((c) => c.state === state).length;

test('slow clients of one address: only its share is admitted, each is closed after header_timeout, and everyone else is served meanwhile', async () => {
  const srv = await startOnshid({ database: pg.conninfo(db), env: {
    ONSHI_HEADER_TIMEOUT: '2', ONSHI_CONNECTIONS_PER_ADDRESS: '20', ONSHI_CONNECTION_RESERVE: '8', ONSHI_CONNECTION_LIMIT: '200' } });
  try {
    const admin = await signedIn(srv, CODE, inst.master.user_id, inst.master.initial_password);
    const slow = [];
    for (let i = 0; i < 300; i++) slow.push(slowClient(srv.port, '127.0.0.2'));
    // 20 of the address's own plus its share of the reserve (8 / 4); the others get 503 at once.
    await eventually(() => count(slow, 'refused') === 278, { timeoutMs: 5000 });
    assert.equal(slow.filter((c) => c.state === 'open').length, 22);
    assert.match(slow.find((c) => c.state === 'refused').text, /server\.busy/);
    // While they hold their connections, other clients are served: health checks, a signed-in
    // user, a sign-in page.
    const t0 = Date.now();
    let served = 0;
    while (Date.now() - t0 < 1500) {
      for (const p of ['/healthz', '/readyz', '/']) assert.equal((await fetch(`${srv.base}${p}`)).status, 200, p);
      assert.equal((await admin('GET', '/api/v1/session')).status, 200);
      served += 4;
    }
    assert.ok(served >= 8);
    // However busy they keep it, a connection that has not sent its head within header_timeout
    // (2 s, swept four times a second) is closed.
    await eventually(() => count(slow, 'open') === 0, { timeoutMs: 6000 });
    for (const c of slow.filter((x) => x.state === 'closed')) assert.ok(c.closedAt - c.openedAt < 4000, `${c.closedAt - c.openedAt} ms`);
    assert.equal(count(slow, 'closed'), 22);
    // The log names the cause and the address, a line a second rather than one a client.
    const lines = srv.log().split('\n').filter((l) => l.includes('refused') && l.includes('connections_per_address (20)'));
    assert.ok(lines.length >= 1 && lines.length <= 5, lines.join('\n'));
    assert.match(lines[0], /127\.0\.0\.2/);
    assert.match(srv.log(), /closed \d+ connections past header_timeout/);
    slow.forEach((c) => c.end());
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('every connection taken: the reserve serves health checks and signed-in users, and refuses the rest', async () => {
  // Signed in through another onshid on the same database, so that no connection of this
  // test's own (kept alive by fetch) is counted before the slow clients come.
  const first = await startOnshid({ database: pg.conninfo(db) });
  const signedInFirst = await signedIn(first, CODE, inst.master.user_id, 'Sakura2026!', 'Sakura2027!');
  assert.deepEqual(await first.stop(), { code: 0, signal: null });
  const srv = await startOnshid({ database: pg.conninfo(db), env: {
    ONSHI_HEADER_TIMEOUT: '30', ONSHI_CONNECTION_LIMIT: '30', ONSHI_CONNECTIONS_PER_ADDRESS: '1000', ONSHI_CONNECTION_RESERVE: '8' } });
  const admin = (method, p, body) => signedInFirst(method, p, body, srv);
  const slow = [];
  try {
    for (let i = 0; i < 40; i++) slow.push(slowClient(srv.port, '127.0.0.3', 1000));
    // connection_limit (30) and 127.0.0.3's share of the reserve (2); the other 8 refused.
    await eventually(() => count(slow, 'refused') === 8, { timeoutMs: 5000 });
    assert.equal(count(slow, 'open'), 32);
    // 127.0.0.1 gets a reserve connection: health checks and the signed-in user are served…
    assert.equal((await fetch(`${srv.base}/healthz`)).status, 200);
    assert.equal((await fetch(`${srv.base}/readyz`)).status, 200);
    assert.equal((await admin('GET', '/api/v1/accounts')).status, 200);
    // …anything else is not: a sign-in or a page waits for a normal connection.
    const signIn = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ institution_code: CODE, user_id: inst.master.user_id, password: 'Sakura2027!' }) });
    assert.deepEqual([signIn.status, (await signIn.json()).error.code], [503, 'server.busy']);
    assert.equal((await fetch(`${srv.base}/`)).status, 503);
    assert.match(srv.log(), /connection_limit \(30\) reached, connection_reserve \(8\) taken/);
    // Once the slow clients are gone, everything is served again.
    slow.forEach((c) => c.end());
    await eventually(async () => (await fetch(`${srv.base}/`)).status === 200, { timeoutMs: 5000 });
  } finally {
    slow.forEach((c) => c.end());
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('a body that trickles in below body_min_rate is cut off; a normal one is read', async () => {
  const srv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_HEADER_TIMEOUT: '2', ONSHI_BODY_MIN_RATE: '1024' } });
  try {
    const s = net.connect({ port: srv.port, host: '127.0.0.1' });
    let closedAt = null;
    let text = '';
    s.on('data', (d) => { text += d; });
    s.on('error', () => {});
    s.on('close', () => { closedAt = Date.now(); });
    await new Promise((r) => s.on('connect', r));
    const start = Date.now();
    const body = JSON.stringify({ institution_code: CODE, user_id: 'x', password: 'y'.repeat(8000) });
    s.write(`POST /api/v1/session HTTP/1.1\r\nHost: onshi\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    let sent = 0;
    const timer = setInterval(() => { if (sent < body.length && s.writable) s.write(body.slice(sent, sent += 20)); }, 200);
    await eventually(() => closedAt !== null, { timeoutMs: 8000 });
    clearInterval(timer);
    // 2 s of grace, then 1 KiB/s on average: 100 bytes a second is closed soon after the grace.
    assert.ok(closedAt - start >= 1800 && closedAt - start < 5000, `${closedAt - start} ms`);
    assert.ok(sent < body.length);
    assert.equal(text, ''); // cut off, not answered
    // A body at full speed over the same limits is read and answered.
    const ok = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    assert.ok(ok.status >= 400 && ok.status < 500, String(ok.status)); // answered: the request's own refusal
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

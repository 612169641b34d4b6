// Sign-ins under abuse (issue 17 §11): a crowd that gives up waiting must not keep the hashing
// queue full for those still there, nor leave the lockout attempts it took behind; one client
// address has a budget of sign-ins a minute; made-up user IDs cannot grow the audit without
// bound.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startPostgres, startOnshid, onshictl, eventually } from '../support/harness.mjs';

let pg;
let db;

function createInstitution(code) {
  const r = onshictl(['--json', 'institution', 'create', '--code', code, '--name', '乱用試験医院',
    '--kind', 'medical', '--start-date', '2020-04-01'], { ONSHI_DATABASE_URL: pg.conninfo(db) });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
});
after(() => pg?.stop());

const body = (institution_code, user_id, password) => JSON.stringify({ institution_code, user_id, password });
const signIn = (srv, code, userId, password, signal) => fetch(`${srv.base}/api/v1/session`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body(code, userId, password), signal });

// A sign-in from another loopback address (fetch cannot choose its source address).
function signInFrom(srv, localAddress, code, userId, password) {
  return new Promise((resolve, reject) => {
    const data = body(code, userId, password);
    const req = http.request({ host: '127.0.0.1', port: srv.port, path: '/api/v1/session', method: 'POST', localAddress,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const failedLogins = (code) => pg.psql(db, `SELECT failed_logins || '|' || (locked_at IS NOT NULL) FROM accounts WHERE institution_code = '${code}' AND role = 'master'`);

test('a crowd that gave up waiting: its queued checks are dropped, its attempts given back, and those still there are served', async () => {
  // One hashing worker and slow hashes (8 argon2id passes), so that the crowd's checks are
  // surely queued when it leaves: 50 would keep the worker busy for many seconds.
  const srv = await startOnshid({ database: pg.conninfo(db), env: {
    ONSHI_HASH_THREADS: '1', ONSHI_PASSWORD_HASH_PASSES: '8', ONSHI_HASH_QUEUE_LIMIT: '50' } });
  try {
    const victim = createInstitution('1319800001');
    const people = ['1319800002', '1319800003', '1319800004', '1319800005'].map((code) => ({ code, inst: createInstitution(code) }));
    // A crowd of 46 sign-ins with made-up IDs, then 4 to the victim's account (wrong passwords,
    // each taking one of its lockout attempts when queued), then 10 more that find the queue
    // (50) full; then everyone still waiting gives up.
    const leave = new AbortController();
    const send = (userId, password) => signIn(srv, '1319800001', userId, password, leave.signal)
      .then(async (r) => `${r.status} ${(await r.json()).error?.code}`, () => 'gone');
    const crowd = [];
    for (let i = 0; i < 46; i++) crowd.push(send(`nobody${i}`, 'x'));
    await new Promise((r) => setTimeout(r, 500)); // all 46 read and queued (the worker took one)
    for (let i = 0; i < 4; i++) crowd.push(send(victim.master.user_id, `wrong-${i}`));
    await eventually(() => failedLogins('1319800001') === '4|false', { timeoutMs: 5000 });
    for (let i = 0; i < 10; i++) crowd.push(send(`late${i}`, 'x'));
    await eventually(() => /work queue full \(50 waiting\)/.test(srv.log()), { timeoutMs: 5000 });
    leave.abort();
    const outcome = await Promise.all(crowd);
    assert.ok(outcome.filter((o) => o === 'gone').length >= 40, outcome.join());
    // Once the worker is done with the check in hand, it drops the crowd's (onshid says so)
    // instead of running them: without that, the queue would stay full for many seconds.
    await eventually(() => /dropped \d+ queued checks whose clients had left/.test(srv.log()), { timeoutMs: 3000 });
    await new Promise((r) => setTimeout(r, 100));
    // Four people signing in with their right passwords, one after another: none waits behind
    // the crowd's checks (they would take the worker many seconds), none gets 503.
    const statuses = [];
    for (const p of people) {
      const r = await signIn(srv, p.code, p.inst.master.user_id, p.inst.master.initial_password);
      statuses.push(r.status === 200 ? 200 : `${r.status} ${(await r.json()).error.code}`);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200]);
    // The victim's four attempts were never checked: they are given back, it is not locked out.
    await eventually(() => failedLogins('1319800001') === '0|false', { timeoutMs: 5000 })
      .catch(() => assert.equal(failedLogins('1319800001'), '0|false'));
    assert.equal((await signIn(srv, '1319800001', victim.master.user_id, victim.master.initial_password)).status, 200);
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('signin_rate_limit: one address gets its budget a minute, then 429 with Retry-After before any check; another address is not affected', async () => {
  const srv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_SIGNIN_RATE_LIMIT: '5' } });
  try {
    const inst = createInstitution('1319800011');
    const audited = () => pg.psql(db, "SELECT count(*) FROM audit_log WHERE institution_code = '1319800011' AND action = 'signin.failed'");
    for (let i = 0; i < 4; i++) assert.equal((await signIn(srv, '1319800011', inst.master.user_id, 'wrong')).status, 401);
    assert.equal(failedLogins('1319800011'), '4|false');
    const limited = await signIn(srv, '1319800011', inst.master.user_id, 'wrong'); // the fifth is allowed…
    assert.equal(limited.status, 401);
    const refused = await signIn(srv, '1319800011', inst.master.user_id, inst.master.initial_password); // …the sixth is not
    assert.equal(refused.status, 429);
    assert.equal((await refused.json()).error.code, 'auth.rate_limited');
    const retry = Number(refused.headers.get('retry-after')); // one more every 60 / 5 s
    assert.ok(retry >= 1 && retry <= 12, String(retry));
    assert.equal(audited(), '5', 'the refused one is not audited');
    // The fifth wrong password locked the account (threshold 5): the rate limit took nothing more.
    assert.equal(failedLogins('1319800011'), '5|true');
    // Tokens share the budget.
    const token = await fetch(`${srv.base}/api/v1/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body('1319800011', 'x', 'y') });
    assert.equal(token.status, 429);
    // Another client address has its own budget.
    const other = createInstitution('1319800012');
    const r = await signInFrom(srv, '127.0.0.2', '1319800012', other.master.user_id, other.master.initial_password);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('made-up user IDs: at most signin_unknown_audit_limit audit rows a minute per institution, the rest counted in the log; wrong passwords are all audited', async () => {
  const srv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_SIGNIN_UNKNOWN_AUDIT_LIMIT: '3' } });
  try {
    const inst = createInstitution('1319800021');
    createInstitution('1319800022');
    const rows = (code, reason) => pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${code}' AND action = 'signin.failed' AND details->>'reason' = '${reason}'`);
    for (let i = 0; i < 12; i++) assert.equal((await signIn(srv, '1319800021', `nobody${i}`, 'x')).status, 401);
    assert.equal(rows('1319800021', 'unknown_user'), '3');
    await eventually(() => /failed sign-ins with unknown user IDs not audited/.test(srv.log()));
    // Another institution's budget is its own.
    for (let i = 0; i < 2; i++) await signIn(srv, '1319800022', `nobody${i}`, 'x');
    assert.equal(rows('1319800022', 'unknown_user'), '2');
    // A known account's wrong passwords are never thinned out (they drive the lockout).
    for (let i = 0; i < 4; i++) await signIn(srv, '1319800021', inst.master.user_id, 'wrong');
    assert.equal(rows('1319800021', 'wrong_password'), '4');
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

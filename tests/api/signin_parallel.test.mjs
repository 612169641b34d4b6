// Sign-ins of one account in parallel (issue 20 §3): more correct sign-ins at once than
// lockout_threshold wait for an attempt to free instead of being refused; parallel wrong
// passwords still get exactly lockout_threshold checks; a waiter that leaves takes no attempt
// with it; a waiter sees checks on other nodes end, a lock, and the end of its wait.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, startOnshid, eventually, TEST_NODES } from '../support/harness.mjs';
import { createInstitution } from '../support/people.mjs';

let pg;
let db;

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
});
after(() => pg?.stop());

// Two hashing workers whatever the machine (up to 8 sign-ins per worker may wait), slow hashes
// (8 argon2id passes) so that the first checks of a crowd still run when its last sign-ins
// arrive, and debug logging, where onshid says which sign-ins wait.
const env = (extra = {}) => ({ ONSHI_HASH_THREADS: '2', ONSHI_PASSWORD_HASH_PASSES: '2',
  ONSHI_LOCKOUT_THRESHOLD: '5', ONSHI_LOG_LEVEL: 'debug', ...extra });

const signIn = (srv, kind, code, userId, password, signal) => fetch(`${srv.base}/api/v1/${kind}`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ institution_code: code, user_id: userId, password }), signal });
const outcome = async (r) => (r.status === 200 ? 200 : `${r.status} ${(await r.json()).error.code}`);

const where = (code) => `institution_code = '${code}' AND role = 'master'`;
const attempts = (code) => pg.psql(db, `SELECT failed_logins || '|' || (locked_at IS NOT NULL) FROM accounts WHERE ${where(code)}`);
const setAttempts = (code, sql) => pg.psql(db, `UPDATE accounts SET ${sql} WHERE ${where(code)}`);
const audited = (code, action, reason) => pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${code}' AND action = '${action}'${reason ? ` AND details->>'reason' = '${reason}'` : ''}`);
const waits = (srv, code) => srv.log().split('\n').filter((l) => l.includes(`sign-in of ${code}/`) && l.includes('waits for a free lockout attempt')).length;

test('20 correct sign-ins of one account at once all succeed: those that find every attempt taken wait for one', async () => {
  const srv = await startOnshid({ database: pg.conninfo(db), env: env() });
  try {
    const { master } = createInstitution(pg, db, '1319900001');
    // Half as browsers, half as machines (tokens): both take attempts the same way.
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      signIn(srv, i % 2 ? 'tokens' : 'session', '1319900001', master.user_id, master.initial_password).then(outcome)));
    assert.deepEqual(answers, Array(20).fill(200));
    // Without waiting the ones past the fifth would have been refused (the next test).
    assert.ok(waits(srv, '1319900001') > 0, 'some sign-ins waited');
    // Audit rows and last_login as for sign-ins one by one.
    assert.equal(audited('1319900001', 'signin.succeeded'), '10');
    assert.equal(audited('1319900001', 'token.issued'), '10');
    assert.equal(audited('1319900001', 'signin.failed'), '0');
    assert.equal(attempts('1319900001'), '0|false');
    assert.equal(pg.psql(db, `SELECT last_login_at IS NOT NULL FROM accounts WHERE ${where('1319900001')}`), 't');
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('signin_queue_timeout=0: the same crowd gets 401 past the attempts free at that moment, as before', async () => {
  const srv = await startOnshid({ database: pg.conninfo(db), env: env({ ONSHI_SIGNIN_QUEUE_TIMEOUT: '0' }) });
  try {
    const { master } = createInstitution(pg, db, '1319900002');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      signIn(srv, i % 2 ? 'tokens' : 'session', '1319900002', master.user_id, master.initial_password).then(outcome)));
    const refused = answers.filter((a) => a === '401 auth.failed').length;
    assert.ok(refused > 0, answers.join());
    assert.equal(refused + answers.filter((a) => a === 200).length, 20, answers.join());
    assert.equal(waits(srv, '1319900002'), 0);
    // Refused unchecked, audited as a lock is (no attempt was free), and nothing counted.
    assert.equal(audited('1319900002', 'signin.failed', 'locked'), String(refused));
    assert.equal(attempts('1319900002'), '0|false');
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('50 wrong passwords at once: exactly lockout_threshold checks, then the account is locked and the rest are refused unchecked', async () => {
  const srv = await startOnshid({ database: pg.conninfo(db), env: env() });
  try {
    const { master } = createInstitution(pg, db, '1319900003');
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      signIn(srv, i % 2 ? 'tokens' : 'session', '1319900003', master.user_id, `wrong-${i}`).then(outcome)));
    assert.deepEqual(answers, Array(50).fill('401 auth.failed'));
    // Each check of a wrong password is audited as one; waiters and those that found no room
    // to wait were refused without one.
    assert.equal(audited('1319900003', 'signin.failed', 'wrong_password'), '5');
    assert.equal(audited('1319900003', 'signin.failed', 'locked'), '45');
    assert.equal(audited('1319900003', 'account.locked'), '1');
    assert.equal(attempts('1319900003'), '5|true');
    // The right password afterwards is refused as locked, unchecked.
    assert.equal(await outcome(await signIn(srv, 'session', '1319900003', master.user_id, master.initial_password)), '401 auth.failed');
    assert.equal(audited('1319900003', 'signin.failed', 'locked'), '46');
    assert.equal(audited('1319900003', 'signin.succeeded'), '0');
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('a waiting client that leaves takes no attempt with it', async () => {
  const srv = await startOnshid({ database: pg.conninfo(db), env: env() });
  try {
    const { master } = createInstitution(pg, db, '1319900004');
    // Five checks on another node hold every attempt.
    setAttempts('1319900004', 'failed_logins = 5');
    const leave = new AbortController();
    const gone = signIn(srv, 'session', '1319900004', master.user_id, master.initial_password, leave.signal)
      .then((r) => `answered ${r.status}`, () => 'gone');
    await eventually(() => waits(srv, '1319900004') === 1);
    leave.abort();
    assert.equal(await gone, 'gone');
    // Their clients leave too: the attempts free while onshid may still hold the waiter (it
    // then takes one on its next try, and must give it back).
    setAttempts('1319900004', 'failed_logins = failed_logins - 5');
    // onshid logs the request once done with it; an attempt it took is given back by then or
    // just after, and none is taken later.
    await eventually(() => srv.log().split('\n').some((l) => l.includes('"msg":"request"') &&
      l.includes('"route":"/api/v1/session"') && l.includes('"method":"POST"')));
    await eventually(() => attempts('1319900004') === '0|false', { timeoutMs: 3000 })
      .catch(() => assert.equal(attempts('1319900004'), '0|false'));
    assert.equal(audited('1319900004', 'signin.succeeded'), '0');
    assert.equal(await outcome(await signIn(srv, 'session', '1319900004', master.user_id, master.initial_password)), 200);
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('a waiter sees checks on other nodes end, the account locked meanwhile, and the end of signin_queue_timeout', async () => {
  const srv = await startOnshid({ database: pg.conninfo(db), env: env({ ONSHI_SIGNIN_QUEUE_TIMEOUT: '3' }) });
  try {
    const { master } = createInstitution(pg, db, '1319900005');
    const go = () => signIn(srv, 'session', '1319900005', master.user_id, master.initial_password).then(outcome);
    // Checks on another node hold every attempt, then one succeeds there: no wake-up reaches
    // this onshid, the waiter finds the attempts free by looking again.
    setAttempts('1319900005', 'failed_logins = 5');
    const first = go();
    await eventually(() => waits(srv, '1319900005') === 1);
    setAttempts('1319900005', 'failed_logins = 0');
    assert.equal(await first, 200);
    // Wrong passwords there lock the account while one waits here: refused at once, unchecked.
    setAttempts('1319900005', 'failed_logins = 5');
    const second = go();
    await eventually(() => waits(srv, '1319900005') === 2);
    setAttempts('1319900005', 'locked_at = now()');
    assert.equal(await second, '401 auth.failed');
    assert.equal(audited('1319900005', 'signin.failed', 'locked'), '1');
    // Attempts that never free: after signin_queue_timeout it is refused as without waiting,
    // and nothing is counted against the account.
    setAttempts('1319900005', 'locked_at = NULL, failed_logins = 5');
    assert.equal(await go(), '401 auth.failed');
    assert.equal(waits(srv, '1319900005'), 3);
    assert.equal(audited('1319900005', 'signin.failed', 'locked'), '2');
    assert.equal(audited('1319900005', 'signin.failed', 'wrong_password'), '0');
    assert.equal(attempts('1319900005'), '5|false');
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

// The waiters' bound is each node's own (8 for each of its hashing workers): tested on one.
test('waiters do not keep the hashing workers from other sign-ins, and at most 8 a worker wait',
  { skip: TEST_NODES > 1 && 'per-node limit: tested with one onshid' }, async () => {
  const srv = await startOnshid({ database: pg.conninfo(db), env: env({ ONSHI_SIGNIN_QUEUE_TIMEOUT: '60' }) });
  try {
    const busy = createInstitution(pg, db, '1319900006').master;
    const other = createInstitution(pg, db, '1319900007').master;
    // Checks on another node hold every attempt of one account while 16 of its sign-ins wait
    // (8 for each of the 2 workers).
    setAttempts('1319900006', 'failed_logins = 5');
    let settled = 0;
    const waiting = Array.from({ length: 16 }, () =>
      signIn(srv, 'tokens', '1319900006', busy.user_id, busy.initial_password).then(outcome).finally(() => { settled++; }));
    await eventually(() => waits(srv, '1319900006') === 16);
    // A 17th finds no room to wait: refused at once, as without waiting (onshid says so).
    assert.equal(await outcome(await signIn(srv, 'tokens', '1319900006', busy.user_id, busy.initial_password)), '401 auth.failed');
    assert.match(srv.log(), /16 sign-ins already wait for a free lockout attempt/);
    // Another account's sign-in is checked between the waiters' turns, long before they end.
    assert.equal(await outcome(await signIn(srv, 'session', '1319900007', other.user_id, other.initial_password)), 200);
    assert.equal(settled, 0);
    // The other node's checks end: every waiter gets in.
    setAttempts('1319900006', 'failed_logins = 0');
    assert.deepEqual(await Promise.all(waiting), Array(16).fill(200));
    assert.equal(attempts('1319900006'), '0|false');
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

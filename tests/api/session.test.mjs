// Sign-in, the session cookie and its CSRF token, sign-out, lockout and the refusals that
// must all look the same, against the real onshid and PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, startOnshid, onshictl, eventually, runOnshidToExit } from '../support/harness.mjs';
import { signedIn as signedInAs } from '../support/people.mjs';

let pg;
let db;
let srv;

function createInstitution(code, kind = 'medical') {
  const r = onshictl(['--json', 'institution', 'create', '--code', code, '--name', 'ログイン試験医院',
    '--kind', kind, '--start-date', '2020-04-01'], { ONSHI_DATABASE_URL: pg.conninfo(db) });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  pg?.stop();
});

const signIn = (institution_code, user_id, password, server = srv) => fetch(`${server.base}/api/v1/session`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ institution_code, user_id, password }),
});

function cookieOf(res) {
  const m = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie') || '');
  return m && m[1];
}

const withCookie = (cookie, extra = {}) => ({ headers: { Cookie: `onshi_session=${cookie}`, ...extra } });
const audit = (code, action) => pg.psql(db, `SELECT string_agg(details->>'reason', ',' ORDER BY id) FROM audit_log WHERE institution_code = '${code}' AND action = '${action}'`);

test('the master signs in with its initial password and gets a session cookie and a CSRF token', async () => {
  const inst = createInstitution('1312000001');
  const res = await signIn(inst.institution_code, inst.master.user_id, inst.master.initial_password);
  assert.equal(res.status, 200);
  const setCookie = res.headers.get('set-cookie');
  assert.match(setCookie, /^onshi_session=1312000001\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  const body = await res.json();
  assert.deepEqual(body.account, {
    institution_code: '1312000001', user_id: 'M1312000001', role: 'master',
    role_label: 'マスタアカウント', password_change_required: true, password_state: 'initial',
    registers_roles: ['admin'], initialises_roles: ['admin'], lists_roles: ['admin'],
  });
  assert.match(body.csrf_token, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(!Number.isNaN(Date.parse(body.expires_at)));
  // Only SHA-256 digests of the session value and of the CSRF token are stored.
  const { createHash } = await import('node:crypto');
  const sha = (t) => createHash('sha256').update(t).digest('hex');
  assert.equal(pg.psql(db, `SELECT encode(secret_hash, 'hex') = '${sha(cookieOf(res))}' AND encode(csrf_hash, 'hex') = '${sha(body.csrf_token)}' FROM sessions WHERE institution_code = '1312000001'`), 't');
  const row = pg.psql(db, "SELECT sessions::text FROM sessions WHERE institution_code = '1312000001'");
  assert.ok(!row.includes(cookieOf(res).split('.')[1]) && !row.includes(body.csrf_token));
  assert.equal(pg.psql(db, "SELECT count(*) FROM sessions WHERE institution_code = '1312000001'"), '1');
  assert.equal(pg.psql(db, "SELECT count(*) FROM audit_log WHERE institution_code = '1312000001' AND action = 'signin.succeeded'"), '1');
});

test('GET /session shows the account; no, wrong or malformed cookies get 401', async () => {
  const inst = createInstitution('1312000002');
  const res = await signIn(inst.institution_code, inst.master.user_id, inst.master.initial_password);
  const cookie = cookieOf(res);
  const me = await fetch(`${srv.base}/api/v1/session`, withCookie(cookie));
  assert.equal(me.status, 200);
  assert.equal((await me.json()).account.user_id, 'M1312000002');
    // One character changed (never to itself), and the same secret under another institution.
  const flipped = cookie.slice(0, -1) + (cookie.endsWith('A') ? 'B' : 'A');
  for (const bad of [null, 'x', flipped, `1312000001.${cookie.split('.')[1]}`]) {
    const r = await fetch(`${srv.base}/api/v1/session`, bad ? withCookie(bad) : {});
    assert.equal(r.status, 401, String(bad));
    assert.equal((await r.json()).error.code, 'auth.required');
  }
});

test('sign-out needs the CSRF token, then the session is gone', async () => {
  const inst = createInstitution('1312000003');
  const res = await signIn(inst.institution_code, inst.master.user_id, inst.master.initial_password);
  const cookie = cookieOf(res);
  const { csrf_token: csrf } = await res.json();
  const noCsrf = await fetch(`${srv.base}/api/v1/session`, { method: 'DELETE', ...withCookie(cookie) });
  assert.equal(noCsrf.status, 403);
  assert.equal((await noCsrf.json()).error.code, 'auth.csrf');
  const wrongCsrf = await fetch(`${srv.base}/api/v1/session`, { method: 'DELETE', ...withCookie(cookie, { 'X-CSRF-Token': 'A'.repeat(43) }) });
  assert.equal(wrongCsrf.status, 403);
  const out = await fetch(`${srv.base}/api/v1/session`, { method: 'DELETE', ...withCookie(cookie, { 'X-CSRF-Token': csrf }) });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /^onshi_session=; .*Max-Age=0/);
  assert.equal((await fetch(`${srv.base}/api/v1/session`, withCookie(cookie))).status, 401);
});

test('unknown institution, unknown ID and wrong password get the same answer; the audit log has the reason', async () => {
  const inst = createInstitution('1312000004');
  const answers = [];
  for (const [code, user, pw] of [
    ['1312000004', inst.master.user_id, 'wrong-password'],
    ['1312000004', 'nobody', 'wrong-password'],
    ['0112999999', inst.master.user_id, 'wrong-password'],
  ]) {
    const r = await signIn(code, user, pw);
    answers.push([r.status, await r.text()]);
  }
  assert.deepEqual(answers[1], answers[0]);
  assert.deepEqual(answers[2], answers[0]);
  assert.equal(answers[0][0], 401);
  assert.equal(JSON.parse(answers[0][1]).error.code, 'auth.failed');
  assert.equal(audit('1312000004', 'signin.failed'), 'wrong_password,unknown_user');
});

test('five wrong passwords lock the account; then even the right one is refused the same way', async () => {
  const inst = createInstitution('1312000005');
  for (let i = 0; i < 5; i++) {
    assert.equal((await signIn('1312000005', inst.master.user_id, `wrong${i}`)).status, 401);
  }
  assert.equal(pg.psql(db, "SELECT failed_logins, locked_at IS NOT NULL FROM accounts WHERE user_id = 'M1312000005'"), '5|t');
  const right = await signIn('1312000005', inst.master.user_id, inst.master.initial_password);
  assert.equal(right.status, 401);
  assert.equal((await right.json()).error.code, 'auth.failed');
  assert.equal(pg.psql(db, "SELECT count(*) FROM audit_log WHERE institution_code = '1312000005' AND action = 'account.locked'"), '1');
  assert.match(audit('1312000005', 'signin.failed'), /,locked$/);
});

test('50 parallel wrong guesses get exactly the threshold of checks; the right one after them is refused', async () => {
  const inst = createInstitution('1312000006');
  const guesses = Array.from({ length: 50 }, (_, i) => signIn('1312000006', inst.master.user_id, `guess${i}`));
  // Once the five attempts are taken, even the right password is not checked.
  await eventually(() => pg.psql(db, "SELECT failed_logins FROM accounts WHERE user_id = 'M1312000006'") === '5');
  const right = signIn('1312000006', inst.master.user_id, inst.master.initial_password);
  const results = await Promise.all([...guesses, right]);
  assert.ok(results.every((r) => r.status === 401));
  assert.equal(pg.psql(db, "SELECT failed_logins, locked_at IS NOT NULL FROM accounts WHERE user_id = 'M1312000006'"), '5|t');
  const reasons = audit('1312000006', 'signin.failed').split(',');
  assert.equal(reasons.filter((r) => r === 'wrong_password').length, 5, 'only five passwords were checked');
  assert.equal(reasons.filter((r) => r === 'locked').length, 46);
});

test('disabled, deleted and out-of-period accounts cannot sign in and lose their sessions at once', async () => {
  const inst = createInstitution('1312000007');
  const login = () => signIn('1312000007', inst.master.user_id, inst.master.initial_password);
  for (const [change, undo] of [
    ['enabled = false', 'enabled = true'],
    ['deleted_at = now()', 'deleted_at = NULL'],
    ["start_date = DATE '2999-01-01', end_date = DATE '2999-12-31'", "start_date = DATE '2020-04-01', end_date = DATE '9999-12-31'"],
    ["end_date = DATE '2021-01-01'", "end_date = DATE '9999-12-31'"],
  ]) {
    const ok = await login();
    assert.equal(ok.status, 200, change);
    const cookie = cookieOf(ok);
    pg.psql(db, `UPDATE accounts SET ${change} WHERE user_id = 'M1312000007'`);
    const refused = await login();
    assert.equal(refused.status, 401, change);
    assert.equal((await refused.json()).error.code, 'auth.failed');
    assert.equal((await fetch(`${srv.base}/api/v1/session`, withCookie(cookie))).status, 401, change);
    pg.psql(db, `UPDATE accounts SET ${undo} WHERE user_id = 'M1312000007'`);
  }
  assert.equal(audit('1312000007', 'signin.failed'), 'not_allowed,not_allowed,not_allowed,not_allowed');
});

test('an initial password unused for more than 30 days gets its own refusal, only when it is right', async () => {
  const inst = createInstitution('1312000008');
  pg.psql(db, "UPDATE accounts SET password_set_at = now() - interval '31 days' WHERE user_id = 'M1312000008'");
  const right = await signIn('1312000008', inst.master.user_id, inst.master.initial_password);
  assert.equal(right.status, 401);
  assert.equal((await right.json()).error.code, 'password.initial_expired');
  const wrong = await signIn('1312000008', inst.master.user_id, 'not-it');
  assert.equal((await wrong.json()).error.code, 'auth.failed');
});

// Issue 17 §6: a check whose password was right gives its lockout attempt back, whatever then
// refused the sign-in, so an account that comes back (re-enabled, a new initial password)
// is not found locked by its owner's correct tries while it was away.
test('right passwords on a disabled account or an expired initial password use up no attempts', async () => {
  const inst = createInstitution('1312000018');
  const user = inst.master.user_id;
  const failedLogins = () => pg.psql(db, `SELECT failed_logins || ',' || (locked_at IS NOT NULL) FROM accounts WHERE user_id = '${user}'`);
  pg.psql(db, `UPDATE accounts SET enabled = false WHERE user_id = '${user}'`);
  for (let i = 0; i < 7; i++) { // more than lockout_threshold (5)
    const r = await signIn('1312000018', user, inst.master.initial_password);
    assert.equal((await r.json()).error.code, 'auth.failed');
  }
  assert.equal(failedLogins(), '0,false');
  pg.psql(db, `UPDATE accounts SET enabled = true, password_set_at = now() - interval '31 days' WHERE user_id = '${user}'`);
  for (let i = 0; i < 7; i++) {
    const r = await signIn('1312000018', user, inst.master.initial_password);
    assert.equal((await r.json()).error.code, 'password.initial_expired', `try ${i + 1}`);
  }
  assert.equal(failedLogins(), '0,false');
  // Wrong guesses still count; a sign-in clears them, as before.
  pg.psql(db, `UPDATE accounts SET password_set_at = now() WHERE user_id = '${user}'`);
  for (let i = 0; i < 2; i++) assert.equal((await signIn('1312000018', user, 'not-it')).status, 401);
  assert.equal(failedLogins(), '2,false');
  assert.equal((await signIn('1312000018', user, inst.master.initial_password)).status, 200);
  assert.equal(failedLogins(), '0,false');
});

test('malformed sign-in bodies get precise errors', async () => {
  const post = (body, type = 'application/json') => fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': type }, body });
  const cases = [
    ['{"institution_code":"1312000001","user_id":"x"', 'request.invalid_json', 400],
    ['[]', 'request.not_object', 400],
    ['{"institution_code":"1312000001","user_id":"x","password":"y","extra":1}', 'request.unknown_field', 400],
    ['{"institution_code":"1312000001","user_id":"x"}', 'request.field_missing', 400],
    ['{"institution_code":1312000001,"user_id":"x","password":"y"}', 'request.field_type', 400],
    ['{"institution_code":"131","user_id":"x","password":"y"}', 'request.field_range', 400],
  ];
  for (const [body, code, status] of cases) {
    const r = await post(body);
    assert.equal(r.status, status, body);
    assert.equal((await r.json()).error.code, code, body);
  }
  const r = await post('{}', 'text/plain');
  assert.equal(r.status, 415);
});

test('authenticated requests are logged with their institution and account', async () => {
  const inst = createInstitution('1312000009');
  const cookie = cookieOf(await signIn('1312000009', inst.master.user_id, inst.master.initial_password));
  await fetch(`${srv.base}/api/v1/session`, withCookie(cookie));
  const line = await eventually(() => srv.log().split('\n').find((l) => l.includes('"route":"/api/v1/session"') && l.includes('"method":"GET"') && l.includes('1312000009')));
  const entry = JSON.parse(line);
  assert.equal(entry.institution, '1312000009');
  assert.equal(entry.account, 'M1312000009');
  assert.doesNotMatch(srv.log(), new RegExp(inst.master.initial_password));
  assert.doesNotMatch(srv.log(), new RegExp(cookie.split('.')[1]));
});

test('machines get a bearer token that needs no CSRF token and can be revoked', async () => {
  const inst = createInstitution('1312000010');
  const res = await fetch(`${srv.base}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: '1312000010', user_id: inst.master.user_id, password: inst.master.initial_password }),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('set-cookie'), null);
  const body = await res.json();
  assert.match(body.access_token, /^1312000010\.[A-Za-z0-9_-]{43}$/);
  assert.equal(body.token_type, 'Bearer');
  assert.equal(body.expires_in, 86400);
  assert.equal(body.account.user_id, 'M1312000010');
  const bearer = { Authorization: `Bearer ${body.access_token}` };
  assert.equal((await fetch(`${srv.base}/api/v1/session`, { headers: bearer })).status, 200);
  // A token is not a cookie session, and a cookie session is not a token.
  assert.equal((await fetch(`${srv.base}/api/v1/session`, withCookie(body.access_token))).status, 401);
  const revoked = await fetch(`${srv.base}/api/v1/tokens/current`, { method: 'DELETE', headers: bearer });
  assert.equal(revoked.status, 204);
  assert.equal((await fetch(`${srv.base}/api/v1/session`, { headers: bearer })).status, 401);
  assert.equal(pg.psql(db, "SELECT count(*) FROM audit_log WHERE institution_code = '1312000010' AND action = 'token.issued'"), '1');
  const wrong = await fetch(`${srv.base}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: '1312000010', user_id: inst.master.user_id, password: 'nope' }),
  });
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).error.code, 'auth.failed');
});

async function signedIn(code) {
  const inst = createInstitution(code);
  const res = await signIn(code, inst.master.user_id, inst.master.initial_password);
  assert.equal(res.status, 200);
  const { csrf_token: csrf } = await res.json();
  return { inst, cookie: cookieOf(res), csrf };
}

function changePassword(s, current, next, server = srv) {
  return fetch(`${server.base}/api/v1/session/password`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: `onshi_session=${s.cookie}`, 'X-CSRF-Token': s.csrf },
    body: JSON.stringify({ current_password: current, new_password: next }),
  });
}

test('a new password must follow the policy; each refusal names the rule and the field', async () => {
  const s = await signedIn('1312000011');
  const cases = [
    ['Ab1!', 'password.length'],
    ['abcdefgh', 'password.classes'],
    ['Abcd efg1', 'password.charset'],
    ['xM1312000011!', 'password.contains_user_id'],
  ];
  for (const [next, code] of cases) {
    const r = await changePassword(s, s.inst.master.initial_password, next);
    assert.equal(r.status, 400, next);
    const { error } = await r.json();
    assert.equal(error.code, code, next);
    assert.equal(error.field, 'new_password');
  }
  // The same password again (a chosen one: a random initial one may lack a class).
  const first = await changePassword(s, s.inst.master.initial_password, 'Sakura2026!');
  assert.equal(first.status, 200);
  s.cookie = cookieOf(first);
  s.csrf = (await first.json()).csrf_token;
  const same = await changePassword(s, 'Sakura2026!', 'Sakura2026!');
  assert.equal((await same.json()).error.code, 'password.reused');
});

test('a wrong current password is refused and counts toward the lock', async () => {
  const s = await signedIn('1312000012');
  const r = await changePassword(s, 'not-the-password', 'Sakura2026!');
  assert.equal(r.status, 400);
  const { error } = await r.json();
  assert.equal(error.code, 'password.current_wrong');
  assert.equal(error.field, 'current_password');
  assert.equal(pg.psql(db, "SELECT failed_logins FROM accounts WHERE user_id = 'M1312000012'"), '1');
});

test('changing the password clears the change requirement, replaces every session and stores argon2id', async () => {
  const s = await signedIn('1312000013');
  const other = cookieOf(await signIn('1312000013', s.inst.master.user_id, s.inst.master.initial_password));
  const r = await changePassword(s, s.inst.master.initial_password, 'Sakura2026!');
  assert.equal(r.status, 200);
  const changed = await r.json();
  assert.equal(changed.account.password_change_required, false);
  const fresh = cookieOf(r);
  assert.ok(fresh && fresh !== s.cookie, 'a new session replaces the one used');
  assert.match(changed.csrf_token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await fetch(`${srv.base}/api/v1/session`, withCookie(s.cookie))).status, 401, 'the old one ended');
  const me = await fetch(`${srv.base}/api/v1/session`, withCookie(fresh));
  assert.equal((await me.json()).account.password_change_required, false);
  assert.equal((await fetch(`${srv.base}/api/v1/session`, withCookie(other))).status, 401, 'other session ended');
  assert.match(pg.psql(db, "SELECT password_hash, password_is_initial FROM accounts WHERE user_id = 'M1312000013'"), /^\$argon2id\$v=19\$m=65536,t=2,p=1\$.*\|f$/);
  assert.equal((await signIn('1312000013', s.inst.master.user_id, s.inst.master.initial_password)).status, 401);
  assert.equal((await signIn('1312000013', s.inst.master.user_id, 'Sakura2026!')).status, 200);
  assert.equal(pg.psql(db, "SELECT count(*) FROM audit_log WHERE institution_code = '1312000013' AND action = 'password.changed'"), '1');
});

test('none of the last three chosen passwords may be used again', async () => {
  const s = await signedIn('1312000014');
  const seq = ['Pass-one1', 'Pass-two2', 'Pass-three3'];
  let current = s.inst.master.initial_password;
  const change = async (next) => {
    const r = await changePassword(s, current, next);
    if (r.status === 200) {
      s.cookie = cookieOf(r);
      s.csrf = (await r.json()).csrf_token;
      current = next;
      return 200;
    }
    return (await r.json()).error.code;
  };
  for (const next of seq) assert.equal(await change(next), 200, next);
  // The last three, the current one included: three, two, one.
  assert.equal(await change('Pass-one1'), 'password.reused');
  assert.equal(await change('Pass-two2'), 'password.reused');
  assert.equal(await change('Pass-four4'), 200);
  // Now four, three, two: one is allowed again.
  assert.equal(await change('Pass-one1'), 200);
});

test('the password policy is configuration: GET /session shows it, the change follows it, refusals carry it, --check-config refuses what no password could meet', async () => {
  const env = { ONSHI_PASSWORD_MIN_LENGTH: '12', ONSHI_PASSWORD_MAX_LENGTH: '16', ONSHI_PASSWORD_MIN_CLASSES: '4', ONSHI_PASSWORD_HISTORY: '1' };
  const strict = await startOnshid({ database: pg.conninfo(db), env });
  try {
    const inst = createInstitution('1312000060');
    const res = await signIn('1312000060', inst.master.user_id, inst.master.initial_password, strict);
    const s = { cookie: cookieOf(res), csrf: (await res.json()).csrf_token };
    const policy = { min_length: 12, max_length: 16, min_classes: 4, history: 1 };
    assert.deepEqual((await (await fetch(`${strict.base}/api/v1/session`, withCookie(s.cookie))).json()).password_policy, policy);
    let current = inst.master.initial_password;
    const change = async (next) => {
      const r = await changePassword(s, current, next, strict);
      const body = await r.json();
      if (r.status !== 200) return [body.error.code, body.error.details];
      s.cookie = cookieOf(r);
      s.csrf = body.csrf_token;
      current = next;
      return 200;
    };
    // Each refusal says the rules in force, so an API client can tell its user.
    assert.deepEqual(await change('Sakura2026!'), ['password.length', [policy]]); // 11: fine by default
    assert.deepEqual(await change('Sakura2026!x12345'), ['password.length', [policy]]); // 17
    assert.deepEqual(await change('Sakura2026xyz'), ['password.classes', [policy]]); // no symbol
    assert.equal(await change('Sakura2026!xy'), 200);
    assert.equal(await change('Momiji2026!xy'), 200);
    // password_history = 1: only the current one is refused; the one before may come back.
    assert.deepEqual(await change('Momiji2026!xy'), ['password.reused', [policy]]);
    assert.equal(await change('Sakura2026!xy'), 200);
  } finally {
    assert.deepEqual(await strict.stop(), { code: 0, signal: null });
  }
  // The default onshid, with the manual's rules, still takes an 11-character password.
  const d = await signedIn('1312000061');
  assert.equal((await changePassword(d, d.inst.master.initial_password, 'Sakura2026!')).status, 200);
  for (const [bad, message] of [
    [{ ONSHI_PASSWORD_MIN_LENGTH: '70' }, /password_min_length \(70\) is above password_max_length \(64\): no password could be chosen/],
    [{ ONSHI_PASSWORD_MIN_LENGTH: '3', ONSHI_PASSWORD_MAX_LENGTH: '3', ONSHI_PASSWORD_MIN_CLASSES: '4' }, /password_min_classes \(4\) cannot be met within password_max_length \(3\)/],
    [{ ONSHI_PASSWORD_HISTORY: '0' }, /password_history must be an integer from 1 to 24/],
  ]) {
    const r = await runOnshidToExit(['--check-config'], bad);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, message);
  }
});

test('an initial password past its validity cannot be used to set a new one', async () => {
  const s = await signedIn('1312000015');
  pg.psql(db, "UPDATE accounts SET password_set_at = now() - interval '31 days' WHERE user_id = 'M1312000015'");
  const r = await changePassword(s, s.inst.master.initial_password, 'Sakura2026!');
  assert.equal(r.status, 401);
  assert.equal((await r.json()).error.code, 'password.initial_expired');
});

test('parallel guesses through the password change get no more checks than the threshold', async () => {
  const s = await signedIn('1312000016');
  const guesses = Array.from({ length: 30 }, (_, i) => changePassword(s, `guess${i}`, 'Sakura2026!'));
  await eventually(() => pg.psql(db, "SELECT failed_logins FROM accounts WHERE user_id = 'M1312000016'") === '5');
  const right = changePassword(s, s.inst.master.initial_password, 'Attacker-9z');
  const results = await Promise.all([...guesses, right]);
  for (const r of results) {
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.code, 'password.current_wrong');
  }
  assert.equal(pg.psql(db, "SELECT locked_at IS NOT NULL, password_is_initial FROM accounts WHERE user_id = 'M1312000016'"), 't|t');
});

test('sign-ins with the old password that race a password change leave no session behind', async () => {
  const s = await signedIn('1312000017');
  const old = s.inst.master.initial_password;
  // Four, so that with the change they fit in the five attempts that may be checked at once.
  const racing = Array.from({ length: 4 }, () => signIn('1312000017', s.inst.master.user_id, old));
  const change = changePassword(s, old, 'Sakura2026!');
  const [changed, ...signins] = await Promise.all([change, ...racing]);
  assert.equal(changed.status, 200);
  const fresh = cookieOf(changed);
  for (const r of signins) {
    const c = cookieOf(r);
    if (c) assert.equal((await fetch(`${srv.base}/api/v1/session`, withCookie(c))).status, 401);
  }
  assert.equal(pg.psql(db, "SELECT count(*) FROM sessions WHERE institution_code = '1312000017'"), '1');
  assert.equal((await fetch(`${srv.base}/api/v1/session`, withCookie(fresh))).status, 200);
});

test('raised argon2id parameters reach a stored hash at its next sign-in, keeping the password', async () => {
  const s = await signedIn('1312000031');
  assert.equal((await changePassword(s, s.inst.master.initial_password, 'Sakura2026!')).status, 200);
  const stored = () => pg.psql(db, "SELECT password_hash FROM accounts WHERE user_id = 'M1312000031'");
  const before = stored();
  assert.match(before, /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
  const setAt = pg.psql(db, "SELECT password_set_at FROM accounts WHERE user_id = 'M1312000031'");
  // A second onshid on the same database, configured with other parameters.
  const raised = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_PASSWORD_HASH_PASSES: '3', ONSHI_PASSWORD_HASH_MEMORY: '16777216' } });
  try {
    const signInAt = (base, password) => fetch(`${base}/api/v1/session`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ institution_code: '1312000031', user_id: 'M1312000031', password }),
    });
    // A wrong password changes nothing.
    assert.equal((await signInAt(raised.base, 'Sakura2026?')).status, 401);
    assert.equal(stored(), before);
    assert.equal((await signInAt(raised.base, 'Sakura2026!')).status, 200);
    const after = stored();
    assert.match(after, /^\$argon2id\$v=19\$m=16384,t=3,p=1\$/);
    assert.equal(pg.psql(db, "SELECT password_set_at FROM accounts WHERE user_id = 'M1312000031'"), setAt, 'not a new password: its age is kept');
    assert.equal(audit('1312000031', 'signin.succeeded').split(',').at(-1), 'password_rehashed');
    // Once is enough; and the first server still accepts the same password (and rehashes back).
    assert.equal((await signInAt(raised.base, 'Sakura2026!')).status, 200);
    assert.equal(stored(), after);
    assert.equal((await signInAt(srv.base, 'Sakura2026!')).status, 200);
    assert.match(stored(), /^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
    // The history still recognises the password as used.
    const again = await signIn('1312000031', 'M1312000031', 'Sakura2026!');
    const s2 = { cookie: cookieOf(again), csrf: (await again.json()).csrf_token };
    assert.equal((await (await changePassword(s2, 'Sakura2026!', 'Sakura2026!')).json()).error.code, 'password.reused');
  } finally {
    assert.deepEqual(await raised.stop(), { code: 0, signal: null });
  }
});

test('GET /session gives the names, the session\'s two ends and the password policy in force; cookie answers carry X-Session-Idle-Expires', async () => {
  const inst = createInstitution('1312000040');
  const before = Date.now();
  const res = await signIn('1312000040', inst.master.user_id, inst.master.initial_password);
  const cookie = cookieOf(res);
  const { csrf_token: csrf } = await res.json();
  const me = await fetch(`${srv.base}/api/v1/session`, withCookie(cookie));
  assert.equal(me.status, 200);
  const body = await me.json();
  assert.equal(body.account.name, 'マスタアカウント');
  assert.equal(body.account.name_kana, '');
  assert.equal(body.institution.name, 'ログイン試験医院');
  assert.deepEqual(body.password_policy, { min_length: 8, max_length: 64, min_classes: 3, history: 3 });
  const { expires_at: exp, idle_expires_at: idle, idle_timeout_seconds: timeout } = body.session;
  assert.equal(timeout, 1800);
  assert.match(exp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(idle, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Math.abs(Date.parse(exp) - (before + 43200e3)) < 10e3, exp);
  assert.equal(exp, pg.psql(db, "SELECT to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM sessions WHERE institution_code = '1312000040'"));
  // Seen just now (at sign-in), so not touched again: last_seen_at + the idle timeout.
  assert.equal(idle, pg.psql(db, "SELECT to_char((last_seen_at + interval '1800 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM sessions WHERE institution_code = '1312000040'"));
  assert.equal(me.headers.get('x-session-idle-expires'), idle);
  // Ten idle minutes later the request touches the session: the idle end moves to now + 30 min.
  pg.psql(db, "UPDATE sessions SET last_seen_at = now() - interval '10 minutes' WHERE institution_code = '1312000040'");
  const later = await fetch(`${srv.base}/api/v1/session`, withCookie(cookie));
  const moved = (await later.json()).session.idle_expires_at;
  assert.ok(Math.abs(Date.parse(moved) - (Date.now() + 1800e3)) < 10e3, moved);
  assert.equal(later.headers.get('x-session-idle-expires'), moved);
  // Any authenticated answer carries it, refusals included; the value is as of that request.
  pg.psql(db, "UPDATE sessions SET last_seen_at = now() - interval '20 minutes' WHERE institution_code = '1312000040'");
  const refused = await fetch(`${srv.base}/api/v1/accounts`, withCookie(cookie));
  assert.equal(refused.status, 403); // the initial password must be changed first
  const refusedIdle = refused.headers.get('x-session-idle-expires');
  assert.ok(Math.abs(Date.parse(refusedIdle) - (Date.now() + 1800e3)) < 10e3, refusedIdle);
  // Not without a session, and not once the session is gone.
  assert.equal((await fetch(`${srv.base}/api/v1/session`)).headers.get('x-session-idle-expires'), null);
  const out = await fetch(`${srv.base}/api/v1/session`, { method: 'DELETE', ...withCookie(cookie, { 'X-CSRF-Token': csrf }) });
  assert.equal(out.status, 204);
  assert.equal(out.headers.get('x-session-idle-expires'), null);
});

test('a bearer token has no idle end: GET /session says null and no X-Session-Idle-Expires is sent', async () => {
  const inst = createInstitution('1312000041');
  const res = await fetch(`${srv.base}/api/v1/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: '1312000041', user_id: inst.master.user_id, password: inst.master.initial_password }) });
  const { access_token: token } = await res.json();
  const me = await fetch(`${srv.base}/api/v1/session`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(me.status, 200);
  const body = await me.json();
  assert.equal(body.session.idle_expires_at, null);
  assert.equal(body.session.idle_timeout_seconds, null);
  assert.ok(Math.abs(Date.parse(body.session.expires_at) - (Date.now() + 86400e3)) < 10e3);
  assert.equal(body.account.name, 'マスタアカウント');
  assert.equal(me.headers.get('x-session-idle-expires'), null);
});

test('the session says why a password change is required and which kinds the account registers, initialises and finds', async () => {
  const inst = createInstitution('1312000049');
  const master = await (await signIn('1312000049', inst.master.user_id, inst.master.initial_password)).json();
  assert.deepEqual([master.account.password_state, master.account.registers_roles], ['initial', ['admin']]);
  const reset = await signIn('1312000049', inst.master_reset.user_id, inst.master_reset.initial_password);
  const me = await (await fetch(`${srv.base}/api/v1/session`, withCookie(cookieOf(reset)))).json();
  assert.deepEqual([me.account.password_state, me.account.registers_roles], ['initial', []]);
  // master_reset registers nobody but initialises, and so finds, the master.
  assert.deepEqual([me.account.initialises_roles, me.account.lists_roles], [['master'], ['master']]);
  // A chosen password past its expiry: 'expired', not 'initial'.
  const api = await signedInAs(srv, '1312000049', inst.master.user_id, inst.master.initial_password);
  const made = await (await api('POST', '/api/v1/accounts', { role: 'admin', user_id: 'adm41', name: '管理', name_kana: 'カンリ', start_date: '2020-04-01' })).json();
  const admin = await signedInAs(srv, '1312000049', 'adm41', made.initial_password);
  const fresh = await (await admin('GET', '/api/v1/session')).json();
  assert.deepEqual([fresh.account.password_state, fresh.account.password_change_required], ['active', false]);
  const lower = ['general', 'medical_viewer', 'webapi', 'linked_app', 'face_reader'];
  assert.deepEqual([fresh.account.registers_roles, fresh.account.initialises_roles, fresh.account.lists_roles], [lower, lower, lower]);
  pg.psql(db, "UPDATE accounts SET password_set_at = now() - interval '400 days' WHERE institution_code = '1312000049' AND user_id = 'adm41'");
  const old = await (await admin('GET', '/api/v1/session')).json();
  assert.deepEqual([old.account.password_state, old.account.password_change_required], ['expired', true]);
});

// The operator CLI against a real PostgreSQL: migrations, institutions, related
// institutions, the operator's password reset, the demo, and its exit codes and messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { startPostgres, startOnshid, onshictl, SCHEMA_VERSION, REPO } from '../support/harness.mjs';
import { createInstitution, signedIn, json } from '../support/people.mjs';

let pg;
let db;
let env;

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  env = { ONSHI_DATABASE_URL: pg.conninfo(db) };
});
after(() => pg?.stop());

const ctl = (...args) => onshictl(args, env);

function create(code, kind, extra = []) {
  return ctl('--json', 'institution', 'create', '--code', code, '--name', '試験医療機関',
    '--kind', kind, '--start-date', '2026-12-01', ...extra);
}

test('migrate applies every migration once and is idempotent', () => {
  const fresh = { ONSHI_DATABASE_URL: pg.conninfo(pg.createDatabase()) };
  const first = onshictl(['migrate'], fresh);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /applied 0001_foundation\napplied 0002_sessions/);
  const again = onshictl(['--json', 'migrate'], fresh);
  assert.equal(again.status, 0);
  assert.deepEqual(JSON.parse(again.stdout), { applied: 0, schema_version: SCHEMA_VERSION });
});

test('a database at an earlier schema version is upgraded in place, keeping its data', () => {
  const name = pg.createDatabase();
  const old = { ONSHI_DATABASE_URL: pg.conninfo(name) };
  // Version 1 exactly as it landed, with an institution in it.
  pg.psql(name, 'CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  pg.psql(name, fs.readFileSync(path.join(REPO, 'schema', '0001_foundation.sql'), 'utf8'));
  pg.psql(name, "INSERT INTO schema_version (version, name) VALUES (1, '0001_foundation')");
  pg.psql(name, "INSERT INTO institutions VALUES ('1311777777', '旧版医院', 'medical', '2020-01-01')");
  const r = onshictl(['migrate'], old);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /applied 0001/);
  assert.match(r.stdout, /applied 0002_sessions/);
  assert.equal(pg.psql(name, 'SELECT max(version) FROM schema_version'), String(SCHEMA_VERSION));
  assert.equal(pg.psql(name, "SELECT name FROM institutions WHERE institution_code = '1311777777'"), '旧版医院');
});

test('a database at version 2 (before bulk jobs and settings) gains both, keeping its accounts', () => {
  const name = pg.createDatabase();
  pg.psql(name, 'CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  for (const [v, file] of [[1, '0001_foundation'], [2, '0002_sessions']]) {
    pg.psql(name, fs.readFileSync(path.join(REPO, 'schema', `${file}.sql`), 'utf8'));
    pg.psql(name, `INSERT INTO schema_version (version, name) VALUES (${v}, '${file}')`);
  }
  pg.psql(name, "INSERT INTO institutions VALUES ('1341888888', '二版医院', 'pharmacy', '2020-01-01')");
  pg.psql(name, "INSERT INTO accounts (institution_code, user_id, role, start_date, password_hash) VALUES ('1341888888', 'kanri01', 'admin', '2020-01-01', '$sha256$x$y')");
  const r = onshictl(['migrate'], { ONSHI_DATABASE_URL: pg.conninfo(name) });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /applied 000[12]/);
  assert.match(r.stdout, /applied 0003_bulk_jobs\napplied 0004_settings/);
  assert.equal(pg.psql(name, "SELECT user_id FROM accounts WHERE institution_code = '1341888888'"), 'kanri01');
  // The new tables start empty (an institution without a settings row has the defaults),
  // and the terms of use are seeded.
  assert.equal(pg.psql(name, 'SELECT (SELECT count(*) FROM bulk_jobs) + (SELECT count(*) FROM institution_settings)'), '0');
  assert.equal(pg.psql(name, 'SELECT version FROM terms_of_use'), '2023-08');
});

test('a database at version 4 (before test data, histories and URLs) gains them; its institutions get their first URLs', () => {
  const name = pg.createDatabase();
  pg.psql(name, 'CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  for (const [v, file] of [[1, '0001_foundation'], [2, '0002_sessions'], [3, '0003_bulk_jobs'], [4, '0004_settings']]) {
    pg.psql(name, fs.readFileSync(path.join(REPO, 'schema', `${file}.sql`), 'utf8'));
    pg.psql(name, `INSERT INTO schema_version (version, name) VALUES (${v}, '${file}')`);
  }
  pg.psql(name, "INSERT INTO institutions VALUES ('1311999999', '四版医院', 'medical', '2020-01-01')");
  const r = onshictl(['migrate'], { ONSHI_DATABASE_URL: pg.conninfo(name) });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /applied 0005_test_data\napplied 0006_history\napplied 0007_visit_urls/);
  assert.equal(pg.psql(name, "SELECT string_agg(kind || ':' || generation || ':' || state || ':' || length(token), ',' ORDER BY kind) FROM visit_tokens WHERE institution_code = '1311999999'"),
    'home_visit:1:current:43,online_care:1:current:43');
  // This month's history partitions exist, so checks can be recorded at once.
  const month = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 7).replace('-', '');
  assert.equal(pg.psql(name, `SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname IN ('qualification_checks_p${month}', 'medical_info_views_p${month}')`), '2');
  // And institutions created afterwards get theirs from the trigger.
  pg.psql(name, "INSERT INTO institutions VALUES ('1311999998', '新設医院', 'medical', '2020-01-01')");
  assert.equal(pg.psql(name, "SELECT count(*) FROM visit_tokens WHERE institution_code = '1311999998' AND state = 'current'"), '2');
});

test('a database at version 10 gains 0011–0013 keeping its rows: lapsed sessions end for good, CSV text made inert, admins\' checks recorded', () => {
  const name = pg.databaseAtVersion(10);
  pg.psql(name, "INSERT INTO institutions VALUES ('1311555555', '十版医院', 'medical', '2020-01-01')");
  pg.psql(name, "INSERT INTO accounts (institution_code, user_id, role, start_date, password_hash, enabled) VALUES ('1311555555', 'ippan01', 'general', '2020-01-01', '$sha256$x$y', false)");
  pg.psql(name, `INSERT INTO qualification_checks (institution_code, account_id, account_kind, route, reference_classification, validity, result_status)
    VALUES ('1311555555', 'ippan01', 'general', 'screen', '2', '1', '1')`);
  pg.psql(name, `INSERT INTO sessions (institution_code, secret_hash, user_id, kind, expires_at)
    VALUES ('1311555555', decode(repeat('ab', 32), 'hex'), 'ippan01', 'token', now() + interval '1 day')`);
  const r = onshictl(['migrate'], { ONSHI_DATABASE_URL: pg.conninfo(name) });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /applied 0011_sessions_end_for_good\napplied 0012_csv_inert\napplied 0013_admin_checks/);
  assert.doesNotMatch(r.stdout, /applied 00(0\d|10)_/);
  assert.equal(pg.psql(name, 'SELECT max(version) FROM schema_version'), String(SCHEMA_VERSION));
  // The rows from before are kept; an admin's check can now be written; the CSV rule exists.
  assert.equal(pg.psql(name, "SELECT count(*) FROM qualification_checks WHERE institution_code = '1311555555'"), '1');
  pg.psql(name, `INSERT INTO qualification_checks (institution_code, account_id, account_kind, route, reference_classification, validity, result_status)
    VALUES ('1311555555', 'kanri01', 'admin', 'screen', '2', '1', '1')`);
  assert.equal(pg.psql(name, "SELECT onshi_csv_inert('=1+1') || '|' || onshi_csv_inert('山田')"), "'=1+1|山田");
  // The disabled account's token from before the upgrade ends when the account is enabled.
  assert.equal(pg.psql(name, "SELECT count(*) FROM sessions WHERE user_id = 'ippan01'"), '1');
  pg.psql(name, "UPDATE accounts SET enabled = true WHERE institution_code = '1311555555' AND user_id = 'ippan01'");
  assert.equal(pg.psql(name, "SELECT count(*) FROM sessions WHERE user_id = 'ippan01'"), '0');
});

test('institution create prints both operator accounts once and stores only salted hashes', () => {
  const r = create('1311234561', 'medical');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.institution_code, '1311234561');
  assert.equal(out.master.user_id, 'M1311234561');
  assert.equal(out.master_reset.user_id, 'MR1311234561');
  for (const acct of [out.master, out.master_reset]) {
    assert.match(acct.initial_password, /^[A-HJ-NP-Za-km-np-z2-9]{20}$/);
  }
  assert.notEqual(out.master.initial_password, out.master_reset.initial_password);
  const rows = pg.psql(db, "SELECT user_id, role, password_is_initial, password_hash FROM accounts WHERE institution_code = '1311234561' ORDER BY user_id").split('\n');
  assert.equal(rows.length, 2);
  assert.match(rows[0], /^M1311234561\|master\|t\|\$sha256\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
  assert.match(rows[1], /^MR1311234561\|master_reset\|t\|\$sha256\$/);
  const stored = pg.psql(db, 'SELECT string_agg(password_hash, \' \') FROM accounts');
  assert.ok(!stored.includes(out.master.initial_password), 'plain password never stored');
  const audit = pg.psql(db, "SELECT actor_kind, action, target FROM audit_log WHERE institution_code = '1311234561'");
  assert.equal(audit, 'operator|institution.create|1311234561');
});

test('institution create prints a readable summary without --json', () => {
  const r = ctl('institution', 'create', '--code', '0141234562', '--name', '北海道試験薬局',
    '--kind', 'pharmacy', '--start-date', '2027-01-01');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /master account: +user ID M0141234562 +initial password [A-Za-z2-9]{20}/);
  assert.match(r.stdout, /shown only now/);
});

test('a second create of the same code exits 11 with institution.exists and changes nothing', () => {
  assert.equal(create('2731234563', 'dental').status, 0);
  const before = pg.psql(db, "SELECT password_hash FROM accounts WHERE institution_code = '2731234563' ORDER BY user_id");
  const r = create('2731234563', 'dental');
  assert.equal(r.status, 11);
  assert.match(r.stderr, /institution\.exists: この医療機関コードは既に登録されています。/);
  assert.equal(pg.psql(db, "SELECT password_hash FROM accounts WHERE institution_code = '2731234563' ORDER BY user_id"), before);
});

test('institution codes are validated: shape, prefecture, 点数表番号 against the kind', () => {
  const cases = [
    ['131123456', 'medical', 'institution.code.format'],
    ['13112345678', 'medical', 'institution.code.format'],
    ['13112345a7', 'medical', 'institution.code.format'],
    ['0011234567', 'medical', 'institution.code.prefecture'],
    ['4811234567', 'medical', 'institution.code.prefecture'],
    ['1341234567', 'medical', 'institution.code.table_number'],
    ['1311234567', 'pharmacy', 'institution.code.table_number'],
    ['1321234567', 'dental', 'institution.code.table_number'],
    ['1311234567', 'hospital', 'institution.kind.invalid'],
  ];
  for (const [code, kind, err] of cases) {
    const r = create(code, kind);
    assert.equal(r.status, 10, `${code} ${kind}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(err.replace(/\./g, '\\.')), `${code} ${kind}`);
  }
  for (const [code, kind] of [['0161234568', 'home_nursing'], ['4731234569', 'dental']]) {
    assert.equal(create(code, kind).status, 0, code);
  }
});

test('dates and names are validated', () => {
  const badDate = ctl('institution', 'create', '--code', '1311111111', '--name', 'x', '--kind', 'medical', '--start-date', '2026-02-30');
  assert.equal(badDate.status, 10);
  assert.match(badDate.stderr, /institution\.date\.invalid/);
  const longName = ctl('institution', 'create', '--code', '1311111111', '--name', '医'.repeat(101), '--kind', 'medical', '--start-date', '2026-02-01');
  assert.equal(longName.status, 10);
  assert.match(longName.stderr, /institution\.name\.invalid/);
  const ctlName = ctl('institution', 'create', '--code', '1311111111', '--name', 'a\tb', '--kind', 'medical', '--start-date', '2026-02-01');
  assert.equal(ctlName.status, 10);
  assert.equal(pg.psql(db, "SELECT count(*) FROM institutions WHERE institution_code = '1311111111'"), '0');
});

test('missing or unknown arguments exit 2 with usage', () => {
  const missing = ctl('institution', 'create', '--code', '1311111111');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--name is required/);
  assert.equal(ctl('institution', 'create', '--colour', 'red').status, 2);
  assert.equal(ctl('frobnicate').status, 2);
  assert.equal(onshictl([], env).status, 2);
});

test('institution list shows every institution with its account count', () => {
  assert.equal(create('3811234560', 'medical').status, 0);
  const r = ctl('--json', 'institution', 'list');
  assert.equal(r.status, 0);
  const row = JSON.parse(r.stdout).find((i) => i.institution_code === '3811234560');
  assert.deepEqual(row, { institution_code: '3811234560', name: '試験医療機関', kind: 'medical', start_date: '2026-12-01', accounts: 2 });
  const text = ctl('institution', 'list');
  assert.match(text.stdout, /3811234560 +medical +2026-12-01 +2 +試験医療機関/);
});

test('institution relate records and updates related institutions, validating them', () => {
  assert.equal(create('2211234564', 'medical').status, 0);
  const args = ['institution', 'relate', '--code', '2211234564', '--related-code', '2211234999'];
  const r = ctl(...args, '--name', '旧診療所', '--established', '2001-04-01', '--abolished', '2020-03-31');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(ctl(...args, '--name', '旧診療所（改称）', '--established=2001-04-01').status, 0);
  assert.equal(pg.psql(db, "SELECT name, established_on, abolished_on FROM related_institutions WHERE institution_code = '2211234564'"),
    '旧診療所（改称）|2001-04-01|');
  const order = ctl(...args, '--name', 'x', '--established', '2020-01-01', '--abolished', '2019-01-01');
  assert.equal(order.status, 10);
  assert.match(order.stderr, /institution\.date\.order/);
  const unknown = ctl('institution', 'relate', '--code', '2211299999', '--related-code', '2211234999', '--name', 'x');
  assert.equal(unknown.status, 12);
  assert.match(unknown.stderr, /institution\.not_found/);
  assert.equal(pg.psql(db, "SELECT count(*) FROM audit_log WHERE institution_code = '2211234564' AND action = 'institution.relate'"), '2');
});

test('demo creates the demo institution once and is idempotent afterwards', () => {
  const first = ctl('--json', 'demo');
  assert.equal(first.status, 0, first.stderr);
  const out = JSON.parse(first.stdout);
  assert.equal(out.institution_code, '1319900019');
  assert.match(out.master.initial_password, /^[A-Za-z2-9]{20}$/);
  const second = ctl('--json', 'demo');
  assert.equal(second.status, 0);
  assert.deepEqual(JSON.parse(second.stdout), { institution_code: '1319900019', created: false });
});

test('the audit log is append-only', () => {
  assert.equal(create('1411234565', 'medical').status, 0);
  assert.throws(() => pg.psql(db, "UPDATE audit_log SET action = 'x' WHERE institution_code = '1411234565'"), /append-only/);
  assert.throws(() => pg.psql(db, "DELETE FROM audit_log WHERE institution_code = '1411234565'"), /append-only/);
});

test('commands on an unmigrated database exit 5 and say to migrate', () => {
  const r = onshictl(['institution', 'list'], { ONSHI_DATABASE_URL: pg.conninfo(pg.createDatabase()) });
  assert.equal(r.status, 5);
  assert.match(r.stderr, /run 'onshictl migrate'/);
});

test('an unreachable database exits 4', () => {
  const r = onshictl(['migrate'], { ONSHI_DATABASE_URL: `host=${path.join(os.tmpdir(), 'onshi-no-such-socket-dir')} dbname=x` });
  assert.equal(r.status, 4);
  assert.match(r.stderr, /cannot connect to PostgreSQL/);
});

test('a bad configuration exits 3 naming the key', () => {
  const r = onshictl(['migrate'], { ...env, ONSHI_DB_RETRY_LIMIT: '99' });
  assert.equal(r.status, 3);
  assert.match(r.stderr, /db_retry_limit must be an integer from 0 to 20/);
});

// 「実施機関で初期化します」 (manual ch. 2 §3(2)): the master and master-reset accounts have no
// account above them, so only the operator gives them a new initial password.
test('account reset gives a locked master-reset account whose initial password lapsed a new one; its sessions and tokens end; audited as the operator', async () => {
  const code = '1311234572';
  const inst = createInstitution(pg, db, code);
  const srv = await startOnshid({ database: pg.conninfo(db) });
  try {
    const master = await signedIn(srv, code, inst.master.user_id, inst.master.initial_password);
    const made = await json(await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01', name: '管理', name_kana: 'カンリ', start_date: '2020-04-01' }), 201);
    const admin = await signedIn(srv, code, 'kanri01', made.initial_password);

    const rid = inst.master_reset.user_id;
    const old = inst.master_reset.initial_password;
    const signIn = (route, password) => fetch(`${srv.base}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ institution_code: code, user_id: rid, password }) });
    // An open session and an API token, both taken with the initial password.
    let res = await signIn('/api/v1/session', old);
    assert.equal(res.status, 200);
    const cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
    const { access_token: token } = await json(await signIn('/api/v1/tokens', old));
    const byCookie = () => fetch(`${srv.base}/api/v1/session`, { headers: { Cookie: `onshi_session=${cookie}` } });
    const byToken = () => fetch(`${srv.base}/api/v1/session`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal((await byCookie()).status, 200);
    assert.equal((await byToken()).status, 200);
    // Locked by wrong passwords, and the initial password has lapsed (31 days old).
    for (let i = 0; i < 5; i++) assert.equal((await signIn('/api/v1/session', 'Wrong-pass-1')).status, 401);
    const account = `institution_code = '${code}' AND user_id = '${rid}'`;
    pg.psql(db, `UPDATE accounts SET password_set_at = now() - interval '31 days' WHERE ${account}`);
    assert.equal(pg.psql(db, `SELECT locked_at IS NOT NULL, failed_logins FROM accounts WHERE ${account}`), 't|5');
    assert.equal((await signIn('/api/v1/session', old)).status, 401);

    const r = ctl('account', 'reset', '--institution', code, '--account', 'master_reset', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = JSON.parse(r.stdout);
    assert.match(out.initial_password, /^[A-HJ-NP-Za-km-np-z2-9]{20}$/);
    assert.deepEqual({ ...out, initial_password: undefined, expires_at: undefined }, { institution_code: code, user_id: rid, role: 'master_reset',
      initial_password: undefined, expires_at: undefined, unlocked: true, sessions_ended: 2 });
    // The same validity as the server's own resets: initial_password_days (30) from now.
    const days = (Date.parse(out.expires_at) - Date.now()) / 86400e3;
    assert.ok(days > 29.99 && days <= 30, out.expires_at);
    assert.equal(pg.psql(db, `SELECT password_is_initial, failed_logins, locked_at IS NULL, password_hash LIKE '$sha256$%' FROM accounts WHERE ${account}`), 't|0|t|t');
    assert.equal(pg.psql(db, `SELECT count(*) FROM sessions WHERE ${account}`), '0');

    // The old password fails; the cookie and the token are gone for good; the lock is gone.
    assert.equal((await json(await signIn('/api/v1/session', old), 401)).error.code, 'auth.failed');
    assert.equal((await byCookie()).status, 401);
    assert.equal((await byToken()).status, 401);
    const fresh = await json(await signIn('/api/v1/session', out.initial_password));
    assert.equal(fresh.account.password_change_required, true);
    assert.equal(fresh.account.password_state, 'initial');
    await signedIn(srv, code, rid, out.initial_password, 'Sakura2027!');

    // 操作履歴 shows the operator's action.
    const audit = await json(await admin('GET', `/api/v1/audit-events?action=account.password_reset&target=${rid}`));
    assert.equal(audit.total, 1);
    const [ev] = audit.items;
    assert.equal(ev.actor_kind, 'operator');
    assert.match(ev.source, /^onshictl@/);
    assert.deepEqual(ev.details, { role: 'master_reset', unlocked: true, sessions_ended: 2 });

    // The master account too, by its user ID, in the readable form.
    const m = ctl('account', 'reset', '--institution', code, '--account', inst.master.user_id);
    assert.equal(m.status, 0, m.stderr);
    const pw = /new initial password ([A-Za-z2-9]{20})\n/.exec(m.stdout)[1];
    assert.match(m.stdout, /shown only now/);
    assert.equal((await master('GET', '/api/v1/accounts')).status, 401);
    await signedIn(srv, code, inst.master.user_id, pw, 'Sakura2027!');

    // The passwords appear nowhere but on onshictl's stdout.
    for (const secret of [out.initial_password, pw]) {
      assert.ok(!r.stderr.includes(secret) && !m.stderr.includes(secret), 'not in onshictl stderr');
      assert.ok(!srv.log().includes(secret), 'not in onshid log');
    }
  } finally {
    await srv.stop();
  }
});

test('account reset refuses an unknown institution, an unknown account and other kinds of account, changing nothing', () => {
  const code = '1311234573';
  createInstitution(pg, db, code);
  pg.psql(db, `INSERT INTO accounts (institution_code, user_id, role, start_date, password_hash) VALUES ('${code}', 'kanri01', 'admin', '2020-04-01', '$sha256$x$y')`);
  pg.psql(db, `UPDATE accounts SET failed_logins = 5, locked_at = now() WHERE institution_code = '${code}'`);
  pg.psql(db, `INSERT INTO sessions (institution_code, secret_hash, user_id, kind, expires_at)
    VALUES ('${code}', decode(repeat('cd', 32), 'hex'), 'MR${code}', 'token', now() + interval '1 day')`);
  const state = () => pg.psql(db, `SELECT string_agg(user_id || password_hash || failed_logins || locked_at, ',' ORDER BY user_id) FROM accounts WHERE institution_code = '${code}'`) +
    pg.psql(db, `SELECT count(*) FROM sessions WHERE institution_code = '${code}'`) +
    pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${code}'`);
  const before = state();
  const reset = (inst, account, e = env) => onshictl(['account', 'reset', '--institution', inst, '--account', account], e);
  const cases = [
    [reset('1311299999', 'master_reset'), 12, /institution\.not_found: 指定された医療機関は登録されていません。/],
    [reset(code, 'nobody1'), 13, /account\.not_found: 指定されたアカウントは存在しません。/],
    [reset(code, 'kanri01'), 14, /kanri01: account\.operator_reset\.kind: 実施機関が初期化できるのは/],
    [reset(code, 'admin'), 14, /account\.operator_reset\.kind/],
    [reset('13112345', 'master'), 10, /institution\.code\.format/],
    [onshictl(['account', 'reset', '--institution', code], env), 2, /--account is required/],
    [reset(code, 'master_reset', { ONSHI_DATABASE_URL: `host=${path.join(os.tmpdir(), 'onshi-no-such-socket-dir')} dbname=x` }), 4, /cannot connect to PostgreSQL/],
  ];
  for (const [r, status, message] of cases) {
    assert.equal(r.status, status, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }
  assert.equal(state(), before);
  assert.match(ctl('--help').stdout, /account reset --institution CODE --account master\|master_reset/);
  assert.match(ctl('--help').stdout, /13 account not found, 14 account of a kind onshictl does not initialise/);
});

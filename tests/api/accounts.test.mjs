// Registering and reading accounts: who may register whom, the ID and name rules of manual
// ch. 2, uniqueness including deleted IDs, and what each manager may see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, startOnshid, onshictl } from '../support/harness.mjs';

let pg;
let db;
let srv;
let clinic; // a signed-in master of a clinic, then its admin
let pharmacyAdmin;

function createInstitution(code, kind) {
  const r = onshictl(['--json', 'institution', 'create', '--code', code, '--name', 'アカウント試験',
    '--kind', kind, '--start-date', '2020-04-01'], { ONSHI_DATABASE_URL: pg.conninfo(db) });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function cookieOf(res) {
  return /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie') || '')[1];
}

// Signs in and, when asked to, changes the initial password; returns a request helper.
async function session(code, userId, password, changeTo = 'Sakura2026!') {
  let res = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: code, user_id: userId, password }) });
  assert.equal(res.status, 200, `${userId} signs in`);
  let cookie = cookieOf(res);
  let { csrf_token: csrf } = await res.json();
  const call = (method, path, body) => fetch(`${srv.base}${path}`, {
    method,
    headers: { Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (changeTo) {
    res = await call('PUT', '/api/v1/session/password', { current_password: password, new_password: changeTo });
    assert.equal(res.status, 200);
    cookie = cookieOf(res);
    csrf = (await res.json()).csrf_token;
  }
  return call;
}

const account = (role, userId, extra = {}) => ({ role, user_id: userId, name: '山田 太郎', name_kana: 'ﾔﾏﾀﾞ ﾀﾛｳ', start_date: '2020-04-01', ...extra });

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
  const c = createInstitution('1313000001', 'medical');
  const p = createInstitution('2743000001', 'pharmacy');
  const master = await session('1313000001', c.master.user_id, c.master.initial_password);
  const made = await master('POST', '/api/v1/accounts', account('admin', 'kanri01'));
  assert.equal(made.status, 201);
  const { initial_password: pw } = await made.json();
  clinic = { master, admin: await session('1313000001', 'kanri01', pw) };
  const pmaster = await session('2743000001', p.master.user_id, p.master.initial_password);
  const padmin = await (await pmaster('POST', '/api/v1/accounts', account('admin', 'kanri01'))).json();
  pharmacyAdmin = await session('2743000001', 'kanri01', padmin.initial_password);
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  pg?.stop();
});

test('a registered account comes back with full-width names, its state and a one-time initial password', async () => {
  const res = await clinic.admin('POST', '/api/v1/accounts', account('general', 'staff01', { end_date: '2030-03-31' }));
  assert.equal(res.status, 201);
  const body = await res.json();
  assert.match(body.initial_password, /^[A-HJ-NP-Za-km-np-z2-9]{20}$/);
  const a = body.account;
  assert.equal(a.user_id, 'staff01');
  assert.equal(a.role_label, '一般利用者');
  assert.equal(a.name, '山田　太郎');
  assert.equal(a.name_kana, 'ヤマダ　タロウ');
  assert.equal(a.end_date, '2030-03-31');
  assert.equal(a.enabled, true);
  assert.equal(a.locked, false);
  assert.equal(a.password_state, 'initial');
  assert.ok(Date.parse(a.password_expires_at) - Date.now() > 29 * 86400e3);
  assert.equal(a.last_login_at, null);
  assert.equal(a.version, 1);
  assert.equal(pg.psql(db, "SELECT count(*) FROM audit_log WHERE institution_code = '1313000001' AND action = 'account.create' AND target = 'staff01'"), '1');
});

test('the master registers only admins, an admin only the five lower kinds', async () => {
  const byMaster = await clinic.master('POST', '/api/v1/accounts', account('general', 'gen02'));
  assert.equal(byMaster.status, 403);
  assert.equal((await byMaster.json()).error.code, 'auth.forbidden');
  const byAdmin = await clinic.admin('POST', '/api/v1/accounts', account('admin', 'adm02'));
  assert.equal(byAdmin.status, 403);
  for (const [role, id] of [['medical_viewer', 'view01'], ['webapi', 'A0123'], ['linked_app', 'R0123'], ['face_reader', 'F0123']]) {
    assert.equal((await clinic.admin('POST', '/api/v1/accounts', account(role, id))).status, 201, role);
  }
});

test('system account prefixes depend on the kind of institution', async () => {
  const wrong = await clinic.admin('POST', '/api/v1/accounts', account('webapi', 'A1234'));
  assert.equal(wrong.status, 400);
  assert.deepEqual([(await wrong.json()).error.code], ['account.user_id.prefix']);
  assert.equal((await pharmacyAdmin('POST', '/api/v1/accounts', account('webapi', 'A1234'))).status, 201);
  assert.equal((await pharmacyAdmin('POST', '/api/v1/accounts', account('linked_app', 'R1234'))).status, 201);
  const r0 = await pharmacyAdmin('POST', '/api/v1/accounts', account('linked_app', 'R0999'));
  assert.equal((await r0.json()).error.code, 'account.user_id.prefix');
});

test('every ID and name rule answers with its own code and field', async () => {
  const cases = [
    [account('general', 'a'), 'account.user_id.length', 'user_id'],
    [account('general', 'staff-1'), 'account.user_id.charset', 'user_id'],
    [account('general', 'A0staff'), 'account.user_id.reserved_prefix', 'user_id'],
    [account('general', 'ok01', { name: '𠮷野' }), 'account.name.charset', 'name'],
    [account('general', 'ok02', { name: '一二三四五六七八九十一二三四五六七八九十一' }), 'account.name.length', 'name'],
    [account('general', 'ok03', { name_kana: 'やまだ' }), 'account.name_kana.charset', 'name_kana'],
    [account('general', 'ok04', { start_date: '2026-02-30' }), 'request.field_date', 'start_date'],
    [account('general', 'ok05', { start_date: '2026-04-01', end_date: '2026-03-31' }), 'account.date.order', 'end_date'],
    [account('master', 'ok06'), 'request.field_range', 'role'],
  ];
  for (const [body, code, field] of cases) {
    const r = await clinic.admin('POST', '/api/v1/accounts', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    const { error } = await r.json();
    assert.equal(error.code, code, JSON.stringify(body));
    assert.equal(error.field, field);
  }
  assert.equal(pg.psql(db, "SELECT count(*) FROM accounts WHERE user_id LIKE 'ok0%'"), '0');
});

test('a user ID is unique forever: taken and deleted IDs are refused', async () => {
  assert.equal((await clinic.admin('POST', '/api/v1/accounts', account('general', 'dup01'))).status, 201);
  const again = await clinic.admin('POST', '/api/v1/accounts', account('medical_viewer', 'dup01'));
  assert.equal(again.status, 409);
  assert.equal((await again.json()).error.code, 'account.user_id.taken');
  // IDs that differ only in case are one ID (a person reading the sheet could not tell them
  // apart); sign-in takes the ID exactly as registered.
  const upper = await clinic.admin('POST', '/api/v1/accounts', account('general', 'DUP01'));
  assert.deepEqual([upper.status, (await upper.json()).error.code], [409, 'account.user_id.taken']);
  pg.psql(db, "UPDATE accounts SET deleted_at = now() WHERE institution_code = '1313000001' AND user_id = 'dup01'");
  assert.equal((await clinic.admin('POST', '/api/v1/accounts', account('general', 'dup01'))).status, 409);
  assert.equal((await clinic.admin('POST', '/api/v1/accounts', account('general', 'Dup01'))).status, 409);
  // The same ID in another institution is another account.
  assert.equal((await pharmacyAdmin('POST', '/api/v1/accounts', account('general', 'dup01'))).status, 201);
});

test('a manager sees only the accounts it manages; others, deleted ones and other tenants look absent', async () => {
  assert.equal((await clinic.admin('POST', '/api/v1/accounts', account('general', 'seen01'))).status, 201);
  const seen = await clinic.admin('GET', '/api/v1/accounts/seen01');
  assert.equal(seen.status, 200);
  assert.equal((await seen.json()).account.user_id, 'seen01');
  const notFound = async (call, id) => {
    const r = await call('GET', `/api/v1/accounts/${id}`);
    assert.equal(r.status, 404, id);
    assert.equal((await r.json()).error.code, 'account.not_found');
  };
  await notFound(clinic.master, 'seen01');     // the master manages admins only
  await notFound(clinic.admin, 'kanri01');     // an admin does not manage admins
  await notFound(clinic.admin, 'nobody');
  await notFound(clinic.admin, 'dup01');       // deleted
  await notFound(pharmacyAdmin, 'seen01');     // another institution
  assert.equal((await clinic.master('GET', '/api/v1/accounts/kanri01')).status, 200);
});

test('without a session 401; with an initial password 403 password.change_required; without CSRF 403', async () => {
  assert.equal((await fetch(`${srv.base}/api/v1/accounts/seen01`)).status, 401);
  const made = await (await clinic.admin('POST', '/api/v1/accounts', account('general', 'fresh01'))).json();
  const fresh = await session('1313000001', 'fresh01', made.initial_password, null);
  const r = await fresh('GET', '/api/v1/accounts/fresh01');
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error.code, 'password.change_required');
  const login = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: '1313000001', user_id: 'kanri01', password: 'Sakura2026!' }) });
  const cookie = cookieOf(login);
  const noCsrf = await fetch(`${srv.base}/api/v1/accounts`, { method: 'POST',
    headers: { Cookie: `onshi_session=${cookie}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(account('general', 'csrf01')) });
  assert.equal(noCsrf.status, 403);
  assert.equal((await noCsrf.json()).error.code, 'auth.csrf');
});

test('search: only managed kinds, partial matches on ID and names, filters and pagination with a total', async () => {
  for (const [id, name, kana] of [['srch01', '佐藤 花子', 'ｻﾄｳ ﾊﾅｺ'], ['srch02', '佐藤 一郎', 'サトウ イチロウ'], ['srch03', '鈴木 次郎', 'スズキ ジロウ']]) {
    assert.equal((await clinic.admin('POST', '/api/v1/accounts', account('general', id, { name, name_kana: kana }))).status, 201);
  }
  const list = async (call, q) => {
    const r = await call('GET', `/api/v1/accounts?${q}`);
    assert.equal(r.status, 200, q);
    return r.json();
  };
  const byId = await list(clinic.admin, 'user_id=SRCH');
  assert.deepEqual(byId.items.map((a) => a.user_id), ['srch01', 'srch02', 'srch03']);
  assert.equal(byId.total, 3);
  assert.deepEqual((await list(clinic.admin, `name=${encodeURIComponent('佐藤')}`)).items.map((a) => a.user_id), ['srch01', 'srch02']);
  assert.deepEqual((await list(clinic.admin, `name_kana=${encodeURIComponent('ｻﾄｳ')}`)).items.map((a) => a.user_id), ['srch01', 'srch02']);
  const page2 = await list(clinic.admin, 'user_id=srch&per_page=2&page=2');
  assert.deepEqual(page2.items.map((a) => a.user_id), ['srch03']);
  assert.equal(page2.total, 3);
  const past = await list(clinic.admin, 'user_id=srch&per_page=2&page=9');
  assert.deepEqual([past.items.length, past.total], [0, 3]);
  // The admin manages no admins; the master sees only admins.
  assert.equal((await list(clinic.admin, 'role=admin')).total, 0);
  assert.deepEqual((await list(clinic.master, '')).items.map((a) => a.role), ['admin']);
  pg.psql(db, "UPDATE accounts SET enabled = false WHERE institution_code = '1313000001' AND user_id = 'srch03'");
  assert.deepEqual((await list(clinic.admin, 'user_id=srch&enabled=false')).items.map((a) => a.user_id), ['srch03']);
  assert.deepEqual((await list(clinic.admin, 'user_id=srch&locked=true')).items, []);
  // Another institution's accounts never appear.
  assert.equal((await list(pharmacyAdmin, 'user_id=srch')).total, 0);
  for (const [q, code, field] of [['enabled=maybe', 'request.field_type', 'enabled'], ['per_page=101', 'request.field_range', 'per_page'],
    ['start_from=2026-13-01', 'request.field_date', 'start_from'], ['role=boss', 'request.field_range', 'role']]) {
    const r = await clinic.admin('GET', `/api/v1/accounts?${q}`);
    assert.equal(r.status, 400, q);
    const { error } = await r.json();
    assert.deepEqual([error.code, error.field], [code, field]);
  }
});

test('update: names, enabled and dates with the current version; a stale version is refused; audited', async () => {
  const made = await (await clinic.admin('POST', '/api/v1/accounts', account('general', 'upd01'))).json();
  const r = await clinic.admin('PATCH', '/api/v1/accounts/upd01', { name: 'ｽｽﾞｷ', end_date: '2031-03-31', version: made.account.version });
  assert.equal(r.status, 200);
  const a = (await r.json()).account;
  assert.deepEqual([a.name, a.end_date, a.version, a.name_kana], ['スズキ', '2031-03-31', 2, made.account.name_kana]);
  const stale = await clinic.admin('PATCH', '/api/v1/accounts/upd01', { enabled: false, version: 1 });
  assert.equal(stale.status, 409);
  assert.equal((await stale.json()).error.code, 'account.version_conflict');
  const crossed = await clinic.admin('PATCH', '/api/v1/accounts/upd01', { start_date: '2032-01-01', version: 2 });
  assert.equal((await crossed.json()).error.code, 'account.date.order');
  const unknown = await clinic.admin('PATCH', '/api/v1/accounts/upd01', { user_id: 'x', version: 2 });
  assert.equal((await unknown.json()).error.code, 'request.unknown_field');
  const missing = await clinic.admin('PATCH', '/api/v1/accounts/upd01', { enabled: false });
  assert.equal((await missing.json()).error.field, 'version');
  const audit = JSON.parse(pg.psql(db, "SELECT details FROM audit_log WHERE action = 'account.update' AND target = 'upd01'"));
  assert.deepEqual(audit.name, { before: '山田　太郎', after: 'スズキ' });
  // Only accounts one manages can be updated.
  assert.equal((await clinic.master('PATCH', '/api/v1/accounts/upd01', { enabled: false, version: 2 })).status, 404);
});

test('disabling an account ends its sessions at once', async () => {
  const made = await (await clinic.admin('POST', '/api/v1/accounts', account('general', 'dis01'))).json();
  const user = await session('1313000001', 'dis01', made.initial_password);
  assert.equal((await user('GET', '/api/v1/session')).status, 200);
  // The password change bumped the version: use the current one.
  const { version } = (await (await clinic.admin('GET', '/api/v1/accounts/dis01')).json()).account;
  assert.equal(version, 2);
  assert.equal((await clinic.admin('PATCH', '/api/v1/accounts/dis01', { enabled: false, version })).status, 200);
  assert.equal((await user('GET', '/api/v1/session')).status, 401);
});

// Issue 17 §3: a session that a disable (or a period's end) stopped stays stopped when the
// account can sign in again; the user signs in anew.
test('re-enabling an account, or moving its end date back, does not revive its old cookie or token', async () => {
  const made = await (await clinic.admin('POST', '/api/v1/accounts', account('webapi', 'A0rev1'))).json();
  const user = await session('1313000001', 'A0rev1', made.initial_password);
  const tok = await (await fetch(`${srv.base}/api/v1/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: '1313000001', user_id: 'A0rev1', password: 'Sakura2026!' }) })).json();
  const bearer = () => fetch(`${srv.base}/api/v1/session`, { headers: { Authorization: `Bearer ${tok.access_token}` } });
  assert.equal((await user('GET', '/api/v1/session')).status, 200);
  assert.equal((await bearer()).status, 200);
  const version = async () => (await (await clinic.admin('GET', '/api/v1/accounts/A0rev1')).json()).account.version;
  const patch = async (body) => assert.equal((await clinic.admin('PATCH', '/api/v1/accounts/A0rev1', { ...body, version: await version() })).status, 200);

  await patch({ enabled: false });
  assert.equal((await user('GET', '/api/v1/session')).status, 401);
  assert.equal((await bearer()).status, 401);
  await patch({ enabled: true });
  assert.equal((await user('GET', '/api/v1/session')).status, 401, 'the cookie stays ended');
  assert.equal((await bearer()).status, 401, 'the token stays ended');
  assert.equal(pg.psql(db, "SELECT count(*) FROM sessions WHERE user_id = 'A0rev1'"), '0');

  // The period: a new session, the end date passed (as at midnight), then moved on again.
  const again = await session('1313000001', 'A0rev1', 'Sakura2026!', null);
  assert.equal((await again('GET', '/api/v1/session')).status, 200);
  pg.psql(db, "UPDATE accounts SET end_date = (now() AT TIME ZONE 'Asia/Tokyo')::date - 1 WHERE user_id = 'A0rev1'");
  assert.equal((await again('GET', '/api/v1/session')).status, 401);
  await patch({ end_date: '2099-12-31' });
  assert.equal((await again('GET', '/api/v1/session')).status, 401, 'the session stays ended');
  // The account itself works: it signs in anew.
  assert.equal((await (await session('1313000001', 'A0rev1', 'Sakura2026!', null))('GET', '/api/v1/session')).status, 200);
});

// Issue 17 §8: bytes that are not UTF-8 in a query reached SQL (503 and an SQL error line).
test('query arguments that are not UTF-8, or hold a NUL, get 400 request.bad_encoding before any SQL', async () => {
  const logBefore = srv.log().length;
  for (const q of ['/api/v1/audit-events?actor=%ff', '/api/v1/audit-events?action=%ff', '/api/v1/accounts?user_id=%ff',
    '/api/v1/accounts?name=%e3%81', '/api/v1/accounts?user_id=a%00b', '/api/v1/accounts?%ff=1', '/api/v1/accounts?kana=%ed%a0%80']) {
    const res = await clinic.admin('GET', q);
    assert.equal(res.status, 400, q);
    assert.equal((await res.json()).error.code, 'request.bad_encoding', q);
  }
  assert.equal((await clinic.admin('GET', '/api/v1/accounts?name=%E5%B1%B1%E7%94%B0')).status, 200, 'UTF-8 (山田) is fine');
  assert.doesNotMatch(srv.log().slice(logBefore), /SQL|ERROR|invalid byte sequence/);
});

test('delete leaves a tombstone: gone from reads, the ID never reusable, sessions ended', async () => {
  const made = await (await clinic.admin('POST', '/api/v1/accounts', account('general', 'del01'))).json();
  const user = await session('1313000001', 'del01', made.initial_password);
  assert.equal((await clinic.admin('DELETE', '/api/v1/accounts/del01')).status, 204);
  assert.equal((await clinic.admin('GET', '/api/v1/accounts/del01')).status, 404);
  assert.equal((await clinic.admin('DELETE', '/api/v1/accounts/del01')).status, 404);
  assert.equal((await user('GET', '/api/v1/session')).status, 401);
  assert.equal((await clinic.admin('POST', '/api/v1/accounts', account('general', 'del01'))).status, 409);
  assert.equal(pg.psql(db, "SELECT count(*) FROM audit_log WHERE action = 'account.delete' AND target = 'del01'"), '1');
});

test('password initialisation gives a new initial password, clears the lock, and follows who-initialises-whom', async () => {
  const made = await (await clinic.admin('POST', '/api/v1/accounts', account('general', 'rst01'))).json();
  for (let i = 0; i < 5; i++) {
    await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ institution_code: '1313000001', user_id: 'rst01', password: `bad${i}` }) });
  }
  assert.equal((await (await clinic.admin('GET', '/api/v1/accounts/rst01')).json()).account.locked, true);
  const r = await clinic.admin('POST', '/api/v1/accounts/rst01/password-reset');
  assert.equal(r.status, 200);
  const { initial_password: pw, expires_at: exp } = await r.json();
  assert.notEqual(pw, made.initial_password);
  assert.ok(Date.parse(exp) - Date.now() > 29 * 86400e3);
  const after = (await (await clinic.admin('GET', '/api/v1/accounts/rst01')).json()).account;
  assert.deepEqual([after.locked, after.password_state], [false, 'initial']);
  await session('1313000001', 'rst01', pw); // signs in with it
  // The master initialises admins, not general accounts; nobody initialises their own kind.
  assert.equal((await clinic.master('POST', '/api/v1/accounts/rst01/password-reset')).status, 404);
  assert.equal((await clinic.admin('POST', '/api/v1/accounts/kanri01/password-reset')).status, 404);
  const again = await clinic.master('POST', '/api/v1/accounts/kanri01/password-reset');
  assert.equal(again.status, 200);
  // That ended the admin's sessions: sign in again for the tests that follow.
  clinic.admin = await session('1313000001', 'kanri01', (await again.json()).initial_password, 'Sakura2027!');
  assert.equal((await clinic.admin('GET', '/api/v1/accounts/rst01')).status, 200);
});

test('the master-reset account initialises the master', async () => {
  const inst = createInstitution('1313000099', 'medical');
  const reset = await session('1313000099', inst.master_reset.user_id, inst.master_reset.initial_password);
  const r = await reset('POST', `/api/v1/accounts/${inst.master.user_id}/password-reset`);
  assert.equal(r.status, 200);
  const { initial_password: pw } = await r.json();
  await session('1313000099', inst.master.user_id, pw);
  assert.equal((await reset('POST', `/api/v1/accounts/${inst.master_reset.user_id}/password-reset`)).status, 404);
});

test('an admin reads its own institution\'s audit log with filters and pages; others may not', async () => {
  const list = async (q) => {
    const r = await clinic.admin('GET', `/api/v1/audit-events?${q}`);
    assert.equal(r.status, 200, q);
    return r.json();
  };
  const all = await list('');
  assert.ok(all.total >= 10);
  assert.ok(all.items.every((e, i, a) => i === 0 || a[i - 1].id > e.id), 'newest first');
  const created = await list('action=account.create&actor=kanri01&per_page=2');
  assert.equal(created.items.length, 2);
  assert.ok(created.items.every((e) => e.action === 'account.create' && e.actor === 'kanri01'));
  assert.ok(created.total > 2);
  const signins = await list('action=signin.succeeded');
  assert.ok(signins.items.length > 0 && signins.items.every((e) => e.source === '127.0.0.1'));
  assert.equal((await list('from=2099-01-01')).total, 0);
  const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10); // JST
  assert.equal((await list(`from=${today}&to=${today}`)).total, all.total);
  // Nothing from the pharmacy's log.
  assert.ok(all.items.every((e) => !JSON.stringify(e).includes('2743000001')));
  assert.equal((await clinic.master('GET', '/api/v1/audit-events')).status, 403);
  const bad = await clinic.admin('GET', '/api/v1/audit-events?from=yesterday');
  assert.deepEqual([bad.status, (await bad.json()).error.field], [400, 'from']);
});

test('GET /session lists what the account may use now; other kinds are forbidden the rest', async () => {
  const caps = async (call) => (await (await call('GET', '/api/v1/session')).json());
  const admin = await caps(clinic.admin);
  // 訪問診療等・オンライン診療等 (visit) only while one of its functions is on; card readers
  // (readers) only once the institution has some.
  // 資格確認 too: administrators may use the business screens (manual ch. 2 §1(1)).
  assert.deepEqual(admin.capabilities, ['session', 'qualification', 'accounts', 'bulk', 'settings', 'test_data', 'audit', 'history_checks', 'history_views']);
  // The manual's menu (ch. 1 §2): its groups, items and words, in its order.
  assert.deepEqual(admin.menu.map((m) => `${m.group}/${m.label}`), ['マイナンバーカードで確認/資格情報照会（マイナンバーカード）',
    '保険証／処方箋で確認/資格情報照会（被保険者証）', 'アカウント情報管理/アカウント管理（登録）', 'アカウント情報管理/アカウント管理（更新）',
    'アカウント情報管理/パスワード変更', 'アカウント一括登録/アカウント一括登録', 'アカウント一括登録/アカウント一括登録結果',
    '問い合わせ管理/資格確認履歴照会', '問い合わせ管理/医療情報閲覧履歴照会', '環境設定情報管理/環境設定情報更新',
    '環境設定情報管理/テスト用データセットアップ', '操作履歴/操作履歴']);
  for (const m of admin.menu) assert.ok(admin.capabilities.includes(m.capability), m.id);
  // master_reset registers no kind: アカウント管理（更新） and パスワード変更 only.
  const { reset } = await institutionWithAdmin('1313000071');
  assert.deepEqual((await caps(reset)).menu.map((m) => m.id), ['account_update', 'password']);
  pg.psql(db, "INSERT INTO readers (institution_code, name) VALUES ('1313000001', 'Virtual PCD 00 00')");
  const withReaders = await caps(clinic.admin);
  assert.equal(withReaders.capabilities.at(-1), 'readers');
  assert.deepEqual(withReaders.menu.slice(-3).map((m) => m.label), ['顔認証付きカードリーダー操作', '顔認証付きカードリーダー環境設定', '操作履歴']);
  pg.psql(db, "DELETE FROM readers WHERE institution_code = '1313000001'");
  pg.psql(db, "INSERT INTO reader_services (institution_code, up) VALUES ('1313000001', false)");
  assert.equal((await caps(clinic.admin)).capabilities.at(-1), 'readers', 'a bridge that reported, even with pcscd down');
  pg.psql(db, "DELETE FROM reader_services WHERE institution_code = '1313000001'");
  assert.deepEqual(admin.institution, { institution_code: '1313000001', name: 'アカウント試験', kind: 'medical', not_started: false, environment: 'verification' });
  assert.deepEqual([admin.account.name, admin.account.name_kana], ['山田　太郎', 'ヤマダ　タロウ']);
  assert.deepEqual((await caps(clinic.master)).capabilities, ['session', 'accounts', 'bulk']);
  const made = await (await clinic.admin('POST', '/api/v1/accounts', account('general', 'cap01'))).json();
  const initial = await session('1313000001', 'cap01', made.initial_password, null);
  assert.deepEqual((await caps(initial)).capabilities, ['session']);
  const general = await session('1313000001', 'cap01', made.initial_password);
  assert.deepEqual((await caps(general)).capabilities, ['session', 'qualification', 'history_checks']);
  const r = await general('GET', '/api/v1/accounts');
  assert.equal(r.status, 403);
  assert.equal((await r.json()).error.code, 'auth.forbidden');
});

test('before the usage start date only account management (single and bulk), environment settings (with test data) and the password change are open', async () => {
  const later = onshictl(['--json', 'institution', 'create', '--code', '1313000077', '--name', '開始前医院',
    '--kind', 'medical', '--start-date', '2099-04-01'], { ONSHI_DATABASE_URL: pg.conninfo(db) });
  const inst = JSON.parse(later.stdout);
  const master = await session('1313000077', inst.master.user_id, inst.master.initial_password);
  const made = await master('POST', '/api/v1/accounts', account('admin', 'kanri01'));
  assert.equal(made.status, 201);
  const admin = await session('1313000077', 'kanri01', (await made.json()).initial_password);
  const me = await (await admin('GET', '/api/v1/session')).json();
  assert.equal(me.institution.not_started, true);
  // テスト用データセットアップ sits under 環境設定情報管理 in the manual's menu: rehearsals
  // come before the start.
  assert.deepEqual(me.capabilities, ['session', 'accounts', 'bulk', 'settings', 'test_data']);
  assert.equal((await admin('GET', '/api/v1/accounts')).status, 200);
  const audit = await admin('GET', '/api/v1/audit-events');
  assert.equal(audit.status, 403);
  assert.equal((await audit.json()).error.code, 'institution.not_started');
});

// A fresh institution with a signed-in master, master_reset and admin.
async function institutionWithAdmin(code) {
  const inst = createInstitution(code, 'medical');
  const master = await session(code, inst.master.user_id, inst.master.initial_password);
  const reset = await session(code, inst.master_reset.user_id, inst.master_reset.initial_password);
  const made = await master('POST', '/api/v1/accounts', account('admin', 'kanri01'));
  assert.equal(made.status, 201);
  const admin = await session(code, 'kanri01', (await made.json()).initial_password);
  return { inst, master, reset, admin };
}

const ids = async (call, q) => {
  const r = await call('GET', `/api/v1/accounts?${q}`);
  assert.equal(r.status, 200, q);
  return (await r.json()).items.map((a) => a.user_id);
};

test('master_reset finds and opens the master, initialises it from the list, but may not update or delete it; no other kind sees more', async () => {
  const { inst, master, reset, admin } = await institutionWithAdmin('1313000060');
  const list = await (await reset('GET', '/api/v1/accounts')).json();
  assert.deepEqual(list.items.map((a) => [a.user_id, a.role]), [[inst.master.user_id, 'master']]);
  assert.equal(list.total, 1);
  assert.deepEqual(await ids(reset, 'role=master'), [inst.master.user_id]);
  assert.deepEqual(await ids(reset, 'role=admin'), []);
  const one = await reset('GET', `/api/v1/accounts/${inst.master.user_id}`);
  assert.equal(one.status, 200);
  const { version } = (await one.json()).account;
  assert.equal((await reset('GET', `/api/v1/accounts/${inst.master_reset.user_id}`)).status, 404);
  const patch = await reset('PATCH', `/api/v1/accounts/${inst.master.user_id}`, { enabled: false, version });
  assert.equal(patch.status, 404);
  assert.equal((await patch.json()).error.code, 'account.not_found');
  assert.equal((await reset('DELETE', `/api/v1/accounts/${inst.master.user_id}`)).status, 404);
  const batch = await (await reset('POST', '/api/v1/accounts/batch', { action: 'disable', accounts: [{ user_id: inst.master.user_id, version }] })).json();
  assert.equal(batch.results[0].status, 'not_found');
  assert.equal(pg.psql(db, `SELECT enabled, deleted_at IS NULL FROM accounts WHERE institution_code = '1313000060' AND user_id = '${inst.master.user_id}'`), 't|t');
  // The list's user ID is what the password initialisation takes.
  const r = await reset('POST', `/api/v1/accounts/${list.items[0].user_id}/password-reset`);
  assert.equal(r.status, 200);
  await session('1313000060', inst.master.user_id, (await r.json()).initial_password, 'Sakura2027!');
  // Nobody else's visible set changed.
  assert.equal((await master('GET', '/api/v1/accounts')).status, 401); // its sessions ended with the reset
  const again = await session('1313000060', inst.master.user_id, (await (await reset('POST', `/api/v1/accounts/${inst.master.user_id}/password-reset`)).json()).initial_password, 'Sakura2028!');
  assert.deepEqual((await (await again('GET', '/api/v1/accounts')).json()).items.map((a) => a.role), ['admin']);
  assert.equal((await again('GET', `/api/v1/accounts/${inst.master_reset.user_id}`)).status, 404);
  assert.equal((await again('GET', `/api/v1/accounts/${inst.master.user_id}`)).status, 404);
  assert.equal((await admin('POST', '/api/v1/accounts', account('general', 'gen01'))).status, 201);
  assert.deepEqual(await ids(admin, ''), ['gen01']);
  for (const id of [inst.master.user_id, inst.master_reset.user_id, 'kanri01'])
    assert.equal((await admin('GET', `/api/v1/accounts/${id}`)).status, 404, id);
  assert.deepEqual(await ids(admin, 'role=master'), []);
});

test('search by password state, initial passwords about to expire, dormant accounts, and every sort order with the user ID breaking ties', async () => {
  const code = '1313000061';
  const { admin } = await institutionWithAdmin(code);
  const make = async (role, id, extra) => assert.equal((await admin('POST', '/api/v1/accounts', account(role, id, extra))).status, 201, id);
  await make('general', 'p01', { name_kana: 'ウエダ', start_date: '2021-04-01', end_date: '2030-03-31' });
  await make('general', 'p02', { name_kana: 'アベ', start_date: '2022-04-01', end_date: '2029-03-31' });
  await make('general', 'p03', { name_kana: 'アベ', start_date: '2020-04-01', end_date: '2031-03-31' });
  await make('medical_viewer', 'p04', { name_kana: 'カトウ', start_date: '2023-04-01' });
  await make('webapi', 'A0001', { name_kana: 'システム', start_date: '2023-04-01' });
  const sql = (set, id) => pg.psql(db, `UPDATE accounts SET ${set} WHERE institution_code = '${code}' AND user_id = '${id}'`);
  // p01 initial, expiring in 5 days; p02 a chosen password (active); p03 a chosen one 100 days
  // old (expired); p04 initial, fresh; A0001 a system account's chosen password (never due).
  sql("password_set_at = now() - interval '25 days'", 'p01');
  sql("password_is_initial = false", 'p02');
  sql("password_is_initial = false, password_set_at = now() - interval '100 days'", 'p03');
  sql("password_is_initial = false, password_set_at = now() - interval '400 days'", 'A0001');
  // Sign-ins: p02 in 2025, p03 in 2026-06; p04 never but registered long ago; p01 and A0001 never, registered now.
  sql("last_login_at = '2025-05-01T00:00:00+09'", 'p02');
  sql("last_login_at = '2026-06-01T00:00:00+09'", 'p03');
  sql("created_at = '2024-01-01T00:00:00+09'", 'p04');
  const jst = (days) => new Date(Date.now() + 9 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
  assert.deepEqual(await ids(admin, 'password_state=initial'), ['p01', 'p04']);
  assert.deepEqual(await ids(admin, 'password_state=active'), ['p02']);
  assert.deepEqual(await ids(admin, 'password_state=expired&role=general'), ['p03']);
  const items = (await (await admin('GET', '/api/v1/accounts?password_state=initial')).json()).items;
  assert.ok(items.every((a) => a.password_state === 'initial'));
  // 初期パスワードの有効期限が近いアカウント: due within a week; never-due passwords never match.
  assert.deepEqual(await ids(admin, `password_state=initial&password_expires_before=${jst(7)}`), ['p01']);
  assert.deepEqual(await ids(admin, `password_expires_before=${jst(0)}`), ['p03']);
  assert.deepEqual(await ids(admin, `password_expires_before=${jst(3650)}`), ['p01', 'p02', 'p03', 'p04']);
  // Dormant since 2026-01-01 (JST): a sign-in before it, or none and registered before it.
  assert.deepEqual(await ids(admin, 'last_login_before=2026-01-01'), ['p02', 'p04']);
  assert.deepEqual(await ids(admin, 'last_login_before=2025-05-01'), ['p04']); // 00:00 JST is not before
  assert.deepEqual(await ids(admin, 'last_login_before=2025-05-02'), ['p02', 'p04']);
  // Sorting, with the user ID after the key.
  const order = {
    '': ['A0001', 'p01', 'p02', 'p03', 'p04'],
    'sort=user_id': ['A0001', 'p01', 'p02', 'p03', 'p04'],
    'sort=-user_id': ['p04', 'p03', 'p02', 'p01', 'A0001'],
    'sort=name_kana': ['p02', 'p03', 'p01', 'p04', 'A0001'],
    'sort=-name_kana': ['A0001', 'p04', 'p01', 'p02', 'p03'],
    'sort=start_date': ['p03', 'p01', 'p02', 'A0001', 'p04'],
    'sort=-start_date': ['A0001', 'p04', 'p02', 'p01', 'p03'],
    'sort=end_date': ['p02', 'p01', 'p03', 'A0001', 'p04'],
    'sort=-end_date': ['A0001', 'p04', 'p03', 'p01', 'p02'],
    'sort=last_login_at': ['p02', 'p03', 'A0001', 'p01', 'p04'],
    'sort=-last_login_at': ['p03', 'p02', 'A0001', 'p01', 'p04'],
  };
  for (const [q, want] of Object.entries(order)) assert.deepEqual(await ids(admin, `${q}&per_page=100`), want, q);
  // Pages follow the order.
  assert.deepEqual(await ids(admin, 'sort=name_kana&per_page=2&page=2'), ['p01', 'p04']);
  for (const [q, code2, field] of [['sort=name', 'request.field_range', 'sort'], ['sort=-', 'request.field_range', 'sort'],
    ['password_state=locked', 'request.field_range', 'password_state'],
    ['password_expires_before=2026-02-30', 'request.field_date', 'password_expires_before'],
    ['last_login_before=soon', 'request.field_date', 'last_login_before']]) {
    const r = await admin('GET', `/api/v1/accounts?${q}`);
    assert.equal(r.status, 400, q);
    const { error } = await r.json();
    assert.deepEqual([error.code, error.field], [code2, field], q);
  }
});

test('batch: each account in its own transaction with its version; stale, unknown and other tenants\' accounts never block the rest; audited like PATCH and DELETE', async () => {
  const code = '1313000062';
  const { admin } = await institutionWithAdmin(code);
  const other = await institutionWithAdmin('1313000063');
  const made = {};
  for (const id of ['b01', 'b02', 'b03', 'b04']) made[id] = await (await admin('POST', '/api/v1/accounts', account('general', id))).json();
  assert.equal((await other.admin('POST', '/api/v1/accounts', account('general', 'b05'))).status, 201);
  // b02 is changed by someone else first: the batch's version for it is stale.
  assert.equal((await admin('PATCH', '/api/v1/accounts/b02', { name: '別人', version: 1 })).status, 200);
  const res = await admin('POST', '/api/v1/accounts/batch', { action: 'disable', accounts: [
    { user_id: 'b01', version: 1 }, { user_id: 'b02', version: 1 }, { user_id: 'nobody', version: 1 }, { user_id: 'b05', version: 1 }, { user_id: 'kanri01', version: 1 }] });
  assert.equal(res.status, 200);
  const { results } = await res.json();
  assert.deepEqual(results.map((r) => [r.user_id, r.status, r.error?.code]), [
    ['b01', 'ok', undefined], ['b02', 'version_conflict', 'account.version_conflict'], ['nobody', 'not_found', 'account.not_found'],
    ['b05', 'not_found', 'account.not_found'], ['kanri01', 'not_found', 'account.not_found']]);
  assert.deepEqual([results[0].account.enabled, results[0].account.version], [false, 2]);
  assert.deepEqual([results[1].account.enabled, results[1].account.version, results[1].account.name], [true, 2, '別人']); // current values, untouched
  assert.equal(results[1].error.message, '他の利用者が更新しました。再度表示してから更新してください。');
  assert.ok(!('account' in results[2]) && !('account' in results[3]));
  assert.equal(pg.psql(db, `SELECT string_agg(user_id || ':' || enabled, ',' ORDER BY user_id) FROM accounts WHERE institution_code = '${code}' AND user_id LIKE 'b0%'`), 'b01:false,b02:true,b03:true,b04:true');
  assert.equal(pg.psql(db, "SELECT enabled FROM accounts WHERE institution_code = '1313000063' AND user_id = 'b05'"), 't');
  assert.deepEqual(JSON.parse(pg.psql(db, `SELECT details FROM audit_log WHERE institution_code = '${code}' AND action = 'account.update' AND target = 'b01'`)),
    { enabled: { before: 'true', after: 'false' } });
  assert.equal(pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${code}' AND action = 'account.update' AND target = 'b02'`), '1'); // only the PATCH
  // Enable again with the new version.
  const enabled = (await (await admin('POST', '/api/v1/accounts/batch', { action: 'enable', accounts: [{ user_id: 'b01', version: 2 }] })).json()).results;
  assert.deepEqual([enabled[0].status, enabled[0].account.enabled, enabled[0].account.version], ['ok', true, 3]);
  // Delete: tombstones, like DELETE; a stale version deletes nothing.
  const user = await session(code, 'b03', made.b03.initial_password);
  const b03 = (await (await admin('GET', '/api/v1/accounts/b03')).json()).account;
  const del = (await (await admin('POST', '/api/v1/accounts/batch', { action: 'delete', accounts: [{ user_id: 'b03', version: b03.version }, { user_id: 'b04', version: 7 }] })).json()).results;
  assert.deepEqual(del.map((r) => [r.user_id, r.status]), [['b03', 'ok'], ['b04', 'version_conflict']]);
  assert.ok(!('account' in del[0]));
  assert.equal(del[1].account.version, 1);
  assert.equal((await admin('GET', '/api/v1/accounts/b03')).status, 404);
  assert.equal((await admin('GET', '/api/v1/accounts/b04')).status, 200);
  assert.equal((await user('GET', '/api/v1/session')).status, 401);
  assert.equal((await admin('POST', '/api/v1/accounts', account('general', 'b03'))).status, 409);
  assert.equal(pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${code}' AND action = 'account.delete' AND target = 'b03'`), '1');
  assert.equal(pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${code}' AND action = 'account.delete' AND target = 'b04'`), '0');
  const gone = (await (await admin('POST', '/api/v1/accounts/batch', { action: 'enable', accounts: [{ user_id: 'b03', version: b03.version + 1 }] })).json()).results;
  assert.equal(gone[0].status, 'not_found');
});

test('batch: malformed bodies are refused whole with the field named, and nothing changes', async () => {
  const code = '1313000064';
  const { admin } = await institutionWithAdmin(code);
  assert.equal((await admin('POST', '/api/v1/accounts', account('general', 'm01'))).status, 201);
  const ok = { user_id: 'm01', version: 1 };
  const many = Array.from({ length: 101 }, (_, i) => ({ user_id: `x${i}`, version: 1 }));
  for (const [body, code2, field] of [
    [{ action: 'disable', accounts: { user_id: 'm01', version: 1 } }, 'request.field_type', 'accounts'],
    [{ action: 'disable', accounts: [] }, 'request.field_range', 'accounts'],
    [{ action: 'disable', accounts: [ok, ...many.slice(1)] }, 'request.field_range', 'accounts'],
    [{ action: 'disable', accounts: [ok, { user_id: 'x1' }] }, 'request.field_missing', 'accounts[1].version'],
    [{ action: 'disable', accounts: [ok, { user_id: 'x1', version: '2' }] }, 'request.field_type', 'accounts[1].version'],
    [{ action: 'disable', accounts: [ok, 'x1'] }, 'request.field_type', 'accounts[1]'],
    [{ action: 'disable', accounts: [ok, { user_id: 'x1', version: 1, enabled: false }] }, 'request.unknown_field', 'accounts[1].enabled'],
    [{ action: 'disable', accounts: [ok, { user_id: 'x1', version: 1 }, { user_id: 'm01', version: 2 }] }, 'account.batch.duplicate', 'accounts[2].user_id'],
    [{ action: 'lock', accounts: [ok] }, 'request.field_range', 'action'],
    [{ accounts: [ok] }, 'request.field_missing', 'action'],
  ]) {
    const r = await admin('POST', '/api/v1/accounts/batch', body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    const { error } = await r.json();
    assert.deepEqual([error.code, error.field], [code2, field], JSON.stringify(body).slice(0, 80));
  }
  assert.equal(pg.psql(db, `SELECT enabled, version FROM accounts WHERE institution_code = '${code}' AND user_id = 'm01'`), 't|1');
  assert.equal(pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${code}' AND target = 'm01' AND action <> 'account.create'`), '0');
  // 100 is allowed.
  const hundred = await admin('POST', '/api/v1/accounts/batch', { action: 'disable', accounts: [ok, ...many.slice(1, 100)] });
  assert.equal(hundred.status, 200);
  assert.equal((await hundred.json()).results.length, 100);
});

test('the audit log by target: one account\'s history with before and after of each change', async () => {
  const code = '1313000065';
  const { admin } = await institutionWithAdmin(code);
  assert.equal((await admin('POST', '/api/v1/accounts', account('general', 't01'))).status, 201);
  assert.equal((await admin('POST', '/api/v1/accounts', account('general', 't02'))).status, 201);
  assert.equal((await admin('PATCH', '/api/v1/accounts/t01', { end_date: '2030-03-31', enabled: false, version: 1 })).status, 200);
  const r = await admin('GET', '/api/v1/audit-events?target=t01');
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.deepEqual(body.items.map((e) => e.action), ['account.update', 'account.create']);
  assert.equal(body.total, 2);
  assert.ok(body.items.every((e) => e.target === 't01' && e.actor === 'kanri01' && e.actor_kind === 'account'));
  assert.deepEqual(body.items[0].details, { enabled: { before: 'true', after: 'false' }, end_date: { before: '9999-12-31', after: '2030-03-31' } });
  assert.equal((await (await admin('GET', '/api/v1/audit-events?target=t0')).json()).total, 0); // exact, not partial
  assert.deepEqual((await (await admin('GET', '/api/v1/audit-events?target=t02&action=account.create')).json()).items.map((e) => e.target), ['t02']);
  const bad = await admin('GET', `/api/v1/audit-events?target=${'x'.repeat(65)}`);
  assert.deepEqual([bad.status, (await bad.json()).error.field], [400, 'target']);
});

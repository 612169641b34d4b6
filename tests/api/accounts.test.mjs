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
  pg.psql(db, "UPDATE accounts SET deleted_at = now() WHERE institution_code = '1313000001' AND user_id = 'dup01'");
  assert.equal((await clinic.admin('POST', '/api/v1/accounts', account('general', 'dup01'))).status, 409);
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
  // 訪問診療等・オンライン診療等 (visit) only while one of its functions is on.
  assert.deepEqual(admin.capabilities, ['session', 'accounts', 'bulk', 'settings', 'test_data', 'audit', 'history_checks', 'history_views', 'readers']);
  assert.deepEqual(admin.menu.map((m) => m.label), ['パスワード変更', 'アカウント管理', 'アカウント一括登録', '環境設定情報管理', 'テスト用データセットアップ', '操作履歴', '資格確認履歴照会', '医療情報閲覧履歴照会', '顔認証付きカードリーダー管理']);
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

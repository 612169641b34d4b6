// The authorization table: every account endpoint × every kind of account × own or other
// institution → the expected status. Add rows as endpoints are added.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, startOnshid, onshictl } from '../support/harness.mjs';

let pg;
let db;
let srv;
const callers = {}; // kind → request helper
let targetPassword; // the initial password of the general account 'target'

function createInstitution(code, kind) {
  const r = onshictl(['--json', 'institution', 'create', '--code', code, '--name', '権限表試験',
    '--kind', kind, '--start-date', '2020-04-01'], { ONSHI_DATABASE_URL: pg.conninfo(db) });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function session(code, userId, password) {
  let res = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: code, user_id: userId, password }) });
  assert.equal(res.status, 200, `${code}/${userId} signs in`);
  let cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  let { csrf_token: csrf } = await res.json();
  const call = (method, path, body) => fetch(`${srv.base}${path}`, {
    method,
    headers: { Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  res = await call('PUT', '/api/v1/session/password', { current_password: password, new_password: 'Sakura2026!' });
  assert.equal(res.status, 200);
  cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  csrf = (await res.json()).csrf_token;
  return call;
}

const person = (role, id) => ({ role, user_id: id, name: '権限 太郎', name_kana: 'ケンゲン タロウ', start_date: '2020-04-01' });

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
  const a = createInstitution('1314000001', 'medical');
  const b = createInstitution('1314000002', 'medical');
  callers.master = await session('1314000001', a.master.user_id, a.master.initial_password);
  callers.master_reset = await session('1314000001', a.master_reset.user_id, a.master_reset.initial_password);
  const adminPw = (await (await callers.master('POST', '/api/v1/accounts', person('admin', 'kanri01'))).json()).initial_password;
  callers.admin = await session('1314000001', 'kanri01', adminPw);
  for (const [role, id] of [['general', 'gen01'], ['medical_viewer', 'view01'], ['webapi', 'A0001'], ['linked_app', 'R0001'], ['face_reader', 'F0001'], ['general', 'target']]) {
    const made = await callers.admin('POST', '/api/v1/accounts', person(role, id));
    assert.equal(made.status, 201, id);
    const { initial_password: pw } = await made.json();
    if (id === 'target') targetPassword = pw;
    else callers[role] = await session('1314000001', id, pw);
  }
  const bmaster = await session('1314000002', b.master.user_id, b.master.initial_password);
  const bpw = (await (await bmaster('POST', '/api/v1/accounts', person('admin', 'kanri01'))).json()).initial_password;
  callers.admin_of_other_institution = await session('1314000002', 'kanri01', bpw);
  assert.equal((await callers.admin_of_other_institution('POST', '/api/v1/accounts', person('general', 'onlyb'))).status, 201);
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  pg?.stop();
});

const KINDS = ['master', 'master_reset', 'admin', 'general', 'medical_viewer', 'webapi', 'linked_app', 'face_reader', 'admin_of_other_institution'];
let seq = 0;
// [method, path, body (or a function making one), {kind: status}, default status]
const TABLE = [
  ['GET', '/api/v1/session', null, {}, 200],
  ['GET', '/api/v1/accounts', null, { master: 200, master_reset: 200, admin: 200, admin_of_other_institution: 200 }, 403],
  ['GET', '/api/v1/accounts/target', null, { master: 404, master_reset: 404, admin: 200, admin_of_other_institution: 404 }, 403],
  ['GET', '/api/v1/accounts/onlyb', null, { master: 404, master_reset: 404, admin: 404, admin_of_other_institution: 200 }, 403],
  ['PATCH', '/api/v1/accounts/target', { enabled: true, version: 999 }, { master: 404, master_reset: 404, admin: 409, admin_of_other_institution: 404 }, 403],
  ['DELETE', '/api/v1/accounts/nobody', null, { master: 404, master_reset: 404, admin: 404, admin_of_other_institution: 404 }, 403],
  // master_reset finds (and initialises) the master; nobody else sees it, nor master_reset.
  ['GET', '/api/v1/accounts/M1314000001', null, { master: 404, master_reset: 200, admin: 404, admin_of_other_institution: 404 }, 403],
  ['GET', '/api/v1/accounts/MR1314000001', null, { master: 404, master_reset: 404, admin: 404, admin_of_other_institution: 404 }, 403],
  ['PATCH', '/api/v1/accounts/M1314000001', { enabled: true, version: 999 }, { master: 404, master_reset: 404, admin: 404, admin_of_other_institution: 404 }, 403],
  ['DELETE', '/api/v1/accounts/M1314000001', null, { master: 404, master_reset: 404, admin: 404, admin_of_other_institution: 404 }, 403],
  // A stale version changes nothing; the body answers for each account.
  ['POST', '/api/v1/accounts/batch', { action: 'enable', accounts: [{ user_id: 'target', version: 999 }] }, { master: 200, master_reset: 200, admin: 200, admin_of_other_institution: 200 }, 403],
  ['POST', '/api/v1/accounts', () => person('general', `mx${++seq}`), { master: 403, master_reset: 403, admin: 201, admin_of_other_institution: 201 }, 403],
  ['POST', '/api/v1/accounts/nobody/password-reset', null, { master: 404, master_reset: 404, admin: 404, admin_of_other_institution: 404 }, 403],
  ['GET', '/api/v1/audit-events', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['GET', '/api/v1/bulk-jobs', null, { master: 200, admin: 200, admin_of_other_institution: 200 }, 403],
  ['GET', '/api/v1/bulk-jobs/20260101000000000_H0000001', null, { master: 404, admin: 404, admin_of_other_institution: 404 }, 403],
  ['GET', '/api/v1/bulk-jobs/20260101000000000_H0000001/result.csv', null, { master: 404, admin: 404, admin_of_other_institution: 404 }, 403],
  ['GET', '/api/v1/settings', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['PUT', '/api/v1/settings', { values: {}, version: 999 }, { admin: 409, admin_of_other_institution: 409 }, 403],
  ['GET', '/api/v1/terms', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  // A JSON body is not a file: managers get 415, everyone else never gets that far.
  ['POST', '/api/v1/bulk-jobs', {}, { master: 415, admin: 415, admin_of_other_institution: 415 }, 403],
  ['POST', '/api/v1/bulk-checks', {}, { master: 415, admin: 415, admin_of_other_institution: 415 }, 403],
  ['GET', '/api/v1/bulk-template.csv', null, { master: 200, admin: 200, admin_of_other_institution: 200 }, 403],
  ['GET', '/api/v1/test-data', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['POST', '/api/v1/test-data/card-links', () => ({ serial_number: String(1000 + ++seq), qualification_type: 'insurance_valid' }), { admin: 201, admin_of_other_institution: 201 }, 403],
  ['DELETE', '/api/v1/test-data/card-links', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['POST', '/api/v1/test-data/category-records', { category: 'late_elderly', qualification_type: 'insurance_valid' }, { admin: 201, admin_of_other_institution: 201 }, 403],
  ['DELETE', '/api/v1/test-data/category-records', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['POST', '/api/v1/test-data/consents/reset', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  // Qualification checks: the five lower kinds and admins (manual ch. 2 §1(1)); an XmlMsg that is not one still answers 200 (SegmentOfResult 9).
  ['POST', '/api/v1/qualifications', { XmlMsg: {} }, { admin: 200, general: 200, medical_viewer: 200, webapi: 200, linked_app: 200, face_reader: 200, admin_of_other_institution: 200 }, 403],
  ['POST', '/api/v1/qualifications/card', { serial_number: '1' }, { admin: 200, general: 200, medical_viewer: 200, webapi: 200, linked_app: 200, face_reader: 200, admin_of_other_institution: 200 }, 403],
  ['POST', '/api/v1/qualifications/insurance', {}, { admin: 400, general: 400, medical_viewer: 400, webapi: 400, linked_app: 400, face_reader: 400, admin_of_other_institution: 400 }, 403],
  ['GET', '/api/v1/qualifications/consents', null, { admin: 200, general: 200, medical_viewer: 200, webapi: 200, linked_app: 200, face_reader: 200, admin_of_other_institution: 200 }, 403],
  ['GET', '/api/v1/medical-info?serial_number=1&category=drug', null, { medical_viewer: 404, webapi: 404, linked_app: 404 }, 403],
  ['GET', '/api/v1/history/qualification-checks?from=2026-01-01&to=2026-01-02', null, { admin: 200, general: 200, medical_viewer: 200, admin_of_other_institution: 200 }, 403],
  ['GET', '/api/v1/history/qualification-checks.csv?from=2026-01-01&to=2026-01-02', null, { admin: 200, general: 200, medical_viewer: 200, admin_of_other_institution: 200 }, 403],
  ['GET', '/api/v1/history/medical-info-views?from=2026-01-01&to=2026-01-02', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['GET', '/api/v1/history/medical-info-views.csv?from=2026-01-01&to=2026-01-02', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['GET', '/api/v1/visit-urls', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['POST', '/api/v1/visit-urls/online_care/revert', { confirm: true }, { admin: 409, admin_of_other_institution: 409 }, 403],
  ['POST', '/api/v1/visit-urls/online_care/reset', { confirm: true }, { admin: 409, admin_of_other_institution: 409 }, 403],
  ['POST', '/api/v1/visit-urls/online_care/change', { confirm: false }, { admin: 400, admin_of_other_institution: 400 }, 403],
  ['GET', '/api/v1/visit-urls/home_visit/qr.png', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['GET', '/api/v1/visit-urls/home_visit/qr.pdf', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['GET', '/api/v1/readers', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['PUT', '/api/v1/readers/Virtual%20PCD%2000%2000', { mode: 'unattended', visual_confirmation: false, version: 1 }, { admin: 404, admin_of_other_institution: 404 }, 403],
  ['GET', '/api/v1/readers/display-settings', null, { admin: 200, admin_of_other_institution: 200 }, 403],
  ['PUT', '/api/v1/readers/display-settings', { screens: {}, version: 99 }, { admin: 409, admin_of_other_institution: 409 }, 403],
  // Only a face_reader account (the reader's own touch panel) answers; no reader here: 404.
  ['POST', '/api/v1/readers/Virtual%20PCD%2000%2000/answers', { consents: [] }, { face_reader: 404 }, 403],
  ['POST', '/api/v1/account-sheets', () => ({ user_id: 'target', initial_password: targetPassword }), { master: 404, master_reset: 404, admin: 200, admin_of_other_institution: 404 }, 403],
];

for (const [method, path, body, expected, otherwise] of TABLE) {
  test(`${method} ${path}: the status for every kind of account`, async () => {
    const got = {};
    const want = {};
    for (const kind of KINDS) {
      const r = await callers[kind](method, path, typeof body === 'function' ? body() : body);
      got[kind] = r.status;
      want[kind] = expected[kind] ?? otherwise;
    }
    assert.deepEqual(got, want);
  });
}

test('nothing is reachable without a session', async () => {
  for (const [method, path] of TABLE) {
    const r = await fetch(`${srv.base}${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
    assert.equal(r.status, 401, `${method} ${path}`);
  }
});

// The アカウント設定情報 sheet: a real PDF whose text (pdftotext) names the institution and
// the account, issued only for the initial password the account really has.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid, onshictl } from '../support/harness.mjs';

let pg;
let db;
let srv;
let master;
let admin;
let adminPassword;

const NAME = '医療法人社団　桜会　さくら内科クリニック';
const NAME_AS_TEXT = NAME.replaceAll('\u3000', ' ');

function createInstitution(code, name) {
  const r = onshictl(['--json', 'institution', 'create', '--code', code, '--name', name,
    '--kind', 'medical', '--start-date', '2020-04-01'], { ONSHI_DATABASE_URL: pg.conninfo(db) });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function session(code, userId, password, changeTo = 'Sakura2026!') {
  let res = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: code, user_id: userId, password }) });
  assert.equal(res.status, 200, `${userId} signs in`);
  let cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  let { csrf_token: csrf } = await res.json();
  const call = (method, p, body) => fetch(`${srv.base}${p}`, {
    method,
    headers: { Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (changeTo) {
    res = await call('PUT', '/api/v1/session/password', { current_password: password, new_password: changeTo });
    assert.equal(res.status, 200);
    cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
    csrf = (await res.json()).csrf_token;
  }
  return call;
}

// The text of a PDF, as pdftotext (poppler-utils) extracts it.
function pdfText(bytes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-sheet-'));
  try {
    const file = path.join(dir, 'sheet.pdf');
    fs.writeFileSync(file, bytes);
    // -raw keeps the drawing order (a row's label, then its value); pdftotext turns the
    // ideographic space into an ASCII one.
    return execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const person = (role, id, name = '山田　花子') => ({ role, user_id: id, name, name_kana: 'ヤマダ ハナコ', start_date: '2020-04-01' });
const auditCount = (action) => Number(pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '1315000001' AND action = '${action}'`));

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
  const inst = createInstitution('1315000001', NAME);
  createInstitution('1315000002', '別の医院');
  master = await session('1315000001', inst.master.user_id, inst.master.initial_password);
  const made = await master('POST', '/api/v1/accounts', person('admin', 'kanri01'));
  assert.equal(made.status, 201);
  adminPassword = (await made.json()).initial_password;
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  pg?.stop();
});

test('the sheet is a PDF with the institution, the kind, the ID, the name, the password and its expiry', async () => {
  const res = await master('POST', '/api/v1/account-sheets', { user_id: 'kanri01', initial_password: adminPassword });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.equal(res.headers.get('content-disposition'), 'attachment; filename="account-1315000001-kanri01.pdf"');
  assert.equal(res.headers.get('cache-control'), 'no-store', 'it holds a password');
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  const text = pdfText(bytes);
  for (const want of ['アカウント設定情報', '1315000001', NAME_AS_TEXT, '管理者', 'kanri01', '山田 花子', adminPassword, '初期パスワード有効期限', '発行日時'])
    assert.ok(text.includes(want), `${want} in:\n${text}`);
  // The expiry is the account's: initial passwords are valid 30 days, shown in Japan time.
  const due = new Date(Date.now() + 30 * 86400e3 + 9 * 3600e3);
  assert.match(text, new RegExp(`${due.getUTCFullYear()}年${due.getUTCMonth() + 1}月${due.getUTCDate()}日 \\d\\d時\\d\\d分`));
  assert.equal(auditCount('account_sheet.issued'), 1);
});

test('a password that is not the account\'s current initial one gets no sheet, and the refusal is audited', async () => {
  const before = auditCount('account_sheet.refused');
  const wrong = adminPassword.slice(0, -1) + (adminPassword.endsWith('a') ? 'b' : 'a');
  for (const pw of [wrong, 'x', adminPassword.toLowerCase() === adminPassword ? adminPassword.toUpperCase() : adminPassword.toLowerCase()]) {
    const res = await master('POST', '/api/v1/account-sheets', { user_id: 'kanri01', initial_password: pw });
    assert.equal(res.status, 400);
    const { error } = await res.json();
    assert.deepEqual([error.code, error.field], ['account_sheet.password_mismatch', 'initial_password']);
  }
  assert.equal(auditCount('account_sheet.refused'), before + 3);
});

test('after a password reset only the new initial password makes a sheet', async () => {
  const made = await master('POST', '/api/v1/accounts', person('admin', 'kanri02'));
  const first = (await made.json()).initial_password;
  const reset = await master('POST', '/api/v1/accounts/kanri02/password-reset');
  assert.equal(reset.status, 200);
  const { initial_password: second } = await reset.json();
  assert.equal((await master('POST', '/api/v1/account-sheets', { user_id: 'kanri02', initial_password: first })).status, 400);
  const res = await master('POST', '/api/v1/account-sheets', { user_id: 'kanri02', initial_password: second });
  assert.equal(res.status, 200);
  assert.ok(pdfText(Buffer.from(await res.arrayBuffer())).includes(second));
});

test('no sheet once the initial password was replaced, or after it expired', async () => {
  const made = await master('POST', '/api/v1/accounts', person('admin', 'kanri03'));
  const pw = (await made.json()).initial_password;
  await session('1315000001', 'kanri03', pw); // signs in and chooses a password
  let res = await master('POST', '/api/v1/account-sheets', { user_id: 'kanri03', initial_password: pw });
  assert.equal(res.status, 409);
  assert.equal((await res.json()).error.code, 'account_sheet.not_initial');

  const old = await master('POST', '/api/v1/accounts', person('admin', 'kanri04'));
  const oldPw = (await old.json()).initial_password;
  pg.psql(db, "UPDATE accounts SET password_set_at = now() - interval '31 days' WHERE user_id = 'kanri04'");
  res = await master('POST', '/api/v1/account-sheets', { user_id: 'kanri04', initial_password: oldPw });
  assert.equal(res.status, 409);
  assert.equal((await res.json()).error.code, 'account_sheet.initial_expired');
});

test('the master_reset account prints the master\'s sheet after initialising its password', async () => {
  const inst = createInstitution('1315000003', '再発行試験医院');
  const mr = await session('1315000003', inst.master_reset.user_id, inst.master_reset.initial_password);
  const { initial_password: pw } = await (await mr('POST', `/api/v1/accounts/${inst.master.user_id}/password-reset`)).json();
  const res = await mr('POST', '/api/v1/account-sheets', { user_id: inst.master.user_id, initial_password: pw });
  assert.equal(res.status, 200);
  const text = pdfText(Buffer.from(await res.arrayBuffer()));
  assert.ok(text.includes('マスタアカウント') && text.includes(inst.master.user_id) && text.includes('再発行試験医院'), text);
});

test('an account of another institution, a kind the caller does not manage, or no account: 404', async () => {
  const other = createInstitution('1315000004', '他院');
  for (const user_id of [other.master.user_id, 'M1315000001', 'nobody']) {
    const res = await master('POST', '/api/v1/account-sheets', { user_id, initial_password: other.master.initial_password });
    assert.equal(res.status, 404, user_id);
    assert.equal((await res.json()).error.code, 'account.not_found');
  }
});

test('a 100-character institution name wraps inside its box and stays whole in the text', async () => {
  const long = '医'.repeat(40) + '療法人社団さくら会'.repeat(6) + '病院';
  assert.equal([...long].length, 96);
  const inst = createInstitution('1315000005', long);
  const m = await session('1315000005', inst.master.user_id, inst.master.initial_password);
  const made = await m('POST', '/api/v1/accounts', person('admin', 'kanri01', '長谷川　由紀子'));
  const res = await m('POST', '/api/v1/account-sheets', { user_id: 'kanri01', initial_password: (await made.json()).initial_password });
  assert.equal(res.status, 200);
  const text = pdfText(Buffer.from(await res.arrayBuffer())).replace(/\n/g, '');
  assert.ok(text.includes(long), text);
});

test('malformed requests get precise errors and no sheet', async () => {
  const cases = [
    ['{', 'request.invalid_json'],
    [[], 'request.not_object'],
    [{ user_id: 'kanri01' }, 'request.field_missing'],
    [{ user_id: 'kanri01', initial_password: 5 }, 'request.field_type'],
    [{ user_id: 'x'.repeat(17), initial_password: 'a' }, 'request.field_range'],
  ];
  for (const [body, code] of cases) {
    const res = await master('POST', '/api/v1/account-sheets', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal((await res.json()).error.code, code, JSON.stringify(body));
  }
});

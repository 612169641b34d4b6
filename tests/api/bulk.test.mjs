// Bulk account registration (manual ch. 2 §4–5): files in every encoding and shape, each of
// the seven statuses from a real file with its result file checked byte for byte, one job
// at a time per institution, tiers and tenants apart, takeover after a worker died, and
// every job processed exactly once by several onshid processes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startPostgres, startOnshid, onshictl, eventually } from '../support/harness.mjs';

let pg;
let db;
let srv; // processes jobs
let idle; // accepts jobs, does not process them (bulk_worker = 0)

const HEADER = '権限区分,ユーザID,ユーザ名,ユーザ名（カナ）,利用開始年月日,利用終了年月日\r\n';
const RESULT_HEADER = '\uFEFF"行番号","権限区分","ユーザID","ユーザ名","ユーザ名（カナ）","利用開始年月日","利用終了年月日","初期パスワード","初期パスワード有効期限","結果","エラー詳細"\r\n';

function createInstitution(code, kind = 'medical') {
  const r = onshictl(['--json', 'institution', 'create', '--code', code, '--name', '一括登録試験',
    '--kind', kind, '--start-date', '2020-04-01'], { ONSHI_DATABASE_URL: pg.conninfo(db) });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Signs in (changing the initial password) and returns a request helper bound to a server.
async function session(code, userId, password) {
  let res = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: code, user_id: userId, password }) });
  assert.equal(res.status, 200);
  let cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  let { csrf_token: csrf } = await res.json();
  res = await fetch(`${srv.base}/api/v1/session/password`, { method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf },
    body: JSON.stringify({ current_password: password, new_password: 'Sakura2026!' }) });
  assert.equal(res.status, 200);
  cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  csrf = (await res.json()).csrf_token;
  const headers = { Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf };
  const call = (server, method, p, body, type) => fetch(`${server.base}${p}`, {
    method, headers: { ...headers, ...(type ? { 'Content-Type': type } : {}) }, body });
  call.headers = headers;
  call.upload = (body, server = srv, type = 'text/csv') => call(server, 'POST', '/api/v1/bulk-jobs', body, type);
  call.get = (p, server = srv) => call(server, 'GET', p);
  return call;
}

async function managers(code) {
  const inst = createInstitution(code);
  const master = await session(code, inst.master.user_id, inst.master.initial_password);
  const made = await master.get('/api/v1/accounts'); // warm; the admin is made below
  assert.equal(made.status, 200);
  const res = await fetch(`${srv.base}/api/v1/accounts`, { method: 'POST' }); // (unauthenticated: 401)
  assert.equal(res.status, 401);
  const adminRes = await master(srv, 'POST', '/api/v1/accounts', JSON.stringify({ role: 'admin', user_id: 'kanri01',
    name: '管理 花子', name_kana: 'カンリ ハナコ', start_date: '2020-04-01' }), 'application/json');
  assert.equal(adminRes.status, 201);
  const admin = await session(code, 'kanri01', (await adminRes.json()).initial_password);
  return { inst, master, admin };
}

async function finished(call, rn) {
  let job;
  await eventually(async () => {
    job = (await (await call.get(`/api/v1/bulk-jobs/${rn}`)).json()).job;
    return job && !['waiting', 'processing'].includes(job.status);
  }, { timeoutMs: 60000 });
  return job;
}

async function uploadAndWait(call, body, type) {
  const res = await call.upload(body, srv, type);
  assert.equal(res.status, 202);
  const accepted = await res.json();
  return { accepted, job: await finished(call, accepted.reception_number) };
}

// The result file, and its rows split as CSV (every field quoted).
async function resultOf(call, rn) {
  const res = await call.get(`/api/v1/bulk-jobs/${rn}/result.csv`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  const bytes = Buffer.from(await res.arrayBuffer());
  return bytes.toString('utf8');
}

const q = (s) => `"${s.replace(/"/g, '""')}"`;
const line = (fields) => `${fields.map(q).join(',')}\r\n`;
const PASSWORD = /^[A-Za-z2-9]{20}$/;

const workerEnv = { ONSHI_BULK_LEASE_SECONDS: '10' };

// Runs fn while no onshid processes jobs (only `idle` accepts them), then starts the worker
// again; sessions live in the database, so signed-in helpers keep working.
async function withoutWorker(fn) {
  const stopped = await srv.stop();
  assert.deepEqual(stopped, { code: 0, signal: null }, srv.log().slice(-4000));
  try {
    await fn();
  } finally {
    srv = await startOnshid({ database: pg.conninfo(db), env: workerEnv, sqlErrors: REFUSED_STAGING });
  }
}

// The 登録失敗(システムエラー) test makes the database refuse a staging row on purpose.
const REFUSED_STAGING = /"SQL error P0001: refused"/;

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db), env: workerEnv, sqlErrors: REFUSED_STAGING });
  idle = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_BULK_WORKER: '0' } });
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null }, srv.log().slice(-4000));
  if (idle) assert.deepEqual(await idle.stop(), { code: 0, signal: null }, idle.log().slice(-4000));
  pg?.stop();
});

test('登録完了: every row registered, the result file byte for byte, its passwords sign in', async () => {
  const { admin } = await managers('1318000001');
  const file = HEADER +
    '一般利用者,ippan01,ﾔﾏﾀﾞ ﾀﾛｳ,ﾔﾏﾀﾞ ﾀﾛｳ,2026/12/01,\r\n' +
    '\r\n' + // blank lines are skipped
    'WebAPI用,A0001,"受付システム","ウケツケ　システム",2020/4/1,2030/03/31\r\n' +
    ',,,,,\r\n';
  const { accepted, job } = await uploadAndWait(admin, file);
  assert.match(accepted.reception_number, /^\d{17}_H\d{7}$/);
  assert.equal(accepted.status_label, '登録待ち');
  assert.deepEqual([job.status, job.status_label, job.rows, job.registered, job.processed, job.downloadable],
    ['completed', '登録完了', 2, 2, 2, true]);
  const text = await resultOf(admin, accepted.reception_number);
  const rows = text.split('\r\n');
  const pw1 = /"(\w{20})"/.exec(rows[1])[1];
  const pw2 = /"(\w{20})"/.exec(rows[2])[1];
  const expiry = /"(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2})"/.exec(rows[1])[1];
  assert.match(pw1, PASSWORD);
  assert.equal(text, RESULT_HEADER +
    line(['1', '一般利用者', 'ippan01', 'ﾔﾏﾀﾞ ﾀﾛｳ', 'ﾔﾏﾀﾞ ﾀﾛｳ', '2026/12/01', '', pw1, expiry, '登録完了', '']) +
    line(['2', 'WebAPI用', 'A0001', '受付システム', 'ウケツケ　システム', '2020/4/1', '2030/03/31', pw2, expiry, '登録完了', '']));
  // Registered as single registration would: names made full-width, dates, the kind.
  assert.equal(pg.psql(db, "SELECT role || '|' || name || '|' || name_kana || '|' || start_date || '|' || end_date FROM accounts WHERE institution_code = '1318000001' AND user_id = 'ippan01'"),
    'general|ヤマダ　タロウ|ヤマダ　タロウ|2026-12-01|9999-12-31');
  const signIn = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: '1318000001', user_id: 'A0001', password: pw2 }) });
  assert.equal(signIn.status, 200);
  // The result file is stored encrypted: no password in the database's text.
  assert.equal(pg.psql(db, `SELECT count(*) FROM bulk_jobs WHERE position('${pw1}' in encode(result, 'escape')) > 0`), '0');
  assert.equal(pg.psql(db, "SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE institution_code = '1318000001' AND action LIKE 'bulk.%'"),
    'bulk.upload,bulk.processed,bulk.download');
});

test('登録完了(一部ID重複あり): duplicates in the file, registered and deleted IDs (whatever their case) are skipped, the rest registered', async () => {
  const { admin } = await managers('1318000002');
  const made = await admin(srv, 'POST', '/api/v1/accounts', JSON.stringify({ role: 'general', user_id: 'gone01',
    name: '削除 太郎', name_kana: 'サクジョ タロウ', start_date: '2020-04-01' }), 'application/json');
  assert.equal(made.status, 201);
  assert.equal((await admin(srv, 'DELETE', '/api/v1/accounts/gone01')).status, 204);
  // "null" is a valid ID; in an array literal it must not turn into the null value.
  assert.equal((await admin(srv, 'POST', '/api/v1/accounts', JSON.stringify({ role: 'general', user_id: 'null',
    name: '空 太郎', name_kana: 'カラ タロウ', start_date: '2020-04-01' }), 'application/json')).status, 201);
  const file = HEADER + [
    '一般利用者,ippan01,山田,ヤマダ,2026/12/01,',
    '一般利用者,KANRI01,山田,ヤマダ,2026/12/01,', // the admin's own ID, in another case
    '一般利用者,Gone01,山田,ヤマダ,2026/12/01,', // deleted: never again, in any case
    '医療情報閲覧,IPPAN01,山田,ヤマダ,2026/12/01,', // repeated in the file, in another case
    '医療情報閲覧,etsu01,山田,ヤマダ,2026/12/01,',
    '一般利用者,null,山田,ヤマダ,2026/12/01,',
  ].join('\r\n') + '\r\n';
  const { accepted, job } = await uploadAndWait(admin, file);
  assert.deepEqual([job.status_label, job.registered, job.duplicates], ['登録完了(一部ID重複あり)', 2, 4]);
  const rows = (await resultOf(admin, accepted.reception_number)).split('\r\n').slice(1, 7);
  assert.deepEqual(rows.map((r) => r.split('","').at(-2)), ['登録完了', 'ID重複', 'ID重複', 'ID重複', '登録完了', 'ID重複']);
  assert.match(rows[1], /"ID重複","このユーザIDは既に使用されています（削除済みのユーザIDも使用できません）。"$/);
  assert.equal(pg.psql(db, "SELECT string_agg(user_id || ':' || role, ',' ORDER BY user_id) FROM accounts WHERE institution_code = '1318000002' AND role NOT IN ('master', 'master_reset', 'admin')"),
    'etsu01:medical_viewer,gone01:general,ippan01:general,null:general');
});

test('登録失敗(入力チェックエラー): nothing registered, every problem named, clean rows marked', async () => {
  const { admin } = await managers('1318000003');
  const file = HEADER + [
    '一般利用者,ippan01,山田,ヤマダ,2026/12/01,',
    '管理者,kanri02,山田,ヤマダ,2026/12/01,', // an admin's file may not hold admins
    '一般利用者,A0009,𠮷田,やまだ,2026/13/01,', // reserved prefix, kanji outside CP932, hiragana kana, bad date
    ',,,,,2026/12/01', // empty fields
    '一般利用者,ippan05,山田,ヤマダ,2027/01/01,2026/12/31', // end before start
    '一般利用者,ippan06,"山田,太郎","ヤマダ\nタロウ",2026/12/01,', // quoted comma and newline
  ].join('\r\n') + '\r\n';
  const { accepted, job } = await uploadAndWait(admin, file);
  assert.deepEqual([job.status_label, job.registered, job.errors, job.downloadable], ['登録失敗(入力チェックエラー)', 0, 5, true]);
  const text = await resultOf(admin, accepted.reception_number);
  assert.equal(text, RESULT_HEADER +
    line(['1', '一般利用者', 'ippan01', '山田', 'ヤマダ', '2026/12/01', '', '', '', '未登録', '【入力チェックエラーなし:未登録】']) +
    line(['2', '管理者', 'kanri02', '山田', 'ヤマダ', '2026/12/01', '', '', '', '入力チェックエラー', '【権限区分】この権限区分のアカウントは登録できません。']) +
    line(['3', '一般利用者', 'A0009', '𠮷田', 'やまだ', '2026/13/01', '', '', '', '入力チェックエラー',
      '【利用開始年月日】日付の形式が正しくありません。\n【ユーザID】このユーザIDは先頭文字にR0～R9、A0～A9、F0～F9を使用できません。\n【ユーザ名】ユーザ名は全角かな、カタカナ、漢字、英数字で入力してください。\n【ユーザ名（カナ）】ユーザ名（カナ）は全角カタカナ、英数字で入力してください。']) +
    line(['4', '', '', '', '', '', '2026/12/01', '', '', '入力チェックエラー',
      '【権限区分】必須項目が入力されていません。\n【ユーザID】必須項目が入力されていません。\n【ユーザ名】必須項目が入力されていません。\n【ユーザ名（カナ）】必須項目が入力されていません。\n【利用開始年月日】必須項目が入力されていません。']) +
    line(['5', '一般利用者', 'ippan05', '山田', 'ヤマダ', '2027/01/01', '2026/12/31', '', '', '入力チェックエラー', '【利用終了年月日】利用終了年月日は利用開始年月日以降の日付を入力してください。']) +
    line(['6', '一般利用者', 'ippan06', '山田,太郎', 'ヤマダ\nタロウ', '2026/12/01', '', '', '', '入力チェックエラー',
      '【ユーザ名】ユーザ名は全角かな、カタカナ、漢字、英数字で入力してください。\n【ユーザ名（カナ）】ユーザ名（カナ）は全角カタカナ、英数字で入力してください。']));
  assert.equal(pg.psql(db, "SELECT count(*) FROM accounts WHERE institution_code = '1318000003'"), '3');
});

// iconv from Debian's libc-bin: the file as a Windows spreadsheet program saves it.
const cp932 = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: text });

test('UTF-8 with a BOM, CP932, and multipart/form-data files read the same', async () => {
  const { admin } = await managers('1318000004');
  const rows = (id) => `一般利用者,${id},髙橋　ﾀﾛｳ,タカハシ,2026/12/01,\r\n`;
  const bom = await uploadAndWait(admin, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(HEADER + rows('bom01'))]));
  assert.equal(bom.job.status, 'completed');
  const sjis = await uploadAndWait(admin, cp932(HEADER + rows('sjis01')));
  assert.equal(sjis.job.status, 'completed');
  const form = new FormData();
  form.append('note', 'ignored');
  form.append('file', new Blob([cp932(HEADER + rows('form01'))], { type: 'text/csv' }), 'アカウント.csv');
  const res = await admin.upload(form, srv, null);
  assert.equal(res.status, 202);
  assert.equal((await finished(admin, (await res.json()).reception_number)).status, 'completed');
  assert.equal(pg.psql(db, "SELECT string_agg(user_id || ':' || name, ',' ORDER BY user_id) FROM accounts WHERE institution_code = '1318000004' AND role = 'general'"),
    'bom01:髙橋　タロウ,form01:髙橋　タロウ,sjis01:髙橋　タロウ');
});

test('登録失敗(ファイル構造エラー): encoding, header, columns, quoting, rows; each says why, at once', async () => {
  const { admin } = await managers('1318000005');
  const row = '一般利用者,ippan01,山田,ヤマダ,2026/12/01,\r\n';
  const cases = [
    [Buffer.concat([Buffer.from(HEADER), Buffer.from([0x88, 0xea, 0xff, 0x0d, 0x0a])]), /文字コード/],
    [Buffer.from(row), /見出し行/],
    [Buffer.from(HEADER + '一般利用者,ippan01,山田,ヤマダ,2026/12/01\r\n'), /データ1行目の項目数が6ではありません/],
    [Buffer.from(HEADER + row + '一般利用者,"ippan02,山田,ヤマダ,2026/12/01,\r\n'), /データ2行目のダブルクォーテーション/],
    [Buffer.from(HEADER), /データ行がありません/],
    [Buffer.from(HEADER + row.repeat(10001)), /データ行が10000行を超えています/],
  ];
  for (const [body, why] of cases) {
    const res = await admin.upload(body);
    assert.equal(res.status, 202);
    const accepted = await res.json();
    assert.equal(accepted.status_label, '登録失敗(ファイル構造エラー)');
    assert.match(accepted.failure, why);
    const job = (await (await admin.get(`/api/v1/bulk-jobs/${accepted.reception_number}`)).json()).job;
    assert.deepEqual([job.status, job.processed, job.downloadable], ['failed_structure', null, false]);
    const dl = await admin.get(`/api/v1/bulk-jobs/${accepted.reception_number}/result.csv`);
    assert.equal(dl.status, 409);
    assert.equal((await dl.json()).error.code, 'bulk.result_unavailable');
  }
  assert.equal(pg.psql(db, "SELECT count(*) FROM accounts WHERE institution_code = '1318000005' AND user_id = 'ippan01'"), '0');
  // The list shows the newest three.
  const list = (await (await admin.get('/api/v1/bulk-jobs')).json()).items;
  assert.equal(list.length, 3);
  assert.match(list[0].failure, /10000行/);
});

test('too large bodies and wrong requests get precise errors and no job', async () => {
  const { admin } = await managers('1318000006');
  // Over 5 MiB in fewer than 10,000 rows (each with a 1,000-byte name).
  const big = `一般利用者,ippan01,${'a'.repeat(1000)},ヤマダ,2026/12/01,\r\n`.repeat(5300);
  let res = await admin.upload(HEADER + big);
  assert.deepEqual([res.status, (await res.json()).error.code], [413, 'bulk.file_too_large']);
  // A single field far longer than any column: a structure error, found early.
  res = await admin.upload(HEADER + 'a'.repeat(100000));
  assert.match((await res.json()).failure, /データ1行目に長すぎる項目があります/);
  // Over upload_limit: refused on the declared size, before the body (curl reads that answer;
  // fetch reports the closed connection instead).
  const status = execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Content-Type: text/csv',
    '-H', `Cookie: ${admin.headers.Cookie}`, '-H', `X-CSRF-Token: ${admin.headers['X-CSRF-Token']}`,
    '--data-binary', '@-', `${srv.base}/api/v1/bulk-jobs`], { input: Buffer.alloc(6 * 1024 * 1024 + 1, 'a') }).toString();
  assert.equal(status, '413');
  res = await admin.upload('{}', srv, 'application/json');
  assert.deepEqual([res.status, (await res.json()).error.code], [415, 'request.unsupported_media_type']);
  const form = new FormData();
  form.append('other', 'x');
  res = await admin.upload(form, srv, null);
  assert.deepEqual([res.status, (await res.json()).error.code], [400, 'bulk.file_missing']);
  res = await admin.upload('--x\r\nbroken', srv, 'multipart/form-data');
  assert.deepEqual([res.status, (await res.json()).error.code], [400, 'bulk.form_invalid']);
  // A body cut short before its closing boundary: its last bytes must not vanish quietly.
  const cut = '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n' +
    HEADER + '一般利用者,ippan01,山田,ヤマダ,2026/12/01,2027/03/31\r\n';
  res = await admin.upload(cut, srv, 'multipart/form-data; boundary=XyZ');
  assert.deepEqual([res.status, (await res.json()).error.code], [400, 'bulk.form_invalid']);
  assert.equal(pg.psql(db, "SELECT string_agg(status, ',') FROM bulk_jobs WHERE institution_code = '1318000006'"), 'failed_structure');
});

test('one job at a time per institution: of two simultaneous uploads exactly one is accepted', async () => {
  const { admin, master } = await managers('1318000007');
  const file = HEADER + '一般利用者,ippan01,山田,ヤマダ,2026/12/01,\r\n';
  let waiting;
  await withoutWorker(async () => {
    const both = await Promise.all([admin.upload(file, idle), admin.upload(file, idle)]);
    assert.deepEqual(both.map((r) => r.status).sort(), [202, 409]);
    const refused = await both.find((r) => r.status === 409).json();
    assert.equal(refused.error.code, 'bulk.busy');
    assert.match(refused.error.message, /1分程度/);
    // The master of the same institution is refused too while it waits.
    const mres = await master.upload(HEADER + '管理者,kanri09,山田,ヤマダ,2026/12/01,\r\n', idle);
    assert.equal(mres.status, 409);
    waiting = (await (await admin.get('/api/v1/bulk-jobs', idle)).json()).items[0];
    assert.deepEqual([waiting.status_label, waiting.processed, waiting.downloadable], ['登録待ち', null, false]);
  });
  // A worker that starts later finds it.
  assert.equal((await finished(admin, waiting.reception_number)).status, 'completed');
  assert.equal((await admin.upload(file.replace('ippan01', 'ippan02'))).status, 202, 'the next upload is accepted');
});

test('the master and the admins see their own jobs; other institutions see nothing', async () => {
  const a = await managers('1318000008');
  const b = await managers('1318000009');
  const { accepted } = await uploadAndWait(a.master, HEADER + '管理者,kanri05,山田,ヤマダ,2026/12/01,\r\n');
  const rn = accepted.reception_number;
  for (const [who, want] of [[a.master, 200], [a.admin, 404], [b.master, 404], [b.admin, 404]]) {
    assert.equal((await who.get(`/api/v1/bulk-jobs/${rn}`)).status, want);
    assert.equal((await who.get(`/api/v1/bulk-jobs/${rn}/result.csv`)).status, want);
  }
  assert.equal((await (await a.admin.get('/api/v1/bulk-jobs')).json()).items.length, 0);
  assert.equal((await (await b.master.get('/api/v1/bulk-jobs')).json()).items.length, 0);
  // Only managers may use it.
  const general = await a.admin(srv, 'POST', '/api/v1/accounts', JSON.stringify({ role: 'general', user_id: 'ippan77',
    name: '一般', name_kana: 'イッパン', start_date: '2020-04-01' }), 'application/json');
  const user = await session('1318000008', 'ippan77', (await general.json()).initial_password);
  assert.equal((await user.get('/api/v1/bulk-jobs')).status, 403);
  assert.equal((await user.upload(HEADER)).status, 403);
});

test('登録中 left by a worker that died is taken over after its lease, exactly once', async () => {
  const { admin } = await managers('1318000010');
  let rn;
  await withoutWorker(async () => {
    const res = await admin.upload(HEADER + '一般利用者,ippan01,山田,ヤマダ,2026/12/01,\r\n', idle);
    rn = (await res.json()).reception_number;
    // A worker of a process that is gone holds it; its lease has 2 s left.
    pg.psql(db, `UPDATE bulk_jobs SET status = 'processing', lease_token = 'dead', lease_until = now() + interval '2 seconds', attempts = 1 WHERE reception_number = '${rn}'`);
    const job = (await (await admin.get(`/api/v1/bulk-jobs/${rn}`, idle)).json()).job;
    assert.equal(job.status_label, '登録中');
  });
  const done = await finished(admin, rn);
  assert.deepEqual([done.status, done.registered], ['completed', 1]);
  assert.equal(pg.psql(db, `SELECT attempts FROM bulk_jobs WHERE reception_number = '${rn}'`), '2');
});

test('登録失敗(システムエラー): an internal failure registers nothing', async () => {
  const { admin } = await managers('1318000011');
  // The database refuses the staging rows of this institution's job.
  pg.psql(db, `CREATE FUNCTION refuse_staging() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.user_id = 'boom01' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`);
  pg.psql(db, 'CREATE TRIGGER refuse_staging BEFORE INSERT ON bulk_staging FOR EACH ROW EXECUTE FUNCTION refuse_staging()');
  try {
    const { accepted, job } = await uploadAndWait(admin, HEADER + '一般利用者,ippan01,山田,ヤマダ,2026/12/01,\r\n一般利用者,boom01,山田,ヤマダ,2026/12/01,\r\n');
    assert.deepEqual([job.status_label, job.registered, job.downloadable], ['登録失敗(システムエラー)', 0, false]);
    assert.match(job.failure, /システムエラー/);
    assert.equal((await admin.get(`/api/v1/bulk-jobs/${accepted.reception_number}/result.csv`)).status, 409);
    assert.equal(pg.psql(db, "SELECT count(*) FROM accounts WHERE institution_code = '1318000011' AND user_id IN ('ippan01', 'boom01')"), '0');
  } finally {
    pg.psql(db, 'DROP TRIGGER refuse_staging ON bulk_staging; DROP FUNCTION refuse_staging()');
  }
});

test('two onshid processes, jobs of several institutions: each processed exactly once', async () => {
  const other = await startOnshid({ database: pg.conninfo(db) });
  try {
    const codes = ['1318000020', '1318000021', '1318000022', '1318000023', '1318000024', '1318000025'];
    const admins = [];
    for (const code of codes) admins.push((await managers(code)).admin);
    const accepted = await Promise.all(admins.map(async (call, i) => {
      const rows = Array.from({ length: 200 }, (_, k) => `一般利用者,u${i}x${k},山田,ヤマダ,2026/12/01,\r\n`).join('');
      const res = await call.upload(HEADER + rows, i % 2 ? other : srv);
      assert.equal(res.status, 202);
      return (await res.json()).reception_number;
    }));
    for (let i = 0; i < codes.length; i++) {
      const job = await finished(admins[i], accepted[i]);
      assert.deepEqual([job.status, job.registered, job.processed], ['completed', 200, 200]);
    }
    // Every job counted all its rows as checked (the progress reports' column).
    assert.equal(pg.psql(db, `SELECT string_agg(DISTINCT processed_rows::text, ',') FROM bulk_jobs WHERE reception_number IN (${accepted.map((rn) => `'${rn}'`).join(',')})`), '200');
    const list = accepted.map((rn) => `'${rn}'`).join(',');
    assert.equal(pg.psql(db, `SELECT count(*) FROM audit_log WHERE action = 'bulk.processed' AND target IN (${list})`), String(codes.length));
    assert.equal(pg.psql(db, `SELECT max(attempts) FROM bulk_jobs WHERE reception_number IN (${list})`), '1');
    assert.equal(pg.psql(db, `SELECT count(*) FROM accounts WHERE institution_code IN (${codes.map((c) => `'${c}'`).join(',')}) AND role = 'general'`), String(200 * codes.length));
  } finally {
    assert.deepEqual(await other.stop(), { code: 0, signal: null });
  }
});

test('kill -9 of onshid while a 10,000-row job is 登録中: after a restart it ends with all rows, never some', async () => {
  const { admin } = await managers('1318000030');
  // Slows the registering transaction down, so that the kill lands inside it.
  pg.psql(db, `CREATE FUNCTION slow_staging() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(4); RETURN NULL; END $$`);
  pg.psql(db, 'CREATE TRIGGER slow_staging AFTER INSERT ON bulk_staging FOR EACH STATEMENT EXECUTE FUNCTION slow_staging()');
  const rows = Array.from({ length: 10000 }, (_, k) => `一般利用者,c${k},山田,ヤマダ,2026/12/01,\r\n`).join('');
  let rn;
  try {
    const res = await admin.upload(HEADER + rows);
    assert.equal(res.status, 202);
    rn = (await res.json()).reception_number;
    await eventually(() => pg.psql(db, `SELECT status FROM bulk_jobs WHERE reception_number = '${rn}'`) === 'processing');
    // The checks report their progress before the registering transaction: 処理件数 reaches
    // every row while the job is still 登録中.
    let running;
    await eventually(async () => {
      running = (await (await admin.get(`/api/v1/bulk-jobs/${rn}`)).json()).job;
      return running.processed === 10000;
    }, { timeoutMs: 30000 });
    assert.deepEqual([running.status, running.processed, running.rows], ['processing', 10000, 10000]);
    await new Promise((r) => setTimeout(r, 500)); // inside the transaction now
    assert.deepEqual(await srv.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
  } finally {
    pg.psql(db, 'DROP TRIGGER slow_staging ON bulk_staging; DROP FUNCTION slow_staging()');
  }
  const count = () => Number(pg.psql(db, "SELECT count(*) FROM accounts WHERE institution_code = '1318000030' AND role = 'general'"));
  assert.equal(count(), 0, 'nothing registered by the killed worker');
  assert.equal(pg.psql(db, `SELECT status FROM bulk_jobs WHERE reception_number = '${rn}'`), 'processing');
  srv = await startOnshid({ database: pg.conninfo(db), env: workerEnv, sqlErrors: REFUSED_STAGING });
  const job = await finished(admin, rn);
  assert.deepEqual([job.status, job.registered, job.processed], ['completed', 10000, 10000]);
  assert.equal(count(), 10000);
  assert.equal(pg.psql(db, `SELECT attempts FROM bulk_jobs WHERE reception_number = '${rn}'`), '2');
  assert.equal(pg.psql(db, 'SELECT count(*) FROM bulk_staging'), '0');
});

test('result files are deleted once their initial passwords have expired', async () => {
  const { admin } = await managers('1318000031');
  const { accepted } = await uploadAndWait(admin, HEADER + '一般利用者,ippan01,山田,ヤマダ,2026/12/01,\r\n');
  const rn = accepted.reception_number;
  pg.psql(db, `UPDATE bulk_jobs SET result_expires_at = now() - interval '1 second' WHERE reception_number = '${rn}'`);
  await eventually(() => pg.psql(db, `SELECT result IS NULL FROM bulk_jobs WHERE reception_number = '${rn}'`) === 't', { timeoutMs: 20000 });
  const res = await admin.get(`/api/v1/bulk-jobs/${rn}/result.csv`);
  assert.deepEqual([res.status, (await res.json()).error.code], [410, 'bulk.result_expired']);
  const job = (await (await admin.get(`/api/v1/bulk-jobs/${rn}`)).json()).job;
  assert.equal(job.downloadable, false);
});

test('with 利用文字コード = Shift-JIS the result file is CP932, without a BOM', async () => {
  const { admin } = await managers('1318000032');
  const put = await admin(srv, 'PUT', '/api/v1/settings', JSON.stringify({ values: { char_encoding: 'sjis' }, version: 1 }), 'application/json');
  assert.equal(put.status, 200);
  const { accepted } = await uploadAndWait(admin, HEADER + '一般利用者,ippan01,髙橋　太郎,タカハシ,2026/12/01,\r\n');
  const res = await admin.get(`/api/v1/bulk-jobs/${accepted.reception_number}/result.csv`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=Shift_JIS');
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.notDeepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = execFileSync('iconv', ['-f', 'CP932', '-t', 'UTF-8'], { input: bytes }).toString();
  assert.match(text, /^"行番号","権限区分",/);
  assert.match(text, /"髙橋　太郎","タカハシ","2026\/12\/01","","\w{20}",/);
});

// Issue 17 §5: cells of refused rows are echoed as sent, but never as a live formula: the
// same rule as the history CSVs (core/text.c, schema/0012), full-width forms included.
test('a refused row\'s cells cannot become spreadsheet formulas in the result file', async () => {
  const { admin } = await managers('1318000033');
  const hostile = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', '@SUM(1+1)', '+1+1', '-2+3', '＝1+1', '＠SUM(1)'];
  const body = HEADER + hostile.map((h, i) => `一般利用者,f${i}x,${h.includes(',') ? `"${h.replace(/"/g, '""')}"` : h},ヤマダ,2026/12/01,\r\n`).join('');
  const { accepted, job } = await uploadAndWait(admin, body);
  assert.equal(job.status, 'failed_validation');
  const rows = (await resultOf(admin, accepted.reception_number)).split('\r\n').slice(1, -1);
  assert.equal(rows.length, hostile.length);
  hostile.forEach((h, i) => assert.ok(rows[i].startsWith(`"${i + 1}","一般利用者","f${i}x",${q(`'${h}`)},`), rows[i]));
  // The history CSV applies the same rule to the same text.
  const sql = hostile.map((h) => `onshi_csv_inert('${h.replace(/'/g, "''")}')`).join(" || '|' || ");
  assert.equal(pg.psql(db, `SELECT ${sql}`), hostile.map((h) => `'${h}`).join('|'));
});

// Issue 17 §7: a name CP932 lacks, longer once transliterated (½ → " 1/2 "), ended the job
// as a system error; it is an input error, and the file shows what was sent.
test('Shift-JIS: characters CP932 lacks end as an input error, shown as sent', async () => {
  const { admin } = await managers('1318000034');
  const put = await admin(srv, 'PUT', '/api/v1/settings', JSON.stringify({ values: { char_encoding: 'sjis' }, version: 1 }), 'application/json');
  assert.equal(put.status, 200);
  const { accepted, job } = await uploadAndWait(admin, HEADER +
    `一般利用者,half01,${'½'.repeat(500)},ヤマダ,2026/12/01,\r\n一般利用者,tm01,${'™'.repeat(300)},ヤマダ,2026/12/01,\r\n一般利用者,ok01,山田　太郎,ヤマダ,2026/12/01,\r\n`);
  assert.equal(job.status, 'failed_validation');
  const bytes = Buffer.from(await (await admin.get(`/api/v1/bulk-jobs/${accepted.reception_number}/result.csv`)).arrayBuffer());
  const text = execFileSync('iconv', ['-f', 'CP932', '-t', 'UTF-8'], { input: bytes }).toString();
  const rows = text.split('\r\n');
  assert.ok(rows[1].startsWith(`"1","一般利用者","half01","${'[U+00BD]'.repeat(500)}",`), rows[1].slice(0, 80));
  assert.ok(rows[2].startsWith(`"2","一般利用者","tm01","${'[U+2122]'.repeat(300)}",`), rows[2].slice(0, 80));
  assert.match(rows[3], /"ok01".*【入力チェックエラーなし:未登録】/);
  assert.doesNotMatch(text, / 1\/2 /);
});

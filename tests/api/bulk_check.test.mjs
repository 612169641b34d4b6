// POST /api/v1/bulk-checks (a bulk registration file checked as the job would check it,
// nothing registered) and GET /api/v1/bulk-template.csv: every verdict with its problems,
// the same verdict as the real job for the same files, both encodings, precise refusals,
// nothing written, the one-job slot left free, institutions apart, the template passing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startPostgres, startOnshid, onshictl, eventually } from '../support/harness.mjs';

let pg;
let db; // srv's database: a worker processes jobs
let quietDb; // quiet's database: no worker, so a job stays 登録待ち
let srv;
let quiet;

const HEADER = '権限区分,ユーザID,ユーザ名,ユーザ名（カナ）,利用開始年月日,利用終了年月日\r\n';
const cp932 = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: text });
const fromCp932 = (bytes) => execFileSync('iconv', ['-f', 'CP932', '-t', 'UTF-8'], { input: bytes }).toString();

function createInstitution(database, code, kind = 'medical') {
  const r = onshictl(['--json', 'institution', 'create', '--code', code, '--name', '一括確認試験',
    '--kind', kind, '--start-date', '2020-04-01'], { ONSHI_DATABASE_URL: pg.conninfo(database) });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Signs in on `server` (changing the initial password); a request helper bound to it.
async function session(server, code, userId, password) {
  let res = await fetch(`${server.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: code, user_id: userId, password }) });
  assert.equal(res.status, 200);
  let cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  let { csrf_token: csrf } = await res.json();
  res = await fetch(`${server.base}/api/v1/session/password`, { method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf },
    body: JSON.stringify({ current_password: password, new_password: 'Sakura2026!' }) });
  assert.equal(res.status, 200);
  cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  csrf = (await res.json()).csrf_token;
  const headers = { Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf };
  const call = (method, p, body, type) => fetch(`${server.base}${p}`, {
    method, headers: { ...headers, ...(type ? { 'Content-Type': type } : {}) }, body });
  call.headers = headers;
  call.json = (method, p, body) => call(method, p, JSON.stringify(body), 'application/json');
  call.check = (body, type = 'text/csv') => call('POST', '/api/v1/bulk-checks', body, type);
  call.upload = (body, type = 'text/csv') => call('POST', '/api/v1/bulk-jobs', body, type);
  call.verdict = async (body, type) => {
    const res = await call.check(body, type);
    assert.equal(res.status, 200);
    return res.json();
  };
  return call;
}

async function managers(code, { server = srv, database = db, kind = 'medical' } = {}) {
  const inst = createInstitution(database, code, kind);
  const master = await session(server, code, inst.master.user_id, inst.master.initial_password);
  const made = await master.json('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01',
    name: '管理 花子', name_kana: 'カンリ ハナコ', start_date: '2020-04-01' });
  assert.equal(made.status, 201);
  const admin = await session(server, code, 'kanri01', (await made.json()).initial_password);
  return { master, admin };
}

// The job's end for the same file, for comparing with the check's verdict.
async function jobOf(call, body, type) {
  const res = await call.upload(body, type);
  assert.equal(res.status, 202);
  const { reception_number: rn, status } = await res.json();
  if (status === 'failed_structure') return (await (await call('GET', `/api/v1/bulk-jobs/${rn}`)).json()).job;
  let job;
  await eventually(async () => {
    job = (await (await call('GET', `/api/v1/bulk-jobs/${rn}`)).json()).job;
    return !['waiting', 'processing'].includes(job.status);
  }, { timeoutMs: 60000 });
  return job;
}

// The check and the job agree on the status and the counts.
async function sameAsJob(call, body, type) {
  const v = await call.verdict(body, type);
  const job = await jobOf(call, body, type);
  assert.deepEqual(
    { status: v.status, errors: v.errors, duplicates: v.duplicates, registered: v.registrable, failure: v.failure },
    { status: job.status, errors: job.errors, duplicates: job.duplicates, registered: job.registered, failure: job.failure });
  return v;
}

// What a check must leave untouched.
const written = (database) => pg.psql(database,
  "SELECT (SELECT count(*) FROM bulk_jobs) || ',' || (SELECT count(*) FROM accounts) || ',' || (SELECT count(*) FROM audit_log) || ',' || (SELECT count(*) FROM bulk_staging)");

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  quietDb = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
  quiet = await startOnshid({ database: pg.conninfo(quietDb), env: { ONSHI_BULK_WORKER: '0' } });
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null }, srv.log().slice(-4000));
  if (quiet) assert.deepEqual(await quiet.stop(), { code: 0, signal: null }, quiet.log().slice(-4000));
  pg?.stop();
});

test('登録完了: a clean file, its counts, and nothing written', async () => {
  const { admin } = await managers('1319000001');
  const file = HEADER +
    '一般利用者,ippan01,ﾔﾏﾀﾞ ﾀﾛｳ,ﾔﾏﾀﾞ ﾀﾛｳ,2026/12/01,\r\n' +
    '\r\n' +
    'WebAPI用,A0001,受付システム,ウケツケ　システム,2020/4/1,2030/03/31\r\n';
  const before = written(db);
  const v = await admin.verdict(file);
  assert.deepEqual(v, {
    status: 'completed', status_label: '登録完了', failure: null, failure_row: null, encoding: 'utf-8',
    rows: 2, errors: 0, duplicates: 0, registrable: 2, problems: [], problems_total: 0, problems_limit: 1000,
  });
  assert.equal(written(db), before, 'no job, account, audit row or staging row');
  await sameAsJob(admin, file.replace('ippan01', 'ippan02').replace('A0001', 'A0002'));
});

test('登録失敗(入力チェックエラー): every problem with its row, column, field, registry code and message', async () => {
  const { admin } = await managers('1319000002');
  const file = HEADER + [
    '一般利用者,ippan01,山田,ヤマダ,2026/12/01,',
    '管理者,kanri02,山田,ヤマダ,2026/12/01,',
    '一般利用者,A0009,𠮷田,やまだ,2026/13/01,',
    ',,,,,2026/12/01',
    '一般利用者,ippan05,山田,ヤマダ,2027/01/01,2026/12/31',
    '一般利用者,kanri01,山田,ヤマダ,2026/12/01,', // taken (the admin's own ID): a duplicate, not an input error
  ].join('\r\n') + '\r\n';
  const v = await sameAsJob(admin, file);
  assert.deepEqual([v.status, v.status_label, v.rows, v.errors, v.duplicates, v.registrable, v.problems_total],
    ['failed_validation', '登録失敗(入力チェックエラー)', 6, 4, 1, 0, 12]);
  const p = (row, column, field, code) => ({ row, column, field, code });
  assert.deepEqual(v.problems.map(({ row, column, field, code }) => ({ row, column, field, code })), [
    p(2, '権限区分', 'role', 'account.role.not_managed'),
    p(3, '利用開始年月日', 'start_date', 'request.field_date'),
    p(3, 'ユーザID', 'user_id', 'account.user_id.reserved_prefix'),
    p(3, 'ユーザ名', 'name', 'account.name.charset'),
    p(3, 'ユーザ名（カナ）', 'name_kana', 'account.name_kana.charset'),
    p(4, '権限区分', 'role', 'request.field_missing'),
    p(4, 'ユーザID', 'user_id', 'request.field_missing'),
    p(4, 'ユーザ名', 'name', 'request.field_missing'),
    p(4, 'ユーザ名（カナ）', 'name_kana', 'request.field_missing'),
    p(4, '利用開始年月日', 'start_date', 'request.field_missing'),
    p(5, '利用終了年月日', 'end_date', 'account.date.order'),
    p(6, 'ユーザID', 'user_id', 'account.user_id.taken'),
  ]);
  // The messages are the registry's, as the job's result file shows them.
  assert.equal(v.problems[0].message, 'この権限区分のアカウントは登録できません。');
  assert.equal(v.problems[10].message, '利用終了年月日は利用開始年月日以降の日付を入力してください。');
  assert.equal(v.problems[11].message, 'このユーザIDは既に使用されています（削除済みのユーザIDも使用できません）。');
});

test('登録完了(一部ID重複あり): IDs repeated in the file, registered, deleted; another institution\'s IDs are free', async () => {
  const { admin } = await managers('1319000003');
  const other = await managers('1319000004');
  assert.equal((await other.admin.json('POST', '/api/v1/accounts', { role: 'general', user_id: 'elsewhr1',
    name: '他院 太郎', name_kana: 'タイン タロウ', start_date: '2020-04-01' })).status, 201);
  assert.equal((await admin.json('POST', '/api/v1/accounts', { role: 'general', user_id: 'gone01',
    name: '削除 太郎', name_kana: 'サクジョ タロウ', start_date: '2020-04-01' })).status, 201);
  assert.equal((await admin('DELETE', '/api/v1/accounts/gone01')).status, 204);
  const file = HEADER + [
    '一般利用者,ippan01,山田,ヤマダ,2026/12/01,',
    '一般利用者,kanri01,山田,ヤマダ,2026/12/01,', // registered
    '一般利用者,gone01,山田,ヤマダ,2026/12/01,', // deleted: never again
    '医療情報閲覧,ippan01,山田,ヤマダ,2026/12/01,', // the second of the file
    '一般利用者,elsewhr1,山田,ヤマダ,2026/12/01,', // only another institution has it
  ].join('\r\n') + '\r\n';
  const v = await admin.verdict(file);
  assert.deepEqual([v.status, v.errors, v.duplicates, v.registrable], ['completed_with_duplicates', 0, 3, 2]);
  assert.deepEqual(v.problems.map((x) => [x.row, x.column, x.code]),
    [[2, 'ユーザID', 'account.user_id.taken'], [3, 'ユーザID', 'account.user_id.taken'], [4, 'ユーザID', 'account.user_id.taken']]);
  const job = await sameAsJob(admin, file);
  assert.equal(job.registrable, 2);
  // Once registered, the same file's every row is a duplicate.
  const again = await sameAsJob(admin, file);
  assert.deepEqual([again.status, again.duplicates, again.registrable], ['completed_with_duplicates', 5, 0]);
});

test('登録失敗(ファイル構造エラー): the job\'s reason, the row, the encoding when known; same as the job', async () => {
  const { admin } = await managers('1319000005');
  const row = '一般利用者,ippan01,山田,ヤマダ,2026/12/01,\r\n';
  const cases = [
    [Buffer.concat([Buffer.from(HEADER), Buffer.from([0x88, 0xea, 0xff, 0x0d, 0x0a])]), /^文字コードがUTF-8又はShift_JIS（CP932）ではありません（データ1行目）。$/, 1, 'utf-8'],
    [Buffer.from(row), /^1行目が見出し行/, null, null],
    [Buffer.from(HEADER + '一般利用者,ippan01,山田,ヤマダ,2026/12/01\r\n'), /^データ1行目の項目数が6ではありません。$/, 1, 'utf-8'],
    [Buffer.from(HEADER + row + '一般利用者,"ippan02,山田,ヤマダ,2026/12/01,\r\n'), /^データ2行目のダブルクォーテーション/, 2, 'utf-8'],
    [cp932(HEADER), /^見出し行の後にデータ行がありません。$/, null, null],
    [Buffer.from(HEADER + row.repeat(10001)), /^データ行が10000行を超えています。$/, 10001, 'utf-8'],
    [Buffer.from(HEADER + 'a'.repeat(100000)), /^データ1行目に長すぎる項目があります/, 1, 'utf-8'],
  ];
  for (const [body, why, failureRow, encoding] of cases) {
    const before = written(db);
    const v = await admin.verdict(body);
    assert.equal(written(db), before);
    assert.deepEqual([v.status, v.status_label, v.failure_row, v.encoding, v.rows, v.problems],
      ['failed_structure', '登録失敗(ファイル構造エラー)', failureRow, encoding, 0, []], String(why));
    assert.match(v.failure, why);
    await sameAsJob(admin, body);
  }
});

test('UTF-8 with and without a BOM, CP932, and multipart/form-data read the same', async () => {
  const { admin } = await managers('1319000006');
  const file = HEADER + '一般利用者,ippan01,髙橋　ﾀﾛｳ,タカハシ,2026/12/01,\r\n一般利用者,ippan02,𠮷田,ヨシダ,2026/12/01,\r\n';
  const summary = (v) => [v.status, v.encoding, v.rows, v.errors, v.problems.map((x) => `${x.row}:${x.code}`).join()];
  assert.deepEqual(summary(await admin.verdict(file)), ['failed_validation', 'utf-8', 2, 1, '2:account.name.charset']);
  assert.deepEqual(summary(await admin.verdict(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(file)]))),
    ['failed_validation', 'utf-8', 2, 1, '2:account.name.charset']);
  // 𠮷 has no CP932 spelling: the CP932 file holds the first row only.
  const sjisFile = cp932(HEADER + '一般利用者,ippan01,髙橋　ﾀﾛｳ,タカハシ,2026/12/01,\r\n');
  assert.deepEqual(summary(await admin.verdict(sjisFile)), ['completed', 'cp932', 1, 0, '']);
  const form = new FormData();
  form.append('note', 'ignored');
  form.append('file', new Blob([sjisFile], { type: 'text/csv' }), 'アカウント.csv');
  assert.deepEqual(summary(await admin.verdict(form, null)), ['completed', 'cp932', 1, 0, '']);
  await sameAsJob(admin, sjisFile);
});

test('malformed and oversized requests get the upload\'s precise errors, and write nothing', async () => {
  const { admin } = await managers('1319000007');
  const before = written(db);
  const big = `一般利用者,ippan01,${'a'.repeat(1000)},ヤマダ,2026/12/01,\r\n`.repeat(5300);
  const expect = async (res, status, code) => assert.deepEqual([res.status, (await res.json()).error.code], [status, code]);
  await expect(await admin.check(HEADER + big), 413, 'bulk.file_too_large');
  await expect(await admin.check('{}', 'application/json'), 415, 'request.unsupported_media_type');
  const form = new FormData();
  form.append('other', 'x');
  await expect(await admin.check(form, null), 400, 'bulk.file_missing');
  await expect(await admin.check('--x\r\nbroken', 'multipart/form-data'), 400, 'bulk.form_invalid');
  const cut = '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n' +
    HEADER + '一般利用者,ippan01,山田,ヤマダ,2026/12/01,2027/03/31\r\n';
  await expect(await admin.check(cut, 'multipart/form-data; boundary=XyZ'), 400, 'bulk.form_invalid');
  // Over upload_limit: refused on the declared size (curl reads that answer).
  const status = execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Content-Type: text/csv',
    '-H', `Cookie: ${admin.headers.Cookie}`, '-H', `X-CSRF-Token: ${admin.headers['X-CSRF-Token']}`, '--data-binary', '@-', `${srv.base}/api/v1/bulk-checks`],
  { input: Buffer.alloc(6 * 1024 * 1024 + 1, 'a') }).toString();
  assert.equal(status, '413');
  // Without a session: 401.
  const res = await fetch(`${srv.base}/api/v1/bulk-checks`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: HEADER });
  assert.equal(res.status, 401);
  assert.equal(written(db), before);
});

test('10,000 rows: checked whole, the problems listed up to the limit with their total', async () => {
  const { admin } = await managers('1319000008');
  const good = Array.from({ length: 10000 }, (_, k) => `一般利用者,c${k},山田,ヤマダ,2026/12/01,\r\n`).join('');
  let v = await admin.verdict(HEADER + good);
  assert.deepEqual([v.status, v.rows, v.registrable, v.problems_total], ['completed', 10000, 10000, 0]);
  // Every row with two problems (a hiragana kana, a bad date): 20,000, of which 1,000 listed.
  const bad = Array.from({ length: 10000 }, (_, k) => `一般利用者,c${k},山田,やまだ,2026/13/01,\r\n`).join('');
  v = await admin.verdict(HEADER + bad);
  assert.deepEqual([v.status, v.rows, v.errors, v.problems_total, v.problems.length, v.problems_limit],
    ['failed_validation', 10000, 10000, 20000, 1000, 1000]);
  assert.deepEqual([v.problems[0].row, v.problems[999].row, v.problems[999].field], [1, 500, 'name_kana']);
});

test('a check needs no free job slot and takes none', async () => {
  const { admin, master } = await managers('1319000009', { server: quiet, database: quietDb });
  const file = HEADER + '一般利用者,ippan01,山田,ヤマダ,2026/12/01,\r\n';
  assert.equal((await admin.upload(file)).status, 202); // no worker here: it stays 登録待ち
  const before = written(quietDb);
  assert.equal((await admin.verdict(file)).status, 'completed');
  assert.equal((await master.verdict(HEADER + '管理者,kanri02,山田,ヤマダ,2026/12/01,\r\n')).status, 'completed');
  assert.equal(written(quietDb), before);
  const busy = await admin.upload(file);
  assert.deepEqual([busy.status, (await busy.json()).error.code], [409, 'bulk.busy']);
});

// The template's rows, parsed (no quoted fields in it).
const rowsOf = (text) => text.replace(/^\uFEFF/, '').split('\r\n').filter((l) => l).map((l) => l.split(','));

test('the template: header and one example per kind the caller registers, in the 利用文字コード, passing the check', async () => {
  const { master, admin } = await managers('1319000010');
  for (const [who, kinds] of [[master, ['管理者']], [admin, ['一般利用者', '医療情報閲覧', 'WebAPI用', '連携アプリケーション用', '顔認証付きカードリーダー用']]]) {
    const res = await who('GET', '/api/v1/bulk-template.csv');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(res.headers.get('content-disposition'),
      `attachment; filename="bulk-template.csv"; filename*=UTF-8''${encodeURIComponent('アカウント一括登録用ファイル.csv')}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const rows = rowsOf(bytes.toString('utf8'));
    assert.equal(`${rows[0].join(',')}\r\n`, HEADER);
    assert.deepEqual(rows.slice(1).map((r) => r[0]), kinds);
    assert.ok(rows.slice(1).every((r) => r.length === 6 && r[5] === ''));
    const v = await who.verdict(bytes);
    assert.deepEqual([v.status, v.encoding, v.rows, v.registrable], ['completed', 'utf-8', kinds.length, kinds.length]);
  }
  // Shift-JIS: CP932 bytes without a BOM, the same rows.
  const put = await admin.json('PUT', '/api/v1/settings', { values: { char_encoding: 'sjis' }, version: 1 });
  assert.equal(put.status, 200);
  const res = await admin('GET', '/api/v1/bulk-template.csv');
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=Shift_JIS');
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.notDeepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.equal(`${rowsOf(fromCp932(bytes))[0].join(',')}\r\n`, HEADER);
  const v = await admin.verdict(bytes);
  assert.deepEqual([v.status, v.encoding, v.rows], ['completed', 'cp932', 5]);
  // The real job registers the template's rows.
  const job = await sameAsJob(admin, bytes);
  assert.equal(job.registrable, 5);
});

test('the template at a pharmacy uses the pharmacy\'s system-account prefixes and passes there', async () => {
  const { admin } = await managers('1349000011', { kind: 'pharmacy' });
  const res = await admin('GET', '/api/v1/bulk-template.csv');
  const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
  const ids = rowsOf(text).slice(1).map((r) => r[1]);
  assert.ok(ids.some((id) => id.startsWith('A1')) && ids.some((id) => id.startsWith('R1')), ids.join());
  const v = await admin.verdict(text);
  assert.deepEqual([v.status, v.registrable], ['completed', 5]);
});

test('only masters and admins may check a file or get the template', async () => {
  const { admin } = await managers('1319000012');
  const made = await admin.json('POST', '/api/v1/accounts', { role: 'general', user_id: 'ippan77',
    name: '一般', name_kana: 'イッパン', start_date: '2020-04-01' });
  const user = await session(srv, '1319000012', 'ippan77', (await made.json()).initial_password);
  for (const res of [await user.check(HEADER), await user('GET', '/api/v1/bulk-template.csv')])
    assert.deepEqual([res.status, (await res.json()).error.code], [403, 'auth.forbidden']);
});

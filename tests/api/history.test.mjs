// 資格確認履歴照会 and 医療情報閲覧履歴照会: pages, filters at their boundaries, CSV files byte
// for byte in UTF-8 (with BOM) and CP932, 25,000 rows allowed and 25,001 refused, the
// download limit, audit rows, who may see which history, and partitions kept and dropped; the
// names of a view (patient, viewer) kept as they were at the view and recovered for older rows;
// periods as RFC 3339 instants with their offsets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { startPostgres, startOnshid, eventually, onshictl } from '../support/harness.mjs';
import { createInstitution, signedIn } from '../support/people.mjs';

let pg;
let db;
let srv;
const CODE = '1319300001';
const BULK = '1319300002'; // rows written in SQL for the 25,000 limit
let admin;
let general;
let viewer;
let bulkAdmin;
let patient; // the test person of the card 5150

const account = (role, id) => ({ role, user_id: id, name: '履歴 確認', name_kana: 'リレキ カクニン', start_date: '2020-04-01' });
const jstDay = (offsetDays = 0) => new Date(Date.now() + 9 * 3600e3 + offsetDays * 86400e3).toISOString().slice(0, 10);

async function staff(code) {
  const inst = createInstitution(pg, db, code, 'medical', '履歴試験医院');
  const master = await signedIn(srv, code, inst.master.user_id, inst.master.initial_password);
  const made = await master('POST', '/api/v1/accounts', account('admin', 'kanri01'));
  const adm = await signedIn(srv, code, 'kanri01', (await made.json()).initial_password);
  const member = async (role, id) => signedIn(srv, code, id, (await (await adm('POST', '/api/v1/accounts', account(role, id))).json()).initial_password);
  return { adm, member };
}

const xml = (person, code = CODE) => ({ XmlMsg: { MessageHeader: { QualificationConfirmationDate: '20261124', MedicalInstitutionCode: code, ArbitraryFileIdentifier: 'F,"1"' },
  MessageBody: { QualificationConfirmSearchInfo: { InsurerNumber: person.insurance.insurer_number, InsuredCardSymbol: person.insurance.insured_card_symbol,
    InsuredIdentificationNumber: person.insurance.insured_number, InsuredBranchNumber: person.insurance.insured_branch_number } } } });

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_HISTORY_DOWNLOAD_LIMIT: '1' } });
  const s = await staff(CODE);
  admin = s.adm;
  general = await s.member('general', 'ippan01');
  viewer = await s.member('medical_viewer', 'etsuran1');
  bulkAdmin = (await staff(BULK)).adm;
  // Three checks and two views of a consenting test patient.
  const link = await admin('POST', '/api/v1/test-data/card-links', { serial_number: '5150', qualification_type: 'insurance_valid', register_as_insurance_card: true });
  const person = (await link.json()).card_link.person;
  patient = person;
  assert.equal((await general('POST', '/api/v1/qualifications', xml(person))).status, 200);
  assert.equal((await viewer('POST', '/api/v1/qualifications/card', { serial_number: '5150', consents: ['drug', 'checkup'] })).status, 200);
  assert.equal((await general('POST', '/api/v1/qualifications', { XmlMsg: {} })).status, 200);
  assert.equal((await viewer('GET', '/api/v1/medical-info?serial_number=5150&category=drug')).status, 200);
  assert.equal((await viewer('GET', '/api/v1/medical-info?serial_number=5150&category=checkup')).status, 200);
});
after(async () => {
  if (process.env.SHOW_LOG) console.log(srv.log().split('\n').filter((l) => /error|warn/i.test(l)).join('\n'));
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  pg?.stop();
});

const KIND = { general: '一般利用者', medical_viewer: '医療情報閲覧', webapi: 'WebAPI用', linked_app: '連携アプリケーション用', face_reader: '顔認証付きカードリーダー用' };
const ROUTE = { screen: '画面', webapi: 'WebAPI', linked_app: '連携アプリケーション', face_reader: '顔認証付きカードリーダー' };
const VALIDITY = { 1: '有効', 2: '無効', 3: '無効（新しい資格あり）', 4: '該当資格なし', 5: '複数該当' };
const CATEGORY = { checkup: '特定健診情報', drug: '薬剤情報', surgery_medical_drug: '手術・診療・薬剤情報' };
const jst = (iso) => new Date(Date.parse(iso) + 9 * 3600e3).toISOString().slice(0, 19).replace('T', ' ').replaceAll('-', '/');
// CSV quoting as RFC 4180 (and PostgreSQL's COPY) does it: only when needed.
const field = (v) => (v === null ? '' : /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const csvOf = (head, rows) => [head, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';

function expectedChecksCsv(items) {
  const head = ['資格確認日時', 'ユーザID', '権限区分', '照会経路', '照会区分', '保険者番号', '被保険者証記号', '被保険者証番号', '被保険者証枝番', '資格有効性', '処理結果', '処理結果コード', '任意のファイル識別子'];
  const rows = [...items].reverse().map((i) => [jst(i.checked_at), i.user_id, KIND[i.account_kind], ROUTE[i.route], i.reference_classification === '1' ? 'マイナンバーカード' : '被保険者証',
    i.insurer_number, i.insured_card_symbol, i.insured_number, i.insured_branch_number, i.validity === null ? null : VALIDITY[i.validity],
    i.result_status === '1' ? '正常' : 'エラー', i.result_code, i.file_identifier]);
  return csvOf(head, rows);
}

test('qualification-check history: pages newest first, and the CSV byte for byte in UTF-8 with BOM and in CP932', async () => {
  const today = jstDay();
  const res = await general('GET', `/api/v1/history/qualification-checks?from=${today}&to=${today}&per_page=2`);
  const p1 = await res.json();
  assert.equal(res.status, 200, JSON.stringify(p1));
  assert.deepEqual([p1.total, p1.items.length, p1.page, p1.per_page], [3, 2, 1, 2]);
  // What a download would be, told to accounts that cannot read the settings.
  assert.deepEqual([p1.csv_encoding, p1.csv_max_rows], ['utf8', 25000]);
  assert.equal((await general('GET', '/api/v1/settings')).status, 403);
  const p2 = await (await general('GET', `/api/v1/history/qualification-checks?from=${today}&to=${today}&per_page=2&page=2`)).json();
  const items = [...p1.items, ...p2.items];
  assert.deepEqual(items.map((i) => [i.user_id, i.route, i.reference_classification, i.result_status]),
    [['ippan01', 'screen', '2', '2'], ['etsuran1', 'screen', '1', '1'], ['ippan01', 'screen', '2', '1']]);
  assert.ok(items[0].checked_at >= items[1].checked_at && items[1].checked_at >= items[2].checked_at);
  assert.equal(items[2].file_identifier, 'F,"1"');

  const want = expectedChecksCsv(items);
  let dl = await viewer('GET', `/api/v1/history/qualification-checks.csv?from=${today}&to=${today}`);
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(dl.headers.get('content-disposition'), /^attachment; filename="qualification_checks_1319300001.csv"$/);
  const utf8 = Buffer.from(await dl.arrayBuffer());
  assert.deepEqual(utf8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(want, 'utf8')]));

  const s = await (await admin('GET', '/api/v1/settings')).json();
  assert.equal((await admin('PUT', '/api/v1/settings', { values: { char_encoding: 'sjis' }, version: s.version })).status, 200);
  dl = await admin('GET', `/api/v1/history/qualification-checks.csv?from=${today}&to=${today}`);
  assert.equal(dl.headers.get('content-type'), 'text/csv; charset=Shift_JIS');
  for (const who of [general, viewer]) {
    const told = await (await who('GET', `/api/v1/history/qualification-checks?from=${today}&to=${today}&per_page=1`)).json();
    assert.equal(told.csv_encoding, 'sjis');
  }
  const views = await (await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}`)).json();
  assert.deepEqual([views.csv_encoding, views.csv_max_rows], ['sjis', 25000]);
  const sjis = Buffer.from(await dl.arrayBuffer());
  assert.deepEqual(sjis, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: want }));
  const back = await (await admin('GET', '/api/v1/settings')).json();
  assert.equal((await admin('PUT', '/api/v1/settings', { values: { char_encoding: 'utf8' }, version: back.version })).status, 200);
  const audit = pg.psql(db, `SELECT string_agg(actor || ':' || (details->>'history') || ':' || (details->>'rows') || ':' || (details->>'encoding'), ',' ORDER BY id) FROM audit_log WHERE institution_code = '${CODE}' AND action = 'history.download'`);
  assert.equal(audit, 'etsuran1:qualification_checks:3:utf8,kanri01:qualification_checks:3:sjis');
});

const VIEW_HEAD = ['閲覧日時', 'ユーザID', 'ユーザ名', '権限区分', '保険者番号', '被保険者証記号', '被保険者証番号', '被保険者証枝番', '氏名', '氏名（カナ）', '照会情報区分', '閲覧同意', '閲覧方法'];
const viewCsvRow = (i) => [jst(i.viewed_at), i.user_id, i.user_name, KIND[i.account_kind], i.insurer_number, i.insured_card_symbol, i.insured_number, i.insured_branch_number,
  i.patient_name, i.patient_name_kana, CATEGORY[i.category], i.consent === 'given' ? '同意あり' : '同意不要', i.method === 'normal' ? '通常' : '緊急時'];
// The name an account is shown with (normalised by the server: full-width letters and space).
const accountName = async (id) => (await (await admin('GET', `/api/v1/accounts/${id}`)).json()).account;

test('medical-information-view history: admins only, 照会情報区分 filter, CSV', async () => {
  const today = jstDay();
  const all = await (await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}`)).json();
  assert.deepEqual(all.items.map((i) => [i.user_id, i.account_kind, i.category, i.consent, i.method]),
    [['etsuran1', 'medical_viewer', 'checkup', 'given', 'normal'], ['etsuran1', 'medical_viewer', 'drug', 'given', 'normal']]);
  // Whose information was viewed, and by whom (manual ch. 4 §1: いつ誰の医療情報を閲覧したのか).
  const viewerName = (await accountName('etsuran1')).name;
  assert.equal(viewerName, '履歴　確認');
  for (const i of all.items) {
    assert.deepEqual([i.user_name, i.patient_name, i.patient_name_kana], [viewerName, patient.name, patient.name_kana]);
    assert.match(i.patient_name, /\S/);
  }
  const drug = await (await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}&category=drug`)).json();
  assert.deepEqual([drug.total, drug.items[0].category], [1, 'drug']);
  const none = await (await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}&category=surgery_medical_drug`)).json();
  assert.equal(none.total, 0);
  for (const who of [general, viewer]) assert.equal((await who('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}`)).status, 403);
  const dl = await admin('GET', `/api/v1/history/medical-info-views.csv?from=${today}&to=${today}&category=checkup`);
  const text = Buffer.from(await dl.arrayBuffer()).toString('utf8');
  const row = all.items[0];
  assert.equal(text, '\ufeff' + csvOf(VIEW_HEAD,
    [[jst(row.viewed_at), 'etsuran1', '履歴　確認', '医療情報閲覧', row.insurer_number, row.insured_card_symbol, row.insured_number, row.insured_branch_number,
      patient.name, patient.name_kana, CATEGORY.checkup, '同意あり', '通常']]));
  // Both rows in both encodings, byte for byte.
  const want = csvOf(VIEW_HEAD, [...all.items].reverse().map(viewCsvRow));
  const utf8 = Buffer.from(await (await admin('GET', `/api/v1/history/medical-info-views.csv?from=${today}&to=${today}`)).arrayBuffer());
  assert.deepEqual(utf8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(want, 'utf8')]));
  const s = await (await admin('GET', '/api/v1/settings')).json();
  assert.equal((await admin('PUT', '/api/v1/settings', { values: { char_encoding: 'sjis' }, version: s.version })).status, 200);
  try {
    const dl = await admin('GET', `/api/v1/history/medical-info-views.csv?from=${today}&to=${today}`);
    assert.equal(dl.headers.get('content-type'), 'text/csv; charset=Shift_JIS');
    assert.deepEqual(Buffer.from(await dl.arrayBuffer()), execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: want }));
  } finally {
    const back = await (await admin('GET', '/api/v1/settings')).json();
    assert.equal((await admin('PUT', '/api/v1/settings', { values: { char_encoding: 'utf8' }, version: back.version })).status, 200);
  }
});

test('a view keeps the names it was made under: renaming the account or the patient later rewrites nothing', async () => {
  const today = jstDay();
  const before = await (await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}`)).json();
  const acct = await accountName('etsuran1');
  const renamed = await admin('PATCH', '/api/v1/accounts/etsuran1', { name: '改名 後', version: acct.version });
  assert.equal(renamed.status, 200);
  pg.psql(db, `UPDATE test_persons SET person = jsonb_set(person, '{name}', '"別名　花子"') WHERE institution_code = '${CODE}' AND serial_number = '5150'`);
  try {
    const after = await (await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}`)).json();
    assert.deepEqual(after.items, before.items);
    // A view made now is recorded under the names of now.
    assert.equal((await viewer('GET', '/api/v1/medical-info?serial_number=5150&category=drug')).status, 200);
    const now = await (await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}`)).json();
    assert.equal(now.total, before.total + 1);
    assert.deepEqual([now.items[0].user_name, now.items[0].patient_name, now.items[0].patient_name_kana], ['改名　後', '別名　花子', patient.name_kana]);
    assert.deepEqual(now.items.slice(1), before.items);
    const text = Buffer.from(await (await admin('GET', `/api/v1/history/medical-info-views.csv?from=${today}&to=${today}`)).arrayBuffer()).toString('utf8');
    assert.equal(text, '\ufeff' + csvOf(VIEW_HEAD, [...now.items].reverse().map(viewCsvRow)));
    assert.equal(text.split('\r\n').filter((l) => l.includes(',履歴　確認,')).length, before.total);
  } finally {
    pg.psql(db, `UPDATE test_persons SET person = jsonb_set(person, '{name}', to_jsonb('${patient.name}'::text)) WHERE institution_code = '${CODE}' AND serial_number = '5150'`);
  }
});

test('search conditions refused with their codes', async () => {
  const cases = [
    ['/api/v1/history/qualification-checks?to=2026-11-24', 400, 'request.field_missing', 'from'],
    ['/api/v1/history/qualification-checks?from=2026-11-24', 400, 'request.field_missing', 'to'],
    ['/api/v1/history/qualification-checks?from=2026-11-24T24:00&to=2026-11-25', 400, 'request.field_date', 'from'],
    ['/api/v1/history/qualification-checks?from=2026-11-24&to=2026/11/25', 400, 'request.field_date', 'to'],
    ['/api/v1/history/qualification-checks?from=2026-11-24T10:01&to=2026-11-24T10:00', 400, 'history.range_invalid', 'to'],
    ['/api/v1/history/qualification-checks.csv?from=2026-11-25&to=2026-11-24', 400, 'history.range_invalid', 'to'],
    ['/api/v1/history/medical-info-views?from=2026-11-24&to=2026-11-24&category=surgery', 400, 'history.category_unknown', 'category'],
    ['/api/v1/history/qualification-checks?from=2026-11-24&to=2026-11-24&per_page=101', 400, 'request.field_range', 'per_page'],
  ];
  for (const [path, status, code, f] of cases) {
    const res = await admin('GET', path);
    const b = await res.json();
    assert.deepEqual([res.status, b.error.code, b.error.field], [status, code, f], path);
  }
});

// Japan time text → the SQL timestamp literal.
const at = (day, hms) => `'${day} ${hms}+09'`;

test('25,000 rows download; 25,001 are refused with the count; the bounds of 対象期間 to the minute', async () => {
  const day = jstDay(-1);
  // 24,999 rows spread over 10:00:00–10:59:59, one at the last moment of 10:59, one just
  // before 10:00 and one at 11:00:30.
  pg.psql(db, `INSERT INTO qualification_checks (institution_code, checked_at, account_id, account_kind, route, reference_classification, insurer_number, insured_number, validity, result_status)
    SELECT '${BULK}', ${at(day, '10:00:00')}::timestamptz + g * interval '3599 seconds' / 24999, 'ippan01', 'general', 'screen', '2', '06131234', lpad(g::text, 7, '0'), '1', '1'
    FROM generate_series(0, 24998) g`);
  pg.psql(db, `INSERT INTO qualification_checks (institution_code, checked_at, account_id, account_kind, route, reference_classification, validity, result_status) VALUES
    ('${BULK}', ${at(day, '10:59:59.999999')}, 'last', 'general', 'screen', '2', '4', '1'),
    ('${BULK}', ${at(day, '09:59:59.999999')}, 'early', 'general', 'screen', '2', '4', '1'),
    ('${BULK}', ${at(day, '11:00:30')}, 'late', 'general', 'screen', '2', '4', '1')`);
  const count = (from, to) => bulkAdmin('GET', `/api/v1/history/qualification-checks?from=${day}T${from}&to=${day}T${to}&per_page=1`).then((r) => r.json()).then((b) => b.total);
  assert.equal(await count('10:00', '10:59'), 25000);
  // One minute is all of it: through 10:59:59.999999, and nothing of 11:00.
  const inMinute = Number(pg.psql(db, `SELECT count(*) FROM qualification_checks WHERE institution_code = '${BULK}' AND checked_at >= ${at(day, '10:59:00')} AND checked_at <= ${at(day, '10:59:59.999999')}`));
  assert.ok(inMinute > 1);
  assert.equal(await count('10:59', '10:59'), inMinute);
  assert.equal(await count('09:59', '10:59'), 25001);
  assert.equal(await count('10:00', '11:00'), 25001);
  assert.equal(await count('11:00', '11:00'), 1);
  assert.equal(await count('11:01', '11:01'), 0);

  let res = await bulkAdmin('GET', `/api/v1/history/qualification-checks.csv?from=${day}T10:00&to=${day}T10:59`);
  assert.equal(res.status, 200);
  const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
  const lines = text.split('\r\n');
  assert.equal(lines.length, 25002); // header, 25,000 rows, and the empty string after the last CRLF
  assert.equal(lines.at(-1), '');
  assert.match(lines[1], /^\d{4}\/\d\d\/\d\d 10:00:00,ippan01,一般利用者,画面,被保険者証,06131234,,0000000,,有効,正常,,$/);
  res = await bulkAdmin('GET', `/api/v1/history/qualification-checks.csv?from=${day}T10:00&to=${day}T11:00`);
  const refused = await res.json();
  assert.equal(res.status, 422);
  assert.equal(refused.error.code, 'history.too_many_rows');
  assert.match(refused.error.message, /25,000件を超える.*検索条件を見直して/);
  assert.deepEqual(refused.error.details, [{ count: 25001, limit: 25000 }]);
  // A day without rows downloads as the header alone.
  res = await bulkAdmin('GET', `/api/v1/history/qualification-checks.csv?from=${jstDay(-2)}&to=${jstDay(-2)}`);
  assert.match(Buffer.from(await res.arrayBuffer()).toString('utf8'), /^\ufeff資格確認日時,[^\r\n]*\r\n$/);
  // Nothing of the other institution: CODE sees none of these rows.
  const other = await (await admin('GET', `/api/v1/history/qualification-checks?from=${day}&to=${day}`)).json();
  assert.equal(other.total, 0);
});

test('downloads beyond history_download_limit wait for none: 503 server.busy while one streams', async () => {
  const day = jstDay(-1);
  const path = `/api/v1/history/qualification-checks.csv?from=${day}T10:00&to=${day}T10:59`;
  // A session of this institution's admin for a raw, paused reader.
  const res = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: BULK, user_id: 'kanri01', password: 'Sakura2026!' }) });
  const cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  const slow = await new Promise((resolve) => {
    const req = http.get(`${srv.base}${path}`, { headers: { Cookie: `onshi_session=${cookie}` } }, (r) => { r.pause(); resolve({ req, r }); });
  });
  assert.equal(slow.r.statusCode, 200);
  const busy = await bulkAdmin('GET', path);
  assert.deepEqual([busy.status, (await busy.json()).error.code], [503, 'server.busy']);
  let bytes = 0;
  slow.r.on('data', (c) => { bytes += c.length; });
  await new Promise((resolve) => { slow.r.on('end', resolve); slow.r.resume(); });
  assert.ok(bytes > 1_000_000);
  // A client that goes away halfway gives its slot back too.
  const dropped = await new Promise((resolve) => {
    const req = http.get(`${srv.base}${path}`, { headers: { Cookie: `onshi_session=${cookie}` } }, (r) => {
      r.once('data', () => { req.destroy(); resolve(r.statusCode); });
    });
    req.on('error', () => {});
  });
  assert.equal(dropped, 200);
  const again = await eventually(async () => { const r = await bulkAdmin('GET', path); if (r.status !== 200) await r.arrayBuffer(); return r.status === 200 && r; });
  assert.ok((await again.arrayBuffer()).byteLength > 1_000_000);
});

test('HEAD of a CSV: the headers alone, no query, no audit row', async () => {
  const before = pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${CODE}' AND action = 'history.download'`);
  const res = await admin('HEAD', `/api/v1/history/qualification-checks.csv?from=${jstDay()}&to=${jstDay()}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${CODE}' AND action = 'history.download'`), before);
});

test('text a client chose cannot become a spreadsheet formula', async () => {
  const day = jstDay(-3);
  pg.psql(db, `INSERT INTO qualification_checks (institution_code, checked_at, account_id, account_kind, route, reference_classification, insured_symbol, insured_number, result_status, file_identifier)
    VALUES ('${CODE}', '${day} 12:00+09', 'ippan01', 'general', 'screen', '2', '+1', '@SUM(1)', '1', '=HYPERLINK("x")')`);
  const text = Buffer.from(await (await admin('GET', `/api/v1/history/qualification-checks.csv?from=${day}&to=${day}`)).arrayBuffer()).toString('utf8');
  const row = text.split('\r\n')[1];
  assert.ok(row.endsWith(`,'+1,'@SUM(1),,,正常,,"'=HYPERLINK(""x"")"`), row);
});

test('partitions: months ahead are kept ready, months past the retention are dropped whole', async () => {
  const old = "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname ~ '_p2001[0-9]{2}$'";
  pg.psql(db, "SELECT history_partitions_ensure('2001-01-01', 2)");
  assert.equal(pg.psql(db, old), '4');
  const keeper = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_HISTORY_RETENTION_MONTHS: '24' } });
  try {
    await eventually(() => pg.psql(db, old) === '0');
    const ahead = new Date(Date.now() + 9 * 3600e3);
    ahead.setUTCDate(1);
    ahead.setUTCMonth(ahead.getUTCMonth() + 11); // the migration made only up to +3
    const name = `qualification_checks_p${ahead.toISOString().slice(0, 7).replace('-', '')}`;
    assert.equal(pg.psql(db, `SELECT count(*) FROM pg_class WHERE relname = '${name}'`), '1');
    // This month's rows are untouched.
    assert.ok(Number(pg.psql(db, `SELECT count(*) FROM qualification_checks WHERE institution_code = '${CODE}'`)) >= 3);
  } finally {
    assert.deepEqual(await keeper.stop(), { code: 0, signal: null });
  }
});

test('periods as RFC 3339 instants with their offsets select exactly their rows, in pages and files of both histories', async () => {
  // Around the start of day D in Japan: the last microsecond of the day before, midnight itself
  // (15:00Z of the day before) and 00:30.
  const d = jstDay(-6);
  const prev = jstDay(-7);
  const times = [`${prev} 23:59:59.999999+09`, `${d} 00:00:00+09`, `${d} 00:30:00+09`];
  for (const [n, t] of times.entries()) {
    pg.psql(db, `INSERT INTO medical_info_views (institution_code, viewed_at, viewer_id, viewer_kind, category, consent, method)
      VALUES ('${CODE}', '${t}', 'at${n}', 'medical_viewer', 'drug', 'given', 'normal')`);
    pg.psql(db, `INSERT INTO qualification_checks (institution_code, checked_at, account_id, account_kind, route, reference_classification, result_status)
      VALUES ('${CODE}', '${t}', 'at${n}', 'general', 'screen', '2', '1')`);
  }
  const q = (from, to) => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const pageOf = async (kind, from, to) => {
    const res = await admin('GET', `/api/v1/history/${kind}?${q(from, to)}`);
    const b = await res.json();
    assert.equal(res.status, 200, JSON.stringify(b));
    return b.items.map((i) => i.user_id).reverse();
  };
  const fileOf = async (kind, from, to) => {
    const res = await admin('GET', `/api/v1/history/${kind}.csv?${q(from, to)}`);
    assert.equal(res.status, 200);
    return Buffer.from(await res.arrayBuffer()).toString('utf8').split('\r\n').slice(1, -1).map((l) => l.split(',')[1]);
  };
  const cases = [
    // 00:30 JST is in the period from 15:00Z of the day before; the day before's last moment is not.
    [`${prev}T15:00:00Z`, `${d}T00:30:00+09:00`, ['at1', 'at2']],
    [`${prev}T15:00:00+00:00`, `${d}T00:29:59.999999+09:00`, ['at1']],
    // The upper bound includes its instant: the day before's last microsecond.
    [`${prev}T00:00:00Z`, `${prev}T14:59:59.999999Z`, ['at0']],
    [`${prev}T00:00:00Z`, `${prev}T14:59:59.9999999Z`, ['at0']], // rounded down to the microsecond
    [`${prev}T14:59:59.9999995Z`, `${d}T23:59`, ['at1', 'at2']], // a lower bound rounded up
    [`${prev}T14:59:59.999999Z`, `${d}T23:59`, ['at0', 'at1', 'at2']],
    // Other offsets, and an instant mixed with a Japan-time form.
    [`${prev}T09:59:59.999999-05:00`, `${prev}T10:00:00-05:00`, ['at0', 'at1']],
    [`${prev}`, `${prev}T20:45:00+05:45`, ['at0', 'at1']],
    [`${d}T00:30:00+09:00`, `${d}T00:30:00+09:00`, ['at2']], // one instant
    [`${d}T00:00`, `${d}T00:29`, ['at1']],
  ];
  for (const [from, to, want] of cases) {
    assert.deepEqual(await pageOf('qualification-checks', from, to), want, `checks ${from} ${to}`);
    assert.deepEqual(await pageOf('medical-info-views', from, to), want, `views ${from} ${to}`);
    assert.deepEqual(await fileOf('qualification-checks', from, to), want, `checks.csv ${from} ${to}`);
    assert.deepEqual(await fileOf('medical-info-views', from, to), want, `views.csv ${from} ${to}`);
  }
  // The audit row keeps the text as it was given.
  assert.equal(pg.psql(db, `SELECT details->>'from' FROM audit_log WHERE institution_code = '${CODE}' AND action = 'history.download' ORDER BY id DESC LIMIT 1`), `${d}T00:00`);
});

test('malformed RFC 3339 periods are refused with request.field_date and their field, and nothing is written', async () => {
  const before = pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${CODE}'`);
  const good = '2026-12-01T09:00:00+09:00';
  const bad = [
    '2026-12-01T09:00:00', '2026-12-01T09:00:00+0900', '2026-12-01T09:00:00+24:00', '2026-12-01T09:00:00+09:60', '2026-12-01T09:00:00+9:00',
    '2026-12-01T24:00:00Z', '2026-12-01T23:59:60Z', '2026-13-01T09:00:00Z', '2026-02-29T09:00:00Z', '2026-12-01T09:00:00Zjunk',
    '2026-12-01T09:00:00+09:00 ', '2026-12-01T09:00Z', '2026-12-01T09:00:00.Z', '12026-12-01T09:00:00Z', '+2026-12-01T09:00:00Z',
    '99999-12-31T00:00:00Z', '9999-12-31T23:59:59-00:01', `2026-12-01T09:00:00.${'0'.repeat(60)}Z`,
  ];
  for (const kind of ['qualification-checks', 'qualification-checks.csv', 'medical-info-views', 'medical-info-views.csv']) {
    for (const value of bad) {
      for (const [field, query] of [['from', `from=${encodeURIComponent(value)}&to=${encodeURIComponent(good)}`], ['to', `from=${encodeURIComponent(good)}&to=${encodeURIComponent(value)}`]]) {
        const res = await admin('GET', `/api/v1/history/${kind}?${query}`);
        const b = await res.json();
        assert.deepEqual([res.status, b.error.code, b.error.field], [400, 'request.field_date', field], `${kind} ${field}=${value}`);
      }
    }
    // An instant before the start, whatever the offsets say.
    const res = await admin('GET', `/api/v1/history/${kind}?from=${encodeURIComponent('2026-12-01T00:30:00+09:00')}&to=${encodeURIComponent('2026-11-30T15:29:59.999999Z')}`);
    assert.deepEqual([res.status, (await res.json()).error.code], [400, 'history.range_invalid']);
  }
  assert.equal(pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${CODE}'`), before);
});

test('migration 0015: views from before get the names that are certain, of their own institution only', () => {
  const name = pg.databaseAtVersion(14);
  const A = '1311666661';
  const B = '1311666662';
  pg.psql(name, `INSERT INTO institutions VALUES ('${A}', '甲医院', 'medical', '2020-01-01'), ('${B}', '乙医院', 'medical', '2020-01-01')`);
  // The same user IDs in both institutions; etsuran2 of A was renamed after the views.
  pg.psql(name, `INSERT INTO accounts (institution_code, user_id, role, name, start_date, password_hash, created_at, updated_at) VALUES
    ('${A}', 'etsuran1', 'medical_viewer', '甲　閲覧', '2020-01-01', '$sha256$x$y', now() - interval '3 days', now() - interval '3 days'),
    ('${A}', 'etsuran2', 'medical_viewer', '改名　後', '2020-01-01', '$sha256$x$y', now() - interval '3 days', now()),
    ('${B}', 'etsuran1', 'medical_viewer', '乙　閲覧', '2020-01-01', '$sha256$x$y', now() - interval '3 days', now() - interval '3 days'),
    ('${B}', 'etsuran3', 'medical_viewer', '乙　三', '2020-01-01', '$sha256$x$y', now() - interval '3 days', now() - interval '3 days')`);
  const person = (n, kana) => `'{"name": "${n}", "name_kana": "${kana}"}'::jsonb`;
  // A: the insured 06131234/記号/1000001 since before the views, 06131234/1000002 only since
  // after them, and a 医療扶助 recipient 12131234/2000001. B: 06131234/1000001 and 1000003.
  pg.psql(name, `INSERT INTO test_persons (institution_code, source, category, qualification_type, insurer_number, insured_symbol, insured_number, insured_branch, payer_number, recipient_number, person, created_by, created_at) VALUES
    ('${A}', 'category', 'employee_insurance', 'insurance_valid', '06131234', '記号', '1000001', '01', NULL, NULL, ${person('甲野　一郎', 'コウノ　イチロウ')}, 'kanri01', now() - interval '2 days'),
    ('${A}', 'category', 'employee_insurance', 'insurance_valid', '06131234', NULL, '1000002', NULL, NULL, NULL, ${person('後から　登録', 'アトカラ　トウロク')}, 'kanri01', now()),
    ('${A}', 'category', 'medical_assistance', 'assistance_valid_medical', NULL, NULL, NULL, NULL, '12131234', '2000001', ${person('扶助　花子', 'フジョ　ハナコ')}, 'kanri01', now() - interval '2 days'),
    ('${B}', 'category', 'employee_insurance', 'insurance_valid', '06131234', '記号', '1000001', '01', NULL, NULL, ${person('乙野　一郎', 'オツノ　イチロウ')}, 'kanri01', now() - interval '2 days'),
    ('${B}', 'category', 'employee_insurance', 'insurance_valid', '06131234', NULL, '1000003', NULL, NULL, NULL, ${person('乙だけ　三郎', 'オツダケ　サブロウ')}, 'kanri01', now() - interval '2 days')`);
  const view = (code, n, viewer, insurer, symbol, number, branch) => `('${code}', now() - interval '1 day' + interval '${n} seconds', ${n}, '${viewer}', 'medical_viewer', '${insurer}', ${symbol ? `'${symbol}'` : 'NULL'}, '${number}', ${branch ? `'${branch}'` : 'NULL'}, 'drug', 'given', 'normal')`;
  pg.psql(name, `INSERT INTO medical_info_views (institution_code, viewed_at, id, viewer_id, viewer_kind, insurer_number, insured_symbol, insured_number, insured_branch, category, consent, method) VALUES
    ${view(A, 1, 'etsuran1', '06131234', '記号', '1000001', '01')},
    ${view(A, 2, 'etsuran2', '06131234', null, '1000002', null)},
    ${view(A, 3, 'etsuran1', '12131234', null, '2000001', null)},
    ${view(A, 4, 'etsuran3', '06131234', null, '1000003', null)},
    ${view(B, 5, 'etsuran1', '06131234', '記号', '1000001', '01')}`);
  const r = onshictl(['migrate'], { ONSHI_DATABASE_URL: pg.conninfo(name) });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /applied 0015_view_history_names/);
  assert.doesNotMatch(r.stdout, /applied 00(0\d|1[0-4])_/);
  const rows = pg.psql(name, `SELECT id || '|' || institution_code || '|' || coalesce(viewer_name, '-') || '|' || coalesce(patient_name, '-') || '|' || coalesce(patient_name_kana, '-')
    FROM medical_info_views ORDER BY id`).split('\n');
  assert.deepEqual(rows, [
    `1|${A}|甲　閲覧|甲野　一郎|コウノ　イチロウ`, // unchanged account, person there since before: both certain
    `2|${A}|-|-|-`, // renamed since, registered since: neither is certain
    `3|${A}|甲　閲覧|扶助　花子|フジョ　ハナコ`, // a 医療扶助 recipient by its numbers
    `4|${A}|-|-|-`, // the account and the person exist only in B: nothing of B's
    `5|${B}|乙　閲覧|乙野　一郎|オツノ　イチロウ`, // B's own names for B's row
  ]);
});

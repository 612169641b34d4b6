// 資格確認履歴照会 and 医療情報閲覧履歴照会: pages, filters at their boundaries, CSV files byte
// for byte in UTF-8 (with BOM) and CP932, 25,000 rows allowed and 25,001 refused, the
// download limit, audit rows, who may see which history, and partitions kept and dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { startPostgres, startOnshid, eventually } from '../support/harness.mjs';
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

test('medical-information-view history: admins only, 照会情報区分 filter, CSV', async () => {
  const today = jstDay();
  const all = await (await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}`)).json();
  assert.deepEqual(all.items.map((i) => [i.user_id, i.account_kind, i.category, i.consent, i.method]),
    [['etsuran1', 'medical_viewer', 'checkup', 'given', 'normal'], ['etsuran1', 'medical_viewer', 'drug', 'given', 'normal']]);
  const drug = await (await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}&category=drug`)).json();
  assert.deepEqual([drug.total, drug.items[0].category], [1, 'drug']);
  const none = await (await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}&category=surgery_medical_drug`)).json();
  assert.equal(none.total, 0);
  for (const who of [general, viewer]) assert.equal((await who('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}`)).status, 403);
  const dl = await admin('GET', `/api/v1/history/medical-info-views.csv?from=${today}&to=${today}&category=checkup`);
  const text = Buffer.from(await dl.arrayBuffer()).toString('utf8');
  const row = all.items[0];
  assert.equal(text, '\ufeff' + csvOf(['閲覧日時', 'ユーザID', '権限区分', '保険者番号', '被保険者証記号', '被保険者証番号', '被保険者証枝番', '照会情報区分', '閲覧同意', '閲覧方法'],
    [[jst(row.viewed_at), 'etsuran1', '医療情報閲覧', row.insurer_number, row.insured_card_symbol, row.insured_number, row.insured_branch_number, CATEGORY.checkup, '同意あり', '通常']]));
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

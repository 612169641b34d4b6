// HEAD describes what GET would send and records nothing (issue 17 §9): no medical-information
// view for HEAD /medical-info, no download audit row for HEAD on a bulk result or a history CSV,
// and a history CSV's HEAD does not claim Content-Length: 0 where GET streams the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, startOnshid, eventually } from '../support/harness.mjs';
import { createInstitution, signedIn, raw } from '../support/people.mjs';

const CODE = '1319400001';
let pg;
let db;
let srv;
let admin;
let viewer;
const account = (role, id) => ({ role, user_id: id, name: '確認 太郎', name_kana: 'カクニン タロウ', start_date: '2020-04-01' });
const today = () => new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
const count = (sql) => Number(pg.psql(db, sql));
const audits = (action) => count(`SELECT count(*) FROM audit_log WHERE institution_code = '${CODE}' AND action = '${action}'`);

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
  const inst = createInstitution(pg, db, CODE, 'medical', 'HEAD試験医院');
  const master = await signedIn(srv, CODE, inst.master.user_id, inst.master.initial_password);
  admin = await signedIn(srv, CODE, 'kanri01', (await (await master('POST', '/api/v1/accounts', account('admin', 'kanri01'))).json()).initial_password);
  viewer = await signedIn(srv, CODE, 'etsuran1', (await (await admin('POST', '/api/v1/accounts', account('medical_viewer', 'etsuran1'))).json()).initial_password);
  assert.equal((await admin('POST', '/api/v1/test-data/card-links', { serial_number: '5150', qualification_type: 'insurance_valid', register_as_insurance_card: true })).status, 201);
  assert.equal((await viewer('POST', '/api/v1/qualifications/card', { serial_number: '5150', consents: ['drug'] })).status, 200);
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  pg?.stop();
});

test('HEAD /medical-info answers as GET would and records no view', async () => {
  const url = '/api/v1/medical-info?serial_number=5150&category=drug';
  const views = () => count(`SELECT count(*) FROM medical_info_views WHERE institution_code = '${CODE}'`);
  const head = await viewer('HEAD', url);
  assert.equal(head.status, 200);
  assert.match(head.headers.get('content-type'), /^application\/json/);
  assert.equal(views(), 0);
  const get = await viewer('GET', url);
  assert.equal(get.status, 200);
  assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(await get.text())));
  assert.equal(views(), 1);
  // A refusal is described the same way: HEAD of an unknown patient is 404 like GET.
  assert.equal((await viewer('HEAD', '/api/v1/medical-info?serial_number=9999&category=drug')).status, 404);
});

test('HEAD on a bulk result describes the file and writes no download audit row', async () => {
  const file = `\uFEFF権限区分,ユーザID,ユーザ名,ユーザ名（カナ）,利用開始年月日,利用終了年月日\r\n一般利用者,head01,受付 一郎,ウケツケ イチロウ,2020/04/01,\r\n`;
  const res = await admin('POST', '/api/v1/bulk-jobs', raw(file, 'text/csv'));
  assert.equal(res.status, 202);
  const rn = (await res.json()).reception_number;
  await eventually(async () => (await (await admin('GET', `/api/v1/bulk-jobs/${rn}`)).json()).job?.downloadable, { timeoutMs: 60000 });
  const head = await admin('HEAD', `/api/v1/bulk-jobs/${rn}/result.csv`);
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(head.headers.get('content-disposition'), /^attachment; filename="bulk-/);
  assert.equal(audits('bulk.download'), 0);
  const get = await admin('GET', `/api/v1/bulk-jobs/${rn}/result.csv`);
  assert.equal(head.headers.get('content-length'), String((await get.arrayBuffer()).byteLength));
  assert.equal(audits('bulk.download'), 1);
});

test('HEAD on a history CSV: the headers GET sends, no Content-Length: 0, no audit row', async () => {
  for (const kind of ['qualification-checks', 'medical-info-views']) {
    const url = `/api/v1/history/${kind}.csv?from=${today()}&to=${today()}`;
    const before = audits('history.download');
    const head = await admin('HEAD', url);
    assert.equal(head.status, 200);
    assert.equal(audits('history.download'), before, 'HEAD records no download');
    const get = await admin('GET', url);
    assert.equal(get.status, 200);
    await get.arrayBuffer();
    assert.equal(audits('history.download'), before + 1);
    for (const h of ['content-type', 'content-disposition', 'cache-control']) assert.equal(head.headers.get(h), get.headers.get(h), h);
    assert.equal(get.headers.get('transfer-encoding'), 'chunked');
    assert.equal(head.headers.get('content-length'), null, 'no length is claimed for a streamed file');
  }
});

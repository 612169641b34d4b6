// The reader bridge end to end: a real pcscd with vsmartcard's virtual readers and a card
// emulator serving a test certificate with a 17-byte serial. Insert → the reader shows the
// card and the decimal serial → a face_reader qualification-check history row; remove →
// empty; a foreign card reported; pcscd killed and back → recovered within 5 s; shutdown with
// a mute card being read → onshid gone within 2 s. And the management endpoints, and the
// screens the reader asks after a card (顔認証付きカードリーダー環境設定) answered by its own account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid, eventually } from '../support/harness.mjs';
import { createInstitution, signedIn } from '../support/people.mjs';
import { startPcscd, makeCertificate, insertCard } from '../support/pcsc.mjs';

const CODE = '1319500001';
const SERIAL_HEX = '0123456789abcdef0123456789abcdef42'; // 17 bytes
const SERIAL = BigInt(`0x${SERIAL_HEX}`).toString(10);
const R0 = 'Virtual PCD 00 00';
const R1 = 'Virtual PCD 00 01';
let pg;
let db;
let srv;
let pcscd;
let admin;
let cert;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-readers-'));

const readers = async () => (await (await admin('GET', '/api/v1/readers')).json());
const reader = async (name) => (await readers()).items.find((r) => r.name === name);
const path_ = (name) => `/api/v1/readers/${encodeURIComponent(name)}`;

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  pcscd = await startPcscd();
  const inst = createInstitution(pg, db, CODE, 'medical', 'カードリーダー試験医院');
  srv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_READER_BRIDGE_INSTITUTION: CODE, ONSHI_READER_READ_TIMEOUT_MS: '2000' } });
  const master = await signedIn(srv, CODE, inst.master.user_id, inst.master.initial_password);
  const made = await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01', name: '管理', name_kana: 'カンリ', start_date: '2020-04-01' });
  admin = await signedIn(srv, CODE, 'kanri01', (await made.json()).initial_password);
  for (const [role, id] of [['face_reader', 'F0001'], ['general', 'ippan01']])
    assert.equal((await admin('POST', '/api/v1/accounts', { role, user_id: id, name: '端末', name_kana: 'タンマツ', start_date: '2020-04-01' })).status, 201);
  cert = makeCertificate(tmp, SERIAL_HEX);
  assert.equal((await admin('POST', '/api/v1/test-data/card-links', { serial_number: SERIAL, qualification_type: 'insurance_valid', register_as_insurance_card: true })).status, 201);
});
after(async () => {
  if (srv && srv.proc.exitCode === null) await srv.stop();
  if (pcscd) await pcscd.stop();
  pg?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('the bridge lists both virtual readers, empty, with the service up', async () => {
  await eventually(async () => {
    const r = await readers();
    return r.service.up && r.items.length === 2 && r.items.every((i) => i.state === 'empty');
  });
  const r = await readers();
  assert.deepEqual(r.items.map((i) => [i.name, i.mode, i.visual_confirmation, i.account_user_id]),
    [[R0, 'unattended', false, null], [R1, 'unattended', false, null]]);
});

test('management: bind to a face_reader account, modes, stale versions, unknown readers', async () => {
  let r0 = await reader(R0);
  for (const [body, status, code] of [
    [{ mode: 'unattended', visual_confirmation: false, account_user_id: 'ippan01', version: r0.version }, 400, 'reader.account_invalid'],
    [{ mode: 'unattended', visual_confirmation: false, account_user_id: 'nobody', version: r0.version }, 400, 'reader.account_invalid'],
    [{ mode: 'auto', visual_confirmation: false, version: r0.version }, 400, 'request.field_range'],
    [{ mode: 'unattended', visual_confirmation: false, version: r0.version + 5 }, 409, 'reader.version_conflict'],
  ]) {
    const res = await admin('PUT', path_(R0), body);
    assert.deepEqual([res.status, (await res.json()).error.code], [status, code], JSON.stringify(body));
  }
  let res = await admin('PUT', path_('Virtual PCD 09 09'), { mode: 'unattended', visual_confirmation: false, version: 1 });
  assert.deepEqual([res.status, (await res.json()).error.code], [404, 'reader.not_found']);
  res = await admin('PUT', path_(R0), { mode: 'pin_fixed', visual_confirmation: true, account_user_id: 'F0001', version: r0.version });
  assert.equal(res.status, 200);
  r0 = await reader(R0);
  assert.deepEqual([r0.mode, r0.visual_confirmation, r0.account_user_id], ['pin_fixed', true, 'F0001']);
  // It switches itself off reader_visual_seconds (600 by default) after it was turned on.
  const left = Date.parse(r0.visual_confirmation_until) - Date.now();
  assert.ok(left > 590e3 && left <= 601e3, `${left} ms left`);
  assert.equal((await reader(R1)).visual_confirmation_until, null);
  assert.equal(pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${CODE}' AND action = 'reader.update'`), '1');
});

test('insert → card read, decimal serial, face_reader history row, 目視確認モード back off; remove → empty', async () => {
  const card = await insertCard(0, cert);
  const r0 = await eventually(async () => { const r = await reader(R0); return r.last_result?.result === 'checked' && r; });
  assert.equal(r0.state, 'card_present');
  assert.equal(r0.last_result.serial_number, SERIAL);
  assert.ok(Math.abs(Date.parse(r0.last_result.read_at) - Date.now()) < 60e3, r0.last_result.read_at);
  // The decimal of the serial openssl itself reports for the certificate.
  const hex = execFileSync('openssl', ['x509', '-inform', 'DER', '-in', cert, '-noout', '-serial'], { encoding: 'utf8' }).trim().replace(/^serial=/, '');
  assert.equal(r0.last_result.serial_number, BigInt(`0x${hex}`).toString(10));
  assert.ok(hex.length >= 34, 'a serial of at least 17 bytes');
  assert.deepEqual([r0.last_result.segment_of_result, r0.last_result.processing_result_status, r0.last_result.qualification_validity], ['1', '1', '1']);
  assert.equal(r0.visual_confirmation, false); // reverts after the next card
  assert.equal(r0.visual_confirmation_until, null);
  assert.equal(pg.psql(db, `SELECT account_id || ':' || route || ':' || reference_classification || ':' || validity FROM qualification_checks WHERE institution_code = '${CODE}'`), 'F0001:face_reader:1:1');
  assert.doesNotMatch(card.log(), /VERIFY/); // never a PIN
  await card.remove();
  await eventually(async () => (await reader(R0)).state === 'empty');
});

test('a card with no qualification is checked and says so; a foreign card is reported; an unbound reader reads but checks nothing', async () => {
  let card = await insertCard(0, makeCertificate(tmp, 'fedcba9876543210fedcba9876543210ff'));
  const none = await eventually(async () => { const r = await reader(R0); return r.last_result?.result === 'checked' && r.last_result.serial_number !== SERIAL && r; });
  assert.deepEqual([none.last_result.qualification_validity, none.last_result.processing_result_message], ['4', '該当する資格情報がありません。']);
  await card.remove();
  await eventually(async () => (await reader(R0)).state === 'empty');
  card = await insertCard(0, cert, 'other');
  await eventually(async () => (await reader(R0)).last_result?.result === 'not_my_number_card');
  await card.remove();
  await eventually(async () => (await reader(R0)).state === 'empty');
  card = await insertCard(1, cert);
  const r1 = await eventually(async () => { const r = await reader(R1); return r.last_result?.result === 'not_bound' && r; });
  assert.equal(r1.last_result.serial_number, SERIAL);
  assert.equal(pg.psql(db, `SELECT count(*) FROM qualification_checks WHERE institution_code = '${CODE}'`), '2');
  await card.remove();
});

test('display settings: screens the settings allow, stale versions refused', async () => {
  let d = await (await admin('GET', '/api/v1/readers/display-settings')).json();
  assert.deepEqual(d.screens.map((s) => [s.id, s.allowed, s.shown]), [['drug', true, true], ['medical', false, false], ['surgery', false, false],
    ['checkup', true, true], ['specific_disease', true, true], ['prescription_form', false, false]]);
  assert.deepEqual(d.screens.map((s) => [s.label, s.setting.id, s.setting.section, s.setting.label]), [
    ['薬剤情報の閲覧同意', 'consent_drug', '閲覧同意の利用有無', '薬剤情報'],
    ['診療情報の閲覧同意', 'consent_medical', '閲覧同意の利用有無', '診療情報'],
    ['手術情報の閲覧同意', 'consent_surgery', '閲覧同意の利用有無', '手術情報'],
    ['特定健診情報の閲覧同意', 'consent_checkup', '閲覧同意の利用有無', '特定健診情報'],
    ['特定疾病療養受療証の閲覧同意', 'consent_specific_disease', '閲覧同意の利用有無', '特定疾病療養受療証'],
    ['処方箋の発行形態の選択', 'eprescription_mode', '電子処方箋管理サービス関連項目', '電子処方箋利用区分']]);
  let res = await admin('PUT', '/api/v1/readers/display-settings', { screens: { surgery: true }, version: d.version });
  assert.deepEqual([res.status, (await res.json()).error.code], [400, 'reader.screen_not_allowed']);
  res = await admin('PUT', '/api/v1/readers/display-settings', { screens: { fingerprint: false }, version: d.version });
  assert.deepEqual([res.status, (await res.json()).error.code], [400, 'reader.screen_unknown']);
  res = await admin('PUT', '/api/v1/readers/display-settings', { screens: { checkup: false }, version: d.version });
  assert.equal(res.status, 200);
  d = await res.json();
  assert.equal(d.screens.find((s) => s.id === 'checkup').shown, false);
  assert.equal(d.version, 2);
  res = await admin('PUT', '/api/v1/readers/display-settings', { screens: { checkup: true }, version: 1 });
  assert.deepEqual([res.status, (await res.json()).error.code], [409, 'reader.version_conflict']);
});

test('the bridge asks only the screens shown: the reader\'s own account answers them; nothing is recorded for a hidden one', async () => {
  // 処方箋の発行 at the check (電子処方箋+紙の処方箋併用, 資格確認時に確認する); 特定健診情報 hidden
  // by the display settings of the test above.
  const s = await (await admin('GET', '/api/v1/settings')).json();
  assert.equal((await admin('PUT', '/api/v1/settings', { values: { eprescription_mode: 'e_and_paper', prescription_form_timing: 'at_check' }, version: s.version })).status, 200);
  const d = await (await admin('GET', '/api/v1/readers/display-settings')).json();
  assert.deepEqual(d.screens.filter((x) => x.shown).map((x) => x.id), ['drug', 'specific_disease', 'prescription_form']);
  assert.deepEqual(d.screens.filter((x) => ['surgery', 'prescription_form'].includes(x.id)).map((x) => x.requirement), ['「手術情報」を利用する設定にすると表示できます。',
    '「電子処方箋利用区分」を「利用しない」以外にし、「発行形態選択タイミング」を「資格確認時に確認する」にすると表示できます。']);
  const pw = (await (await admin('POST', '/api/v1/accounts/F0001/password-reset')).json()).initial_password;
  const device = await signedIn(srv, CODE, 'F0001', pw); // the reader's own account (its touch panel)
  const answer = (name, body, who = device) => who('POST', `${path_(name)}/answers`, body);
  const before = Number(pg.psql(db, `SELECT count(*) FROM qualification_checks WHERE institution_code = '${CODE}'`));

  const card = await insertCard(0, cert);
  const r0 = await eventually(async () => { const r = await reader(R0); return r.last_result?.result === 'checked' && r.last_result.read_at !== undefined && r.last_result.questions && r; });
  assert.deepEqual(r0.last_result.questions, [
    { id: 'drug', label: '薬剤情報の閲覧同意' },
    { id: 'specific_disease', label: '特定疾病療養受療証の閲覧同意' },
    { id: 'prescription_form', label: '処方箋の発行形態の選択', choices: [{ id: 'electronic', label: '電子処方箋' }, { id: 'paper', label: '紙の処方箋' }] }]);
  const ref = r0.last_result.reference_number;
  assert.match(ref, /^\d+$/);
  assert.equal(pg.psql(db, `SELECT count(*) FROM qualification_checks WHERE institution_code = '${CODE}'`), String(before + 1));
  assert.equal(pg.psql(db, `SELECT count(*) FROM test_consents WHERE institution_code = '${CODE}'`), '0', 'the check itself records no consent');
  // Only the reader's own account answers, only what was asked, once.
  for (const [name, body, who, status, code] of [
    [R0, { consents: ['drug'] }, admin, 403, 'reader.answer_forbidden'],
    [R1, { consents: ['drug'] }, device, 403, 'reader.answer_forbidden'], // not bound to F0001
    ['Virtual PCD 09 09', { consents: [] }, device, 404, 'reader.not_found'],
    [R0, { consents: ['checkup'] }, device, 400, 'reader.question_not_asked'], // hidden: never asked
    [R0, { consents: ['surgery'] }, device, 400, 'reader.question_not_asked'], // 手術情報: not used here
    [R0, { consents: ['genome'] }, device, 400, 'qualification.consent_unknown'],
    [R0, { consents: [], prescription_form: 'fax' }, device, 400, 'request.field_range'],
  ]) {
    const res = await answer(name, body, who);
    assert.deepEqual([res.status, (await res.json()).error.code], [status, code], `${name} ${JSON.stringify(body)}`);
  }
  let res = await answer(R0, { consents: ['drug'], prescription_form: 'paper' });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.deepEqual([body.last_result.answers.consents, body.last_result.answers.prescription_form], [['drug'], 'paper']);
  assert.match(body.last_result.answers.answered_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual((await reader(R0)).last_result.answers.consents, ['drug']);
  res = await answer(R0, { consents: ['specific_disease'] });
  assert.deepEqual([res.status, (await res.json()).error.code], [409, 'reader.no_questions']);
  assert.equal(pg.psql(db, `SELECT string_agg(item || ':' || source, ',' ORDER BY item) FROM test_consents WHERE institution_code = '${CODE}'`), 'drug:card');
  assert.equal(pg.psql(db, `SELECT prescription_form FROM qualification_checks WHERE institution_code = '${CODE}' AND id = ${ref}`), '2');
  assert.equal(pg.psql(db, `SELECT count(*) FROM audit_log WHERE institution_code = '${CODE}' AND action = 'reader.answers' AND actor = 'F0001'`), '1');
  // The next check shows the consent given at the reader.
  const again = await (await device('POST', '/api/v1/qualifications/card', { serial_number: SERIAL })).json();
  assert.equal(again.XmlMsg.MessageBody.ResultList[0].ResultOfQualificationConfirmation.PharmacistsInfoConsFlg, '1');
  await card.remove();
  await eventually(async () => (await reader(R0)).state === 'empty');

  // Every screen hidden: the reader asks nothing, and there is nothing to answer.
  const d2 = await (await admin('GET', '/api/v1/readers/display-settings')).json();
  assert.equal((await admin('PUT', '/api/v1/readers/display-settings', { screens: { drug: false, checkup: false, specific_disease: false, prescription_form: false }, version: d2.version })).status, 200);
  const card2 = await insertCard(0, cert);
  const r2 = await eventually(async () => { const r = await reader(R0); return r.last_result?.result === 'checked' && r.last_result.reference_number !== ref && r; });
  assert.deepEqual(r2.last_result.questions, []);
  res = await answer(R0, { consents: [] });
  assert.deepEqual([res.status, (await res.json()).error.code], [409, 'reader.no_questions']);
  await card2.remove();
  await eventually(async () => (await reader(R0)).state === 'empty');
});

test('pcscd killed: the service is reported down; back: recovered within 5 s (also a bridge started while it was away)', async () => {
  await pcscd.stop('SIGKILL');
  await eventually(async () => (await readers()).service.up === false);
  const down = await readers();
  assert.ok(down.items.every((i) => i.state === 'unavailable'));
  // Another site's onshid starts now, with no pcscd to talk to.
  createInstitution(pg, db, '1319500002', 'medical', '別の拠点');
  const late = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_READER_BRIDGE_INSTITUTION: '1319500002' } });
  try {
    const service = () => pg.psql(db, "SELECT up FROM reader_services WHERE institution_code = '1319500002'");
    await eventually(() => service() === 'f');
    assert.equal(pg.psql(db, "SELECT count(*) FROM readers WHERE institution_code = '1319500002'"), '0');
    pcscd = await startPcscd();
    const back = Date.now();
    await eventually(async () => { const r = await readers(); return r.service.up && r.items.every((i) => i.state === 'empty'); }, { timeoutMs: 5000, intervalMs: 100 });
    console.log(`# recovered ${Date.now() - back} ms after pcscd was back`);
    await eventually(() => service() === 't' && pg.psql(db, "SELECT count(*) FROM readers WHERE institution_code = '1319500002'") === '2', { timeoutMs: 5000, intervalMs: 100 });
    console.log(`# the bridge started without pcscd was up ${Date.now() - back} ms after pcscd was back`);
  } finally {
    assert.deepEqual(await late.stop(), { code: 0, signal: null });
  }
});

test('shutdown with a mute card being read: onshid exits within 2 s', async () => {
  const card = await insertCard(0, cert, 'mute');
  await eventually(async () => (await reader(R0)).state === 'card_present', { intervalMs: 20 });
  const t0 = Date.now();
  const { code, signal } = await srv.stop();
  const took = Date.now() - t0;
  assert.deepEqual({ code, signal }, { code: 0, signal: null });
  assert.ok(took < 2000, `stopped in ${took} ms`);
  await card.remove();
});

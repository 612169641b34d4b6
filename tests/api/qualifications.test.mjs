// Qualification checks (XmlMsg by insurance-card number, and by My Number card) through the
// qualification engine for each test type, the consents a card check records, medical
// information behind those consents, the history rows every check and view writes, and the
// production environment, where nothing is invented.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, startOnshid } from '../support/harness.mjs';
import { createInstitution, signedIn, raw } from '../support/people.mjs';

let pg;
let db;
let srv;
let prod;
const CODE = '1319200001';
let admin;
let general;
let viewer;
let webapi; // bearer token helper
let reader; // face_reader account
const persons = {}; // qualification type → person (category record)

const account = (role, id) => ({ role, user_id: id, name: '資格 確認', name_kana: 'シカク カクニン', start_date: '2020-04-01' });

async function bearer(server, code, userId, password) {
  const res = await fetch(`${server.base}/api/v1/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: code, user_id: userId, password }) });
  assert.equal(res.status, 200);
  const { access_token: token } = await res.json();
  return (method, p, body, s = server) => fetch(`${s.base}${p}`, { method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)) });
}

async function member(call, role, id) {
  const made = await call('POST', '/api/v1/accounts', account(role, id));
  assert.equal(made.status, 201);
  return signedIn(srv, CODE, id, (await made.json()).initial_password);
}

function xmlRequest(code, person, overrides = {}) {
  const ins = person.insurance ?? { insurer_number: person.medical_assistance.public_payer_number, insured_number: person.medical_assistance.recipient_number };
  const info = { InsurerNumber: ins.insurer_number, InsuredIdentificationNumber: ins.insured_number };
  if (ins.insured_card_symbol) info.InsuredCardSymbol = ins.insured_card_symbol;
  if (ins.insured_branch_number) info.InsuredBranchNumber = ins.insured_branch_number;
  return { XmlMsg: { MessageHeader: { QualificationConfirmationDate: '20261124', MedicalInstitutionCode: code, ArbitraryFileIdentifier: 'RC-42', ...overrides.header },
    MessageBody: { QualificationConfirmSearchInfo: { ...info, ...overrides.info } } } };
}

const header = (r) => r.XmlMsg.MessageHeader;
const todayJst = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');

// Every item of the header real clients require, on every kind of answer (issue 16 §1): their
// parsers throw away an answer without the dates or the institution code.
function assertCompleteHeader(r, { date = '20261124', file = 'RC-42', ref = '2', error } = {}) {
  const h = header(r);
  const want = { QualificationConfirmationDate: date, MedicalInstitutionCode: CODE, ReferenceClassification: ref,
    SegmentOfResult: error ? '9' : '1', CharacterCodeIdentifier: '0' };
  if (file) want.ArbitraryFileIdentifier = file;
  if (error) want.ErrorCode = error;
  const { ProcessExecutionTime: time, ErrorMessage: message, ...rest } = h;
  assert.deepEqual(rest, want, JSON.stringify(h));
  assert.match(time, /^\d{14}$/);
  assert.ok(time.startsWith(todayJst()) || time.startsWith(date), time); // Japan time, now
  if (error) assert.ok(message.length > 0, JSON.stringify(h));
  else assert.equal(message, undefined);
}
const body = (r) => r.XmlMsg.MessageBody;
const results = (r) => (body(r).ResultList ?? []).map((e) => e.ResultOfQualificationConfirmation);

async function check(call, payload, server) {
  const res = await call('POST', '/api/v1/qualifications', payload, server);
  assert.equal(res.status, 200);
  return res.json();
}

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
  prod = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_ENVIRONMENT: 'production' } });
  const inst = createInstitution(pg, db, CODE, 'medical', '資格確認試験医院');
  const master = await signedIn(srv, CODE, inst.master.user_id, inst.master.initial_password);
  admin = await member(master, 'admin', 'kanri01');
  general = await member(admin, 'general', 'ippan01');
  viewer = await member(admin, 'medical_viewer', 'etsuran1');
  await member(admin, 'webapi', 'A0001');
  webapi = await bearer(srv, CODE, 'A0001', 'Sakura2026!');
  reader = await member(admin, 'face_reader', 'F0001');
  const g = await (await admin('GET', '/api/v1/test-data')).json();
  for (const t of g.qualification_types) {
    const category = t.id.startsWith('assistance_') ? 'medical_assistance' : 'employee_insurance';
    const res = await admin('POST', '/api/v1/test-data/category-records', { category, qualification_type: t.id });
    assert.equal(res.status, 201);
    persons[t.id] = (await res.json()).category_record.person;
  }
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  if (prod) assert.deepEqual(await prod.stop(), { code: 0, signal: null });
  pg?.stop();
});

// What each type answers by insurance-card number (default settings of a clinic).
const EXPECTED = {
  insurance_valid: { status: '1', validity: '1', entries: 1, address: true },
  insurance_valid_nondisclosure: { status: '1', validity: '1', entries: 1, address: false },
  insurance_valid_self_info_restricted: { status: '2', code: 'W2001', entries: 0 },
  insurance_invalid: { status: '1', validity: '2', entries: 1, address: true },
  insurance_valid_no_medical_info: { status: '1', validity: '1', entries: 1, address: true },
  insurance_valid_first_registration_timeout: { status: '1', validity: '1', entries: 1, address: true },
  assistance_valid_medical: { status: '1', validity: '1', entries: 1, address: true, ticket: '医療券' },
  assistance_valid_pharmacy: { status: '1', validity: '1', entries: 1, address: true, ticket: '調剤券' },
  assistance_and_insurance_valid: { status: '1', validity: '1', entries: 2, address: true, ticket: '医療券' },
  assistance_and_insurance_valid_no_ticket: { status: '1', validity: '1', entries: 2, address: true },
  assistance_invalid: { status: '1', validity: '2', entries: 1, address: true },
  assistance_valid_no_ticket: { status: '1', validity: '1', entries: 1, address: true },
  assistance_valid_nondisclosure: { status: '1', validity: '1', entries: 1, address: false, ticket: '医療券' },
  assistance_valid_self_info_restricted: { status: '2', code: 'W2001', entries: 0 },
};

test('XmlMsg round trip for each of the 14 test types, by a WebAPI account with a bearer token', async () => {
  for (const [type, want] of Object.entries(EXPECTED)) {
    const p = persons[type];
    const r = await check(webapi, xmlRequest(CODE, p));
    assertCompleteHeader(r);
    assert.equal(body(r).ProcessingResultStatus, want.status, type);
    assert.equal(body(r).ProcessingResultCode, want.code, type);
    assert.equal(body(r).QualificationValidity, want.validity, type);
    const list = results(r);
    assert.equal(list.length, want.entries, type);
    for (const e of list) {
      for (const k of ['InsuredCardClassification', 'Name', 'Sex1', 'Birthdate', 'InsurerName']) assert.equal(typeof e[k], 'string', `${type} ${k}`);
      assert.equal(e.Name, p.name);
      assert.equal(e.Birthdate, p.birthdate.replaceAll('-', ''));
      assert.equal('Address' in e, want.address, type);
      assert.equal('PostNumber' in e, want.address, type);
      assert.match(e.ReferenceNumber, /^\d+$/);
      assert.ok(Object.values(e).every((v) => typeof v === 'string' || (typeof v === 'object' && v !== null)), type);
    }
    const ticket = list.map((e) => e.MedicalTicketInfo?.TicketName).find(Boolean);
    assert.equal(ticket, want.ticket, type);
    if (want.entries > 0) assert.equal(list[0].InsurerNumber, p.insurance?.insurer_number ?? p.medical_assistance.public_payer_number, type);
    assert.ok(!JSON.stringify(r).includes('null'), `${type}: no null anywhere`);
  }
});

test('insurer numbers padded with spaces or zeros find the 国民健康保険 person', async () => {
  const res = await admin('POST', '/api/v1/test-data/category-records', { category: 'national_health_insurance', qualification_type: 'insurance_valid' });
  const p = (await res.json()).category_record.person;
  assert.match(p.insurance.insurer_number, /^\d{6}$/);
  for (const padded of [p.insurance.insurer_number, `  ${p.insurance.insurer_number}`, `00${p.insurance.insurer_number}`]) {
    const r = await check(webapi, xmlRequest(CODE, p, { info: { InsurerNumber: padded } }));
    assert.equal(body(r).QualificationValidity, '1', padded);
    assert.equal(results(r)[0].InsurerNumber, p.insurance.insurer_number);
  }
  // Wrong birth date or unknown number: 該当資格なし, not an error.
  let r = await check(webapi, xmlRequest(CODE, p, { info: { Birthdate: '19000101' } }));
  assert.deepEqual([header(r).SegmentOfResult, body(r).QualificationValidity, body(r).ResultList], ['1', '4', undefined]);
  r = await check(webapi, xmlRequest(CODE, p, { info: { InsuredIdentificationNumber: '99999999' } }));
  assert.equal(body(r).QualificationValidity, '4');
});

test('malformed XmlMsg requests: SegmentOfResult 9 with the ErrorCode, as the real system answers', async () => {
  const p = persons.insurance_valid;
  const cases = [
    [raw('{"XmlMsg": '), 'E1001'],
    [raw('[1, 2]'), 'E1001'],
    [raw(Buffer.from([0x7b, 0xff, 0x7d])), 'E1001'],
    [{ XmlMsg: { MessageHeader: {} } }, 'E1001'],
    [{ XmlMsg: { MessageHeader: { ArbitraryFileIdentifier: 'RC-42', QualificationConfirmationDate: '20261124' } } }, 'E1001'],
    [xmlRequest(CODE, p, { header: { QualificationConfirmationDate: '2026-11-24' } }), 'E1002'],
    [xmlRequest(CODE, p, { header: { MedicalInstitutionCode: '13192' } }), 'E1003'],
    [xmlRequest('1319200002', p), 'E1004'], // another institution's code: never its data
    [xmlRequest(CODE, p, { info: { InsurerNumber: '1234567' } }), 'E1005'],
    [xmlRequest(CODE, p, { info: { InsurerNumber: 6131234 } }), 'E1005'],
    [xmlRequest(CODE, p, { info: { InsuredIdentificationNumber: '1'.repeat(41) } }), 'E1007'],
    [xmlRequest(CODE, p, { info: { InsuredBranchNumber: 'AB' } }), 'E1008'],
    [xmlRequest(CODE, p, { info: { Birthdate: '19800230' } }), 'E1009'],
    [xmlRequest(CODE, p, { header: { ArbitraryFileIdentifier: 'RC😀' } }), 'E1010'], // not in CP932
  ];
  for (const [payload, code] of cases) {
    const r = await check(webapi, payload);
    // What could be read is echoed; the date is today's when none could be, the institution
    // always the caller's (also for E1004: never the other institution's code).
    const sent = payload.XmlMsg?.MessageHeader ?? {};
    assertCompleteHeader(r, { date: sent.QualificationConfirmationDate === '20261124' ? '20261124' : todayJst(),
      file: sent.ArbitraryFileIdentifier === 'RC-42' ? 'RC-42' : null, error: code });
    assert.match(header(r).ErrorMessage, /正しくありません|一致しません/);
    assert.deepEqual(r.XmlMsg.MessageBody, { ProcessingResultStatus: '2' });
  }
  const big = await webapi('POST', '/api/v1/qualifications', 'x'.repeat(70_000));
  assert.equal(big.status, 413);
  const rows = pg.psql(db, `SELECT count(*) FROM qualification_checks WHERE institution_code = '${CODE}' AND result_code LIKE 'E1%' AND result_status = '2'`);
  assert.equal(Number(rows), cases.length); // refused requests are history too
});

test('card checks: first registration (and its timeout), consents offered by the settings, unknown cards', async () => {
  const link = async (serial, type, registered = false) => {
    const res = await admin('POST', '/api/v1/test-data/card-links', { serial_number: serial, qualification_type: type, register_as_insurance_card: registered });
    assert.equal(res.status, 201);
    return (await res.json()).card_link.person;
  };
  const card = async (call, serial, consents) => {
    const res = await call('POST', '/api/v1/qualifications/card', { serial_number: serial, ...(consents ? { consents } : {}) });
    const got = await res.json();
    assert.equal(res.status, 200, JSON.stringify(got));
    return got;
  };
  await link('700001', 'insurance_valid_first_registration_timeout');
  let r = await card(reader, '700001', ['drug']);
  assert.deepEqual([header(r).ReferenceClassification, body(r).ProcessingResultStatus, body(r).ProcessingResultCode], ['1', '2', 'W2002']);
  assert.match(body(r).ProcessingResultMessage, /タイムアウト/);
  assert.equal(pg.psql(db, `SELECT card_registered FROM test_persons WHERE institution_code = '${CODE}' AND serial_number = '700001'`), 't');
  r = await card(reader, '700001', ['drug']);
  assert.deepEqual([body(r).ProcessingResultStatus, body(r).QualificationValidity], ['1', '1']);
  assert.equal(results(r)[0].PharmacistsInfoConsFlg, '1');
  assert.match(results(r)[0].PharmacistsInfoConsTime, /^\d{14}$/);
  assert.equal(results(r)[0].SpecificHealthCheckupsInfoConsFlg, '0');
  assert.equal(results(r)[0].OperationInfoConsFlg, undefined); // 手術情報 is not offered by default

  const p = await link('700002', 'insurance_valid');
  r = await card(general, '700002', ['drug', 'checkup']);
  assert.equal(body(r).QualificationValidity, '1');
  assert.equal(pg.psql(db, `SELECT card_registered FROM test_persons WHERE institution_code = '${CODE}' AND serial_number = '700002'`), 't');
  assert.equal(pg.psql(db, `SELECT string_agg(item || ':' || c.source, ',' ORDER BY item) FROM test_consents c JOIN test_persons p ON p.id = c.person_id WHERE p.serial_number = '700002'`), 'checkup:card,drug:card');
  assert.equal(results(r)[0].Name, p.name);

  for (const [consents, code] of [[['surgery'], 'qualification.consent_not_offered'], [['dna'], 'qualification.consent_unknown'], ['drug', 'request.field_type'], [[1], 'qualification.consent_unknown']]) {
    const res = await reader('POST', '/api/v1/qualifications/card', { serial_number: '700002', consents });
    assert.deepEqual([res.status, (await res.json()).error.code], [400, code]);
  }
  const bad = await reader('POST', '/api/v1/qualifications/card', { serial_number: '7e5' });
  assert.deepEqual([bad.status, (await bad.json()).error.code], [400, 'qualification.serial_number_invalid']);
  r = await card(reader, '123', []);
  assert.deepEqual([body(r).ProcessingResultStatus, body(r).QualificationValidity], ['1', '4']);
  // Turning 手術情報 on offers it at once.
  const s = await (await admin('GET', '/api/v1/settings')).json();
  assert.equal((await admin('PUT', '/api/v1/settings', { values: { consent_surgery: 'use' }, version: s.version })).status, 200);
  r = await card(reader, '700002', ['surgery']);
  assert.equal(results(r)[0].OperationInfoConsFlg, '1');
  const routes = pg.psql(db, `SELECT string_agg(account_id || ':' || route || ':' || reference_classification, ',' ORDER BY id) FROM qualification_checks WHERE institution_code = '${CODE}' AND reference_classification = '1'`);
  assert.equal(routes, 'F0001:face_reader:1,F0001:face_reader:1,ippan01:screen:1,F0001:face_reader:1,F0001:face_reader:1');
});

test("the screen's check by insurance card: field by field, every problem named, the birth date compared; admins check too (管理者 in the history)", async () => {
  const p = persons.insurance_valid;
  const ins = p.insurance;
  const fields = { insurer_number: ins.insurer_number, insured_card_symbol: ins.insured_card_symbol || undefined,
    insured_number: ins.insured_number, insured_branch_number: ins.insured_branch_number || undefined, birthdate: p.birthdate };
  let res = await admin('POST', '/api/v1/qualifications/insurance', fields);
  let r = await res.json();
  assert.equal(res.status, 200, JSON.stringify(r));
  assert.deepEqual([header(r).ReferenceClassification, header(r).SegmentOfResult, body(r).QualificationValidity], ['2', '1', '1']);
  assert.equal(results(r)[0].Name, p.name);
  assert.equal(pg.psql(db, `SELECT account_id || ':' || account_kind || ':' || route FROM qualification_checks WHERE institution_code = '${CODE}' ORDER BY id DESC LIMIT 1`), 'kanri01:admin:screen');
  const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
  const page = await (await admin('GET', `/api/v1/history/qualification-checks?from=${today}&to=${today}&per_page=100`)).json();
  assert.ok(page.items.some((i) => i.user_id === 'kanri01' && i.account_kind === 'admin'), JSON.stringify(page.items[0]));
  const csv = await (await admin('GET', `/api/v1/history/qualification-checks.csv?from=${today}&to=${today}`)).text();
  assert.match(csv, /,kanri01,管理者,画面,/, "the admin's check is in the CSV as 管理者");
  // Another birth date: no such qualification (the card's numbers alone are not enough).
  r = await (await general('POST', '/api/v1/qualifications/insurance', { ...fields, birthdate: '1901-01-01' })).json();
  assert.equal(body(r).QualificationValidity, '4');
  // Everything wrong at once: each field named, the first as the error.
  res = await general('POST', '/api/v1/qualifications/insurance', { insurer_number: '1234', insured_card_symbol: 'x'.repeat(41), insured_branch_number: '1', birthdate: '2999-01-01' });
  const e = (await res.json()).error;
  assert.equal(res.status, 400);
  assert.deepEqual([e.code, e.field], ['qualification.insurer_number_invalid', 'insurer_number']);
  assert.deepEqual(e.details.map((d) => [d.field, d.code]), [['insurer_number', 'qualification.insurer_number_invalid'],
    ['insured_card_symbol', 'qualification.insured_card_symbol_invalid'], ['insured_number', 'request.field_missing'],
    ['insured_branch_number', 'qualification.insured_branch_number_invalid'], ['birthdate', 'qualification.birthdate_future']]);
  assert.ok(e.details.every((d) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(d.message)));
  res = await general('POST', '/api/v1/qualifications/insurance', { ...fields, birthdate: '2001-02-29' });
  assert.equal((await res.json()).error.code, 'qualification.birthdate_invalid');
  res = await general('POST', '/api/v1/qualifications/insurance', { ...fields, insurer: '1' });
  assert.equal((await res.json()).error.code, 'request.unknown_field');
  // 国民健康保険: 6 digits, or zero-padded to 8.
  const made = await admin('POST', '/api/v1/test-data/category-records', { category: 'national_health_insurance', qualification_type: 'insurance_valid' });
  const nhi = (await made.json()).category_record.person;
  assert.equal(nhi.insurance.insurer_number.length, 6);
  for (const insurer of [nhi.insurance.insurer_number, `00${nhi.insurance.insurer_number}`]) {
    r = await (await general('POST', '/api/v1/qualifications/insurance', { insurer_number: insurer, insured_card_symbol: nhi.insurance.insured_card_symbol || undefined,
      insured_number: nhi.insurance.insured_number, insured_branch_number: nhi.insurance.insured_branch_number || undefined, birthdate: nhi.birthdate })).json();
    assert.deepEqual([body(r).ProcessingResultStatus, body(r).QualificationValidity, results(r)[0].Name], ['1', '1', nhi.name], insurer);
  }
});

test('the consent items a card check offers follow the settings, for every kind that checks', async () => {
  const c = await (await general('GET', '/api/v1/qualifications/consents')).json();
  const s = await (await admin('GET', '/api/v1/settings')).json();
  const on = { drug: 'consent_drug', medical: 'consent_medical', surgery: 'consent_surgery', checkup: 'consent_checkup', specific_disease: 'consent_specific_disease' };
  assert.deepEqual(c.consents.map((i) => i.id), Object.keys(on).filter((k) => s.values[on[k]] === 'use'));
  assert.ok(c.consents.every((i) => i.label && /同意|表示/.test(i.question)));
  assert.equal(c.consents.find((i) => i.id === 'specific_disease')?.medical_info ?? false, false);
  assert.equal(c.medical_assistance, s.values.medical_assistance === 'use');
});

test('medical information: only with consent, only categories turned on, records stable, every view in the history', async () => {
  const link = await admin('POST', '/api/v1/test-data/card-links', { serial_number: '800001', qualification_type: 'insurance_valid', register_as_insurance_card: true });
  const p = (await link.json()).card_link.person;
  const info = (call, q) => call('GET', `/api/v1/medical-info?${new URLSearchParams(q)}`);
  let res = await info(viewer, { serial_number: '800001', category: 'drug' });
  assert.deepEqual([res.status, (await res.json()).error.code], [403, 'medical_info.consent_missing']);
  assert.equal((await reader('POST', '/api/v1/qualifications/card', { serial_number: '800001', consents: ['drug'] })).status, 200);
  res = await info(viewer, { serial_number: '800001', category: 'drug' });
  const first = await res.json();
  assert.equal(res.status, 200, JSON.stringify(first));
  assert.equal(first.patient.name, p.name);
  assert.ok(first.records.length >= 3 && first.records.every((x) => x.drug && x.dispensed_on < new Date().toISOString().slice(0, 10)));
  assert.match(first.consent_given_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$/);
  // By insurance numbers, with a WebAPI token: the same records.
  res = await info(webapi, { insurer_number: p.insurance.insurer_number, insured_number: p.insurance.insured_number, insured_card_symbol: p.insurance.insured_card_symbol, category: 'drug' });
  assert.deepEqual((await res.json()).records, first.records);
  res = await info(viewer, { serial_number: '800001', category: 'checkup' });
  assert.deepEqual([res.status, (await res.json()).error.code], [403, 'medical_info.consent_missing']);
  res = await info(viewer, { serial_number: '800001', category: 'medical' }); // 診療情報: not_use by default
  assert.deepEqual([res.status, (await res.json()).error.code], [403, 'medical_info.category_not_used']);
  // Emergency viewing needs no consent and says so in the history.
  res = await info(viewer, { serial_number: '800001', category: 'checkup', emergency: 'true' });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).method, 'emergency');
  // Emergency viewing is for a person at a medical institution's screen, not for machines.
  res = await info(webapi, { serial_number: '800001', category: 'checkup', emergency: 'true' });
  assert.deepEqual([res.status, (await res.json()).error.code], [403, 'medical_info.emergency_not_allowed']);
  pg.psql(db, `UPDATE test_consents SET revoked_at = now() WHERE institution_code = '${CODE}' AND item = 'drug'`);
  res = await info(viewer, { serial_number: '800001', category: 'drug' });
  assert.deepEqual([res.status, (await res.json()).error.code], [403, 'medical_info.consent_withdrawn']);
  // …and never overrides a withdrawal.
  res = await info(viewer, { serial_number: '800001', category: 'drug', emergency: 'true' });
  assert.deepEqual([res.status, (await res.json()).error.code], [403, 'medical_info.consent_withdrawn']);
  for (const [q, status, code] of [
    [{ category: 'drug' }, 400, 'medical_info.patient_missing'],
    [{ serial_number: '800001', category: 'genome' }, 400, 'medical_info.category_unknown'],
    [{ serial_number: '800001' }, 400, 'request.field_missing'],
    [{ serial_number: '999999', category: 'drug' }, 404, 'medical_info.patient_not_found'],
  ]) {
    res = await info(viewer, q);
    assert.deepEqual([res.status, (await res.json()).error.code], [status, code]);
  }
  for (const who of [general, reader, admin]) assert.equal((await info(who, { serial_number: '800001', category: 'drug' })).status, 403);
  const rows = pg.psql(db, `SELECT string_agg(viewer_id || ':' || viewer_kind || ':' || category || ':' || consent || ':' || method, ',' ORDER BY id) FROM medical_info_views WHERE institution_code = '${CODE}'`);
  assert.equal(rows, 'etsuran1:medical_viewer:drug:given:normal,A0001:webapi:drug:given:normal,etsuran1:medical_viewer:checkup:not_needed:emergency');
});

test('the production environment: SegmentOfResult 9 E9001, no data invented, still in the history', async () => {
  const p = persons.insurance_valid;
  const r = await check(webapi, xmlRequest(CODE, p), prod);
  assertCompleteHeader(r, { error: 'E9001' });
  assert.deepEqual(r.XmlMsg.MessageBody, { ProcessingResultStatus: '2' }); // nothing invented
  const c = await (await reader('POST', '/api/v1/qualifications/card', { serial_number: '700002' }, prod)).json();
  assertCompleteHeader(c, { date: todayJst(), file: null, ref: '1', error: 'E9001' });
  const m = await viewer('GET', '/api/v1/medical-info?serial_number=800001&category=drug', undefined, prod);
  assert.deepEqual([m.status, (await m.json()).error.code], [503, 'medical_info.no_upstream']);
  assert.equal(pg.psql(db, `SELECT count(*) FROM qualification_checks WHERE institution_code = '${CODE}' AND result_code = 'E9001'`), '2');
});

test('同意取消 (issue 16 §4): at the patient page and at a card check the view is refused and the flag 0; 閲覧同意情報初期化 restores exactly the card-given ones; another institution untouched', async () => {
  const SERIAL = '860001';
  const OTHER = '1319200002';
  const putSettings = async (call, values) => {
    const s = await (await call('GET', '/api/v1/settings')).json();
    const res = await call('PUT', '/api/v1/settings', { values, version: s.version, terms_agreed: true });
    assert.equal(res.status, 200, await res.text());
  };
  const inst2 = createInstitution(pg, db, OTHER, 'medical', '別の試験医院');
  const master2 = await signedIn(srv, OTHER, inst2.master.user_id, inst2.master.initial_password);
  const signUp = async (call, role, id) => signedIn(srv, OTHER, id, (await (await call('POST', '/api/v1/accounts', account(role, id))).json()).initial_password);
  const admin2 = await signUp(master2, 'admin', 'kanri01');
  const [general2, viewer2] = [await signUp(admin2, 'general', 'ippan01'), await signUp(admin2, 'medical_viewer', 'etsuran1')];
  for (const call of [admin, admin2])
    assert.equal((await call('POST', '/api/v1/test-data/card-links', { serial_number: SERIAL, qualification_type: 'insurance_valid', register_as_insurance_card: true })).status, 201);
  await putSettings(admin, { home_visit: 'use' });
  const token = (await (await admin('GET', '/api/v1/visit-urls')).json()).items.find((i) => i.kind === 'home_visit').url.split('/').pop();
  const visit = (p, b, server = srv) => fetch(`${server.base}/visit/${token}/${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
  const card = async (call, extra = {}) => {
    const res = await call('POST', '/api/v1/qualifications/card', { serial_number: SERIAL, ...extra });
    const got = await res.json();
    assert.equal(res.status, 200, JSON.stringify(got));
    const e = results(got)[0];
    return { drug: e.PharmacistsInfoConsFlg, checkup: e.SpecificHealthCheckupsInfoConsFlg };
  };
  const view = async (call, category, emergency = false) => {
    const res = await call('GET', `/api/v1/medical-info?serial_number=${SERIAL}&category=${category}${emergency ? '&emergency=true' : ''}`);
    const got = await res.json();
    return res.status === 200 ? 200 : `${res.status} ${got.error.code}`;
  };
  const state = (code = CODE) => pg.psql(db, `SELECT string_agg(item || ':' || c.source || ':' || (revoked_at IS NULL), ',' ORDER BY item, c.source) FROM test_consents c JOIN test_persons p USING (institution_code) WHERE c.person_id = p.id AND p.serial_number = '${SERIAL}' AND institution_code = '${code}'`);
  const written = () => pg.psql(db, `SELECT (SELECT count(*) FROM qualification_checks) || '/' || (SELECT count(*) FROM visit_consent_requests) || '/' || (SELECT string_agg(item || c.source || coalesce(revoked_at::text, ''), ',' ORDER BY institution_code, person_id, item, c.source) FROM test_consents c)`);

  // Given at the card (drug), on the patient page (checkup); the other institution's own.
  assert.deepEqual(await card(general, { consents: ['drug'] }), { drug: '1', checkup: '0' });
  let res = await visit('consents', { serial_number: SERIAL, consents: ['checkup'] });
  assert.equal(res.status, 201);
  assert.deepEqual(await card(general2, { consents: ['drug', 'checkup'] }), { drug: '1', checkup: '1' });
  assert.deepEqual([await view(viewer, 'drug'), await view(viewer, 'checkup')], [200, 200]);

  // Withdrawn on the patient page: the view refused, the next check's flag 0; the other institution still views.
  res = await visit('consents/withdrawals', { serial_number: SERIAL, consents: ['drug'] });
  const got = await res.json();
  assert.equal(res.status, 201, JSON.stringify(got));
  assert.deepEqual([got.action, got.kind, got.consents.map((c) => c.id)], ['withdraw', 'home_visit', ['drug']]);
  assert.match(got.received_at, /^\d{4}-\d\d-\d\dT/);
  assert.equal(pg.psql(db, `SELECT string_agg(action || ':' || array_to_string(items, '+'), ',' ORDER BY id) FROM visit_consent_requests WHERE institution_code = '${CODE}'`), 'give:checkup,withdraw:drug');
  assert.equal(await view(viewer, 'drug'), '403 medical_info.consent_withdrawn');
  assert.equal(await view(viewer, 'drug', true), '403 medical_info.consent_withdrawn');
  assert.deepEqual(await card(general), { drug: '0', checkup: '1' });
  assert.deepEqual([await view(viewer2, 'drug'), state(OTHER)], [200, 'checkup:card:true,drug:card:true']);

  // Bad withdrawals write nothing: unknown item, never given, already withdrawn, one of two not given, unknown card.
  let before = written();
  for (const [p, b, status, code] of [
    ['consents/withdrawals', { serial_number: SERIAL, consents: ['genome'] }, 400, 'qualification.consent_unknown'],
    ['consents/withdrawals', { serial_number: SERIAL, consents: [] }, 400, 'request.field_range'],
    ['consents/withdrawals', { serial_number: SERIAL, consents: ['surgery'] }, 409, 'qualification.consent_not_given'],
    ['consents/withdrawals', { serial_number: SERIAL, consents: ['drug'] }, 409, 'qualification.consent_not_given'],
    ['consents/withdrawals', { serial_number: SERIAL, consents: ['checkup', 'surgery'] }, 409, 'qualification.consent_not_given'],
    ['consents/withdrawals', { serial_number: '999999', consents: ['checkup'] }, 409, 'qualification.consent_not_given'],
    ['consents/withdrawals', { serial_number: 'x', consents: ['checkup'] }, 400, 'qualification.serial_number_invalid'],
  ]) {
    res = await visit(p, b);
    const e = (await res.json()).error;
    assert.deepEqual([res.status, e.code, e.field], [status, code, status === 400 && code.endsWith('invalid') ? 'serial_number' : 'consents'], JSON.stringify(b));
  }
  for (const [extra, status, code] of [
    [{ withdrawn_consents: ['genome'] }, 400, 'qualification.consent_unknown'],
    [{ withdrawn_consents: 'drug' }, 400, 'request.field_type'],
    [{ consents: ['checkup'], withdrawn_consents: ['checkup'] }, 400, 'qualification.consent_both'],
    [{ withdrawn_consents: ['drug'] }, 409, 'qualification.consent_not_given'],
    [{ consents: ['checkup'], withdrawn_consents: ['surgery'] }, 409, 'qualification.consent_not_given'],
    [{ withdrawn_consents: ['checkup'], serial_number: '999998' }, 409, 'qualification.consent_not_given'],
  ]) {
    res = await general('POST', '/api/v1/qualifications/card', { serial_number: SERIAL, ...extra });
    const e = (await res.json()).error;
    assert.deepEqual([res.status, e.code, e.field], [status, code, 'withdrawn_consents'], JSON.stringify(extra));
  }
  assert.equal(written(), before);
  assert.equal(state(), 'checkup:visit:true,drug:card:false');

  // Given again at a card check, then withdrawn at one (checkup too, given on the page): both refused.
  assert.deepEqual(await card(general, { consents: ['drug'] }), { drug: '1', checkup: '1' });
  assert.equal(await view(viewer, 'drug'), 200);
  assert.deepEqual(await card(reader, { withdrawn_consents: ['drug', 'checkup'] }), { drug: '0', checkup: '0' });
  assert.deepEqual([await view(viewer, 'drug'), await view(viewer, 'checkup')], ['403 medical_info.consent_withdrawn', '403 medical_info.consent_withdrawn']);
  assert.equal(state(), 'checkup:visit:false,drug:card:false');
  // The other institution withdraws its drug consent itself; our reset must leave it withdrawn.
  assert.deepEqual(await card(general2, { withdrawn_consents: ['drug'] }), { drug: '0', checkup: '1' });

  // 閲覧同意情報初期化: the card-given drug comes back, the page's checkup stays withdrawn.
  res = await admin('POST', '/api/v1/test-data/consents/reset');
  assert.equal(res.status, 200);
  assert.ok((await res.json()).restored >= 1);
  assert.equal(state(), 'checkup:visit:false,drug:card:true');
  assert.deepEqual([await view(viewer, 'drug'), await view(viewer, 'checkup')], [200, '403 medical_info.consent_withdrawn']);
  assert.deepEqual(await card(general), { drug: '1', checkup: '0' });
  assert.deepEqual([state(OTHER), await view(viewer2, 'drug')], ['checkup:card:true,drug:card:false', '403 medical_info.consent_withdrawn']);

  // Production: the page's withdrawal is recorded for the operator (no test person to change).
  before = state();
  res = await visit('consents/withdrawals', { serial_number: SERIAL, consents: ['drug'] }, prod);
  assert.equal(res.status, 201);
  assert.equal(state(), before);
  assert.equal(pg.psql(db, `SELECT count(*) FROM visit_consent_requests WHERE institution_code = '${CODE}' AND action = 'withdraw'`), '2');
});

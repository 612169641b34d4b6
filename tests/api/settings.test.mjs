// Environment settings (manual ch. 3 §1): the catalogue and the manual's defaults per kind of
// institution, every dependency refused with its code, the terms of use, stale versions,
// the audit diff, admins only, and a change seen at once by another onshid. And what the
// settings change (ch. 3 §3, issue 16 §3): ④ the prescription form a check takes and its
// PrescriptionIssueSelect, a pharmacy's 電子処方箋 / リフィル処方箋; ⑥ 医療費助成情報 only at a
// PMH participant (onshictl pmh) and the subsidy in the answer only while it is on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, startOnshid, onshictl } from '../support/harness.mjs';
import { createInstitution, signedIn, json } from '../support/people.mjs';

let pg;
let db;
let srv;
let other; // a second onshid on the same database

async function admins(code, kind) {
  const inst = createInstitution(pg, db, code, kind, '設定試験');
  const master = await signedIn(srv, code, inst.master.user_id, inst.master.initial_password);
  const made = await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01', name: '管理', name_kana: 'カンリ', start_date: '2020-04-01' });
  return { master, admin: await signedIn(srv, code, 'kanri01', (await made.json()).initial_password) };
}

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
  other = await startOnshid({ database: pg.conninfo(db) });
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  if (other) assert.deepEqual(await other.stop(), { code: 0, signal: null });
  pg?.stop();
});

test('a clinic and a pharmacy start with the manual\'s defaults, each with its own items', async () => {
  const clinic = (await admins('1319000001', 'medical')).admin;
  const pharmacy = (await admins('1349000001', 'pharmacy')).admin;
  const c = await (await clinic('GET', '/api/v1/settings')).json();
  const p = await (await pharmacy('GET', '/api/v1/settings')).json();
  assert.deepEqual(c.values, {
    char_encoding: 'utf8', consent_surgery: 'not_use', consent_drug: 'use', consent_medical: 'not_use',
    consent_checkup: 'use', consent_specific_disease: 'use', eprescription_mode: 'not_use',
    prescription_form_timing: 'other_than_check', medical_assistance: 'use', medical_subsidy: 'not_use',
    home_visit: 'not_use', online_care: 'not_use', visit_display_name: '' });
  assert.deepEqual(Object.keys(p.values).filter((k) => !(k in c.values)), ['eprescription', 'refill_prescription']);
  assert.equal(c.version, 1);
  assert.equal(c.updated_at, null);
  const medical = c.catalogue.find((i) => i.id === 'consent_medical');
  assert.deepEqual([medical.label, medical.section, medical.depends_on, medical.default], ['診療情報', '閲覧同意の利用有無', 'consent_drug', 'not_use']);
  assert.deepEqual(medical.choices, [{ id: 'use', label: '利用する', default: false }, { id: 'not_use', label: '利用しない', default: true }]);
  assert.equal(p.catalogue.find((i) => i.id === 'refill_prescription').applies_to, 'pharmacy');
  assert.deepEqual(c.related_institutions, []);
  assert.equal(c.terms.agreed, false);
});

test('the catalogue explains the screen: required marks, conditions in the manual\'s words, notes, sections', async () => {
  const clinic = (await admins('1339000006', 'dental')).admin;
  const pharmacy = (await admins('1349000006', 'pharmacy')).admin;
  const c = await (await clinic('GET', '/api/v1/settings')).json();
  const p = await (await pharmacy('GET', '/api/v1/settings')).json();
  const item = (s, id) => s.catalogue.find((i) => i.id === id);
  // Every item with choices bears the manual's 「*」; the display name is optional.
  for (const s of [c, p]) {
    for (const i of s.catalogue) {
      assert.equal(i.required, i.choices !== null, i.id);
      assert.ok(Array.isArray(i.notes), i.id);
      if (i.choices) assert.deepEqual(i.choices.filter((x) => x.default).map((x) => x.id), [i.default], i.id);
      if (i.condition) assert.equal(i.condition.item, i.depends_on, i.id);
      else assert.equal(i.depends_on, null, i.id);
    }
  }
  assert.deepEqual(item(c, 'consent_medical').condition, { item: 'consent_drug', values: ['use'], otherwise: 'not_use',
    text: '本項目は「薬剤情報：利用する」と設定されている場合のみ選択可能となります。' });
  assert.deepEqual(item(c, 'prescription_form_timing').condition, { item: 'eprescription_mode',
    values: ['e_only', 'e_and_paper', 'paper_only'], otherwise: 'other_than_check',
    text: '電子処方箋利用区分を「利用しない」以外に設定した場合のみ選択可能となります。' });
  assert.deepEqual(item(p, 'refill_prescription').condition, { item: 'eprescription', values: ['use'], otherwise: 'not_use',
    text: '電子処方箋で「利用しない」を選択した場合、リフィル処方箋は使用できません。' });
  assert.equal(c.catalogue.filter((i) => i.condition).length, 2);
  assert.equal(p.catalogue.filter((i) => i.condition).length, 2);
  assert.deepEqual(item(c, 'medical_subsidy').notes, ['PMH 事業に参加している先行実施機関のみ利用可能です。',
    '先行実施事業に参加していない医療機関は、医療費助成情報を「利用する」に設定しないようお願いいたします。']);
  const name = item(c, 'visit_display_name');
  assert.deepEqual([name.required, name.choices, name.max_length], [false, null, 100]);
  assert.ok(name.notes.includes('未入力の場合は画面上部の名称となります。'));
  assert.match(item(c, 'char_encoding').notes[0], /utf-8/);
  // Sections in the manual's order, each with the notes under its heading.
  const labels = ['環境依存項目', '閲覧同意の利用有無', '電子処方箋管理サービス関連項目', '医療扶助関連項目',
    '医療費助成利用関連項目', '訪問診療等・オンライン診療等関連項目'];
  assert.deepEqual(c.sections.map((s) => s.label), labels);
  assert.deepEqual(p.sections.map((s) => s.label), labels);
  assert.deepEqual(c.sections.at(-1).notes, ['事前に「オンライン資格確認等システム利用規約」をご確認ください。',
    '訪問診療等・オンライン診療等の資格確認を行った場合「居宅同意取得型」オンライン資格確認の導入医療機関として厚生労働省HPに公表します。']);
  const order = c.catalogue.map((i) => labels.indexOf(i.section));
  assert.deepEqual(order, [...order].sort((a, b) => a - b), 'items come section by section');
});

test('a dependent item may keep its otherwise value whatever the item it depends on says', async () => {
  const { admin } = await admins('1319000007', 'medical');
  const pharmacy = (await admins('1349000007', 'pharmacy')).admin;
  // 薬剤情報 off with 診療情報 left at 利用しない is fine; so is 電子処方箋 off with リフィル off.
  let res = await admin('PUT', '/api/v1/settings', { values: { consent_drug: 'not_use' }, version: 1 });
  assert.equal(res.status, 200);
  res = await pharmacy('PUT', '/api/v1/settings', { values: { eprescription: 'use', refill_prescription: 'use' }, version: 1 });
  assert.equal(res.status, 200);
  res = await pharmacy('PUT', '/api/v1/settings', { values: { eprescription: 'not_use' }, version: 2 });
  const { error } = await res.json();
  assert.deepEqual([res.status, error.code, error.field], [400, 'settings.refill_needs_eprescription', 'values.refill_prescription']);
  assert.equal(error.details[0].message, 'リフィル処方箋を利用する場合は、電子処方箋も利用するを選択してください。');
  res = await pharmacy('PUT', '/api/v1/settings', { values: { eprescription: 'not_use', refill_prescription: 'not_use' }, version: 2 });
  assert.equal(res.status, 200);
});

test('every rule refused with its own code; nothing saved', async () => {
  const { admin } = await admins('1319000002', 'medical');
  const pharmacy = (await admins('1349000002', 'pharmacy')).admin;
  const cases = [
    [admin, { consent_drug: 'not_use', consent_medical: 'use' }, 'settings.medical_needs_drug', 'values.consent_medical'],
    [admin, { prescription_form_timing: 'at_check' }, 'settings.timing_needs_eprescription', 'values.prescription_form_timing'],
    [admin, { eprescription: 'use' }, 'settings.item_not_applicable', 'values.eprescription'],
    [admin, { char_encoding: 'euc' }, 'settings.value_invalid', 'values.char_encoding'],
    [admin, { char_encoding: 1 }, 'settings.value_invalid', 'values.char_encoding'],
    [admin, { colour: 'red' }, 'settings.item_unknown', 'values.colour'],
    [admin, { home_visit: 'use' }, 'settings.terms_required', 'values.home_visit'],
    [pharmacy, { refill_prescription: 'use' }, 'settings.refill_needs_eprescription', 'values.refill_prescription'],
    [pharmacy, { eprescription_mode: 'e_only' }, 'settings.item_not_applicable', 'values.eprescription_mode'],
  ];
  for (const [call, values, code, field] of cases) {
    const res = await call('PUT', '/api/v1/settings', { values, version: 1 });
    assert.equal(res.status, 400, JSON.stringify(values));
    const { error } = await res.json();
    assert.deepEqual([error.code, error.field], [code, field], JSON.stringify(values));
    assert.equal(error.details[0].code, code);
  }
  assert.equal((await (await admin('GET', '/api/v1/settings')).json()).version, 1);
  const bad = await admin('PUT', '/api/v1/settings', { values: [], version: 1 });
  assert.deepEqual([bad.status, (await bad.json()).error.field], [400, 'values']);
});

test('a change is saved with who and when, audited as a diff; a stale version gets 409', async () => {
  const { admin } = await admins('1319000003', 'medical');
  const res = await admin('PUT', '/api/v1/settings', { values: { consent_medical: 'use', eprescription_mode: 'e_and_paper', prescription_form_timing: 'at_check' }, version: 1 });
  assert.equal(res.status, 200);
  const saved = await res.json();
  assert.deepEqual([saved.version, saved.updated_by, saved.values.consent_medical], [2, 'kanri01', 'use']);
  assert.ok(saved.updated_at);
  const stale = await admin('PUT', '/api/v1/settings', { values: { consent_surgery: 'use' }, version: 1 });
  assert.deepEqual([stale.status, (await stale.json()).error.code], [409, 'settings.version_conflict']);
  const diff = JSON.parse(pg.psql(db, "SELECT details::text FROM audit_log WHERE institution_code = '1319000003' AND action = 'settings.update'"));
  assert.deepEqual(diff.changes, {
    consent_medical: { before: 'not_use', after: 'use' },
    eprescription_mode: { before: 'not_use', after: 'e_and_paper' },
    prescription_form_timing: { before: 'other_than_check', after: 'at_check' },
  });
});

test('turning on 訪問診療等機能 needs the current terms; the agreement is recorded', async () => {
  const { admin } = await admins('1319000004', 'medical');
  const terms = await (await admin('GET', '/api/v1/terms')).json();
  assert.equal(terms.version, '2023-08');
  assert.match(terms.body, /利用規約/);
  assert.equal(terms.agreed, false);
  const res = await admin('PUT', '/api/v1/settings', { values: { home_visit: 'use' }, version: 1, terms_agreed: true });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual([body.values.home_visit, body.terms.agreed], ['use', true]);
  assert.equal(pg.psql(db, "SELECT version || '|' || agreed_by FROM terms_agreements WHERE institution_code = '1319000004'"), '2023-08|kanri01');
  assert.equal((await (await admin('GET', '/api/v1/terms')).json()).agreed, true);
  // Once agreed, the other function needs no new agreement.
  assert.equal((await admin('PUT', '/api/v1/settings', { values: { online_care: 'use' }, version: 2 })).status, 200);
  // The menu offers 訪問診療等・オンライン診療等 at once, in every onshid, and not after both are off.
  const me = await (await admin('GET', '/api/v1/session', undefined, other)).json();
  assert.ok(me.capabilities.includes('visit'));
  assert.deepEqual(me.menu.find((m) => m.capability === 'visit'), { id: 'visit_urls', group: '医療機関別URL取得・変更', label: '医療機関別URL取得・変更', capability: 'visit' });
  assert.equal((await admin('PUT', '/api/v1/settings', { values: { home_visit: 'not_use', online_care: 'not_use' }, version: 3 })).status, 200);
  assert.ok(!(await (await admin('GET', '/api/v1/session', undefined, other)).json()).capabilities.includes('visit'));
});

test('only admins see the settings; a change is seen at once through another onshid', async () => {
  const { master, admin } = await admins('1319000005', 'medical');
  assert.equal((await master('GET', '/api/v1/settings')).status, 403);
  assert.equal((await master('PUT', '/api/v1/settings', { values: {}, version: 1 })).status, 403);
  const put = await admin('PUT', '/api/v1/settings', { values: { consent_surgery: 'use' }, version: 1 }, srv);
  assert.equal(put.status, 200);
  const seen = await (await admin('GET', '/api/v1/settings', undefined, other)).json();
  assert.deepEqual([seen.values.consent_surgery, seen.version], ['use', 2]);
});

// ---- What the settings change (manual ch. 3 §3) ----

const results = (r) => (r.XmlMsg.MessageBody.ResultList ?? []).map((e) => e.ResultOfQualificationConfirmation);
const pmh = (code, state) => onshictl(['--json', 'pmh', '--institution', code, state], { ONSHI_DATABASE_URL: pg.conninfo(db) });

async function member(admin, code, role, id) {
  const made = await json(await admin('POST', '/api/v1/accounts', { role, user_id: id, name: '受付', name_kana: 'ウケツケ', start_date: '2020-04-01' }), 201);
  return signedIn(srv, code, id, made.initial_password);
}

async function putSettings(admin, values) {
  const { version } = await json(await admin('GET', '/api/v1/settings'));
  return json(await admin('PUT', '/api/v1/settings', { values, version }));
}

// The numbers 資格情報照会（被保険者証） takes, from a test person.
const numbers = (p) => ({ insurer_number: p.insurance.insurer_number, insured_card_symbol: p.insurance.insured_card_symbol ?? undefined,
  insured_number: p.insurance.insured_number, insured_branch_number: p.insurance.insured_branch_number ?? undefined, birthdate: p.birthdate });

test('⑥ 医療費助成情報: 利用する only at a PMH participant (onshictl pmh); the subsidy in the answer only while it is on', async () => {
  const code = '1319000008';
  const { admin } = await admins(code, 'medical');
  const item = (s) => s.catalogue.find((i) => i.id === 'medical_subsidy');
  let s = await json(await admin('GET', '/api/v1/settings'));
  assert.equal(s.pmh_participant, false);
  assert.deepEqual(item(s).restriction, { value: 'not_use',
    text: 'この医療機関等は PMH 事業の先行実施機関として登録されていないため、「利用する」は選択できません。先行実施事業に参加している場合は、実施機関に登録を依頼してください。' });
  assert.equal(s.catalogue.filter((i) => i.restriction).length, 1, 'no other item is restricted');
  let res = await admin('PUT', '/api/v1/settings', { values: { medical_subsidy: 'use' }, version: s.version });
  let { error } = await res.json();
  assert.deepEqual([res.status, error.code, error.field], [400, 'settings.subsidy_needs_pmh', 'values.medical_subsidy']);
  assert.equal(error.message, '医療費助成情報は、PMH 事業に参加している先行実施機関のみ「利用する」を選択できます。');
  // A person registered now carries a subsidy (法別番号 80/81), shown by no check yet.
  const rec = await json(await admin('POST', '/api/v1/test-data/category-records', { category: 'employee_insurance', qualification_type: 'insurance_valid' }), 201);
  const p = rec.category_record.person;
  assert.match(p.medical_subsidy.public_payer_number, /^8[01]13\d{4}$/);
  assert.match(p.medical_subsidy.recipient_number, /^\d{7}$/);
  assert.match(p.medical_subsidy.name, /医療費助成$/);
  const subsidyOf = async () => results(await json(await admin('POST', '/api/v1/qualifications/insurance', numbers(p))))[0].MedicalSubsidyInfo;
  assert.equal(await subsidyOf(), undefined);
  assert.equal((await json(await admin('GET', '/api/v1/qualifications/consents'))).medical_subsidy, false);

  // The operator marks the institution: the item opens, and 利用する puts the subsidy in the answer.
  let r = pmh(code, 'on');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { institution_code: code, pmh_participant: true, before: false, medical_subsidy_turned_off: false });
  s = await json(await admin('GET', '/api/v1/settings'));
  assert.deepEqual([s.pmh_participant, item(s).restriction, s.values.medical_subsidy], [true, null, 'not_use']);
  assert.equal(await subsidyOf(), undefined, 'a participant that does not use it shows none');
  s = await putSettings(admin, { medical_subsidy: 'use' });
  assert.equal(s.values.medical_subsidy, 'use');
  assert.deepEqual(await subsidyOf(), { PublicExpensePayerNumber: p.medical_subsidy.public_payer_number,
    PublicExpenseRecipientNumber: p.medical_subsidy.recipient_number, MedicalSubsidyName: p.medical_subsidy.name,
    MedicalSubsidyValidDate: p.medical_subsidy.valid_from.replaceAll('-', ''), MedicalSubsidyValidity: '1' });
  assert.equal((await json(await admin('GET', '/api/v1/qualifications/consents'))).medical_subsidy, true);
  // The XmlMsg route (a receipt computer) and a card check carry it too.
  await member(admin, code, 'webapi', 'A0001');
  const tok = await json(await fetch(`${srv.base}/api/v1/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: code, user_id: 'A0001', password: 'Sakura2026!' }) }));
  const info = { InsurerNumber: p.insurance.insurer_number, InsuredIdentificationNumber: p.insurance.insured_number, InsuredCardSymbol: p.insurance.insured_card_symbol };
  if (p.insurance.insured_branch_number) info.InsuredBranchNumber = p.insurance.insured_branch_number;
  const xml = await json(await fetch(`${srv.base}/api/v1/qualifications`, { method: 'POST', headers: { Authorization: `Bearer ${tok.access_token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ XmlMsg: { MessageHeader: { QualificationConfirmationDate: '20261124', MedicalInstitutionCode: code }, MessageBody: { QualificationConfirmSearchInfo: info } } }) }));
  assert.equal(results(xml)[0].MedicalSubsidyInfo.PublicExpensePayerNumber, p.medical_subsidy.public_payer_number);
  const link = await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: '880001', qualification_type: 'insurance_valid', register_as_insurance_card: true }), 201);
  const card = await json(await admin('POST', '/api/v1/qualifications/card', { serial_number: '880001' }));
  assert.equal(results(card)[0].MedicalSubsidyInfo.PublicExpenseRecipientNumber, link.card_link.person.medical_subsidy.recipient_number);
  // Nothing for a person without health insurance (医療扶助 only).
  const ast = await json(await admin('POST', '/api/v1/test-data/category-records', { category: 'medical_assistance', qualification_type: 'assistance_valid_medical' }), 201);
  assert.equal(ast.category_record.person.medical_subsidy, null);

  // Taken off: 利用する goes back to 利用しない as a change, and the answer carries no subsidy.
  r = pmh(code, 'off');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { institution_code: code, pmh_participant: false, before: true, medical_subsidy_turned_off: true });
  const after = await json(await admin('GET', '/api/v1/settings'));
  assert.deepEqual([after.values.medical_subsidy, after.version, after.updated_by, after.pmh_participant], ['not_use', s.version + 1, '実施機関', false]);
  assert.equal(await subsidyOf(), undefined);
  assert.equal(pg.psql(db, `SELECT string_agg(actor_kind || ':' || (details->>'pmh_participant'), ',' ORDER BY id) FROM audit_log WHERE institution_code = '${code}' AND action = 'institution.pmh'`), 'operator:true,operator:false');
  // The command's refusals.
  assert.equal(pmh('1319099999', 'on').status, 12);
  assert.equal(pmh(code, 'maybe').status, 2);
  assert.equal(onshictl(['pmh', 'on'], { ONSHI_DATABASE_URL: pg.conninfo(db) }).status, 2);
});

test('④ 処方箋の発行: a check takes the patient\'s choice only where the settings offer it, records it, answers PrescriptionIssueSelect', async () => {
  const code = '1319000009';
  const { admin } = await admins(code, 'medical');
  const general = await member(admin, code, 'general', 'ippan01');
  const link = await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: '890001', qualification_type: 'insurance_valid', register_as_insurance_card: true }), 201);
  const p = link.card_link.person;
  const card = (body) => general('POST', '/api/v1/qualifications/card', { serial_number: '890001', ...body });
  const insurance = (body) => general('POST', '/api/v1/qualifications/insurance', { ...numbers(p), ...body });
  const refused = async (res, code_) => {
    const { error } = await res.json();
    assert.deepEqual([res.status, error.code, error.field], [400, code_, 'prescription_form']);
    return error;
  };
  const formsOffered = async () => (await json(await general('GET', '/api/v1/qualifications/consents'))).prescription_form;
  const lastRow = () => pg.psql(db, `SELECT coalesce(prescription_form, '-') FROM qualification_checks WHERE institution_code = '${code}' ORDER BY id DESC LIMIT 1`);
  // The manual's defaults (利用しない, 資格確認時以外で確認する): nothing to choose.
  assert.deepEqual(await formsOffered(), { offered: false, label: '処方箋の発行', choices: [] });
  let e = await refused(await card({ prescription_form: 'paper' }), 'qualification.prescription_form_not_offered');
  assert.equal(e.message, 'この医療機関等の環境設定では、資格確認時に処方箋の発行形態を選択できません。');
  await refused(await insurance({ prescription_form: 'electronic' }), 'qualification.prescription_form_not_offered');
  // 電子処方箋利用区分 in use but chosen 資格確認時以外: still nothing.
  await putSettings(admin, { eprescription_mode: 'e_and_paper' });
  await refused(await card({ prescription_form: 'paper' }), 'qualification.prescription_form_not_offered');
  // 電子処方箋のみ at the check: only the electronic form.
  await putSettings(admin, { eprescription_mode: 'e_only', prescription_form_timing: 'at_check' });
  assert.deepEqual(await formsOffered(), { offered: true, label: '処方箋の発行', choices: [{ id: 'electronic', label: '電子処方箋', code: '1' }] });
  e = await refused(await card({ prescription_form: 'paper' }), 'qualification.prescription_form_not_allowed');
  assert.equal(e.message, '電子処方箋利用区分で利用しない処方箋の発行形態は選択できません。');
  let r = await json(await card({ prescription_form: 'electronic' }));
  assert.deepEqual(results(r).map((x) => x.PrescriptionIssueSelect), ['1']);
  assert.equal(lastRow(), '1');
  r = await json(await card({}));
  assert.equal(results(r)[0].PrescriptionIssueSelect, undefined, 'none chosen: absent, never empty');
  assert.equal(lastRow(), '-');
  // 併用: both; the insurance-card screen takes it too.
  await putSettings(admin, { eprescription_mode: 'e_and_paper' });
  assert.deepEqual((await formsOffered()).choices.map((c) => c.id), ['electronic', 'paper']);
  r = await json(await insurance({ prescription_form: 'paper' }));
  assert.deepEqual([results(r)[0].PrescriptionIssueSelect, lastRow()], ['2', '2']);
  const fax = await card({ prescription_form: 'fax' });
  assert.deepEqual([fax.status, (await fax.json()).error.code], [400, 'request.field_range']);
  // 紙の処方箋のみ: only paper.
  await putSettings(admin, { eprescription_mode: 'paper_only' });
  await refused(await card({ prescription_form: 'electronic' }), 'qualification.prescription_form_not_allowed');
  assert.equal(results(await json(await card({ prescription_form: 'paper' })))[0].PrescriptionIssueSelect, '2');
  // Back to 資格確認時以外で確認する: refused again.
  await putSettings(admin, { prescription_form_timing: 'other_than_check' });
  await refused(await card({ prescription_form: 'paper' }), 'qualification.prescription_form_not_offered');
  assert.equal((await json(await general('GET', '/api/v1/qualifications/consents'))).pharmacy_prescriptions, null);
});

test('④ a face reader\'s own account answers only the screens 顔認証付きカードリーダー環境設定 shows', async () => {
  const code = '1319000010';
  const { admin } = await admins(code, 'medical');
  const reader = await member(admin, code, 'face_reader', 'F0001');
  await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: '900001', qualification_type: 'insurance_valid', register_as_insurance_card: true }), 201);
  await putSettings(admin, { eprescription_mode: 'e_and_paper', prescription_form_timing: 'at_check' });
  const d = await json(await admin('GET', '/api/v1/readers/display-settings'));
  assert.deepEqual(d.screens.filter((x) => x.allowed).map((x) => x.id), ['drug', 'checkup', 'specific_disease', 'prescription_form']);
  assert.equal((await reader('POST', '/api/v1/qualifications/card', { serial_number: '900001', consents: ['checkup'], prescription_form: 'paper' })).status, 200);
  await json(await admin('PUT', '/api/v1/readers/display-settings', { screens: { checkup: false, prescription_form: false }, version: d.version }));
  const asked = await json(await reader('GET', '/api/v1/qualifications/consents'));
  assert.deepEqual([asked.consents.map((c) => c.id), asked.prescription_form.offered], [['drug', 'specific_disease'], false]);
  for (const [body, field] of [[{ consents: ['checkup'] }, 'consents'], [{ prescription_form: 'paper' }, 'prescription_form']]) {
    const res = await reader('POST', '/api/v1/qualifications/card', { serial_number: '900001', ...body });
    const { error } = await res.json();
    assert.deepEqual([res.status, error.code, error.field], [400, 'qualification.screen_not_shown', field]);
  }
  // The screens of the console are not the reader's: an admin's check still takes both.
  assert.equal((await admin('POST', '/api/v1/qualifications/card', { serial_number: '900001', consents: ['checkup'], prescription_form: 'paper' })).status, 200);
});

test('④ a pharmacy: 電子処方箋 and リフィル処方箋 say what it may take; it chooses no prescription form', async () => {
  const code = '1349000010';
  const { admin } = await admins(code, 'pharmacy');
  await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: '910001', qualification_type: 'insurance_valid', register_as_insurance_card: true }), 201);
  let c = await json(await admin('GET', '/api/v1/qualifications/consents'));
  assert.deepEqual([c.pharmacy_prescriptions, c.prescription_form.offered], [{ eprescription: false, refill: false }, false]);
  await putSettings(admin, { eprescription: 'use' });
  assert.deepEqual((await json(await admin('GET', '/api/v1/qualifications/consents'))).pharmacy_prescriptions, { eprescription: true, refill: false });
  await putSettings(admin, { refill_prescription: 'use' });
  c = await json(await admin('GET', '/api/v1/qualifications/consents'));
  assert.deepEqual([c.pharmacy_prescriptions, c.prescription_form.offered], [{ eprescription: true, refill: true }, false]);
  const res = await admin('POST', '/api/v1/qualifications/card', { serial_number: '910001', prescription_form: 'electronic' });
  assert.deepEqual([res.status, (await res.json()).error.code], [400, 'qualification.prescription_form_not_offered']);
  const r = await json(await admin('POST', '/api/v1/qualifications/card', { serial_number: '910001' }));
  assert.equal(results(r)[0].PrescriptionIssueSelect, undefined);
  // Its readers have no prescription-form screen at all.
  const d = await json(await admin('GET', '/api/v1/readers/display-settings'));
  assert.deepEqual(d.screens.map((x) => x.id), ['drug', 'medical', 'surgery', 'checkup', 'specific_disease']);
  const put = await admin('PUT', '/api/v1/readers/display-settings', { screens: { prescription_form: true }, version: d.version });
  assert.deepEqual([put.status, (await put.json()).error.code], [400, 'reader.screen_not_allowed']);
});

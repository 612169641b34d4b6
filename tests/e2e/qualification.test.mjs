// 資格確認 in the browser (manual ch. 1 §2 ① ②): test persons registered through テスト用データ
// セットアップ's API are checked as a receptionist would — by the numbers of the insurance card and
// by a test card with the consent answers the settings offer — and the page shows what the answer
// says: valid or not and why, the person, the insurer, the card, the period, the 医療券. A medical
// viewer then opens the consented medical information (by card and by number); an admin may check
// too (ch. 2 §1(1)); the consent questions follow the settings; a production onshid invents nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, visit, signedInPage, startConsoleServer } from './support/browser.mjs';
import { startOnshid } from '../support/harness.mjs';
import { signedIn, json } from '../support/people.mjs';

const PW = 'Sakura2026!x';
let server;
let browser;
let admin;
const people = {};
const account = (role, id, name) => ({ role, user_id: id, name, name_kana: 'ｼｹﾝ', start_date: '2020-04-01' });

before(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  const master = await server.api('master');
  const made = await json(await master('POST', '/api/v1/accounts', account('admin', 'kanri01', '管理 花子')), 201);
  admin = await signedIn(server.srv, server.code, 'kanri01', made.initial_password, PW);
  for (const [role, id, name] of [['general', 'uketsuke', '受付 一郎'], ['medical_viewer', 'ishi01', '医師 次郎']]) {
    const m = await json(await admin('POST', '/api/v1/accounts', account(role, id, name)), 201);
    await signedIn(server.srv, server.code, id, m.initial_password, PW);
  }
  for (const [key, category, type] of [['valid', 'employee_insurance', 'insurance_valid'], ['invalid', 'employee_insurance', 'insurance_invalid'],
    ['assistance', 'medical_assistance', 'assistance_valid_medical']]) {
    people[key] = (await json(await admin('POST', '/api/v1/test-data/category-records', { category, qualification_type: type }), 201)).category_record.person;
  }
  people.card = (await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: '5150', qualification_type: 'insurance_valid',
    register_as_insurance_card: true }), 201)).card_link.person;
});
after(async () => {
  await browser?.close();
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

async function signIn(userId) {
  return signedInPage(browser, server, userId, PW);
}
const slash = (iso) => iso.replaceAll('-', '/');
const outcome = (page) => page.getAttribute('.qual-outcome', 'data-outcome');

async function byNumber(page, p, birthdate = slash(p.birthdate)) {
  const ins = p.insurance ?? { insurer_number: p.medical_assistance.public_payer_number, insured_number: p.medical_assistance.recipient_number };
  await page.fill('#f-insurer_number', ins.insurer_number);
  await page.fill('#f-insured_card_symbol', ins.insured_card_symbol || '');
  await page.fill('#f-insured_number', ins.insured_number);
  await page.fill('#f-insured_branch_number', ins.insured_branch_number || '');
  await page.fill('#f-birthdate', birthdate);
  await page.click('form.qual-form button:has-text("照会")');
  await page.waitForSelector('.qual-result');
}

test('保険証で確認 (a receptionist): input errors, a valid person read out, an invalid one, 医療扶助 with its 医療券, an unknown birth date', async () => {
  const page = await signIn('uketsuke');
  const groups = await page.$$eval('.menu-group h2', (hs) => hs.map((h) => h.textContent));
  assert.deepEqual(groups.slice(0, 2), ['マイナンバーカードで確認', '保険証／処方箋で確認'], 'the manual\'s ① and ② first');
  await page.click('a.menu-link:has-text("資格情報照会（被保険者証）")');
  await page.waitForSelector('h1:has-text("資格情報照会（被保険者証）")');
  // Nothing typed: the three required fields say so.
  await page.click('form.qual-form button:has-text("照会")');
  await page.waitForSelector('.error-summary');
  for (const f of ['insurer_number', 'insured_number', 'birthdate']) assert.equal(await page.innerText(`#f-${f}-error`), '必須項目が入力されていません。');
  assert.equal(await page.locator('#f-insured_card_symbol-error').count(), 0);
  // What only the server can judge goes under each field at once.
  await page.fill('#f-insurer_number', '1234');
  await page.fill('#f-insured_number', '1');
  await page.fill('#f-insured_branch_number', '1');
  await page.fill('#f-birthdate', '2999/01/01');
  await page.click('form.qual-form button:has-text("照会")');
  await page.waitForSelector('#f-birthdate-error');
  assert.match(await page.innerText('#f-insurer_number-error'), /保険者番号は半角数字8桁（国民健康保険は6桁）/);
  assert.match(await page.innerText('#f-insured_branch_number-error'), /枝番は半角数字2桁/);
  assert.match(await page.innerText('#f-birthdate-error'), /今日より後の日付/);
  await visit(page, 'insurance-errors');

  await byNumber(page, people.valid);
  assert.equal(await outcome(page), 'valid');
  const text = await page.innerText('.qual-result');
  const p = people.valid;
  for (const s of ['資格有効性：有効', p.name, p.name_kana, slash(p.birthdate), p.insurance.insurer_number, '医療保険', '資格の種類', '有効期間'])
    assert.ok(text.includes(s), `${s} in:\n${text}`);
  assert.match(text, /性別\s*(男|女)/);
  assert.match(text, /照会日時：\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}（被保険者証）/);
  await visit(page, 'insurance-valid');

  await byNumber(page, people.invalid);
  assert.equal(await outcome(page), 'invalid');
  assert.match(await page.innerText('.qual-result'), /資格有効性：無効/);
  assert.match(await page.innerText('.qual-result'), /資格が無効です/);
  await visit(page, 'insurance-invalid');

  await byNumber(page, people.assistance);
  assert.equal(await outcome(page), 'valid');
  const a = await page.innerText('.qual-entry[data-kind="assistance"]');
  assert.match(a, /医療扶助/);
  assert.match(a, /公費負担者番号\s*\d+/);
  assert.match(a, /医療券\s*番号 \S+（\d{4}\/\d{2}\/\d{2} ～ \d{4}\/\d{2}\/\d{2}）/);
  await visit(page, 'insurance-assistance');

  await byNumber(page, people.valid, '1901/01/01');
  assert.equal(await outcome(page), 'invalid');
  assert.match(await page.innerText('.qual-result'), /該当資格なし/);
  assert.match(await page.innerText('.qual-result'), /入力した内容に誤りがないか確認してください/);
  await page.close();
});

test('マイナンバーカードで確認 (a medical viewer): the consents the settings offer, the answer with them, the consented medical information', async () => {
  const page = await signIn('ishi01');
  await page.click('a.menu-link:has-text("資格情報照会（マイナンバーカード）")');
  await page.waitForSelector('form.qual-form');
  const offered = await json(await admin('GET', '/api/v1/qualifications/consents'));
  const questions = await page.$$eval('fieldset.consents label', (ls) => ls.map((l) => l.textContent.trim()));
  assert.deepEqual(questions, offered.consents.map((c) => c.question));
  await visit(page, 'card-form');
  await page.fill('#f-serial_number', 'abc');
  await page.click('form.qual-form button:has-text("照会")');
  await page.waitForSelector('#f-serial_number-error');
  assert.match(await page.innerText('#f-serial_number-error'), /10進数/);

  await page.fill('#f-serial_number', '５１５０'); // full-width, as an IME types it
  await page.check('fieldset.consents input[value="drug"]');
  await page.click('form.qual-form button:has-text("照会")');
  await page.waitForSelector('.qual-result');
  assert.equal(await outcome(page), 'valid');
  const text = await page.innerText('.qual-result');
  assert.ok(text.includes(people.card.name), text);
  assert.match(text, /（マイナンバーカード）/);
  assert.match(text, /薬剤情報：同意あり（\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}）/);
  assert.match(text, /特定健診情報：同意なし/);
  // Only what was consented can be opened.
  const buttons = await page.$$eval('.medical-info button', (bs) => bs.map((b) => b.textContent.trim()));
  assert.deepEqual(buttons, ['薬剤情報を閲覧']);
  await page.click('.medical-info button:has-text("薬剤情報を閲覧")');
  await page.waitForSelector('#info-drug-h');
  const rows = await page.$$eval('.records tbody tr', (trs) => trs.length);
  assert.ok(rows >= 3, `${rows} records`);
  assert.match(await page.innerText('.records thead'), /調剤日\s*薬剤名/);
  await visit(page, 'card-medical-info');
  const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
  const views = await json(await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}`));
  assert.ok(views.items.some((v) => v.user_id === 'ishi01' && v.category === 'drug'), JSON.stringify(views.items));
  // The same patient by the insurance card's numbers: the consent given at the card opens the
  // same records there; nothing is fetched before the button.
  await page.click('nav a:has-text("資格情報照会（被保険者証）")');
  await page.waitForSelector('h1:has-text("資格情報照会（被保険者証）")');
  const before = (await json(await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}`))).total;
  await byNumber(page, people.card);
  assert.match(await page.innerText('.qual-result'), /薬剤情報：同意あり/);
  assert.deepEqual(await page.$$eval('.medical-info button', (bs) => bs.map((b) => b.textContent.trim())), ['薬剤情報を閲覧']);
  assert.equal((await json(await admin('GET', `/api/v1/history/medical-info-views?from=${today}&to=${today}`))).total, before);
  await page.click('.medical-info button:has-text("薬剤情報を閲覧")');
  await page.waitForSelector('#info-drug-h');
  assert.equal(await page.$$eval('.records tbody tr', (trs) => trs.length), rows, 'the same records by number as by card');
  assert.match(await page.innerText('.records tbody'), /\d{4}\/\d{2}\/\d{2}/);
  await visit(page, 'insurance-medical-info');
  // A person who consented to nothing: no button, and why.
  await byNumber(page, people.valid);
  assert.equal(await page.locator('.medical-info button').count(), 0);
  assert.match(await page.innerText('.medical-info'), /閲覧に同意された医療情報はありません/);
  await page.close();
});

test('同意取消 at the card (issue 16 §4): a consent withdrawn is shown as not given and no longer opens; one not in force is refused under its field', async () => {
  await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: '5151', qualification_type: 'insurance_valid', register_as_insurance_card: true }), 201);
  const page = await signIn('ishi01');
  await page.click('a.menu-link:has-text("資格情報照会（マイナンバーカード）")');
  await page.waitForSelector('form.qual-form');
  const offered = await json(await admin('GET', '/api/v1/qualifications/consents'));
  assert.deepEqual(await page.$$eval('fieldset.consent-withdrawals label', (ls) => ls.map((l) => l.textContent.trim())),
    offered.consents.map((c) => `${c.label}の閲覧同意を取り消す`));
  const submit = () => page.click('form.qual-form button:has-text("照会")');
  await page.fill('#f-serial_number', '5151');
  await page.check('fieldset.consents input[value="drug"]');
  await submit();
  await page.waitForSelector('.qual-result');
  assert.match(await page.innerText('.qual-result'), /薬剤情報：同意あり/);
  // Given and withdrawn at once: said at the field, nothing sent.
  await page.check('fieldset.consent-withdrawals input[value="drug"]');
  await submit();
  await page.waitForSelector('#cw-error');
  assert.match(await page.innerText('#cw-error'), /同意と同意取消を同時に指定することはできません/);
  // The patient withdraws it: not given in the answer, nothing to open.
  await page.uncheck('fieldset.consents input[value="drug"]');
  await submit();
  await page.waitForSelector('.qual-result');
  assert.match(await page.innerText('.qual-result'), /薬剤情報：同意なし/);
  assert.equal(await page.locator('.medical-info button').count(), 0);
  assert.match(await page.innerText('.medical-info'), /閲覧に同意された医療情報はありません/);
  await visit(page, 'card-consent-withdrawn');
  // Withdrawn already: refused under the field, the answer not shown.
  await submit();
  await page.waitForSelector('#cw-error');
  assert.match(await page.innerText('#cw-error'), /同意されていない閲覧同意は取り消せません/);
  assert.equal(await page.locator('.qual-result').count(), 0);
  await visit(page, 'card-consent-withdraw-not-given');
  await page.close();
});

test('an administrator checks too; the checks are in the history; a receptionist has no medical information', async () => {
  const page = await signIn('kanri01');
  await page.click('a.menu-link:has-text("資格情報照会（マイナンバーカード）")');
  await page.waitForSelector('form.qual-form');
  await page.fill('#f-serial_number', '99999');
  await page.click('form.qual-form button:has-text("照会")');
  await page.waitForSelector('.qual-result');
  assert.match(await page.innerText('.qual-result'), /該当資格なし/);
  assert.equal(await page.locator('.medical-info').count(), 0, 'admins do not view medical information');
  await visit(page, 'card-admin-unknown');
  const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
  const checks = await json(await admin('GET', `/api/v1/history/qualification-checks?from=${today}&to=${today}&per_page=100`));
  const who = new Set(checks.items.map((c) => `${c.user_id}:${c.reference_classification}`));
  for (const k of ['uketsuke:2', 'ishi01:1', 'kanri01:1']) assert.ok(who.has(k), `${k} in ${[...who]}`);
  await page.close();
  const rec = await signIn('uketsuke');
  await rec.click('a.menu-link:has-text("資格情報照会（マイナンバーカード）")');
  await rec.waitForSelector('form.qual-form');
  await rec.fill('#f-serial_number', '5150');
  await rec.click('form.qual-form button:has-text("照会")');
  await rec.waitForSelector('.qual-result');
  assert.equal(await rec.locator('.medical-info').count(), 0);
  await rec.close();
});

test('the consent questions follow 環境設定情報 (閲覧同意の利用有無): 手術情報 turned on is asked, turned off is not', async () => {
  const settings = async (values) => {
    const cur = await json(await admin('GET', '/api/v1/settings'));
    await json(await admin('PUT', '/api/v1/settings', { values, version: cur.version }));
  };
  const questions = (page) => page.$$eval('fieldset.consents label', (ls) => ls.map((l) => l.textContent.trim()));
  await settings({ consent_surgery: 'use', consent_checkup: 'not_use' });
  const page = await signIn('uketsuke');
  await page.goto(`${server.srv.base}/#/qualifications/card`);
  await page.waitForSelector('form.qual-form');
  assert.deepEqual(await questions(page), ['薬剤情報の閲覧を同意する', '手術情報の閲覧を同意する', '特定疾病療養受療証情報を表示']);
  await page.fill('#f-serial_number', '5150');
  await page.check('fieldset.consents input[value="surgery"]');
  await page.click('form.qual-form button:has-text("照会")');
  await page.waitForSelector('.qual-result');
  const text = await page.innerText('.qual-result');
  assert.match(text, /手術情報：同意あり/);
  assert.doesNotMatch(text, /特定健診情報/, 'an item not offered is not reported');
  await visit(page, 'card-consents-per-settings');
  await settings({ consent_surgery: 'not_use', consent_checkup: 'use' });
  await page.reload();
  await page.waitForSelector('form.qual-form');
  assert.deepEqual(await questions(page), ['薬剤情報の閲覧を同意する', '特定健診情報の閲覧を同意する', '特定疾病療養受療証情報を表示']);
  await page.close();
});

test('a production onshid: the card is read by the face-authentication reader, and a check by number invents nothing', async () => {
  const prod = await startOnshid({ database: server.conninfo, env: { ONSHI_ENVIRONMENT: 'production' } });
  try {
    const page = await signedInPage(browser, { ...server, srv: prod }, 'uketsuke', PW);
    await page.goto(`${prod.base}/#/qualifications/card`);
    await page.waitForSelector('h1:has-text("資格情報照会（マイナンバーカード）")');
    assert.equal(await page.locator('form.qual-form').count(), 0, 'no serial number outside the verification environment');
    assert.match(await page.innerText('main'), /顔認証付きカードリーダー/);
    await visit(page, 'production-card');
    await page.goto(`${prod.base}/#/qualifications/insurance`);
    await page.waitForSelector('h1:has-text("資格情報照会（被保険者証）")');
    await byNumber(page, people.valid);
    assert.equal(await outcome(page), 'error');
    assert.match(await page.innerText('.qual-result'), /資格確認を実行できませんでした。.*上位システムに接続されていない/s);
    assert.equal(await page.locator('.qual-entry').count(), 0);
    await visit(page, 'production-insurance');
    await page.close();
  } finally {
    assert.deepEqual(await prod.stop(), { code: 0, signal: null });
  }
});

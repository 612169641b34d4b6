// What the environment settings change, in the browser (manual ch. 3 §3; issue 16 §3): ⑥
// 医療費助成情報 is disabled with the reason until the operator marks the institution as a PMH
// participant (onshictl pmh), and then the answer shows the subsidy; ④ 資格情報照会（マイナン
// バーカード） asks 処方箋の発行 only where the settings offer it (the choices the mode allows), a
// choice the settings no longer offer is refused under the question, and the answer says what was
// chosen; 顔認証付きカードリーダー環境設定 says what allows the prescription-form screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, visit, signedInPage, startConsoleServer } from './support/browser.mjs';
import { onshictl } from '../support/harness.mjs';
import { signedIn, json } from '../support/people.mjs';

const PW = 'Sakura2026!x';
const SERIAL = '7070';
let server;
let browser;
let admin;
let page;

before(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  const master = await server.api('master');
  const made = await json(await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01', name: '管理 花子', name_kana: 'ｶﾝﾘ', start_date: '2020-04-01' }), 201);
  admin = await signedIn(server.srv, server.code, 'kanri01', made.initial_password, PW);
  await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: SERIAL, qualification_type: 'insurance_valid', register_as_insurance_card: true }), 201);
  page = await signedInPage(browser, server, 'kanri01', PW);
});
after(async () => {
  await browser?.close();
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

async function putSettings(values) {
  const { version } = await json(await admin('GET', '/api/v1/settings'));
  return json(await admin('PUT', '/api/v1/settings', { values, version }));
}

async function goTo(hash, heading) {
  await page.goto(`${server.srv.base}/#/menu`);
  await page.waitForSelector('h1:has-text("メニュー")');
  await page.goto(`${server.srv.base}/${hash}`);
  await page.waitForSelector(`h1:has-text("${heading}")`);
}

test('⑥ 医療費助成情報: disabled with the reason until the operator marks the institution; then the answer shows the subsidy', async () => {
  await goTo('#/settings?item=medical_subsidy', '環境設定情報更新');
  await page.waitForSelector('#f-medical_subsidy');
  assert.ok(await page.isDisabled('#f-medical_subsidy'));
  assert.equal(await page.innerText('#f-medical_subsidy-restriction'),
    '選択できません：この医療機関等は PMH 事業の先行実施機関として登録されていないため、「利用する」は選択できません。先行実施事業に参加している場合は、実施機関に登録を依頼してください。');
  assert.match(await page.getAttribute('#f-medical_subsidy', 'aria-describedby'), /f-medical_subsidy-restriction/);
  await visit(page, 'subsidy-restricted');

  const r = onshictl(['pmh', '--institution', server.code, 'on'], { ONSHI_DATABASE_URL: server.conninfo });
  assert.equal(r.status, 0, r.stderr);
  await goTo('#/settings?item=medical_subsidy', '環境設定情報更新');
  await page.waitForSelector('#f-medical_subsidy');
  assert.ok(await page.isEnabled('#f-medical_subsidy'));
  assert.equal(await page.locator('#f-medical_subsidy-restriction').count(), 0);
  await page.selectOption('#f-medical_subsidy', 'use');
  await page.click('form.form button:has-text("更新")');
  await page.waitForSelector('#confirm-dialog[open]');
  assert.match(await page.innerText('#confirm-dialog'), /医療費助成情報\s+利用しない\s+利用する/);
  await page.click('#confirm-ok');
  await page.waitForSelector('#done-heading');
  assert.equal((await json(await admin('GET', '/api/v1/settings'))).values.medical_subsidy, 'use');
  await visit(page, 'subsidy-on');
});

test('④ 処方箋の発行: asked only where offered, with the choices the mode allows; refused when no longer offered; shown in the answer', async () => {
  // The manual's defaults: no question.
  await goTo('#/qualifications/card', '資格情報照会（マイナンバーカード）');
  await page.waitForSelector('form.qual-form');
  assert.equal(await page.locator('fieldset.prescription-form').count(), 0);

  await putSettings({ eprescription_mode: 'e_and_paper', prescription_form_timing: 'at_check' });
  await goTo('#/qualifications/card', '資格情報照会（マイナンバーカード）');
  await page.waitForSelector('fieldset.prescription-form');
  assert.deepEqual(await page.$$eval('fieldset.prescription-form label', (ls) => ls.map((l) => l.textContent.trim())), ['電子処方箋', '紙の処方箋', '選択しない']);
  assert.match(await page.innerText('fieldset.prescription-form legend'), /処方箋の発行（患者の選択）/);
  await page.fill('#f-serial_number', SERIAL);
  await page.check('fieldset.prescription-form input[value="paper"]');
  await visit(page, 'card-prescription-asked');
  await page.click('form.qual-form button:has-text("照会")');
  await page.waitForSelector('.qual-result');
  const entry = await page.innerText('.qual-entry[data-kind="insurance"]');
  assert.match(entry, /処方箋の発行\s+紙の処方箋/);
  assert.match(entry, /医療費助成\s+(重度心身障害者|ひとり親家庭等)医療費助成（有効）\s+公費負担者番号 8[01]13\d{4}\s+受給者番号 \d{7}/);
  await visit(page, 'card-prescription-answer');

  // 電子処方箋のみ since the page was drawn: the paper form is refused under the question.
  await putSettings({ eprescription_mode: 'e_only' });
  await page.check('fieldset.prescription-form input[value="paper"]');
  await page.click('form.qual-form button:has-text("照会")');
  await page.waitForSelector('#pf-error');
  assert.equal(await page.innerText('#pf-error'), '電子処方箋利用区分で利用しない処方箋の発行形態は選択できません。環境設定情報が変更されたため、選択肢を現在の設定に合わせました。もう一度選択してください。');
  assert.match(await page.innerText('.error-summary'), /処方箋の発行：電子処方箋利用区分で利用しない処方箋の発行形態は選択できません。/);
  // The question now offers what the settings do, nothing chosen.
  assert.equal(await page.isChecked('fieldset.prescription-form input[value=""]'), true);
  await visit(page, 'card-prescription-refused');
  assert.deepEqual(await page.$$eval('fieldset.prescription-form label', (ls) => ls.map((l) => l.textContent.trim())), ['電子処方箋', '選択しない']);
});

test('顔認証付きカードリーダー環境設定 says what allows the prescription-form screen', async () => {
  server.pg.psql(server.db, `INSERT INTO readers (institution_code, name) VALUES ('${server.code}', 'Virtual PCD 00 00')`);
  await putSettings({ prescription_form_timing: 'other_than_check' });
  // The menu offers the reader screens once the institution has a reader: a new sign-in's session.
  await page.goto(`${server.srv.base}/#/readers/display`);
  await page.reload();
  await page.waitForSelector('h1:has-text("顔認証付きカードリーダー環境設定")');
  await page.waitForSelector('table.reader-screens');
  assert.match(await page.innerText('tr[data-screen="prescription_form"]'),
    /表示できません：環境設定情報の「電子処方箋管理サービス関連項目」で「電子処方箋利用区分」を「利用しない」以外にし、「発行形態選択タイミング」を「資格確認時に確認する」にすると表示できます。/);
  assert.match(await page.innerText('main'), /表示しない画面は患者に質問されないため/);
  await visit(page, 'reader-display-prescription');
});

// 環境設定情報更新 and 利用規約 as an administrator of a clinic and of a pharmacy uses them: the
// screen drawn from the catalogue (sections, 「※必須」, defaults, the manual's notes), a dependent
// item disabled with its reason and opened when its condition is met, every rule the server
// refuses explained under its item in Japanese, the terms agreement (dialog, declined, agreed,
// recorded), the before/after confirmation, completion, a 409 after a change through the API,
// and the terms screen. axe on every state; screenshots under e2e-screenshots/settings/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, assertNoConsoleErrors, visit, startConsoleServer } from './support/browser.mjs';
import { createInstitution, signedIn, json } from '../support/people.mjs';
import { onshictl } from '../support/harness.mjs';

let server;
let browser;
let clinic; // API helper of the clinic's admin 'kanri01'
let pharmacy; // API helper of the pharmacy's admin 'kanri02'
let pharmacy2; // the pharmacy's other admin 'kanri03', who changes the settings meanwhile
const PHARMACY = '1349900011';
const PW = 'Kanri2026!x';

async function adminOf(code, master, userId) {
  const made = await json(await master('POST', '/api/v1/accounts', { role: 'admin', user_id: userId,
    name: '管理 花子', name_kana: 'ｶﾝﾘ ﾊﾅｺ', start_date: '2020-04-01' }), 201);
  return signedIn(server.srv, code, userId, made.initial_password, PW);
}

before(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  clinic = await adminOf(server.code, await server.api('master'), 'kanri01');
  const inst = createInstitution(server.pg, server.db, PHARMACY, 'pharmacy', 'さくら薬局');
  const master = await signedIn(server.srv, PHARMACY, inst.master.user_id, inst.master.initial_password);
  pharmacy = await adminOf(PHARMACY, master, 'kanri02');
  pharmacy2 = await adminOf(PHARMACY, master, 'kanri03');
  const rel = onshictl(['institution', 'relate', '--code', server.code, '--related-code', '1339900013',
    '--name', '新橋総合歯科', '--established', '1980-04-01'], { ONSHI_DATABASE_URL: server.conninfo });
  assert.equal(rel.status, 0, rel.stderr);
  // The pharmacy takes part in PMH, so its 医療費助成情報 may be 利用する (settings-effects tests
  // the non-participant's disabled item).
  const pmh = onshictl(['pmh', '--institution', PHARMACY, 'on'], { ONSHI_DATABASE_URL: server.conninfo });
  assert.equal(pmh.status, 0, pmh.stderr);
});
after(async () => {
  await browser?.close();
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

async function signIn(page, code, userId) {
  await page.goto(`${server.srv.base}/#/login`);
  await page.fill('#f-institution_code', code);
  await page.fill('#f-user_id', userId);
  await page.fill('#f-password', PW);
  await page.click('button:has-text("ログイン")');
  await page.waitForSelector('h1:has-text("メニュー")');
}

async function openSettings(page) {
  await page.goto(`${server.srv.base}/#/settings`);
  await page.waitForSelector('main:not([aria-busy]) form[aria-label="環境設定情報"]');
}

const settings = async (who) => json(await who('GET', '/api/v1/settings'));
const fieldText = (page, id) => page.innerText(`.field:has(#f-${id})`);
const dialogRows = (page) => page.$$eval('#confirm-dialog table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));

// Submits the form and answers the confirmation; returns its rows (item, before, after).
async function submit(page, answer = 'ok') {
  await page.click('form[aria-label="環境設定情報"] button:has-text("更新")');
  await page.waitForSelector('#confirm-dialog[open]');
  await page.waitForFunction(() => document.getElementById('confirm-title').textContent === '環境設定情報更新');
  const rows = await dialogRows(page);
  await page.click(answer === 'ok' ? '#confirm-ok' : '#confirm-cancel');
  await page.waitForSelector('#confirm-dialog', { state: 'hidden' });
  return rows;
}

test('a clinic: the catalogue drawn, a dependent item disabled with its reason, each rule refused under its item, then saved', async () => {
  const page = await newPage(browser);
  await signIn(page, server.code, 'kanri01');
  await page.click('a.menu-link:has-text("環境設定情報更新")');
  await page.waitForSelector('form[aria-label="環境設定情報"]');
  assert.equal(await page.title(), '環境設定情報更新 | オンライン資格確認等システム');
  assert.deepEqual(await page.$$eval('.settings-section h2', (hs) => hs.map((h) => h.textContent)), ['環境依存項目',
    '閲覧同意の利用有無', '電子処方箋管理サービス関連項目', '医療扶助関連項目', '医療費助成利用関連項目', '訪問診療等・オンライン診療等関連項目']);
  // A clinic has 電子処方箋利用区分 and 発行形態選択タイミング, not the pharmacy's items.
  assert.equal(await page.locator('#f-eprescription_mode').count(), 1);
  assert.equal(await page.locator('#f-refill_prescription').count(), 0);
  // Required marks, defaults and the manual's notes.
  assert.match(await fieldText(page, 'consent_drug'), /薬剤情報※必須[\s\S]*初期値：利用する/);
  assert.doesNotMatch(await fieldText(page, 'visit_display_name'), /※必須/);
  assert.match(await fieldText(page, 'visit_display_name'), /未入力のときの表示：onshi デモ診療所/);
  assert.match(await fieldText(page, 'visit_display_name'), /未入力の場合は画面上部の名称となります。/);
  assert.match(await fieldText(page, 'medical_subsidy'), /PMH 事業に参加している先行実施機関のみ利用可能です。/);
  assert.match(await page.innerText('main'), /事前に「オンライン資格確認等システム利用規約」をご確認ください。/);
  assert.match(await page.innerText('dl.summary'), /まだ変更されていません/);
  // 関連医療機関情報, read-only.
  assert.deepEqual(await page.$$eval('table.related tbody td', (tds) => tds.map((t) => t.textContent.trim())),
    ['1339900013', '新橋総合歯科', '1980/04/01', 'なし']);

  // 発行形態選択タイミング waits for 電子処方箋利用区分, and says so.
  assert.ok(await page.isDisabled('#f-prescription_form_timing'));
  assert.match(await fieldText(page, 'prescription_form_timing'), /選択できません：電子処方箋利用区分を「利用しない」以外に設定した場合のみ選択可能となります。/);
  await visit(page, 'clinic-defaults');
  await page.selectOption('#f-eprescription_mode', 'e_only');
  assert.ok(await page.isEnabled('#f-prescription_form_timing'));
  assert.doesNotMatch(await fieldText(page, 'prescription_form_timing'), /選択できません/);
  await page.selectOption('#f-prescription_form_timing', 'at_check');
  // 診療情報 opens only while 薬剤情報 is used.
  await page.selectOption('#f-consent_drug', 'not_use');
  assert.ok(await page.isDisabled('#f-consent_medical'));
  assert.match(await fieldText(page, 'consent_medical'), /選択できません：本項目は「薬剤情報：利用する」と設定されている場合のみ選択可能となります。/);
  await visit(page, 'clinic-medical-disabled');
  await page.selectOption('#f-consent_drug', 'use');
  assert.ok(await page.isEnabled('#f-consent_medical'));
  await page.selectOption('#f-consent_medical', 'use');

  // Two rules broken at once: 薬剤情報 off under 診療情報 on, 利用区分 back to 利用しない under
  // タイミング at 資格確認時. The items holding a forbidden value stay open so they can be put back.
  await page.selectOption('#f-consent_drug', 'not_use');
  await page.selectOption('#f-eprescription_mode', 'not_use');
  assert.ok(await page.isEnabled('#f-consent_medical'));
  assert.ok(await page.isEnabled('#f-prescription_form_timing'));
  const rows = await submit(page);
  assert.deepEqual(rows, [['薬剤情報', '利用する', '利用しない'], ['診療情報', '利用しない', '利用する'],
    ['発行形態選択タイミング', '資格確認時以外で確認する', '資格確認時に確認する']], 'only what changes');
  await page.waitForSelector('.error-summary');
  assert.equal(await page.innerText('#f-consent_medical-error'), '診療情報を利用する場合は、薬剤情報も利用するを選択してください。');
  assert.equal(await page.innerText('#f-prescription_form_timing-error'), '発行形態選択タイミングを設定する場合は、電子処方箋利用区分で利用しない以外を選択してください。');
  assert.equal(await page.getAttribute('#f-consent_medical', 'aria-invalid'), 'true');
  assert.match(await page.innerText('.error-summary'), /診療情報：診療情報を利用する場合は/);
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), true);
  await visit(page, 'clinic-rules-refused');
  assert.equal((await settings(clinic)).version, 1, 'nothing saved');

  // A display name outside CP932 is refused under its field.
  await page.selectOption('#f-consent_drug', 'use');
  await page.selectOption('#f-eprescription_mode', 'e_and_paper');
  await page.fill('#f-visit_display_name', '𠮷田クリニック');
  await submit(page);
  await page.waitForSelector('#f-visit_display_name-error');
  assert.equal(await page.innerText('#f-visit_display_name-error'), '設定値が正しくありません。');
  assert.equal(await page.locator('.field-error').count(), 1);
  await visit(page, 'clinic-value-refused');

  // Put right: the confirmation lists the four changes, then completion.
  await page.fill('#f-visit_display_name', '吉田クリニック　在宅');
  const saved = await submit(page);
  assert.deepEqual(saved.map((r) => r[0]), ['診療情報', '電子処方箋利用区分', '発行形態選択タイミング',
    '訪問診療等・オンライン診療等の医療機関名称等情報']);
  assert.deepEqual(saved[3], ['訪問診療等・オンライン診療等の医療機関名称等情報', '（未入力）', '吉田クリニック　在宅']);
  await page.waitForSelector('#done-heading');
  assert.match(await page.innerText('.done'), /環境設定情報を更新しました[\s\S]*ログインし直してください/);
  assert.equal(await page.innerText('#flash'), '環境設定情報を更新しました。');
  assert.match(await page.innerText('dl.summary'), /\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}（kanri01）/);
  assert.equal(await page.locator('.field-error').count(), 0);
  await visit(page, 'clinic-saved');
  const now = await settings(clinic);
  assert.deepEqual([now.version, now.values.consent_medical, now.values.eprescription_mode, now.values.prescription_form_timing,
    now.values.visit_display_name, now.updated_by], [2, 'use', 'e_and_paper', 'at_check', '吉田クリニック　在宅', 'kanri01']);

  // Nothing changed: said so, no dialog.
  await page.click('form[aria-label="環境設定情報"] button:has-text("更新")');
  await page.waitForSelector('p.notice[role=status]:has-text("変更された項目はありません")');
  assert.equal(await page.locator('#confirm-dialog[open]').count(), 0);
  assertNoConsoleErrors(page);
  await page.close();
});

test('the terms: declined keeps the function off, agreed is recorded; terms changed since the page was drawn are asked again', async () => {
  const page = await newPage(browser);
  await signIn(page, server.code, 'kanri01');
  await openSettings(page);
  assert.match(await page.innerText('dl.summary'), /版 2023-08：未同意/);

  // 同意しない: 訪問診療等機能 stays 利用しない.
  await page.selectOption('#f-home_visit', 'use');
  await page.waitForSelector('#confirm-dialog[open]');
  assert.equal(await page.innerText('#confirm-title'), '利用規約同意確認');
  assert.match(await page.innerText('#confirm-body .terms-text'), /オンライン資格確認等システム利用規約/);
  assert.match(await page.innerText('#confirm-body'), /版：2023-08/);
  await visit(page, 'terms-dialog');
  await page.click('#confirm-cancel');
  // The dialog's close event comes a task after it hides: wait for what the page then says.
  await page.waitForSelector('p.notice[role=status]:has-text("利用規約に同意しなかったため")');
  assert.match(await page.innerText('p.notice[role=status]'), /利用規約に同意しなかったため、訪問診療等機能は「利用しない」のままです。/);
  assert.equal(await page.inputValue('#f-home_visit'), 'not_use');

  // 同意する, then 更新: the agreement is recorded with the change.
  await page.selectOption('#f-home_visit', 'use');
  await page.waitForSelector('#confirm-dialog[open]');
  await page.click('#confirm-ok');
  await page.waitForSelector('#confirm-dialog', { state: 'hidden' });
  assert.equal(await page.inputValue('#f-home_visit'), 'use');
  await page.click('form[aria-label="環境設定情報"] button:has-text("更新")');
  await page.waitForSelector('#confirm-dialog[open]');
  assert.match(await page.innerText('#confirm-body'), /利用規約（版 2023-08）への同意も記録します/);
  assert.deepEqual(await dialogRows(page), [['訪問診療等機能', '利用しない', '利用する']]);
  await visit(page, 'terms-confirm');
  await page.click('#confirm-ok');
  await page.waitForSelector('#done-heading');
  assert.match(await page.innerText('dl.summary'), /版 2023-08：同意済み/);
  const terms = await json(await clinic('GET', '/api/v1/terms'));
  assert.equal(terms.agreed, true);
  assert.equal(server.pg.psql(server.db, `SELECT version || '|' || agreed_by FROM terms_agreements WHERE institution_code = '${server.code}'`), '2023-08|kanri01');
  assert.equal((await settings(clinic)).values.home_visit, 'use');
  assert.ok((await json(await clinic('GET', '/api/v1/session'))).capabilities.includes('visit'));

  // New terms are published while the page is open: the server refuses, the page says why
  // under the item, and 更新 asks for the new version's agreement.
  server.pg.psql(server.db, "INSERT INTO terms_of_use (version, published_at, body) VALUES ('2026-12', now(), 'オンライン資格確認等システム利用規約（改定版）\n\n1. 改定した条項です。')");
  await page.selectOption('#f-online_care', 'use');
  assert.equal(await page.locator('#confirm-dialog[open]').count(), 0, 'the page still knows the old agreement');
  await submit(page);
  await page.waitForSelector('#f-online_care-error');
  assert.equal(await page.innerText('#f-online_care-error'), '訪問診療等・オンライン診療等の機能を利用するには、利用規約への同意が必要です。');
  assert.match(await page.innerText('p.notice[role=status]'), /利用規約が改定されています（版 2026-12）/);
  assert.match(await page.innerText('dl.summary'), /版 2026-12：未同意/);
  await visit(page, 'terms-required-refused');
  await page.click('form[aria-label="環境設定情報"] button:has-text("更新")');
  await page.waitForSelector('#confirm-dialog[open]');
  assert.equal(await page.innerText('#confirm-title'), '利用規約同意確認');
  assert.match(await page.innerText('#confirm-body'), /版：2026-12[\s\S]*改定した条項です/);
  await page.click('#confirm-ok');
  await page.waitForFunction(() => document.getElementById('confirm-title').textContent === '環境設定情報更新');
  assert.match(await page.innerText('#confirm-body'), /利用規約（版 2026-12）への同意も記録します/);
  await page.click('#confirm-ok');
  await page.waitForSelector('#done-heading');
  assert.equal((await settings(clinic)).values.online_care, 'use');
  assert.equal(server.pg.psql(server.db, `SELECT string_agg(version, ',' ORDER BY version) FROM terms_agreements WHERE institution_code = '${server.code}'`), '2023-08,2026-12');

  // The terms screen: the current version, its text, agreed.
  await page.click('a:has-text("利用規約の画面を開く")');
  await page.waitForSelector('#terms-agreed');
  assert.equal(await page.title(), '利用規約 | オンライン資格確認等システム');
  assert.match(await page.innerText('main'), /版：2026-12/);
  assert.match(await page.innerText('.terms-text'), /改定した条項です/);
  assert.match(await page.innerText('#terms-agreed'), /同意しています/);
  await visit(page, 'terms-screen');
  assertNoConsoleErrors(page);
  await page.close();
});

test('a pharmacy: its own items, リフィル処方箋 after 電子処方箋, the rule refused under its item, and a 409 from another change', async () => {
  const page = await newPage(browser);
  await signIn(page, PHARMACY, 'kanri02');
  await openSettings(page);
  assert.equal(await page.locator('#f-eprescription_mode').count(), 0);
  assert.equal(await page.locator('#f-prescription_form_timing').count(), 0);
  assert.match(await page.innerText('dl.summary'), /さくら薬局（薬局）/);
  assert.match(await page.innerText('main'), /関連医療機関はありません。/);
  assert.ok(await page.isDisabled('#f-refill_prescription'));
  assert.match(await fieldText(page, 'refill_prescription'), /選択できません：電子処方箋で「利用しない」を選択した場合、リフィル処方箋は使用できません。/);
  await visit(page, 'pharmacy-defaults');
  await page.selectOption('#f-eprescription', 'use');
  assert.ok(await page.isEnabled('#f-refill_prescription'));
  await page.selectOption('#f-refill_prescription', 'use');
  assert.deepEqual(await submit(page), [['電子処方箋', '利用しない', '利用する'], ['リフィル処方箋', '利用しない', '利用する']]);
  await page.waitForSelector('#done-heading');

  // 電子処方箋 off under リフィル on: refused under リフィル処方箋.
  await page.selectOption('#f-eprescription', 'not_use');
  assert.ok(await page.isEnabled('#f-refill_prescription'), 'it holds 利用する, so it can be put back');
  await submit(page);
  await page.waitForSelector('#f-refill_prescription-error');
  assert.equal(await page.innerText('#f-refill_prescription-error'), 'リフィル処方箋を利用する場合は、電子処方箋も利用するを選択してください。');
  assert.equal(await page.innerText('#f-refill_prescription-condition'), '電子処方箋で「利用しない」を選択した場合、リフィル処方箋は使用できません。');
  await visit(page, 'pharmacy-refill-refused');
  await page.selectOption('#f-refill_prescription', 'not_use');
  assert.ok(await page.isDisabled('#f-refill_prescription'));
  assert.equal(await page.locator('#f-refill_prescription-error').count(), 0, 'the message goes with the change');

  // Another administrator changes the settings through the API meanwhile: 409, current values shown.
  const current = await settings(pharmacy);
  await json(await pharmacy2('PUT', '/api/v1/settings', { values: { consent_surgery: 'use', medical_assistance: 'not_use' }, version: current.version }));
  await page.selectOption('#f-medical_assistance', 'not_use');
  await page.selectOption('#f-medical_subsidy', 'use');
  await submit(page);
  await page.waitForSelector('#conflict');
  assert.match(await page.innerText('#conflict'), /他の管理者が環境設定情報を更新しました/);
  assert.match(await page.innerText('#conflict'), /kanri03 が\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} に変更した/);
  const conflictRows = await page.$$eval('#conflict tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  assert.equal(await page.locator('#flash:visible').count(), 0, 'no completion message beside the refusal');
  assert.deepEqual(conflictRows, [['電子処方箋', '利用しない', '利用する'], ['リフィル処方箋', '利用しない', '利用する'],
    ['医療扶助情報', '利用しない', '利用しない'], ['医療費助成情報', '利用する', '利用しない']]);
  assert.equal(await page.inputValue('#f-consent_surgery'), 'use', 'the page shows the current values');
  assert.equal(await page.inputValue('#f-eprescription'), 'use');
  assert.equal(await page.inputValue('#f-medical_subsidy'), 'not_use');
  await visit(page, 'pharmacy-conflict');
  // Applied again on the current version, it is saved.
  await page.selectOption('#f-medical_subsidy', 'use');
  assert.deepEqual(await submit(page), [['医療費助成情報', '利用しない', '利用する']]);
  await page.waitForSelector('#done-heading');
  assert.equal(await page.locator('#conflict').count(), 0);
  const after = await settings(pharmacy);
  assert.deepEqual([after.values.medical_subsidy, after.values.consent_surgery, after.values.eprescription], ['use', 'use', 'use']);
  await visit(page, 'pharmacy-saved');
  assertNoConsoleErrors(page);
  await page.close();
});

test('on a tablet the settings stay readable in one column', async () => {
  const page = await newPage(browser, { viewport: { width: 768, height: 1024 } });
  await signIn(page, server.code, 'kanri01');
  await openSettings(page);
  const widths = await page.$$eval('.settings-fields', (els) => els.map((e) => e.scrollWidth <= e.clientWidth));
  assert.ok(widths.every(Boolean), 'no section scrolls sideways');
  await visit(page, 'tablet');
  assertNoConsoleErrors(page);
  await page.close();
});

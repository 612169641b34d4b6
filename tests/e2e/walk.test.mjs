// The administrator's first day, in one browser, through the whole console as the manual tells
// it (ch. 1–5): the master signs in with the initial password from the institution's letter,
// changes it and registers the administrator; the administrator signs in, changes the initial
// password, registers a receptionist, registers three more accounts from a file, turns on
// 訪問診療等 in the settings (agreeing to the terms), links a test card, checks a patient's
// qualification by insurance number and by card, looks at the card readers (a patient's card
// put in one: a real pcscd with a virtual reader, bridged by the reception PC's onshid), finds
// the checks in the histories and downloads them, gets the visit URL and its QR code, and signs
// out.
// Every step goes through what a person sees and clicks; the screenshots are kept in order
// under e2e-screenshots/walk/ so the day can be read back as a story.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launchBrowser, newPage, assertNoConsoleErrors, visit, screenshot, startConsoleServer } from './support/browser.mjs';
import { startOnshid, eventually } from '../support/harness.mjs';
import { startPcscd, makeCertificate, insertCard } from '../support/pcsc.mjs';

let server;
let bridge; // the reception PC's onshid, bridging the card readers
let pcscd;
let browser;
let page; // one tab for the whole day, as an administrator keeps it
const MASTER_PW = 'Master2026!x';
const ADMIN = { user_id: 'kanri01', name: '管理 花子', kana: 'ｶﾝﾘ ﾊﾅｺ', password: 'Kanri2026!x' };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-walk-'));
// The patient's My Number card: its certificate's serial is what テスト用データセットアップ links.
const CARD_SERIAL_HEX = '0a1b2c3d4e5f60718293a4b5c6d7e8f901';
const CARD_SERIAL = BigInt(`0x${CARD_SERIAL_HEX}`).toString(10);

// One story: after a failure the later steps are skipped, not timed out one by one.
let failed = false;
function step(name, fn) {
  test(name, async (t) => {
    if (failed) { t.skip('an earlier step failed'); return; }
    try { await fn(t); } catch (e) {
      failed = true;
      if (page && !page.isClosed()) {
        await screenshot(page, 'FAILED').catch(() => {});
        console.log(`failed on ${page.url()}; console: ${page.consoleErrors.join('\n')}`);
      }
      throw e;
    }
  });
}

before(async () => {
  [server, browser, pcscd] = await Promise.all([startConsoleServer(), launchBrowser(), startPcscd()]);
  bridge = await startOnshid({ database: server.conninfo, env: { ONSHI_READER_BRIDGE_INSTITUTION: server.code } });
  page = await newPage(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
  page.setDefaultTimeout(15000);
});
after(async () => {
  await browser?.close();
  if (bridge) assert.deepEqual(await bridge.stop(), { code: 0, signal: null });
  if (pcscd) await pcscd.stop();
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
  fs.rmSync(dir, { recursive: true, force: true });
});

// --- what a person does, in words of the screen ---------------------------------------------

// A field by its label; required fields' labels end in 「※必須」.
const field = (label) => page.getByLabel(new RegExp(`^${label.replace(/[()（）]/g, '\\$&')}(※必須)?$`));
const heading = (name) => page.getByRole('heading', { name, level: 1 }).waitFor();
const button = (name) => page.getByRole('button', { name, exact: true });

async function fromMenu(entry, title = entry) {
  await page.getByRole('link', { name: 'メニュー', exact: true }).click();
  await heading('メニュー');
  await page.click(`a.menu-link:text-is("${entry}")`);
  await heading(title);
  await page.waitForSelector('main:not([aria-busy])');
}

async function confirm(okName, shot) {
  const dlg = page.locator('#confirm-dialog');
  await dlg.waitFor({ state: 'visible' });
  if (shot) await visit(page, shot);
  await dlg.getByRole('button', { name: okName, exact: true }).click();
  await dlg.waitFor({ state: 'hidden' });
}

async function signIn(userId, password) {
  await page.goto(`${server.srv.base}/`);
  await heading('ログイン');
  await field('医療機関コード').fill(server.code);
  await field('ユーザID').fill(userId);
  await field('パスワード').fill(password);
  await button('ログイン').click();
}

// The forced change after a sign-in with an initial password.
async function changeInitialPassword(current, next, shot) {
  const dlg = page.locator('#confirm-dialog');
  await dlg.getByText('初期パスワードでログインしました。').waitFor();
  await dlg.getByRole('button', { name: 'OK' }).click();
  await heading('パスワード変更');
  await field('現在のパスワード').fill(current);
  await field('新しいパスワード').fill(next);
  await field('新しいパスワード（確認）').fill(next);
  if (shot) await visit(page, shot);
  await button('変更').click();
  await heading('メニュー');
}

async function signOut(shot) {
  await button('ログアウト').click();
  await confirm('OK', shot);
  await heading('ログイン');
  await page.locator('#flash', { hasText: 'ログアウトしました。' }).waitFor();
}

// Reads the initial password from a completion block (after 《表示》).
async function revealPassword() {
  await button('表示').click();
  const pw = (await page.locator('#initial-password').textContent()).trim();
  assert.doesNotMatch(pw, /●/);
  return pw;
}

async function register({ role, user_id: userId, name, kana }) {
  if (role) await field('権限区分').selectOption({ label: role });
  await field('ユーザID').fill(userId);
  await field('ユーザ名').fill(name);
  await field('ユーザ名（カナ）').fill(kana);
  await button('登録').click();
  await confirm('登録する');
  await page.getByRole('heading', { name: '登録しました' }).waitFor();
  return revealPassword();
}

// --- the day ----------------------------------------------------------------------------------

step('the master signs in with the letter\'s initial password, changes it and registers the administrator', async () => {
  await signIn(server.master.user_id, server.master.initial_password);
  await visit(page, 'master-initial-password-notice');
  await changeInitialPassword(server.master.initial_password, MASTER_PW, 'master-password-change');
  await visit(page, 'master-menu');
  await fromMenu('アカウント管理（登録）');
  ADMIN.initial = await register({ user_id: ADMIN.user_id, name: ADMIN.name, kana: ADMIN.kana });
  await visit(page, 'admin-registered');
  await signOut();
});

step('the administrator signs in, changes the initial password and sees the whole menu', async () => {
  await signIn(ADMIN.user_id, ADMIN.initial);
  await changeInitialPassword(ADMIN.initial, ADMIN.password, 'admin-password-change');
  const menu = await page.innerText('main');
  for (const entry of ['アカウント管理（登録）', 'アカウント一括登録', '環境設定情報更新', 'テスト用データセットアップ', '操作履歴'])
    assert.match(menu, new RegExp(entry.replace(/[()（）]/g, '\\$&')));
  await visit(page, 'admin-menu');
});

step('the administrator registers a receptionist', async () => {
  await fromMenu('アカウント管理（登録）');
  const pw = await register({ role: '一般利用者', user_id: 'uketsuke', name: '受付 一郎', kana: 'ｳｹﾂｹ ｲﾁﾛｳ' });
  assert.ok(pw.length >= 8);
  await visit(page, 'receptionist-registered');
});

step("four more accounts from a file (a card reader's among them): checked, registered, followed to 登録完了", async () => {
  await fromMenu('アカウント一括登録');
  const file = path.join(dir, '職員.csv');
  const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10).replaceAll('-', '/');
  fs.writeFileSync(file, ['\uFEFF権限区分,ユーザID,ユーザ名,ユーザ名（カナ）,利用開始年月日,利用終了年月日',
    `一般利用者,staff01,山田　太郎,ﾔﾏﾀﾞ ﾀﾛｳ,${today},`,
    `医療情報閲覧,dr01,医師　次郎,ｲｼ ｼﾞﾛｳ,${today},`,
    `WebAPI用,A0001,レセコン,ﾚｾｺﾝ,${today},`,
    `顔認証付きカードリーダー用,F0001,受付カードリーダー,ｳｹﾂｹ ｶｰﾄﾞﾘｰﾀﾞｰ,${today},`, ''].join('\r\n'));
  await page.setInputFiles('#f-file', file);
  await page.locator('#check-heading').waitFor();
  assert.match(await page.innerText('dl.bulk-counts'), /登録可能\s*4件/);
  await visit(page, 'bulk-checked');
  await button('登録').click();
  await confirm('登録する');
  const dlg = page.locator('#confirm-dialog');
  await dlg.getByText('アカウント一括登録の受付が完了しました。').waitFor();
  await visit(page, 'bulk-received');
  await dlg.getByRole('button', { name: 'OK' }).click();
  await fromMenu('アカウント一括登録結果');
  await page.locator('table.bulk-jobs tbody tr[data-status="completed"]').waitFor({ timeout: 30000 });
  await visit(page, 'bulk-results');
});

step('the settings: 訪問診療等機能 turned on, with the terms agreed', async () => {
  await fromMenu('環境設定情報更新');
  await page.selectOption('#f-home_visit', 'use');
  await page.waitForSelector('#confirm-dialog[open]');
  assert.equal(await page.innerText('#confirm-title'), '利用規約同意確認');
  await visit(page, 'settings-terms');
  await page.click('#confirm-ok');
  await page.waitForSelector('#confirm-dialog', { state: 'hidden' });
  await page.click('form[aria-label="環境設定情報"] button:has-text("更新")');
  await page.waitForSelector('#confirm-dialog[open]');
  await visit(page, 'settings-confirm');
  await page.click('#confirm-ok');
  await page.waitForSelector('#done-heading');
  await visit(page, 'settings-done');
});

step('a test card linked to a test patient', async () => {
  await fromMenu('テスト用データセットアップ');
  await page.fill('#f-serial_number', CARD_SERIAL);
  await page.selectOption('#f-link_type', { index: 1 });
  await page.click('#card-links button:has-text("紐付登録")');
  await confirm('紐付登録する');
  await page.waitForSelector('#card-links table.test-data');
  await visit(page, 'test-card-linked');
});

step('資格確認: the test patient by the numbers of the insurance card, then by the test card with the 薬剤情報 consent', async () => {
  // The numbers the tester reads off テスト用データセットアップ's list for the linked card.
  const person = await page.evaluate(async () => (await (await fetch('/api/v1/test-data')).json()).card_links[0].person);
  await fromMenu('資格情報照会（被保険者証）');
  await field('保険者番号').fill(person.insurance.insurer_number);
  await field('被保険者証記号').fill(person.insurance.insured_card_symbol || '');
  await field('被保険者証番号').fill(person.insurance.insured_number);
  await field('枝番').fill(person.insurance.insured_branch_number || '');
  await field('生年月日').fill(person.birthdate.replaceAll('-', '/'));
  await button('照会').click();
  await page.locator('.qual-outcome[data-outcome="valid"]').waitFor();
  assert.match(await page.innerText('.qual-result'), new RegExp(person.name));
  await visit(page, 'qualification-by-number');
  await fromMenu('資格情報照会（マイナンバーカード）');
  await field('シリアル番号').fill(CARD_SERIAL);
  await page.getByLabel('薬剤情報の閲覧を同意する').check();
  await button('照会').click();
  await page.locator('.qual-outcome[data-outcome="valid"]').waitFor();
  assert.match(await page.innerText('.qual-result'), /薬剤情報：同意あり/);
  await visit(page, 'qualification-by-card');
});

step("the card readers: one bound to the reader account, a patient's card put in and read, live", async () => {
  await fromMenu('顔認証付きカードリーダー操作');
  const r0 = 'section.reader-card[data-reader="Virtual PCD 00 00"]';
  await page.waitForSelector(r0);
  await page.waitForSelector('.live-note[data-live="live"]');
  await page.selectOption(`${r0} select`, 'F0001');
  await page.click(`${r0} button:has-text("設定を変更する")`);
  await confirm('変更する', 'reader-bind-confirm');
  await page.locator('#flash', { hasText: '設定を変更しました' }).waitFor();
  const card = await insertCard(0, makeCertificate(dir, CARD_SERIAL_HEX));
  await page.locator(`${r0} .last-result`, { hasText: '資格確認しました：有効' }).waitFor();
  assert.match(await page.innerText(`${r0} .last-result`), new RegExp(CARD_SERIAL));
  await visit(page, 'reader-card-read');
  await card.remove();
  await page.waitForSelector(`${r0}[data-state="empty"]`);
  await fromMenu('顔認証付きカードリーダー環境設定');
  await page.waitForSelector('table.reader-screens');
  await visit(page, 'reader-display-settings');
});

step("資格確認履歴照会: today's checks, downloaded as CSV in the settings' encoding", async () => {
  await fromMenu('資格確認履歴照会');
  await page.waitForSelector('table.history tbody tr');
  const rows = await page.$$eval('table.history tbody tr', (trs) => trs.map((tr) => tr.innerText));
  assert.ok(rows.some((r) => /F0001/.test(r) && /顔認証付きカードリーダー/.test(r)), rows.join('\n'));
  assert.equal(rows.filter((r) => /kanri01/.test(r) && /管理者/.test(r)).length, 2, 'the two checks of the morning');
  await visit(page, 'history-checks');
  const [download] = await Promise.all([page.waitForEvent('download'), button('ダウンロード').click()]);
  const bytes = fs.readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM (利用文字コード: the default)');
  assert.match(bytes.toString('utf8'), /F0001/);
  await visit(page, 'history-checks-downloaded');
});

step('医療情報閲覧履歴照会: the period searched, the empty state explained', async () => {
  await fromMenu('医療情報閲覧履歴照会');
  await page.waitForSelector('main .history-results[aria-busy="false"]');
  assert.match(await page.innerText('main .history-results .empty'), /該当する.*はありません/); // nobody has viewed any yet
  await visit(page, 'history-views');
});

step('医療機関別URL取得・変更: the visit URL, copied, and its QR code, which decodes to it', async () => {
  await fromMenu('医療機関別URL取得・変更');
  const url = (await page.locator('main .visit-url-line code.visit-url').first().innerText()).trim();
  assert.match(url, /\/visit\//);
  await page.getByRole('button', { name: 'コピー' }).first().click();
  await eventually(async () => (await page.evaluate(() => navigator.clipboard.readText())) === url);
  const [download] = await Promise.all([page.waitForEvent('download'), (async () => {
    await page.getByRole('button', { name: 'PNG形式でダウンロード' }).first().click();
    await confirm('ダウンロードする');
  })()]);
  const png = path.join(dir, 'qr.png');
  await download.saveAs(png);
  assert.equal(execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(), url);
  await visit(page, 'visit-urls');
});

step('the day ends: sign out', async () => {
  await signOut('sign-out-confirm');
  await visit(page, 'signed-out');
  assertNoConsoleErrors(page);
});

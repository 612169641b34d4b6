// 顔認証付きカードリーダー操作 and 環境設定 in the browser, with a real pcscd, vsmartcard's two
// virtual readers and the test card emulator. The console's onshid has no bridge; a second
// onshid on the same database bridges the institution's readers, as a reception PC would: what
// it reads reaches the page through the event stream. Before any bridge reported, the menu has
// no ⑨ entries and a direct link explains why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, signedInPage, visit, startConsoleServer, answerDialog, completion } from './support/browser.mjs';
import { startOnshid, eventually } from '../support/harness.mjs';
import { signedIn, json } from '../support/people.mjs';
import { startPcscd, makeCertificate, insertCard } from '../support/pcsc.mjs';

const SERIAL_HEX = '0123456789abcdef0123456789abcdef42';
const SERIAL = BigInt(`0x${SERIAL_HEX}`).toString(10);
const R0 = 'Virtual PCD 00 00';
const R1 = 'Virtual PCD 00 01';
const ADMIN_PW = 'Kanri2026!x';
const VISUAL_SECONDS = '20'; // 目視確認モード switches itself off after this (both onshid)
let server;
let bridge;
let pcscd;
let browser;
let admin;
let page;
let cert;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-e2e-readers-'));

before(async () => {
  [server, browser] = await Promise.all([
    startConsoleServer({ env: { ONSHI_READER_VISUAL_SECONDS: VISUAL_SECONDS } }), launchBrowser()]);
  const master = await server.api('master');
  const made = await json(await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01',
    name: '管理 花子', name_kana: 'ｶﾝﾘ ﾊﾅｺ', start_date: '2020-04-01' }), 201);
  admin = await signedIn(server.srv, server.code, 'kanri01', made.initial_password, ADMIN_PW);
  await json(await admin('POST', '/api/v1/accounts', { role: 'face_reader', user_id: 'F0001', name: '受付カードリーダー',
    name_kana: 'ｳｹﾂｹ', start_date: '2020-04-01' }), 201);
  cert = makeCertificate(tmp, SERIAL_HEX);
  await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: SERIAL, qualification_type: 'insurance_valid',
    register_as_insurance_card: true }), 201);
  page = await signedInPage(browser, server, 'kanri01', ADMIN_PW);
});
after(async () => {
  await browser?.close();
  if (bridge) assert.deepEqual(await bridge.stop(), { code: 0, signal: null });
  if (pcscd) await pcscd.stop();
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
  fs.rmSync(tmp, { recursive: true, force: true });
});

const card = (name) => `section.reader-card[data-reader="${name}"]`;
const readers = async () => json(await admin('GET', '/api/v1/readers'));
async function goTo(hash) {
  await page.goto(`${server.srv.base}/${hash}`);
  await page.reload();
  await page.waitForSelector('main:not([aria-busy])');
}
const confirm = (expect, shot) => answerDialog(page, null, { expect, shot });

test('no readers yet: no ⑨ in the menu, and a direct link says why', async () => {
  await goTo('#/menu');
  assert.equal(await page.locator('text=顔認証付きカードリーダー管理').count(), 0);
  assert.equal(await page.locator('nav#nav a:has-text("カードリーダー")').count(), 0);
  await goTo('#/readers');
  assert.equal(await page.innerText('main h1'), 'この画面は利用できません');
  assert.match(await page.innerText('main'), /この医療機関等には顔認証付きカードリーダーがありません。/);
  await visit(page, 'no-readers');
});

test('a bridge reports: both entries in the menu; the readers, live; a card put in and taken out without a reload', async () => {
  pcscd = await startPcscd();
  bridge = await startOnshid({ database: server.conninfo, env: { ONSHI_READER_BRIDGE_INSTITUTION: server.code,
    ONSHI_READER_VISUAL_SECONDS: VISUAL_SECONDS } });
  await eventually(async () => { const r = await readers(); return r.service.up && r.items.length === 2; });
  await goTo('#/menu');
  const entries = await page.$$eval('a.menu-link', (as) => as.map((a) => a.textContent.trim()));
  assert.ok(entries.includes('顔認証付きカードリーダー操作') && entries.includes('顔認証付きカードリーダー環境設定'), entries.join(','));
  await page.click('a.menu-link:has-text("顔認証付きカードリーダー操作")');
  await page.waitForSelector(card(R1));
  assert.equal(await page.title(), '顔認証付きカードリーダー操作 | オンライン資格確認等システム');
  await page.waitForSelector('.live-note[data-live="live"]');
  assert.match(await page.innerText(`${card(R0)} .state`), /カードなし/);
  assert.match(await page.innerText(`${card(R0)} .last-result`), /まだカードを読み取っていません/);
  assert.match(await page.innerText(`${card(R0)} .reader-state`), /資格確認に使うアカウント\s*設定しない/);
  assert.equal(await page.locator('.service-down').count(), 0);
  await visit(page, 'readers');

  // Bind R0 to F0001: the account the check is made as.
  await page.selectOption(`${card(R0)} select`, 'F0001');
  await page.click(`${card(R0)} button:has-text("設定を変更する")`);
  await confirm([/Virtual PCD 00 00/, /資格確認に使うアカウント：設定しない（資格確認しない） → F0001（受付カードリーダー）/], 'bind-confirm');
  await completion(page, /「Virtual PCD 00 00」の設定を変更しました。/);
  assert.equal((await readers()).items.find((r) => r.name === R0).account_user_id, 'F0001');
  assert.match(await page.innerText(`${card(R0)} .reader-state`), /F0001（受付カードリーダー）/);

  // A card put in: shown within a second, no reload (the page keeps a marker to prove it).
  await page.evaluate(() => { window.__sameDocument = true; });
  const t0 = Date.now();
  const put = await insertCard(0, cert);
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'card_present', card(R0));
  await page.waitForFunction((sel) => /資格確認しました：有効/.test(document.querySelector(sel)?.textContent), `${card(R0)} .last-result`);
  const shownAfter = Date.now() - t0;
  console.log(`# card put in → shown on the page in ${shownAfter} ms (the card emulator's connect included)`);
  assert.match(await page.innerText(`${card(R0)} .last-result`), new RegExp(`シリアル番号：${SERIAL}`));
  assert.match(await page.innerText(`${card(R0)} .last-result`), /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}\n資格確認しました/); // when it was read
  assert.match(await page.innerText(`${card(R0)} .state`), /カードあり/);
  await visit(page, 'card-read');
  const t1 = Date.now();
  await put.remove();
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'empty', card(R0));
  const removed = Date.now() - t1;
  console.log(`# card taken out → shown on the page in ${removed} ms`);
  assert.match(await page.innerText(`${card(R0)} .last-result`), /資格確認しました：有効/); // the last result stays
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
});

test('運転モード and 目視確認モード with its time left, switching itself off', async () => {
  await goTo('#/readers');
  await page.waitForSelector(card(R1));
  await page.check(`${card(R1)} input[value="pin_fixed"]`);
  await page.check(`${card(R1)} input[type="checkbox"]`);
  await page.click(`${card(R1)} button:has-text("設定を変更する")`);
  await confirm([/運転モード：無人運転 → 暗証番号認証固定/, /目視確認モード：開始する/]);
  await completion(page, /「Virtual PCD 00 01」の設定を変更しました。/);
  const r1 = (await readers()).items.find((r) => r.name === R1);
  assert.deepEqual([r1.mode, r1.visual_confirmation], ['pin_fixed', true]);
  const left = async () => Number((await page.innerText(`${card(R1)} .visual-left strong`)).replace(/秒$/, ''));
  const first = await left();
  assert.ok(first > 10 && first <= Number(VISUAL_SECONDS), `${first} s left`);
  assert.match(await page.innerText(`${card(R1)} .reader-state`), /暗証番号認証固定（目視確認モード）/);
  await visit(page, 'visual-mode');
  await page.waitForTimeout(3100); // redrawn once a second: at least two seconds less by then
  assert.ok((await left()) <= first - 2, 'the time left counts down on the page');
  // It runs out: the page shows the server's state, unattended again, with no click.
  await page.waitForSelector(`${card(R1)} .visual-left`, { state: 'detached', timeout: 30000 });
  assert.equal((await readers()).items.find((r) => r.name === R1).visual_confirmation, false);
  assert.doesNotMatch(await page.innerText(`${card(R1)} .reader-state`), /目視確認モード/);
  assert.equal(await page.isChecked(`${card(R1)} input[type="checkbox"]`), false);
});

test('the PC/SC service down: a banner, the readers unavailable; back: the banner goes, without a reload', async () => {
  await goTo('#/readers');
  await page.waitForSelector(card(R0));
  await pcscd.stop('SIGKILL');
  pcscd = null;
  await page.waitForSelector('.service-down', { timeout: 30000 });
  assert.match(await page.innerText('.service-down'), /カードリーダーのサービス（PC\/SC）が停止しています/);
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'unavailable', card(R0));
  assert.match(await page.innerText(`${card(R0)} .state`), /利用できません/);
  await visit(page, 'service-down');
  pcscd = await startPcscd();
  await page.waitForSelector('.service-down', { state: 'detached', timeout: 30000 });
  await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.state === 'empty', card(R0));
});

test('環境設定: the screens with their names, one hidden, a disallowed one disabled with its link to the setting', async () => {
  await goTo('#/readers/display');
  await page.waitForSelector('table.reader-screens');
  const rows = await page.$$eval('table.reader-screens tbody tr', (trs) => trs.map((tr) => [tr.dataset.screen, tr.querySelector('th').textContent.trim(),
    tr.querySelectorAll('input[type="radio"]').length]));
  const api = await json(await admin('GET', '/api/v1/readers/display-settings'));
  assert.deepEqual(rows, api.screens.map((s) => [s.id, s.label, s.allowed ? 2 : 0]));
  assert.ok(rows.some((r) => r[2] === 0), 'the demo settings leave some screen disallowed');
  const surgery = 'tr[data-screen="surgery"]';
  assert.match(await page.innerText(surgery), /表示できません：環境設定情報の「閲覧同意の利用有無」で「手術情報」を利用する設定にすると表示できます。/);
  await visit(page, 'display');
  await page.check('#screen-checkup-false');
  await page.click('button:has-text("更新")');
  await confirm([/特定健診情報の閲覧同意：表示する → 表示しない/], 'display-confirm');
  await completion(page, /顔認証付きカードリーダー環境設定を更新しました。/);
  const saved = await json(await admin('GET', '/api/v1/readers/display-settings'));
  assert.equal(saved.screens.find((s) => s.id === 'checkup').shown, false);
  assert.match(await page.innerText('dl.summary'), /kanri01/);
  // Nothing changed: said, nothing sent.
  await page.click('button:has-text("更新")');
  await page.waitForSelector('.error-summary');
  assert.match(await page.innerText('.error-summary'), /変更された項目がありません。/);
  // The link opens 環境設定情報更新 at the item that allows the screen.
  await page.click(`${surgery} a`);
  await page.waitForSelector('h1:has-text("環境設定情報更新")');
  await page.waitForFunction(() => document.activeElement?.id === 'f-consent_surgery');
  await visit(page, 'settings-from-link');
});

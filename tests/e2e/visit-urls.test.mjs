// 医療機関別URL取得・変更 in the browser (manual ch. 5), as an office manager preparing the
// clinic's 訪問診療等 and オンライン診療等: the URL with the name patients see, コピー, the QR code on
// the page and downloaded as PNG (decoded with zbarimg to exactly the URL shown) and PDF (its text
// read with pdftotext); the three changes and their combinations (change, change again, revert,
// reset), each through its □ and 注意喚起メッセージ, its confirmation and its completion message,
// with the buttons enabled or disabled (and why) at every step and the URLs checked on the
// patient page; a function turned off through PUT /api/v1/settings (the notice and its link to
// 環境設定情報更新); and no menu entry while both functions are off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, assertNoConsoleErrors, visit, signedInPage, startConsoleServer, answerDialog, completion } from './support/browser.mjs';
import { signedIn, json } from '../support/people.mjs';

let server;
let browser;
let admin; // API helper of the admin 'kanri01'
const ADMIN_PW = 'Kanri2026!x';
const PERMS = { permissions: ['clipboard-read', 'clipboard-write'] };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-e2e-visit-'));
const KINDS = { home_visit: '訪問診療等', online_care: 'オンライン診療等' };

before(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  const master = await server.api('master');
  const made = await json(await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01',
    name: '管理 花子', name_kana: 'ｶﾝﾘ ﾊﾅｺ', start_date: '2020-04-01' }), 201);
  admin = await signedIn(server.srv, server.code, 'kanri01', made.initial_password, ADMIN_PW);
});
after(async () => {
  await browser?.close();
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
  fs.rmSync(tmp, { recursive: true, force: true });
});

// The settings through the API, as another administrator (or the settings screen) would save them.
async function settings(values) {
  const s = await json(await admin('GET', '/api/v1/settings'));
  await json(await admin('PUT', '/api/v1/settings', { values, version: s.version, terms_agreed: true }));
}
const urls = async () => Object.fromEntries((await json(await admin('GET', '/api/v1/visit-urls'))).items.map((i) => [i.kind, i]));
// What a patient's phone gets from a URL: 200 while current, 410 once changed, 404 while off.
const patient = async (url) => (await fetch(`${server.srv.base}/visit/${url.slice(url.lastIndexOf('/') + 1)}`)).status;

async function open() {
  return signedInPage(browser, server, 'kanri01', ADMIN_PW, PERMS);
}

async function goTo(page) {
  await page.goto(`${server.srv.base}/#/visit-urls`);
  await page.reload(); // a fresh screen and session
  await page.waitForSelector('.visit-kind');
}

const section = (kind) => `#visit-${kind}`;
const shownUrl = (page, kind) => page.innerText(`${section(kind)} .visit-url-line code.visit-url`);
const box = (kind, op) => `#c-${kind}-${op}`;
const button = (kind, op) => `#b-${kind}-${op}`;
const reason = (page, kind, op) => page.innerText(`#s-${kind}-${op}`);

// Which of the three operations can be started ([□ enabled, button enabled]) for one kind.
const states = (page, kind) => page.evaluate((k) => Object.fromEntries(['change', 'revert', 'reset'].map((op) =>
  [op, [!document.getElementById(`c-${k}-${op}`).disabled, !document.getElementById(`b-${k}-${op}`).disabled]])), kind);

// The QR image as drawn: loaded from the API's URL for the current generation, not blob:.
async function qrOnPage(page, kind) {
  const img = `${section(kind)} img.visit-qr`;
  await page.waitForFunction((sel) => { const i = document.querySelector(sel); return i && i.complete && i.naturalWidth > 0; }, img);
  const { src, natural } = await page.$eval(img, (i) => ({ src: i.getAttribute('src'), natural: i.naturalWidth }));
  assert.match(src, new RegExp(`^/api/v1/visit-urls/${kind}/qr\\.png\\?generation=\\d+$`));
  assert.ok(natural >= 400, `the image is the API's PNG (${natural} px)`);
  // What is on the screen decodes to the URL shown beside it.
  const file = path.join(tmp, `shown-${kind}.png`);
  await page.locator(img).screenshot({ path: file });
  return execFileSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' }).trim();
}

// 《PNG形式でダウンロード》 / 《PDF形式でダウンロード》: confirmation, the file, completion.
async function downloadQr(page, kind, format, shot) {
  await page.click(`${section(kind)} button:has-text("${format}形式でダウンロード")`);
  await page.waitForSelector('#confirm-dialog[open]');
  assert.match(await page.innerText('#confirm-dialog'), new RegExp(`${KINDS[kind]}の二次元バーコードを${format}形式でダウンロードします。よろしいですか？`));
  if (shot) await visit(page, shot);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#confirm-ok')]);
  const file = path.join(tmp, dl.suggestedFilename());
  await dl.saveAs(file);
  assert.equal(dl.suggestedFilename(), `医療機関別URL_${KINDS[kind]}_${server.code}.${format.toLowerCase()}`);
  await completion(page, new RegExp(`${KINDS[kind]}の二次元バーコードを${format}形式でダウンロードしました`));
  return file;
}

// □ → 注意喚起メッセージ (OK), then the button → confirmation (OK) → completion; returns the
// confirmation's text.
async function operate(page, kind, op, { expect = [], shots = {} } = {}) {
  const label = { change: 'URLを変更する', revert: 'URLを変更前に戻す', reset: '最初のURLに戻す' }[op];
  assert.equal(await page.isDisabled(button(kind, op)), true, `${op}: the button waits for the □`);
  await answerDialog(page, box(kind, op), { expect: [/現在のURLは使用できなくなります。/, new RegExp(`《${label}》をクリック`)], shot: shots.caution });
  await page.waitForSelector(`${button(kind, op)}:enabled`);
  assert.equal(await page.isChecked(box(kind, op)), true);
  const text = await answerDialog(page, button(kind, op), { expect: [new RegExp(`${KINDS[kind]}：${label}`),
    /印刷して掲示・配布した二次元バーコードや、患者にお知らせしたURL/, ...expect], shot: shots.confirm });
  await completion(page, new RegExp(`${KINDS[kind]}の医療機関別URLを`));
  await page.waitForFunction((sel) => !document.querySelector(sel).checked, box(kind, op));
  return text;
}

test('both functions off: no menu entry; a direct link says the screen cannot be used', async () => {
  await settings({ home_visit: 'not_use', online_care: 'not_use' });
  const page = await open();
  assert.equal(await page.locator('a.menu-link:has-text("医療機関別URL取得・変更")').count(), 0);
  assert.equal(await page.locator('nav#nav a:has-text("医療機関別URL取得・変更")').count(), 0);
  await page.goto(`${server.srv.base}/#/visit-urls`);
  await page.waitForSelector('h1:has-text("この画面は利用できません")');
  // Not a permission problem: the screen says what turns it on.
  assert.match(await page.innerText('main .notice'), /環境設定情報更新で「訪問診療等機能」又は「オンライン診療等機能」を「利用する」にすると利用できます。/);
  assert.match(await page.innerText('main'), /メニューへ戻る/);
  await visit(page, 'both-off-direct-link');
  assertNoConsoleErrors(page);
  await page.close();
});

test('from the menu: the name patients see, the URL and コピー, the QR code on the page, PNG and PDF', async () => {
  await settings({ home_visit: 'use', online_care: 'use', visit_display_name: '' });
  const api = await urls();
  const page = await open();
  await page.click('a.menu-link:has-text("医療機関別URL取得・変更")');
  await page.waitForSelector('.visit-kind');
  assert.equal(await page.title(), '医療機関別URL取得・変更 | オンライン資格確認等システム');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  assert.ok(await page.isVisible('nav#nav a:has-text("医療機関別URL取得・変更")'));
  assert.match(await page.innerText('main'), /URL又は二次元バーコードを変更すると、古いURLや二次元バーコードは利用不可となり/);
  assert.match(await page.innerText('main .institution-code'), new RegExp(`医療機関コード\\s*${server.code}`));
  for (const [kind, label] of Object.entries(KINDS)) {
    assert.equal(await page.innerText(`#h-${kind}`), label);
    assert.equal(await shownUrl(page, kind), api[kind].url);
    // No 医療機関名称等情報 yet: the institution's name, and the screen says why.
    assert.equal(await page.innerText(`${section(kind)} .visit-name`), server.name);
    assert.match(await page.innerText(`${section(kind)} .visit-info`), /医療機関名称等情報」が未入力のため、医療機関名を表示しています/);
    assert.equal(await page.locator(`${section(kind)} .visit-off`).count(), 0);
    assert.equal(await qrOnPage(page, kind), api[kind].url);
    assert.equal(await patient(api[kind].url), 200);
  }
  await visit(page, 'both-on');

  // コピー: the URL on the clipboard and a status saying so.
  await page.click(`${section('online_care')} button:has-text("コピー")`);
  await page.waitForFunction(() => /コピーしました/.test(document.querySelector('#visit-online_care .copy-status').textContent));
  assert.match(await page.innerText(`${section('online_care')} .copy-status`), /オンライン診療等の医療機関別URLをコピーしました。メモ帳などのアプリケーションに貼り付けられます。/);
  assert.equal(await page.getAttribute(`${section('online_care')} .copy-status`, 'role'), 'status');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), api.online_care.url);
  await visit(page, 'copied');

  // PNG: decodes to exactly the URL shown. PDF: a PDF with the URL, the name and the kind.
  const png = await downloadQr(page, 'home_visit', 'PNG', 'png-confirm');
  assert.equal(execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8' }).trim(), await shownUrl(page, 'home_visit'));
  await visit(page, 'png-downloaded');
  // Cancelled: nothing downloads, nothing is said to be done.
  await answerDialog(page, `${section('home_visit')} button:has-text("PDF形式でダウンロード")`, { ok: false });
  assert.doesNotMatch(await page.innerText('#flash'), /PDF形式でダウンロードしました/);
  const pdf = await downloadQr(page, 'online_care', 'PDF');
  assert.equal(fs.readFileSync(pdf).subarray(0, 5).toString('latin1'), '%PDF-');
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
  assert.ok(text.replace(/\s+/g, '').includes(api.online_care.url), text);
  assert.match(text, new RegExp(server.name));
  assert.match(text, /オンライン診療等/);
  assertNoConsoleErrors(page);
  await page.close();
});

test('change, change again, revert, reset: each enabled or disabled with its reason, the new URL and QR at once', async () => {
  await settings({ home_visit: 'use', online_care: 'use' });
  const first = (await urls()).home_visit.url;
  const other = (await urls()).online_care.url;
  const page = await open();
  await goTo(page);
  const K = 'home_visit';

  // The first URL: only 変更する can start, and only once its □ is ticked.
  assert.deepEqual(await states(page, K), { change: [true, false], revert: [false, false], reset: [false, false] });
  assert.match(await reason(page, K, 'revert'), /変更前のURLはありません。/);
  assert.match(await reason(page, K, 'reset'), /すでに最初のURLです。/);
  assert.match(await reason(page, K, 'change'), /現在のURLは使用できなくなります。/);
  assert.equal(await page.innerText(`${section(K)} .visit-url-line .badge`), '最初のURL');
  // The □ cancelled at the 注意喚起メッセージ stays empty; the button stays off.
  await answerDialog(page, box(K, 'change'), { ok: false, expect: [/現在のURLは使用できなくなります。/] });
  await page.waitForFunction((sel) => !document.querySelector(sel).checked, box(K, 'change'));
  assert.equal(await page.isDisabled(button(K, 'change')), true);
  // Ticked, then the confirmation cancelled: nothing changes.
  await answerDialog(page, box(K, 'change'));
  await page.waitForSelector(`${button(K, 'change')}:enabled`);
  await answerDialog(page, button(K, 'change'), { ok: false });
  assert.equal((await urls()).home_visit.url, first);
  // Unticking turns the button off again.
  await page.click(box(K, 'change'));
  assert.equal(await page.isDisabled(button(K, 'change')), true);
  await visit(page, 'first-url');

  // 1. URLを変更する.
  await operate(page, K, 'change', { expect: [new RegExp(`現在のURL\\s*${first}\\s*使用できなくなります`), /新しいURLが発行されます/,
    /《URLを変更前に戻す》で現在のURLに戻すことができます/], shots: { caution: 'change-caution', confirm: 'change-confirm' } });
  await completion(page, /訪問診療等の医療機関別URLを変更しました。表示している変更後のURLと二次元バーコードを、患者にお知らせしてください。/);
  const second = (await urls()).home_visit.url;
  assert.notEqual(second, first);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'u-home_visit'); // the new URL has focus
  assert.equal(await shownUrl(page, K), second);
  assert.equal(await qrOnPage(page, K), second);
  assert.equal(await page.innerText(`${section(K)} .visit-url-line .badge`), '変更したURL');
  assert.deepEqual([await patient(first), await patient(second)], [410, 200]);
  assert.deepEqual(await states(page, K), { change: [true, false], revert: [true, false], reset: [true, false] });
  assert.ok((await reason(page, K, 'revert')).includes(first));
  assert.ok((await reason(page, K, 'reset')).includes(first));
  // The downloaded code follows the change.
  const png = await downloadQr(page, K, 'PNG');
  assert.equal(execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8' }).trim(), second);
  await visit(page, 'changed');

  // 2. Changed again: 変更前 is now the second URL, not the first.
  await operate(page, K, 'change');
  const third = (await urls()).home_visit.url;
  assert.equal(await shownUrl(page, K), third);
  assert.equal(await qrOnPage(page, K), third);
  assert.deepEqual([await patient(first), await patient(second), await patient(third)], [410, 410, 200]);
  assert.ok((await reason(page, K, 'revert')).includes(second));
  assert.ok((await reason(page, K, 'reset')).includes(first));

  // 3. URLを変更前に戻す: back to the second; no further step back.
  await operate(page, K, 'revert', { expect: [new RegExp(`変更前のURL\\s*${second}`), /現在のURLには、戻した後に再び戻すことはできません/],
    shots: { confirm: 'revert-confirm' } });
  await completion(page, /変更前のURLに戻しました。表示している変更前のURLと二次元バーコード/);
  assert.equal(await shownUrl(page, K), second);
  assert.equal(await qrOnPage(page, K), second);
  assert.deepEqual([await patient(second), await patient(third)], [200, 410]);
  assert.deepEqual(await states(page, K), { change: [true, false], revert: [false, false], reset: [true, false] });
  assert.match(await reason(page, K, 'revert'), /変更前のURLはありません。URLを変更すると、直前のURLに1回だけ戻すことができます。/);
  await visit(page, 'reverted');

  // 4. 最初のURLに戻す: the first works again, every other is gone; both disabled again.
  await operate(page, K, 'reset', { expect: [new RegExp(`最初のURL\\s*${first}`), /これまでに変更したURLには、戻すことはできなくなります/],
    shots: { confirm: 'reset-confirm' } });
  await completion(page, /最初のURLに戻しました/);
  assert.equal(await shownUrl(page, K), first);
  assert.equal(await qrOnPage(page, K), first);
  assert.deepEqual([await patient(first), await patient(second), await patient(third)], [200, 410, 410]);
  assert.deepEqual(await states(page, K), { change: [true, false], revert: [false, false], reset: [false, false] });
  assert.equal(await page.innerText(`${section(K)} .visit-url-line .badge`), '最初のURL');
  // The other kind never moved.
  assert.equal(await shownUrl(page, 'online_care'), other);
  assert.equal((await urls()).online_care.url, other);
  await visit(page, 'reset');

  // Another administrator changes it meanwhile: a revert started here is refused with the
  // registry's reason and the current URL shows.
  await json(await admin('POST', '/api/v1/visit-urls/home_visit/change', { confirm: true }));
  await goTo(page);
  await json(await admin('POST', '/api/v1/visit-urls/home_visit/revert', { confirm: true }));
  await answerDialog(page, box(K, 'revert'));
  await page.waitForSelector(`${button(K, 'revert')}:enabled`);
  await answerDialog(page, button(K, 'revert'));
  await page.waitForSelector(`${section(K)} .error-summary`);
  await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
  assert.match(await page.innerText(`${section(K)} .error-summary`), /変更前のURLはありません。ほかの管理者又はほかの画面でURLが操作されたため、最新の状態を表示しています。/);
  assert.equal(await shownUrl(page, K), first);
  assert.deepEqual(await states(page, K), { change: [true, false], revert: [false, false], reset: [false, false] });
  await visit(page, 'refused');
  assertNoConsoleErrors(page);
  await page.close();
});

test('a function turned off: its notice links to the setting; the display name from the settings; a tablet', async () => {
  await settings({ home_visit: 'use', online_care: 'not_use', visit_display_name: '在宅ほほえみクリニック' });
  const page = await open();
  await goTo(page);
  assert.equal(await page.locator(`${section('home_visit')} .visit-off`).count(), 0);
  const notice = await page.innerText(`${section('online_care')} .visit-off`);
  assert.match(notice, /オンライン診療等機能は「利用しない」に設定されています。/);
  assert.match(notice, /この医療機関等では現在、この受付を行っていません。/);
  assert.equal(await patient(await shownUrl(page, 'online_care')), 404);
  for (const kind of Object.keys(KINDS)) {
    assert.equal(await page.innerText(`${section(kind)} .visit-name`), '在宅ほほえみクリニック');
    assert.match(await page.innerText(`${section(kind)} .visit-info`), /医療機関名称等情報」で設定されています/);
  }
  // The PDF carries the same name.
  const pdf = await downloadQr(page, 'home_visit', 'PDF');
  assert.match(execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }), /在宅ほほえみクリニック/);
  await visit(page, 'online-care-off');
  await page.setViewportSize({ width: 768, height: 1024 });
  await visit(page, 'tablet');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The notice's link opens 環境設定情報更新 on the item.
  await page.click(`${section('online_care')} .visit-off a`);
  await page.waitForSelector('h1:has-text("環境設定情報更新")');
  assert.match(page.url(), /#\/settings\?item=online_care$/);
  await page.waitForFunction(() => document.activeElement?.id === 'f-online_care');

  // Both off: the entry leaves the menu.
  await settings({ home_visit: 'not_use', online_care: 'not_use' });
  await page.goto(`${server.srv.base}/#/menu`);
  await page.reload();
  await page.waitForSelector('h1:has-text("メニュー")');
  assert.equal(await page.locator('a.menu-link:has-text("医療機関別URL取得・変更")').count(), 0);
  assert.equal(await page.locator('nav#nav a:has-text("医療機関別URL取得・変更")').count(), 0);
  assertNoConsoleErrors(page);
  await page.close();
});

// アカウント管理 in the browser (manual ch. 2 §1–3), driven as an office manager would: the
// demo master registers an admin; the admin registers one account of each kind, finds them with
// every search item, updates, disables, initialises, deletes and bulk-changes them; the
// master_reset account initialises the master's password. Each form's refusals show under
// their fields. The tests run in order and share one institution.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launchBrowser, newPage, assertNoConsoleErrors, visit, screenshot, startConsoleServer } from './support/browser.mjs';

let server;
let browser;
let base;
const ADMIN = { user_id: 'kanri01', password: null };
const ADMIN_PW = 'Kanri2026!x';
const MASTER_PW = 'Master2026!x';
const PERMS = { permissions: ['clipboard-read', 'clipboard-write'] };

// The tests build on each other: after a failure the rest are skipped, not timed out one by one.
let failed = false;
function step(name, fn) {
  test(name, async (t) => {
    if (failed) { t.skip('an earlier step failed'); return; }
    try { await fn(t); } catch (e) {
      failed = true;
      if (current && !current.isClosed()) {
        await screenshot(current, 'FAILED').catch(() => {});
        console.log(`failed on ${current.url()}; console: ${current.consoleErrors.join('\n')}`);
      }
      throw e;
    }
  });
}
let current = null; // the page a failure is photographed on
async function open(options) {
  const page = current = await newPage(browser, options);
  page.setDefaultTimeout(10000);
  return page;
}

before(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  base = server.srv.base;
});
after(async () => {
  await browser?.close();
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

// --- helpers -------------------------------------------------------------------------------

// Today in Japan and a date n days away, as the console shows dates.
function jstDate(days = 0) {
  const d = new Date(Date.now() + 9 * 3600e3 + days * 86400e3);
  return d.toISOString().slice(0, 10).replaceAll('-', '/');
}

// A plain API session (no password change), for checking what the server says.
async function apiAs(userId, password) {
  const res = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: server.code, user_id: userId, password }) });
  const body = await res.json();
  if (res.status !== 200) return { status: res.status, body };
  const cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  const call = async (method, p, b) => {
    const r = await fetch(`${base}/api/v1${p}`, { method, headers: { Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': body.csrf_token,
      ...(b ? { 'Content-Type': 'application/json' } : {}) }, body: b ? JSON.stringify(b) : undefined });
    return { status: r.status, body: r.status === 204 ? null : await r.json() };
  };
  call.status = 200;
  call.body = body;
  return call;
}

async function signIn(page, userId, password) {
  await page.goto(`${base}/#/login`);
  await field(page, '医療機関コード').fill(server.code);
  await field(page, 'ユーザID').fill(userId);
  await field(page, 'パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
}

// The forced change after a sign-in with an initial password.
async function changeInitialPassword(page, current, next) {
  const dlg = page.locator('#confirm-dialog');
  await dlg.getByText('初期パスワードでログインしました。').waitFor();
  await dlg.getByRole('button', { name: 'OK' }).click();
  await page.getByRole('heading', { name: 'パスワード変更', level: 1 }).waitFor();
  await field(page, '現在のパスワード').fill(current);
  await field(page, '新しいパスワード').fill(next);
  await field(page, '新しいパスワード（確認）').fill(next);
  await page.getByRole('button', { name: '変更', exact: true }).click();
  await page.getByRole('heading', { name: 'メニュー', level: 1 }).waitFor();
}

async function confirm(page, okName, shot) {
  const dlg = page.locator('#confirm-dialog');
  await dlg.waitFor({ state: 'visible' });
  if (shot) await visit(page, shot);
  await dlg.getByRole('button', { name: okName, exact: true }).click();
  await dlg.waitFor({ state: 'hidden' });
}

const fieldError = (page, id) => page.locator(`#f-${id}-error`);
// A field by its label; required fields' labels end in 「※必須」.
const field = (page, label) => page.getByLabel(new RegExp(`^${label.replace(/[()（）]/g, '\\$&')}(※必須)?$`));

async function fillRegistration(page, { role, user_id: userId, name, kana, start, end }) {
  if (role) await field(page, '権限区分').selectOption({ label: role });
  if (userId !== undefined) await field(page, 'ユーザID').fill(userId);
  if (name !== undefined) await field(page, 'ユーザ名').fill(name);
  if (kana !== undefined) await field(page, 'ユーザ名（カナ）').fill(kana);
  if (start !== undefined) await field(page, '利用開始年月日').fill(start);
  if (end !== undefined) await field(page, '利用終了年月日').fill(end);
}

// Reads the initial password from a completion block (after 《表示》).
async function revealPassword(page) {
  const secret = page.locator('#initial-password');
  assert.match(await secret.textContent(), /^●+$/);
  const show = page.getByRole('button', { name: '表示', exact: true });
  await show.click();
  assert.equal(await show.getAttribute('aria-pressed'), 'true');
  const pw = (await secret.textContent()).trim();
  assert.doesNotMatch(pw, /●/);
  return pw;
}

async function downloadSheet(page, userId) {
  const [dl] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'アカウント設定情報（PDF）をダウンロード' }).click()]);
  assert.equal(dl.suggestedFilename(), `アカウント設定情報_${userId}.pdf`);
  const bytes = fs.readFileSync(await dl.path());
  assert.equal(bytes.subarray(0, 4).toString(), '%PDF');
  await page.getByText('アカウント設定情報（PDF）をダウンロードしました。').waitFor();
}

// 《検索》 with the given fields set (others cleared first with 《クリア》).
async function search(page, fields = {}) {
  await page.getByRole('button', { name: 'クリア' }).click();
  await page.getByRole('heading', { name: '検索結果' }).waitFor();
  for (const [label, value] of Object.entries(fields)) {
    const el = field(page, label);
    if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption({ label: value });
    else await el.fill(value);
  }
  await page.getByRole('button', { name: '検索', exact: true }).click();
}

async function resultIds(page) {
  await page.waitForSelector('main:not([aria-busy])');
  await page.locator('.result-summary').waitFor();
  await page.waitForFunction(() => !document.querySelector('.results p[role=status]:not(.result-summary)'));
  return page.locator('table.accounts tbody tr td a').allTextContents();
}

// A search expected to find exactly one account opens it; back returns to the list.
async function searchOpensOne(page, fields, userId) {
  await search(page, fields);
  await page.getByRole('heading', { name: 'アカウント管理（更新）', level: 1 }).waitFor();
  await page.locator('.summary strong', { hasText: userId }).waitFor();
  assert.match(page.url(), new RegExp(`#/accounts/${userId}\\?back=`));
  await page.getByRole('button', { name: '戻る', exact: true }).click();
  await page.getByRole('heading', { name: 'アカウント検索', level: 1 }).waitFor();
  assert.deepEqual(await resultIds(page), [userId], 'back shows the list, without opening the account again');
}

let masterPage;
let adminPage;
let adminApi;
let masterApi;

// --- the master registers an admin ---------------------------------------------------------

step('the master signs in, changes its initial password and registers an admin with its PDF sheet', async () => {
  const page = masterPage = await open(PERMS);
  await signIn(page, server.master.user_id, server.master.initial_password);
  await changeInitialPassword(page, server.master.initial_password, MASTER_PW);
  masterApi = await apiAs(server.master.user_id, MASTER_PW);

  await page.getByRole('link', { name: 'アカウント管理（登録）' }).first().click();
  await page.getByRole('heading', { name: 'アカウント管理（登録）', level: 1 }).waitFor();
  await page.getByText(server.code, { exact: true }).waitFor();
  // The master registers admins only: the one kind is chosen already.
  const role = field(page, '権限区分');
  assert.deepEqual(await role.locator('option').allTextContents(), ['管理者']);
  await page.getByText('半角英数字2〜8文字。先頭にR0〜R9').waitFor();
  assert.equal(await field(page, '利用開始年月日').inputValue(), jstDate());
  await visit(page, 'register-form-master');

  await fillRegistration(page, { user_id: ADMIN.user_id, name: '管理 太郎', kana: 'ｶﾝﾘ ﾀﾛｳ' });
  await page.getByText('登録される表記：カンリ　タロウ').waitFor();
  await page.getByText('登録される表記：管理　太郎').waitFor();
  await page.getByRole('button', { name: '登録', exact: true }).click();
  const dlg = page.locator('#confirm-dialog');
  await dlg.getByText('次の内容で登録します。よろしいですか？').waitFor();
  assert.match(await dlg.textContent(), /管理者[^]*kanri01[^]*管理　太郎[^]*カンリ　タロウ[^]*9999\/12\/31（期限なし）/);
  await confirm(page, '登録する', 'register-confirm');

  await page.getByRole('heading', { name: '登録しました' }).waitFor();
  await visit(page, 'register-done');
  await page.getByText(/初期パスワードの有効期限/).waitFor();
  await page.getByText('30日以内にログインしないと').waitFor();
  ADMIN.password = await revealPassword(page);
  await page.getByRole('button', { name: 'コピー' }).click();
  await page.getByText('コピーしました。').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), ADMIN.password);
  await downloadSheet(page, ADMIN.user_id);

  const r = await masterApi('GET', '/accounts/kanri01');
  assert.equal(r.status, 200);
  assert.equal(r.body.account.role, 'admin');
  assert.equal(r.body.account.name_kana, 'カンリ　タロウ');
  assert.equal(r.body.account.password_state, 'initial');

  // Sign out with the confirmation.
  await page.getByRole('button', { name: 'ログアウト' }).click();
  await confirm(page, 'OK');
  await page.getByRole('heading', { name: 'ログイン', level: 1 }).waitFor();
  await page.getByText('ログアウトしました。').waitFor();
  assertNoConsoleErrors(page);
});

// --- the admin registers one of each kind ----------------------------------------------------

const KINDS = [
  { role: '一般利用者', prefix: '', user_id: 'staff01', name: '受付　花子', kana: 'ウケツケ　ハナコ', end: '2030/03/31' },
  { role: '医療情報閲覧', prefix: '', user_id: 'doc01', name: '医師　一郎', kana: 'イシ　イチロウ', start: jstDate(10) },
  { role: 'WebAPI用', prefix: 'A0', user_id: 'A0rece', name: 'レセコン', kana: 'レセコン' },
  { role: '連携アプリケーション用', prefix: 'R0', user_id: 'R0app', name: '連携アプリ', kana: 'レンケイアプリ' },
  { role: '顔認証付きカードリーダー用', prefix: 'F0', user_id: 'F0face1', name: '受付カードリーダー', kana: 'ウケツケカードリーダー' },
];

step('the admin changes its password and registers one account of each of the five kinds', async () => {
  const page = adminPage = await open(PERMS);
  await signIn(page, ADMIN.user_id, ADMIN.password);
  await changeInitialPassword(page, ADMIN.password, ADMIN_PW);
  adminApi = await apiAs(ADMIN.user_id, ADMIN_PW);

  await page.goto(`${base}/#/accounts/new`);
  await page.getByRole('heading', { name: 'アカウント管理（登録）', level: 1 }).waitFor();
  const role = field(page, '権限区分');
  assert.deepEqual(await role.locator('option').allTextContents(),
    ['選択してください', '一般利用者', '医療情報閲覧', 'WebAPI用', '連携アプリケーション用', '顔認証付きカードリーダー用']);
  await visit(page, 'register-form-admin');
  for (const k of KINDS) {
    await role.selectOption({ label: k.role });
    assert.equal(await field(page, 'ユーザID').inputValue(), k.prefix, `${k.role}: the prefix is filled in`);
    if (k.prefix) await page.getByText(`「${k.prefix}」で始まる半角英数字3〜8文字`).waitFor();
    await fillRegistration(page, { user_id: k.user_id, name: k.name, kana: k.kana, start: k.start, end: k.end });
    await page.getByRole('button', { name: '登録', exact: true }).click();
    await confirm(page, '登録する');
    await page.getByRole('heading', { name: '登録しました' }).waitFor();
    if (k.prefix === 'F0') await visit(page, 'register-done-face-reader');
    await page.getByRole('button', { name: '続けて登録' }).click();
    // The kind is kept for the next one, the rest is fresh.
    assert.equal(await role.inputValue(), Object.entries({ 一般利用者: 'general', 医療情報閲覧: 'medical_viewer', WebAPI用: 'webapi',
      連携アプリケーション用: 'linked_app', 顔認証付きカードリーダー用: 'face_reader' }).find(([l]) => l === k.role)[1]);
    assert.equal(await field(page, 'ユーザ名').inputValue(), '');
  }
  // The prefix does not overwrite an ID the user typed.
  await field(page, 'ユーザID').fill('A0mine');
  await role.selectOption({ label: '連携アプリケーション用' });
  assert.equal(await field(page, 'ユーザID').inputValue(), 'A0mine');

  const list = await adminApi('GET', '/accounts?per_page=100');
  assert.deepEqual(list.body.items.map((a) => a.user_id).sort(), KINDS.map((k) => k.user_id).sort());
  const doc = list.body.items.find((a) => a.user_id === 'doc01');
  assert.equal(doc.start_date, jstDate(10).replaceAll('/', '-'));
  assert.equal(list.body.items.find((a) => a.user_id === 'staff01').end_date, '2030-03-31');
  assertNoConsoleErrors(page);
});

// --- search -----------------------------------------------------------------------------------

step('every search item and quick filter finds the accounts it should', async () => {
  const page = current = adminPage;
  // Two more, through the API; A0rece signs in once (so its password is no longer initial);
  // R0app gets locked by wrong passwords.
  for (const id of ['staff02', 'staff03']) {
    const r = await adminApi('POST', '/accounts', { role: 'general', user_id: id, name: `職員${id.slice(-1)}`, name_kana: `ショクイン${id.slice(-1)}`, start_date: jstDate().replaceAll('/', '-') });
    assert.equal(r.status, 201);
  }
  const rece = await adminApi('POST', '/accounts/A0rece/password-reset');
  const reSession = await apiAs('A0rece', rece.body.initial_password);
  assert.equal(reSession.status, 200);
  assert.equal((await reSession('PUT', '/session/password', { current_password: rece.body.initial_password, new_password: 'Rece2026!xx' })).status, 200);
  for (let i = 0; i < 5; i++) await apiAs('R0app', 'Wrong-password1');

  await page.getByRole('link', { name: 'アカウント管理（更新）' }).first().click();
  await page.getByRole('heading', { name: 'アカウント検索', level: 1 }).waitFor();
  assert.equal((await resultIds(page)).length, 7);
  await page.getByText(/検索結果：7件/).waitFor();
  await page.getByText(/時点/).waitFor();
  await visit(page, 'search-results');
  await page.setViewportSize({ width: 768, height: 1024 }); // a tablet held upright
  await visit(page, 'search-results-tablet');
  await page.setViewportSize({ width: 1280, height: 800 });

  await searchOpensOne(page, { 権限区分: '医療情報閲覧' }, 'doc01');
  assert.match(page.url(), /role=medical_viewer/);
  await search(page, { ユーザID: 'staff' });
  assert.deepEqual(await resultIds(page), ['staff01', 'staff02', 'staff03']);
  await search(page, { ユーザ名: '受付' });
  assert.deepEqual((await resultIds(page)).sort(), ['F0face1', 'staff01']);
  await searchOpensOne(page, { 'ユーザ名（カナ）': 'ﾚｾ' }, 'A0rece'); // half-width kana made full-width
  await searchOpensOne(page, { アカウントロック: 'ロック中' }, 'R0app');
  await search(page, { アカウントロック: 'なし', 権限区分: '一般利用者' });
  assert.deepEqual(await resultIds(page), ['staff01', 'staff02', 'staff03']);
  await searchOpensOne(page, { 利用開始日: jstDate(5) }, 'doc01');
  await searchOpensOne(page, { 利用終了日: '2030/12/31' }, 'staff01');
  await search(page, { '有効/無効': '有効のみ' });
  assert.equal((await resultIds(page)).length, 7);
  await search(page, { '有効/無効': '無効のみ' });
  await page.getByText('条件に合うアカウントはありません。').waitFor();
  await visit(page, 'search-empty');
  await search(page, { 利用開始日: '2026/13/01' });
  await fieldError(page, 'start_from').getByText('日付の形式が正しくありません。').waitFor();

  // Quick filters apply at once and show as pressed; reload keeps the list.
  await search(page, {});
  await page.getByRole('button', { name: 'ロック中', exact: true }).click();
  assert.deepEqual(await resultIds(page), ['R0app']);
  assert.equal(await page.getByRole('button', { name: 'ロック中', exact: true }).getAttribute('aria-pressed'), 'true');
  await page.reload();
  assert.deepEqual(await resultIds(page), ['R0app'], 'a reload shows the same list and does not open the single hit');
  await page.getByRole('button', { name: 'ロック中', exact: true }).click();
  await page.getByRole('button', { name: '初期パスワード未変更' }).click();
  assert.equal((await resultIds(page)).length, 6, 'all but A0rece, whose password was changed');
  await page.getByText('パスワード：初期パスワード').waitFor();
  await page.getByRole('button', { name: '初期パスワード未変更' }).click();
  await field(page, '休眠（ログインなし）').selectOption({ label: '90日以上' });
  await page.getByText('条件に合うアカウントはありません。').waitFor();
  assert.match(page.url(), /dormant=90/);
  await search(page, {});
  // Order and page size live in the URL too.
  const ascending = await resultIds(page);
  await field(page, '並び順').selectOption({ label: 'ユーザID（降順）' });
  assert.deepEqual(await resultIds(page), [...ascending].reverse());
  await field(page, '表示件数').selectOption({ label: '50件' });
  assert.match(page.url(), /sort=-user_id/);
  assert.match(page.url(), /per_page=50/);
  assertNoConsoleErrors(page);
});

// --- update, disable, initialise, delete ------------------------------------------------------------

async function openAccount(page, userId) {
  await page.goto(`${base}/#/accounts?user_id=${userId}`);
  await page.getByRole('link', { name: userId, exact: true }).click();
  await page.getByRole('heading', { name: 'アカウント管理（更新）', level: 1 }).waitFor();
  await page.locator('.summary strong', { hasText: userId }).waitFor();
}

step('the admin updates, disables, initialises and deletes accounts', async () => {
  const page = current = adminPage;
  // Update: only what changed is confirmed.
  await openAccount(page, 'staff01');
  await visit(page, 'edit');
  await page.getByRole('button', { name: '更新', exact: true }).click();
  await page.getByText('変更された項目はありません。').waitFor();
  await field(page, 'ユーザ名').fill('受付　桜子');
  await field(page, '利用終了年月日').fill('2031/03/31');
  await page.getByRole('button', { name: '更新', exact: true }).click();
  const dlg = page.locator('#confirm-dialog');
  await dlg.waitFor({ state: 'visible' });
  const rows = await dlg.locator('tbody tr').allTextContents();
  assert.deepEqual(rows, ['ユーザ名受付　花子受付　桜子', '利用終了年月日2030/03/312031/03/31']);
  await confirm(page, '更新する', 'edit-confirm');
  await page.locator('#flash').getByText('ユーザID staff01 のアカウント情報を更新しました。').waitFor();
  let r = await adminApi('GET', '/accounts/staff01');
  assert.equal(r.body.account.name, '受付　桜子');
  assert.equal(r.body.account.end_date, '2031-03-31');

  // Disable.
  await openAccount(page, 'doc01');
  await field(page, '無効にする').check();
  await page.getByRole('button', { name: '更新', exact: true }).click();
  await dlg.getByText('ログインできなくなり').waitFor();
  await confirm(page, '更新する');
  await page.locator('#flash').getByText('更新しました').waitFor();
  r = await adminApi('GET', '/accounts/doc01');
  assert.equal(r.body.account.enabled, false);
  await page.goto(`${base}/#/accounts`);
  await page.getByRole('button', { name: '無効', exact: true }).click();
  assert.deepEqual(await resultIds(page), ['doc01']);

  // Initialise R0app's password: the lock goes, a new password is shown and its sheet made.
  await openAccount(page, 'R0app');
  await page.getByText('「パスワード初期化」を行うとロックが解除されます。').waitFor();
  await page.getByRole('button', { name: 'パスワード初期化' }).click();
  await dlg.getByText('ログアウトされます').waitFor();
  await dlg.getByText('アカウントロックも解除されます').waitFor();
  await confirm(page, '初期化する', 'reset-confirm');
  await page.getByRole('heading', { name: 'パスワードを初期化しました' }).waitFor();
  await visit(page, 'reset-done');
  const pw = await revealPassword(page);
  await downloadSheet(page, 'R0app');
  r = await adminApi('GET', '/accounts/R0app');
  assert.equal(r.body.account.locked, false);
  assert.equal(r.body.account.password_state, 'initial');
  assert.equal((await apiAs('R0app', pw)).status, 200, 'the new initial password signs in');
  await page.getByRole('button', { name: /OK（アカウント情報に戻る）/ }).click();
  await page.getByText('ロック中').waitFor({ state: 'detached' });

  // Delete F0face1: one dialog, then back to the search it came from.
  await openAccount(page, 'F0face1');
  await page.getByRole('button', { name: '削除', exact: true }).click();
  await dlg.getByText('ユーザID F0face1 は二度と使用できません').waitFor();
  await confirm(page, '削除する', 'delete-confirm');
  await page.getByRole('heading', { name: 'アカウント検索', level: 1 }).waitFor();
  await page.locator('#flash').getByText('ユーザID F0face1 を削除しました。').waitFor();
  assert.match(page.url(), /#\/accounts\?user_id=F0face1$/);
  await page.getByText('条件に合うアカウントはありません。').waitFor();
  r = await adminApi('GET', '/accounts/F0face1');
  assert.equal(r.status, 404);
  r = await adminApi('POST', '/accounts', { role: 'face_reader', user_id: 'F0face1', name: 'テスト', name_kana: 'テスト', start_date: '2026-01-01' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'account.user_id.taken');
  assertNoConsoleErrors(page);
});

// --- bulk actions -------------------------------------------------------------------------------

step('bulk disable reports a row another administrator changed meanwhile; select-all across pages deletes', async () => {
  const page = current = adminPage;
  await page.goto(`${base}/#/accounts?user_id=staff0`);
  assert.deepEqual(await resultIds(page), ['staff01', 'staff02', 'staff03']);
  await field(page, 'staff02 を選択').check();
  await field(page, 'staff03 を選択').check();
  await page.getByText('選択中：2件').waitFor();
  // Someone else changes staff03 after the list was drawn.
  const stale = await adminApi('PATCH', '/accounts/staff03', { name: '職員３変更', version: (await adminApi('GET', '/accounts/staff03')).body.account.version });
  assert.equal(stale.status, 200);
  await page.getByRole('button', { name: '無効にする' }).click();
  const dlg = page.locator('#confirm-dialog');
  await dlg.getByText('次の2件のアカウントを無効にします。よろしいですか？').waitFor();
  assert.deepEqual(await dlg.locator('.selected-list li').allTextContents(), ['staff02職員２', 'staff03職員３']);
  await confirm(page, '無効にする', 'bulk-confirm');
  await page.getByRole('heading', { name: '「無効にする」の結果' }).waitFor();
  const rows = await page.locator('.bulk-result tbody tr').allTextContents();
  assert.match(rows[0], /^staff02.*成功/);
  assert.match(rows[1], /^staff03.*他の利用者が更新したため変更していません（現在の値：職員３変更、有効/);
  await visit(page, 'bulk-result');
  assert.equal((await adminApi('GET', '/accounts/staff02')).body.account.enabled, false);
  assert.equal((await adminApi('GET', '/accounts/staff03')).body.account.enabled, true, 'the stale row is not overwritten');

  // 21 accounts: one page of 20 and 「検索結果のすべて」.
  for (let i = 1; i <= 21; i++) {
    const id = `zz${String(i).padStart(2, '0')}`;
    assert.equal((await adminApi('POST', '/accounts', { role: 'general', user_id: id, name: `一括${i}`, name_kana: `イッカツ${i}`, start_date: '2026-01-01' })).status, 201);
  }
  await page.goto(`${base}/#/accounts?user_id=zz`);
  assert.equal((await resultIds(page)).length, 20);
  await field(page, 'このページをすべて選択').check();
  await page.getByText('選択中：20件').waitFor();
  await page.getByRole('button', { name: '検索結果のすべて（21件）を選択' }).click();
  await page.getByText('選択中：21件').waitFor();
  await page.getByRole('button', { name: '削除', exact: true }).click();
  await dlg.getByText('削除したユーザIDは二度と使用できません').waitFor();
  await confirm(page, '削除する');
  await page.getByRole('heading', { name: '「削除」の結果' }).waitFor();
  await page.getByText('成功 21件').waitFor();
  await page.getByText('条件に合うアカウントはありません。').waitFor();
  assert.equal((await adminApi('GET', '/accounts?user_id=zz')).body.total, 0);
  assertNoConsoleErrors(page);
});

// --- refusals ----------------------------------------------------------------------------------

step('the registration form shows every refusal under its field', async () => {
  const page = current = adminPage;
  await page.goto(`${base}/#/accounts/new`);
  await page.getByRole('heading', { name: 'アカウント管理（登録）', level: 1 }).waitFor();
  const cases = [
    [{ role: '一般利用者', user_id: 'ab-c' }, 'user_id', 'ユーザIDは半角英数字で入力してください。'],
    [{ role: '一般利用者', user_id: 'a' }, 'user_id', 'ユーザIDの桁数が正しくありません。'],
    [{ role: '一般利用者', user_id: 'abcdefghi' }, 'user_id', 'ユーザIDの桁数が正しくありません。'],
    [{ role: 'WebAPI用', user_id: 'A0' }, 'user_id', 'ユーザIDの桁数が正しくありません。'],
    [{ role: '一般利用者', user_id: 'A0abc' }, 'user_id', 'このユーザIDは先頭文字にR0～R9、A0～A9、F0～F9を使用できません。'],
    [{ role: 'WebAPI用', user_id: 'R0abc' }, 'user_id', 'このアカウントのユーザIDは決められた先頭文字で始めてください。'],
    [{ role: '一般利用者', user_id: 'ok01', name: '<太郎>' }, 'name', 'ユーザ名は全角かな、カタカナ、漢字、英数字で入力してください。'],
    [{ name: 'あ'.repeat(21) }, 'name', 'ユーザ名は20文字以内で入力してください。'],
    [{ name: '試験', kana: 'しけん' }, 'name_kana', 'ユーザ名（カナ）は全角カタカナ、英数字で入力してください。'],
    [{ kana: 'ア'.repeat(41) }, 'name_kana', 'ユーザ名（カナ）は40文字以内で入力してください。'],
    [{ kana: 'シケン', start: '2026/05/01', end: '2026/04/01' }, 'end_date', '利用終了年月日は利用開始年月日以降の日付を入力してください。'],
    [{ end: '2026/02/30' }, 'end_date', '日付の形式が正しくありません。'],
    [{ end: '', user_id: 'staff01' }, 'user_id', 'このユーザIDは既に使用されています（削除済みのユーザIDも使用できません）。', true],
    [{ role: '顔認証付きカードリーダー用', user_id: 'F0face1' }, 'user_id', 'このユーザIDは既に使用されています（削除済みのユーザIDも使用できません）。', true],
  ];
  let shot = false;
  for (const [fields, field, message, server] of cases) {
    await fillRegistration(page, fields);
    await page.getByRole('button', { name: '登録', exact: true }).click();
    if (server) await confirm(page, '登録する');
    await fieldError(page, field).getByText(message, { exact: true }).waitFor();
    assert.equal(await page.locator(`#f-${field}`).getAttribute('aria-invalid'), 'true');
    await page.locator('.error-summary').getByText(message).waitFor();
    if (!shot && field === 'name') { await visit(page, 'register-errors'); shot = true; }
  }
  await visit(page, 'register-error-taken');
  // The summary's link moves to the field.
  await page.locator('.error-summary a').first().click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-user_id');
  assertNoConsoleErrors(page);
});

step('the update form shows its refusals under their fields, and a stale version the current values', async () => {
  const page = current = adminPage;
  await openAccount(page, 'staff03');
  const cases = [
    [{ name: '<花子>' }, 'name', 'ユーザ名は全角かな、カタカナ、漢字、英数字で入力してください。'],
    [{ name: 'あ'.repeat(21) }, 'name', 'ユーザ名は20文字以内で入力してください。'],
    [{ name: '職員３', kana: 'しょくいん' }, 'name_kana', 'ユーザ名（カナ）は全角カタカナ、英数字で入力してください。'],
    [{ kana: 'ア'.repeat(41) }, 'name_kana', 'ユーザ名（カナ）は40文字以内で入力してください。'],
    [{ kana: 'ショクイン３', start: '2026/05/01', end: '2026/04/01' }, 'end_date', '利用終了年月日は利用開始年月日以降の日付を入力してください。'],
    [{ end: '2026/4/31' }, 'end_date', '日付の形式が正しくありません。'],
    [{ start: '', end: '' }, 'start_date', '必須項目が入力されていません。'],
  ];
  for (const [fields, field, message] of cases) {
    await fillRegistration(page, fields);
    await page.getByRole('button', { name: '更新', exact: true }).click();
    await fieldError(page, field).getByText(message, { exact: true }).waitFor();
  }
  await visit(page, 'edit-errors');

  // 409: another administrator renames it while this form is open.
  await page.goto(`${base}/#/accounts`);
  await openAccount(page, 'staff03');
  const v = (await adminApi('GET', '/accounts/staff03')).body.account.version;
  assert.equal((await adminApi('PATCH', '/accounts/staff03', { name: '他の人が変更', version: v })).status, 200);
  await field(page, 'ユーザ名').fill('私が変更');
  await page.getByRole('button', { name: '更新', exact: true }).click();
  await confirm(page, '更新する');
  const notice = page.locator('#conflict');
  await notice.getByText('他の管理者がこのアカウントを更新しました').waitFor();
  assert.deepEqual(await notice.locator('tbody tr').allTextContents(), ['ユーザ名私が変更他の人が変更']);
  assert.equal(await field(page, 'ユーザ名').inputValue(), '他の人が変更', 'the form shows the current values');
  await visit(page, 'edit-409');
  // Applying it again on the current version works.
  await field(page, 'ユーザ名').fill('私が変更');
  await page.getByRole('button', { name: '更新', exact: true }).click();
  await confirm(page, '更新する');
  await page.locator('#flash').getByText('更新しました').waitFor();
  assert.equal((await adminApi('GET', '/accounts/staff03')).body.account.name, '私が変更');
  assertNoConsoleErrors(page);
});

// --- master_reset ------------------------------------------------------------------------------

step('the master_reset account finds the master and initialises its password', async () => {
  const page = await open(PERMS);
  const mr = server.master_reset;
  await signIn(page, mr.user_id, mr.initial_password);
  await changeInitialPassword(page, mr.initial_password, 'Reset2026!xx');
  await page.getByRole('link', { name: 'アカウント管理（更新）' }).first().click();
  await page.getByRole('heading', { name: 'アカウント検索', level: 1 }).waitFor();
  assert.deepEqual(await resultIds(page), [server.master.user_id]);
  assert.equal(await page.getByRole('button', { name: '無効にする' }).count(), 0, 'no bulk actions for master_reset');
  assert.equal(await page.getByRole('button', { name: 'ロック中' }).count(), 0);
  await visit(page, 'search-master-reset');
  await page.getByRole('link', { name: server.master.user_id, exact: true }).click();
  await page.getByText('マスタアカウントは更新・削除できません。').waitFor();
  assert.equal(await page.getByRole('button', { name: '更新', exact: true }).count(), 0);
  assert.equal(await page.getByRole('button', { name: '削除', exact: true }).count(), 0);
  await visit(page, 'edit-master-read-only');
  await page.getByRole('button', { name: 'パスワード初期化' }).click();
  await confirm(page, '初期化する');
  await page.getByRole('heading', { name: 'パスワードを初期化しました' }).waitFor();
  const pw = await revealPassword(page);
  await downloadSheet(page, server.master.user_id);
  const m = await apiAs(server.master.user_id, pw);
  assert.equal(m.status, 200);
  assert.equal(m.body.account.password_change_required, true);
  assert.equal((await apiAs(server.master.user_id, MASTER_PW)).status, 401, 'the old password no longer signs in');
  assertNoConsoleErrors(page);
  await page.close();
  await masterPage.close();
  await adminPage.close();
});

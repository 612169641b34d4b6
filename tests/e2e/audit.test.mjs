// 操作履歴 as an administrator uses it: changes made through the API show up, newest first, in
// Japan time; the period, actor, action and target filters narrow the list and live in the URL;
// an update reads as 「ユーザ名：変更前 → 変更後」 in Japanese; a bad date in the URL is refused
// under its field; the empty state and the pager.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, assertNoConsoleErrors, visit, startConsoleServer } from './support/browser.mjs';
import { signedIn, json } from '../support/people.mjs';
import { eventually } from '../support/harness.mjs';

let server;
let browser;
let admin; // API helper of the admin 'kanri01'
const ADMIN_PW = 'Kanri2026!x';

before(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  const master = await server.api('master');
  const made = await json(await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01',
    name: '管理 花子', name_kana: 'ｶﾝﾘ ﾊﾅｺ', start_date: '2020-04-01' }), 201);
  admin = await signedIn(server.srv, server.code, 'kanri01', made.initial_password, ADMIN_PW);
  for (const id of ['staff01', 'staff02']) {
    await json(await admin('POST', '/api/v1/accounts', { role: 'general', user_id: id,
      name: '受付 太郎', name_kana: 'ｳｹﾂｹ ﾀﾛｳ', start_date: '2026-04-01' }), 201);
  }
  const a = (await json(await admin('GET', '/api/v1/accounts/staff01'))).account;
  await json(await admin('PATCH', '/api/v1/accounts/staff01', { name: '受付 次郎', enabled: false,
    end_date: '2027-03-31', version: a.version }));
  await json(await admin('POST', '/api/v1/accounts/staff02/password-reset'));
  // A wrong password for staff02: a failed sign-in the admin can find.
  const res = await fetch(`${server.srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: server.code, user_id: 'staff02', password: 'wrong-password' }) });
  assert.equal(res.status, 401);
});
after(async () => {
  await browser?.close();
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

async function signIn(page) {
  await page.goto(`${server.srv.base}/#/login`);
  await page.fill('#f-institution_code', server.code);
  await page.fill('#f-user_id', 'kanri01');
  await page.fill('#f-password', ADMIN_PW);
  await page.click('button:has-text("ログイン")');
  await page.waitForSelector('h1:has-text("メニュー")');
}

// Each row's cells as seen on screen (the words only a screen reader hears left out).
const rows = (page) => page.$$eval('table.audit tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => {
  const copy = c.cloneNode(true);
  copy.querySelectorAll('.visually-hidden').forEach((e) => e.remove());
  return copy.textContent.replace(/[ \t\n]+/g, ' ').trim();
})));
async function shown(page) {
  await page.waitForSelector('main:not([aria-busy])');
  await page.waitForFunction(() => ![...document.querySelectorAll('main p[role=status]')].some((p) => p.textContent.includes('読み込んでいます')));
  await page.waitForSelector('table.audit, .empty, .field-error, .error-summary');
  return rows(page);
}

test('an admin opens 操作履歴 from the menu and reads the changes in Japanese', async () => {
  const page = await newPage(browser);
  await signIn(page);
  await page.click('a.menu-link:has-text("操作履歴")');
  await page.waitForSelector('table.audit');
  assert.equal(await page.title(), '操作履歴 | オンライン資格確認等システム');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  const all = await rows(page);
  assert.ok(all.length >= 6, JSON.stringify(all));
  // Newest first, in JST as YYYY/MM/DD HH:MM.
  for (const r of all) assert.match(r[0], /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
  const actions = all.map((r) => r[2]);
  for (const a of ['アカウント登録', 'アカウント更新', 'パスワード初期化', 'ログイン失敗', 'ログイン', 'パスワード変更']) {
    assert.ok(actions.includes(a), `${a} in ${actions}`);
  }
  assert.ok(!actions.some((a) => /^[a-z_]+\.[a-z_.]+$/.test(a)), `every action has a label: ${actions}`);
  assert.match(await page.innerText('.result-summary'), /検索結果：\d+件/);
  const update = all.find((r) => r[2] === 'アカウント更新');
  assert.equal(update[1], 'kanri01');
  assert.equal(update[3], 'staff01');
  assert.match(update[5], /ユーザ名：受付　太郎\s*→\s*受付　次郎/);
  assert.match(update[5], /有効\/無効：有効\s*→\s*無効/);
  assert.match(update[5], /利用終了年月日：9999\/12\/31\s*→\s*2027\/03\/31/);
  assert.doesNotMatch(update[5], /true|false|before|after/);
  const failed = all.find((r) => r[2] === 'ログイン失敗');
  assert.match(failed[5], /理由：パスワード誤り/);
  assert.match(failed[4], /\S/, 'the sign-in failure names where it came from');
  const created = all.find((r) => r[2] === 'アカウント登録' && r[3] === 'staff02');
  assert.match(created[5], /権限区分：一般利用者/);
  assert.match(created[5], /利用開始年月日：2026\/04\/01/);
  await visit(page, 'audit-all');
  assertNoConsoleErrors(page);
  await page.close();
});

test('the filters narrow the list, live in the URL and survive a reload', async () => {
  const page = await newPage(browser);
  await signIn(page);
  await page.goto(`${server.srv.base}/#/audit`);
  await shown(page);

  // 操作 and 対象
  await page.selectOption('#f-action', 'account.update');
  await page.fill('#f-target', 'staff01');
  await page.click('button:has-text("検索")');
  await page.waitForFunction(() => location.hash.includes('action=account.update'));
  let r = await shown(page);
  assert.equal(r.length, 1, JSON.stringify(r));
  assert.equal(r[0][2], 'アカウント更新');
  assert.match(page.url(), /target=staff01/);
  await visit(page, 'audit-filter-action-target');
  await page.reload();
  r = await shown(page);
  assert.equal(r.length, 1, 'reload keeps the filters');
  assert.equal(await page.inputValue('#f-target'), 'staff01');
  assert.equal(await page.inputValue('#f-action'), 'account.update');

  // 操作者: only what staff02 did (its failed sign-in) and nothing by kanri01.
  await page.click('a:has-text("条件をクリア")');
  await page.waitForFunction(() => location.hash === '#/audit');
  await shown(page);
  await page.fill('#f-actor', 'staff02');
  await page.click('button:has-text("検索")');
  await page.waitForFunction(() => location.hash.includes('actor=staff02'));
  // The list of the previous search may still be drawn while the new one loads (slow under ASan).
  r = await eventually(async () => {
    const now = await shown(page);
    return now.length >= 1 && now.every((x) => x[1] === 'staff02') ? now : false;
  }, { timeoutMs: 10000 }).catch(async () => shown(page));
  assert.ok(r.length >= 1 && r.every((x) => x[1] === 'staff02'), JSON.stringify(r));
  await visit(page, 'audit-filter-actor');

  // The period, typed with full-width digits and slashes: today is in, last year is not.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
  await page.click('a:has-text("条件をクリア")');
  await page.waitForFunction(() => location.hash === '#/audit');
  await shown(page);
  const wide = today.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xFEE0)).replaceAll('-', '／');
  await page.fill('#f-from', wide);
  await page.fill('#f-to', today.replaceAll('-', '/'));
  await page.click('button:has-text("検索")');
  await page.waitForFunction((t) => location.hash.includes(`from=${t}`) && location.hash.includes(`to=${t}`), today);
  r = await shown(page);
  assert.ok(r.length >= 6, JSON.stringify(r));
  assert.equal(await page.inputValue('#f-from'), today.replaceAll('-', '/'));
  await visit(page, 'audit-filter-period');

  await page.fill('#f-from', '2020/01/01');
  await page.fill('#f-to', '2020/12/31');
  await page.click('button:has-text("検索")');
  await page.waitForSelector('.empty');
  assert.match(await page.innerText('.empty'), /該当する操作履歴はありません/);
  assert.match(await page.innerText('.result-summary'), /該当するデータはありません/);
  await visit(page, 'audit-empty');
  assertNoConsoleErrors(page);
  await page.close();
});

test('bad dates are refused under their field, in the form and from the server', async () => {
  const page = await newPage(browser);
  await signIn(page);
  // A date that is no day of the calendar, straight in the URL: the server's 400 under the field.
  await page.goto(`${server.srv.base}/#/audit?from=2026-02-30`);
  await page.waitForSelector('.field-error');
  assert.equal(await page.innerText('#f-from-error'), '日付の形式が正しくありません。');
  assert.equal(await page.getAttribute('#f-from', 'aria-invalid'), 'true');
  await visit(page, 'audit-server-bad-date');

  await page.goto(`${server.srv.base}/#/audit`);
  await shown(page);
  await page.fill('#f-from', '2026/13/01');
  await page.click('button:has-text("検索")');
  await page.waitForSelector('#f-from-error');
  assert.match(await page.innerText('.error-summary'), /対象期間（自）：日付の形式が正しくありません。/);
  await page.fill('#f-from', '2026/05/01');
  await page.fill('#f-to', '2026/04/01');
  await page.click('button:has-text("検索")');
  await page.waitForSelector('#f-to-error');
  assert.match(await page.innerText('#f-to-error'), /対象期間（至）は対象期間（自）以降/);
  await visit(page, 'audit-form-bad-dates');
  assertNoConsoleErrors(page);
  await page.close();
});

test('the pager and the page size', async () => {
  const page = await newPage(browser);
  await signIn(page);
  // More than 20 rows: register a few more accounts.
  for (let i = 0; i < 16; i++) {
    await json(await admin('POST', '/api/v1/accounts', { role: 'general', user_id: `uk${String(i).padStart(2, '0')}`,
      name: '受付', name_kana: 'ｳｹﾂｹ', start_date: '2026-04-01' }), 201);
  }
  await page.goto(`${server.srv.base}/#/audit?per_page=20`);
  const first = await shown(page);
  assert.equal(first.length, 20);
  assert.equal(await page.inputValue('#f-per_page'), '20');
  await page.click('.pager button:has-text("次へ")');
  await page.waitForFunction(() => location.hash.includes('page=2'));
  await page.waitForSelector('.result-summary');
  assert.match(await page.innerText('.result-summary'), /（21〜/);
  assert.equal(await page.getAttribute('.pager [aria-current="page"]', 'aria-label'), '2ページ');
  await visit(page, 'audit-page-2');
  // A bigger page size from the form starts again at page 1.
  await page.selectOption('#f-per_page', '100');
  await page.click('button:has-text("検索")');
  await page.waitForFunction(() => location.hash.includes('per_page=100') && !location.hash.includes('page=2'));
  await page.waitForSelector('.result-summary');
  assert.equal(await page.$('.pager'), null);
  assertNoConsoleErrors(page);
  await page.close();
});

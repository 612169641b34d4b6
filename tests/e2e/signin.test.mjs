// Signing in and the shell around every screen, as an office manager meets them: the sign-in
// page and each refusal in Japanese, the first sign-in with an initial password (the manual's
// confirmation, then the forced パスワード変更 with its checklist), every refusal of the password
// form under its field, the menu for each kind of account and before 利用開始日, the header,
// ログアウト, a screen the account may not use, deep links and a 401 mid-session, the idle
// warning, and a sign-out in one tab reaching the other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, assertNoConsoleErrors, visit, startConsoleServer } from './support/browser.mjs';
import { onshictl } from '../support/harness.mjs';
import { signedIn, json } from '../support/people.mjs';

let server;
let browser;
let master;
const PW = 'Kanri2026!x';
const accounts = {}; // user_id → initial password

before(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  master = await server.api('master');
  for (const id of ['kanri01', 'kanri02', 'kanri03']) {
    const made = await json(await master('POST', '/api/v1/accounts', { role: 'admin', user_id: id,
      name: '管理 花子', name_kana: 'ｶﾝﾘ ﾊﾅｺ', start_date: '2020-04-01' }), 201);
    accounts[id] = made.initial_password;
  }
  // kanri02 and kanri03 have chosen passwords; kanri01 keeps its initial one for the first sign-in.
  const admin = await signedIn(server.srv, server.code, 'kanri02', accounts.kanri02, PW);
  await signedIn(server.srv, server.code, 'kanri03', accounts.kanri03, PW);
  for (const id of ['staff01', 'staff02']) {
    const made = await json(await admin('POST', '/api/v1/accounts', { role: 'general', user_id: id,
      name: '受付 太郎', name_kana: 'ｳｹﾂｹ ﾀﾛｳ', start_date: '2020-04-01' }), 201);
    accounts[id] = made.initial_password;
  }
});
after(async () => {
  await browser?.close();
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

const base = () => server.srv.base;

// After every route change: the title names the screen and focus is on its h1.
async function onScreen(page, title) {
  await page.waitForFunction((t) => document.title === `${t} | オンライン資格確認等システム`, title);
  await page.waitForFunction((t) => document.activeElement?.tagName === 'H1' && document.activeElement.textContent.trim() === t, title);
}

async function fillSignIn(page, { code = server.code, user, password }) {
  await page.fill('#f-institution_code', code);
  await page.fill('#f-user_id', user);
  await page.fill('#f-password', password);
  await page.click('form button.primary');
}

async function signIn(page, user, password = PW, { code = server.code, srv = server.srv } = {}) {
  await page.goto(`${srv.base}/#/login`);
  await onScreen(page, 'ログイン');
  await fillSignIn(page, { code, user, password });
  await onScreen(page, 'メニュー');
}

test('the sign-in page: remembered code, show/hide, Caps Lock, autocomplete, each refusal', async () => {
  const page = await newPage(browser);
  await page.goto(`${base()}/`);
  await onScreen(page, 'ログイン');
  assert.equal(new URL(page.url()).hash, '#/login');
  assert.equal(await page.getAttribute('#f-user_id', 'autocomplete'), 'username');
  assert.equal(await page.getAttribute('#f-password', 'autocomplete'), 'current-password');
  assert.equal(await page.getAttribute('#f-institution_code', 'inputmode'), 'numeric');
  assert.equal(await page.isVisible('#who'), false, 'no header details before sign-in');
  await visit(page, 'login');

  // Show / hide the password.
  await page.fill('#f-password', 'secret');
  await page.click('button:has-text("パスワードを表示")');
  assert.equal(await page.getAttribute('#f-password', 'type'), 'text');
  assert.equal(await page.getAttribute('button[aria-controls="f-password"]', 'aria-pressed'), 'true');
  await page.click('button:has-text("パスワードを隠す")');
  assert.equal(await page.getAttribute('#f-password', 'type'), 'password');

  // Caps Lock on while typing the password: a hint; off again: gone.
  // Headless Chromium keeps no Caps Lock state for keyboard.press('CapsLock') (getModifierState
  // stays false), so the key-up carries the modifier itself, as a real keyboard's would.
  const keyup = (caps) => page.dispatchEvent('#f-password', 'keyup', { key: 'a', modifierCapsLock: caps });
  await page.focus('#f-password');
  await page.keyboard.press('CapsLock');
  if (!(await page.$('.caps-hint'))) await keyup(true);
  await page.waitForSelector('.caps-hint');
  assert.match(await page.innerText('.caps-hint'), /Caps Lock がオン/);
  await visit(page, 'login-caps-lock');
  await page.keyboard.press('CapsLock');
  if (await page.$('.caps-hint')) await keyup(false);
  await page.waitForSelector('.caps-hint', { state: 'detached' });

  // Empty fields: each says so under itself, with a summary linking to them.
  await page.fill('#f-password', '');
  await page.fill('#f-institution_code', '');
  await page.click('form button.primary');
  await page.waitForSelector('.error-summary');
  for (const f of ['user_id', 'password']) assert.equal(await page.innerText(`#f-${f}-error`), '必須項目が入力されていません。');
  assert.equal(await page.innerText('#f-institution_code-error'), '医療機関コードは10桁の半角数字で入力してください。');
  await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
  await visit(page, 'login-empty');

  // A malformed institution code.
  await fillSignIn(page, { code: '9912345678', user: 'kanri02', password: PW });
  await page.waitForSelector('#f-institution_code-error');
  assert.equal(await page.innerText('#f-institution_code-error'), '医療機関コードの都道府県番号が正しくありません。');
  await fillSignIn(page, { code: '13123', user: 'kanri02', password: PW });
  await page.waitForFunction(() => document.getElementById('f-institution_code-error')?.textContent.includes('10桁'));

  // A wrong password and an unknown ID get the same answer.
  const failed = '医療機関コード、ユーザID又はパスワードが正しくありません。';
  await fillSignIn(page, { user: 'kanri02', password: 'Wrong2026!x' });
  await page.waitForSelector('.error-summary p');
  assert.equal(await page.innerText('.error-summary p'), failed);
  assert.equal(await page.inputValue('#f-password'), '', 'the password is cleared after a refusal');
  await visit(page, 'login-failed');
  await fillSignIn(page, { user: 'nobody99', password: 'Wrong2026!x' });
  await page.waitForFunction((m) => document.querySelector('.error-summary p')?.textContent === m, failed);

  // A sign-in remembers the institution code on this browser.
  await fillSignIn(page, { user: 'kanri02', password: PW });
  await onScreen(page, 'メニュー');
  await page.evaluate(() => localStorage.getItem('onshi.institution_code')).then((c) => assert.equal(c, server.code));
  await page.click('#logout');
  await page.click('#confirm-ok');
  await onScreen(page, 'ログイン');
  await page.reload();
  await onScreen(page, 'ログイン');
  assert.equal(await page.inputValue('#f-institution_code'), server.code);
  assertNoConsoleErrors(page);
  await page.close();
});

test('an initial password older than 30 days is refused with its own message', async () => {
  server.pg.psql(server.db, "UPDATE accounts SET password_set_at = now() - interval '31 days' WHERE user_id = 'staff02'");
  const page = await newPage(browser);
  await page.goto(`${base()}/#/login`);
  await onScreen(page, 'ログイン');
  await fillSignIn(page, { user: 'staff02', password: accounts.staff02 });
  await page.waitForSelector('.error-summary p');
  assert.equal(await page.innerText('.error-summary p'), '初期パスワードの有効期限が切れています。管理者にパスワードの初期化を依頼してください。');
  await visit(page, 'login-initial-expired');
  assertNoConsoleErrors(page);
  await page.close();
});

test('first sign-in with an initial password: confirmation, then the forced password change', async () => {
  const page = await newPage(browser);
  await page.goto(`${base()}/#/login`);
  await onScreen(page, 'ログイン');
  await fillSignIn(page, { user: 'kanri01', password: accounts.kanri01 });
  await page.waitForSelector('#confirm-dialog[open]');
  assert.match(await page.innerText('#confirm-dialog'), /初期パスワードでログインしました。[^]*パスワードを変更してください/);
  await visit(page, 'first-signin-confirmation');
  await page.click('#confirm-ok');
  await onScreen(page, 'パスワード変更');
  assert.equal(new URL(page.url()).hash, '#/password');
  // Nowhere else to go: no navigation, no way back to the menu.
  assert.equal(await page.isVisible('#nav'), false);
  assert.equal(await page.$('main a[href="#/menu"]'), null);
  assert.match(await page.innerText('main .notice'), /初期パスワードのままです/);
  // Any other screen leads back here.
  await page.goto(`${base()}/#/audit`);
  // The same screen as before: wait for the redirect itself to be drawn, or the typing below
  // may go to the screen it replaces.
  await page.waitForFunction(() => location.hash === '#/password' && !document.querySelector('[aria-busy="true"]'));
  await onScreen(page, 'パスワード変更');

  // The checklist follows the typing.
  const state = () => page.$$eval('.checklist li', (lis) => lis.map((li) => li.className));
  assert.deepEqual(await state(), ['ng', 'ng', 'ng', 'ng']);
  // The rules are the server's (GET /session password_policy), history included.
  assert.match(await page.innerText('#f-new_password-support'), /過去3回までに使ったパスワード（現在のものを含む）は使えません。/);
  await page.type('#f-new_password', 'abc');
  assert.deepEqual(await state(), ['ng', 'ok', 'ng', 'ok']);
  await page.type('#f-new_password', 'DEF12');
  assert.deepEqual(await state(), ['ok', 'ok', 'ok', 'ok']);
  await page.type('#f-new_password', ' kanri01');
  assert.deepEqual(await state(), ['ok', 'ng', 'ok', 'ng']);
  await visit(page, 'password-forced-checklist');

  const attempt = async (current, next, confirm = next) => {
    await page.fill('#f-current_password', current);
    await page.fill('#f-new_password', next);
    await page.fill('#f-confirm', confirm);
    await page.click('form button.primary');
    await page.waitForSelector('.error-summary');
  };
  const errorOf = (f) => page.waitForSelector(`#f-${f}-error`).then((e) => e.innerText());
  const cases = [
    [accounts.kanri01, 'Abc12!', 'new_password', 'パスワードの文字数が正しくありません。'],
    [accounts.kanri01, 'abcdefghij', 'new_password', 'パスワードは英大文字、英小文字、数字、記号のうち、定められた種類数以上を組み合わせてください。'],
    [accounts.kanri01, 'Xkanri01!Z', 'new_password', 'パスワードにユーザIDを含めることはできません。'],
    [accounts.kanri01, 'Abc def12!', 'new_password', 'パスワードは半角英数字記号で入力してください。'],
    [accounts.kanri01, PW, 'confirm', null, 'Other2026!x'],
    ['not-the-password', PW, 'current_password', '現在のパスワードが正しくありません。'],
  ];
  for (const [current, next, field, message, confirm] of cases) {
    await attempt(current, next, confirm);
    const text = await errorOf(field);
    if (message) assert.equal(text, message, `${next} → ${field}`);
    else assert.equal(text, '新しいパスワードと確認用のパスワードが一致しません。');
    assert.equal(await page.getAttribute(`#f-${field}`, 'aria-invalid'), 'true');
    await visit(page, `password-refused-${field}-${cases.findIndex((c) => c[1] === next && c[2] === field)}`);
  }
  await page.fill('#f-current_password', accounts.kanri01);
  await page.fill('#f-new_password', PW);
  await page.fill('#f-confirm', PW);
  await page.click('form button.primary');
  await onScreen(page, 'メニュー').catch(async (e) => { throw new Error(`${e.message}: ${await page.innerText('main')}`); });
  assert.match(await page.innerText('#flash'), /パスワードを変更しました/);
  assert.equal(await page.isVisible('#nav'), true);
  await visit(page, 'password-changed-menu');
  assertNoConsoleErrors(page);
  await page.close();
});

test('the voluntary change from the menu refuses a reused password, then changes it', async () => {
  const page = await newPage(browser);
  await signIn(page, 'kanri03');
  await page.click('a.menu-link:has-text("パスワード変更")');
  await onScreen(page, 'パスワード変更');
  assert.equal(await page.isVisible('a:has-text("メニューへ戻る")'), true);
  await visit(page, 'password-voluntary');
  await page.fill('#f-current_password', PW);
  await page.fill('#f-new_password', PW);
  await page.fill('#f-confirm', PW);
  await page.click('form button.primary');
  await page.waitForSelector('#f-new_password-error');
  assert.equal(await page.innerText('#f-new_password-error'), '過去に使用したパスワードは使用できません。新しいパスワードを入力してください。');
  await visit(page, 'password-refused-reused');
  await page.fill('#f-current_password', PW);
  await page.fill('#f-new_password', 'Fresh2026!y');
  await page.fill('#f-confirm', 'Fresh2026!y');
  await page.click('form button.primary');
  await onScreen(page, 'メニュー');
  assert.match(await page.innerText('#flash'), /パスワードを変更しました/);
  // The session goes on with the new password.
  await page.click('a.menu-link:has-text("操作履歴")');
  await onScreen(page, '操作履歴');
  assertNoConsoleErrors(page);
  await page.close();
});

test('the menu for master, master_reset and admin, with the header and the counts', async () => {
  // Lock staff01 by failing its sign-in (5 times by default).
  for (let i = 0; i < 5; i++) {
    await fetch(`${base()}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ institution_code: server.code, user_id: 'staff01', password: 'Wrong2026!x' }) });
  }
  const links = (page) => page.$$eval('main .menu-link', (as) => as.map((a) => a.textContent.replace('（この管理画面では準備中）', '').trim()));

  const page = await newPage(browser);
  await signIn(page, 'kanri02');
  assert.equal(await page.innerText('#who-institution'), server.name);
  assert.equal(await page.innerText('#who-user'), '管理　花子');
  assert.equal(await page.innerText('#who-role'), '管理者');
  assert.equal(await page.isVisible('#env-banner'), true);
  assert.match(await page.innerText('#env-banner'), /接続検証環境/);
  const admin = await links(page);
  for (const l of ['アカウント管理（登録）', 'アカウント管理（更新）', 'パスワード変更', '操作履歴']) assert.ok(admin.includes(l), `${l} in ${admin}`);
  await page.waitForSelector('.counts a');
  const count = page.locator('.counts a', { hasText: 'ロック中のアカウント' });
  assert.equal(await count.innerText(), 'ロック中のアカウント：1件');
  assert.equal(await count.getAttribute('href'), '#/accounts?locked=true');
  await visit(page, 'menu-admin');
  await page.close();

  const m = await newPage(browser);
  await signIn(m, server.master.user_id, server.master.password);
  assert.equal(await m.innerText('#who-role'), 'マスタアカウント');
  const ml = await links(m);
  assert.ok(ml.includes('アカウント管理（登録）') && ml.includes('パスワード変更'), ml.join());
  assert.ok(!ml.includes('操作履歴'), 'only admins see the audit log');
  await visit(m, 'menu-master');
  // A direct link to a screen master may not use: the registry's 403 message.
  await m.goto(`${base()}/#/audit`);
  await onScreen(m, 'この画面は利用できません');
  assert.match(await m.innerText('main'), /この操作を行う権限がありません。/);
  await visit(m, 'forbidden-audit-as-master');
  assertNoConsoleErrors(m);
  await m.close();

  const r = await newPage(browser);
  await server.api('master_reset');
  await signIn(r, server.master_reset.user_id, server.master_reset.password);
  assert.equal(await r.innerText('#who-role'), 'マスタアカウントリセット用アカウント');
  const rl = await links(r);
  assert.ok(!rl.includes('アカウント管理（登録）'), `master_reset registers nobody: ${rl}`);
  assert.ok(rl.includes('パスワード変更'), rl.join());
  await visit(r, 'menu-master-reset');
  assertNoConsoleErrors(r);
  await r.close();
});

test('before 利用開始日 the menu is reduced and says why', async () => {
  const code = '1310000017';
  const made = onshictl(['--json', 'institution', 'create', '--code', code, '--name', '開始前クリニック',
    '--kind', 'medical', '--start-date', '2099-01-01'], { ONSHI_DATABASE_URL: server.conninfo });
  assert.equal(made.status, 0, made.stderr);
  const inst = JSON.parse(made.stdout);
  await signedIn(server.srv, code, inst.master.user_id, inst.master.initial_password, PW);
  const page = await newPage(browser);
  await signIn(page, inst.master.user_id, PW, { code });
  assert.equal(await page.innerText('#who-institution'), '開始前クリニック');
  // The sentence names what is shown: for a master, account management and bulk registration.
  assert.match(await page.innerText('main .notice'), /利用開始日より前のため、アカウント情報管理、アカウント一括登録のみ利用できます。/);
  const groups = await page.$$eval('main .menu-group h2', (hs) => hs.map((h) => h.textContent));
  assert.ok(groups.includes('アカウント情報管理'), groups.join());
  assert.ok(!groups.includes('問い合わせ管理') && !groups.includes('医療機関別URL取得・変更'), groups.join());
  await visit(page, 'menu-not-started');
  assertNoConsoleErrors(page);
  await page.close();
});

test('ログアウト asks first; a deep link while signed out comes back after sign-in', async () => {
  const page = await newPage(browser);
  await signIn(page, 'kanri02');
  await page.click('#logout');
  await page.waitForSelector('#confirm-dialog[open]');
  assert.match(await page.innerText('#confirm-body'), /ログアウトします。よろしいですか？/);
  await visit(page, 'logout-confirmation');
  await page.click('#confirm-cancel');
  await page.waitForSelector('#confirm-dialog', { state: 'hidden' });
  assert.equal(await page.evaluate(() => fetch('/api/v1/session').then((r) => r.status)), 200, 'cancel keeps the session');
  await page.click('#logout');
  await page.click('#confirm-ok');
  await onScreen(page, 'ログイン');
  assert.match(await page.innerText('#flash'), /ログアウトしました。/);
  assert.equal(await page.isVisible('#who'), false);
  await visit(page, 'logged-out');
  assert.equal(await page.evaluate(() => fetch('/api/v1/session').then((r) => r.status)), 401);

  // Signed out, a link to 操作履歴 with its filters: sign-in first, then exactly there.
  await page.goto(`${base()}/#/audit?actor=kanri02`);
  // Only the hash changed: the sign-in screen is still drawn until the router's redirect lands.
  await page.waitForURL((u) => decodeURIComponent(u.hash).includes('next=#/audit?actor=kanri02'));
  await onScreen(page, 'ログイン');
  await fillSignIn(page, { user: 'kanri02', password: PW });
  await onScreen(page, '操作履歴');
  assert.equal(new URL(page.url()).hash, '#/audit?actor=kanri02');
  assert.equal(await page.inputValue('#f-actor'), 'kanri02');
  assertNoConsoleErrors(page);
  await page.close();
});

test('a session ended on the server mid-use leads to sign-in with a message and back', async () => {
  const page = await newPage(browser);
  await signIn(page, 'kanri02');
  server.pg.psql(server.db, "DELETE FROM sessions WHERE user_id = 'kanri02'");
  await page.click('a.menu-link:has-text("操作履歴")');
  await onScreen(page, 'ログイン');
  assert.match(await page.innerText('#flash'), /ログインの有効期限が切れました/);
  await visit(page, 'session-expired');
  await fillSignIn(page, { user: 'kanri02', password: PW });
  await onScreen(page, '操作履歴');
  assertNoConsoleErrors(page);
  await page.close();
});

test('sign-out in one tab signs out the other tab of the same browser', async () => {
  const one = await newPage(browser);
  await signIn(one, 'kanri02');
  const two = await one.context().newPage();
  const errors = [];
  two.on('pageerror', (e) => errors.push(e.message));
  two.on('console', (msg) => { if (msg.type() === 'error' && !/status of 401/.test(msg.text())) errors.push(msg.text()); });
  await two.goto(`${base()}/#/audit`);
  await onScreen(two, '操作履歴');
  await one.click('#logout');
  await one.click('#confirm-ok');
  await onScreen(one, 'ログイン');
  await onScreen(two, 'ログイン');
  assert.match(await two.innerText('#flash'), /別の画面でログアウトしたため/);
  await visit(two, 'signed-out-elsewhere');
  assert.deepEqual(errors, []);
  assertNoConsoleErrors(one);
  await one.close();
});

test('two minutes before the idle timeout a dialog warns; 「ログインを続ける」 keeps the session', async () => {
  // A server whose sessions idle out after 130 s: the warning comes at half of it (65 s after
  // the last request), and the button must move the deadline even with so short a timeout.
  const short = await startConsoleServer({ env: { ONSHI_SESSION_IDLE_TIMEOUT: '130' } });
  try {
    await short.api('master');
    const page = await newPage(browser);
    await signIn(page, short.master.user_id, short.master.password, { code: short.code, srv: short.srv });
    const s = await page.evaluate(() => fetch('/api/v1/session').then((r) => r.json()));
    assert.ok(s.session?.idle_expires_at, 'GET /session says when idleness ends the session');
    const started = Date.now();
    await page.waitForSelector('#idle-dialog[open]', { timeout: 90000 });
    const waited = (Date.now() - started) / 1000;
    assert.ok(waited > 50 && waited < 75, `warned after ${waited} s`);
    assert.match(await page.innerText('#idle-body'), /あと約2分で自動的にログアウトします/);
    await visit(page, 'idle-warning');
    // The button's own request moves the idle end on (not a later one of the test's).
    const kept = page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'GET');
    await page.click('#idle-keep');
    await page.waitForSelector('#idle-dialog', { state: 'hidden' });
    const moved = (await kept).headers()['x-session-idle-expires'];
    assert.ok(new Date(moved) - new Date(s.session.idle_expires_at) > 50000, `the deadline moved on: ${s.session.idle_expires_at} → ${moved}`);
    assert.equal(await page.isVisible('#who'), true);
    assert.equal(await page.title(), 'メニュー | オンライン資格確認等システム');
    assertNoConsoleErrors(page);
    await page.close();
  } finally {
    assert.deepEqual(await short.stop(), { code: 0, signal: null });
  }
});

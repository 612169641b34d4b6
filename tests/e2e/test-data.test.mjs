// テスト用データセットアップ in the browser (manual ch. 3 §2), as an office manager rehearsing in
// the connection verification environment: the five operations (紐付登録, 紐付けテストデータ削除,
// データカテゴリ別テストデータ登録 and 削除, 閲覧同意情報初期化), each with its confirmation and
// completion message and its result checked through the API; the copy buttons; the limits reached
// and explained; and a production-environment onshid on the same database, where the menu entry is
// absent and a direct link says the screen is for the verification environment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, assertNoConsoleErrors, visit, screenshot, startConsoleServer, answerDialog, completion } from './support/browser.mjs';
import { startOnshid } from '../support/harness.mjs';
import { signedIn, json } from '../support/people.mjs';

let server;
let prod; // the same database served as the production environment
let browser;
let admin; // API helper of the admin 'kanri01'
const ADMIN_PW = 'Kanri2026!x';
const PERMS = { permissions: ['clipboard-read', 'clipboard-write'] };
const SECTIONS = { links: '#card-links', records: '#category-records', consents: '#consents' };

before(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  prod = await startOnshid({ database: server.conninfo, env: { ONSHI_ENVIRONMENT: 'production' } });
  const master = await server.api('master');
  const made = await json(await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01',
    name: '管理 花子', name_kana: 'ｶﾝﾘ ﾊﾅｺ', start_date: '2020-04-01' }), 201);
  admin = await signedIn(server.srv, server.code, 'kanri01', made.initial_password, ADMIN_PW);
});
after(async () => {
  await browser?.close();
  if (prod) assert.deepEqual(await prod.stop(), { code: 0, signal: null });
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

const testData = async () => json(await admin('GET', '/api/v1/test-data'));
// Each test starts from no test data, whatever an earlier one left.
async function clean() {
  await json(await admin('DELETE', '/api/v1/test-data/card-links'));
  await json(await admin('DELETE', '/api/v1/test-data/category-records'));
}

async function open(base = server.srv.base) {
  const page = await newPage(browser, PERMS);
  page.setDefaultTimeout(15000);
  await page.goto(`${base}/#/login`);
  await page.fill('#f-institution_code', server.code);
  await page.fill('#f-user_id', 'kanri01');
  await page.fill('#f-password', ADMIN_PW);
  await page.click('button:has-text("ログイン")');
  await page.waitForSelector('h1:has-text("メニュー")');
  return page;
}

// The screen drawn from a fresh GET /test-data.
async function shown(page) {
  await page.waitForSelector('main:not([aria-busy])');
  await page.waitForSelector('#card-links');
}

async function goTo(page, query = '') {
  await page.goto(`${server.srv.base}/#/test-data${query}`);
  await page.reload(); // a fresh screen even when only the query changed
  await shown(page);
}

const rowsOf = (page, section) => page.$$eval(`${section} table.test-data tbody tr`, (trs) => trs.map((tr) =>
  [...tr.cells].map((c) => c.innerText.replace(/\s+/g, ' ').trim())));

test('from the menu: the empty screen, 紐付登録 with its checks, a re-link, the copy button, 全件削除', async () => {
  await clean();
  const page = await open();
  await page.click('a.menu-link:has-text("テスト用データセットアップ")');
  await shown(page);
  assert.equal(await page.title(), 'テスト用データセットアップ | オンライン資格確認等システム');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
  assert.ok(await page.isVisible('nav#nav a:has-text("テスト用データセットアップ")'));
  assert.ok(await page.isVisible('#env-banner'));
  // Empty states and the counts against the limits the API gives.
  assert.match(await page.innerText('#card-links .empty'), /紐付けたマイナンバーカードはありません/);
  assert.match(await page.innerText('#category-records .empty'), /登録したテストデータはありません/);
  assert.match(await page.innerText('#card-links .count-line'), /紐付け件数：0件／上限100件/);
  assert.match(await page.innerText('#category-records .count-line'), /登録件数：0件／上限1,000件/);
  assert.match(await page.innerText('#consents'), /取り消された閲覧同意情報：0件/);
  assert.ok(await page.isDisabled('#card-links button:has-text("全件削除")'));
  // The types offered for a card are the API's, in its order.
  const api = await testData();
  const offered = await page.$$eval('#f-link_type option', (os) => os.map((o) => [o.value, o.textContent]).slice(1));
  assert.deepEqual(offered, api.qualification_types.map((t) => [t.id, t.label]));
  await visit(page, 'empty');

  // Nothing typed: both fields say so, in the summary and under the field.
  await page.click('#card-links button:has-text("紐付登録")');
  await page.waitForSelector('#card-links .error-summary');
  assert.equal(await page.innerText('#f-serial_number-error'), '必須項目が入力されていません。');
  assert.equal(await page.innerText('#f-link_type-error'), 'テスト用資格情報を一覧から選択してください。');
  assert.match(await page.innerText('#card-links .error-summary'), /シリアル番号：必須項目が入力されていません。/);
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), true);
  await page.fill('#f-serial_number', '12a4');
  await page.click('#card-links button:has-text("紐付登録")');
  await page.waitForSelector('#f-serial_number-error');
  assert.match(await page.innerText('#f-serial_number-error'), /10進数（49桁以内）/);
  await visit(page, 'link-errors');

  // Full-width digits with a leading zero, as an IME types them; 保険証登録する checked.
  await page.fill('#f-serial_number', '０１２３４５６７８９');
  await page.selectOption('#f-link_type', 'insurance_valid_nondisclosure');
  assert.match(await page.innerText('#f-link_type-support'), /郵便番号と住所は表示されません/);
  await page.check('#f-register');
  // Cancelled: nothing is stored.
  await answerDialog(page, '#card-links button:has-text("紐付登録")', { ok: false });
  assert.deepEqual((await testData()).card_links, []);
  await answerDialog(page, '#card-links button:has-text("紐付登録")', {
    expect: [/シリアル番号 123456789 のマイナンバーカードに、テスト用資格情報「医療保険有効（不開示該当）」を紐付けます/, /保険証登録済みとして紐付けます/],
    shot: 'link-confirm',
  });
  assert.match(await completion(page, /紐付けました/), /シリアル番号 123456789 のマイナンバーカードに「医療保険有効（不開示該当）」を紐付けました。/);
  let d = await testData();
  assert.deepEqual(d.card_links.map((l) => [l.serial_number, l.qualification_type, l.card_registered]),
    [['123456789', 'insurance_valid_nondisclosure', true]]);
  const person = d.card_links[0].person;
  await page.waitForSelector('#card-links table.test-data');
  let rows = await rowsOf(page, SECTIONS.links);
  assert.equal(rows.length, 1);
  assert.match(rows[0][0], /^123456789/);
  assert.equal(rows[0][1], '医療保険有効（不開示該当）');
  assert.equal(rows[0][2], '登録済み');
  assert.match(rows[0][3], new RegExp(person.name.replace(/\s+/g, ' ')));
  assert.match(rows[0][5], new RegExp(`保険者番号 ${person.insurance.insurer_number}`));
  assert.match(rows[0][5], new RegExp(`被保険者証番号 ${person.insurance.insured_number}`));
  assert.match(await page.innerText('#card-links .count-line'), /紐付け件数：1件／上限100件/);
  assert.equal(await page.inputValue('#f-serial_number'), '', 'the serial is cleared for the next card');
  assert.equal(await page.isChecked('#f-register'), false);

  // The copy button: the number lands on the clipboard and a status says so.
  await page.click(`#card-links button[aria-label="保険者番号 ${person.insurance.insurer_number} をコピー"]`);
  await page.waitForFunction(() => document.querySelector('#card-links .copy-status').textContent.includes('コピーしました'));
  assert.equal(await page.getAttribute('#card-links .copy-status', 'role'), 'status');
  assert.equal(await page.innerText('#card-links .copy-status'), `保険者番号（${person.insurance.insurer_number}）をコピーしました。`);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), person.insurance.insurer_number);
  await visit(page, 'linked-copied');

  // The same card again, another type, not registered: the dialog says it replaces the link.
  await page.fill('#f-serial_number', '123456789');
  await page.selectOption('#f-link_type', 'assistance_valid_medical');
  await page.uncheck('#f-register');
  await answerDialog(page, '#card-links button:has-text("紐付登録")', {
    expect: [/「医療保険有効（不開示該当）」が紐付いています。新しいテスト用データに置き換わり/, /最初の資格確認のときに、顔認証付きカードリーダーで保険証登録/],
    shot: 'relink-confirm',
  });
  assert.match(await completion(page, /置き換えました/), /「医療扶助有効（医科・歯科）」を紐付けました（以前の紐付けは置き換えました）。/);
  d = await testData();
  assert.deepEqual(d.card_links.map((l) => [l.serial_number, l.qualification_type, l.card_registered]),
    [['123456789', 'assistance_valid_medical', false]]);
  await page.waitForFunction(() => document.querySelector('#card-links tbody tr')?.innerText.includes('医療扶助有効（医科・歯科）'));
  rows = await rowsOf(page, SECTIONS.links);
  assert.equal(rows[0][2], '未登録');
  const ast = d.card_links[0].person.medical_assistance;
  assert.match(rows[0][5], new RegExp(`公費負担者番号 ${ast.public_payer_number}`));
  assert.match(rows[0][5], new RegExp(`受給者番号 ${ast.recipient_number}`));
  // A second card, to delete two.
  await page.fill('#f-serial_number', '42');
  await page.selectOption('#f-link_type', 'insurance_invalid');
  await answerDialog(page, '#card-links button:has-text("紐付登録")');
  await completion(page, /シリアル番号 42 の/);
  await page.waitForFunction(() => document.querySelectorAll('#card-links table.test-data tbody tr').length === 2);
  await visit(page, 'linked-two');

  // ② 全件削除: cancelled first, then done.
  await answerDialog(page, '#card-links button:has-text("全件削除")', { ok: false });
  assert.equal((await testData()).card_links.length, 2);
  await answerDialog(page, '#card-links button:has-text("全件削除")', {
    expect: [/すべて（2件）削除します/, /元に戻せません/], shot: 'links-delete-confirm',
  });
  assert.equal(await completion(page, /削除しました/), '紐付けテストデータを2件削除しました。');
  assert.deepEqual((await testData()).card_links, []);
  await page.waitForSelector('#card-links .empty');
  await visit(page, 'links-deleted');
  assertNoConsoleErrors(page);
  await page.close();
});

test('データカテゴリ別テストデータ: the types follow the category as the API lists them; 登録, counts, copy, 全件削除', async () => {
  await clean();
  const page = await open();
  await goTo(page);
  const api = await testData();
  const label = Object.fromEntries(api.qualification_types.map((t) => [t.id, t.label]));
  // Before a category is chosen no type can be; then each category offers its own.
  assert.deepEqual(await page.$$eval('#f-record_type option', (os) => os.map((o) => o.textContent)), ['先にデータカテゴリを選択してください']);
  for (const c of api.categories) {
    await page.selectOption('#f-category', c.id);
    const offered = await page.$$eval('#f-record_type option', (os) => os.map((o) => [o.value, o.textContent]).slice(1));
    assert.deepEqual(offered, c.qualification_types.map((id) => [id, label[id]]), c.id);
  }
  // Nothing chosen.
  await page.selectOption('#f-category', '');
  await page.click('#category-records button:has-text("登録")');
  await page.waitForSelector('#f-category-error');
  assert.equal(await page.innerText('#f-category-error'), 'データカテゴリを一覧から選択してください。');

  await page.selectOption('#f-category', 'medical_assistance');
  await page.selectOption('#f-record_type', 'assistance_valid_medical');
  await answerDialog(page, '#category-records button:has-text("登録")', {
    expect: [/データカテゴリ「医療扶助」に、テスト用資格情報「医療扶助有効（医科・歯科）」のテストデータを1件登録します/],
    shot: 'record-confirm',
  });
  let msg = await completion(page, /登録しました/);
  let d = await testData();
  assert.equal(d.category_records.length, 1);
  const rec = d.category_records[0];
  assert.deepEqual([rec.category, rec.qualification_type], ['medical_assistance', 'assistance_valid_medical']);
  assert.equal(msg, `データカテゴリ「医療扶助」に「医療扶助有効（医科・歯科）」のテストデータを登録しました（公費負担者番号 ${rec.person.medical_assistance.public_payer_number}、受給者番号 ${rec.person.medical_assistance.recipient_number}）。`);

  // The form keeps its choice, so a second category is one change away.
  assert.equal(await page.inputValue('#f-category'), 'medical_assistance');
  await page.selectOption('#f-category', 'late_elderly');
  assert.equal(await page.inputValue('#f-record_type'), '', 'a type of another category is not kept');
  await page.selectOption('#f-record_type', 'insurance_valid');
  await answerDialog(page, '#category-records button:has-text("登録")');
  msg = await completion(page, /後期高齢者医療/);
  d = await testData();
  const elder = d.category_records[1].person.insurance;
  assert.match(msg, new RegExp(`保険者番号 ${elder.insurer_number}、被保険者番号 ${elder.insured_number}`));
  await page.waitForFunction(() => document.querySelectorAll('#category-records table.test-data tbody tr').length === 2);
  const rows = await rowsOf(page, SECTIONS.records);
  assert.deepEqual(rows.map((r) => [r[0], r[1]]), [['後期高齢者医療', '医療保険有効'], ['医療扶助', '医療扶助有効（医科・歯科）']], 'newest first');
  const counts = await page.$$eval('table.category-counts tbody tr', (trs) => trs.map((tr) => tr.innerText.replace(/\s+/g, ' ').trim()));
  assert.deepEqual(counts, d.categories.map((c) => `${c.label} ${c.count}件`));
  assert.deepEqual(d.categories.map((c) => c.count), [0, 0, 1, 1]);
  assert.match(await page.innerText('#category-records .count-line'), /登録件数：2件／上限1,000件/);

  await page.click(`#category-records button[aria-label="被保険者番号 ${elder.insured_number} をコピー"]`);
  await page.waitForFunction(() => document.querySelector('#category-records .copy-status').textContent.includes('コピーしました'));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), elder.insured_number);
  await visit(page, 'records-two');

  // ④ 全件削除
  await answerDialog(page, '#category-records button:has-text("全件削除")', {
    expect: [/データカテゴリ別に登録したテストデータをすべて（2件）削除します/], shot: 'records-delete-confirm',
  });
  assert.equal(await completion(page, /削除しました/), 'データカテゴリ別テストデータを2件削除しました。');
  d = await testData();
  assert.deepEqual([d.category_records, d.categories.map((c) => c.count)], [[], [0, 0, 0, 0]]);
  await page.waitForSelector('#category-records .empty');
  assertNoConsoleErrors(page);
  await page.close();
});

test('閲覧同意情報初期化: the revoked consents are counted, the reset is confirmed and done', async () => {
  await clean();
  await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: '4242', qualification_type: 'insurance_valid', register_as_insurance_card: true }), 201);
  // Consents given at the card reader and two of them revoked (同意取消照会), written as the reader will.
  server.pg.psql(server.db, `INSERT INTO test_consents (institution_code, person_id, item, source, given_at, revoked_at)
    SELECT institution_code, id, item, 'card', now() - interval '1 day', CASE WHEN item = 'checkup' THEN NULL ELSE now() END
    FROM test_persons, (VALUES ('drug'), ('medical'), ('checkup')) v(item) WHERE institution_code = '${server.code}' AND source = 'card_link'`);
  assert.deepEqual((await testData()).consents, { revoked: 2 });
  const page = await open();
  await goTo(page);
  assert.match(await page.innerText('#consents'), /取り消された閲覧同意情報：2件/);
  await answerDialog(page, '#consents button:has-text("初期化")', {
    expect: [/同意取消照会で取り消した閲覧同意情報（現在2件）を初期化し/, /マイナ在宅受付Web/], shot: 'consents-confirm',
  });
  assert.equal(await completion(page, /初期化しました/), '閲覧同意情報を初期化しました（2件を同意した状態に戻しました）。');
  assert.deepEqual((await testData()).consents, { revoked: 0 });
  await page.waitForFunction(() => document.getElementById('consents').innerText.includes('取り消された閲覧同意情報：0件'));
  await visit(page, 'consents-reset');
  await json(await admin('DELETE', '/api/v1/test-data/card-links'));
  assertNoConsoleErrors(page);
  await page.close();
});

test('the limits: reached, explained, and the refusal in the registry\'s words; the record list pages', async () => {
  await clean();
  for (let i = 1; i <= 100; i++)
    await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: String(7000 + i), qualification_type: 'insurance_valid' }), 201);
  // One record by the API, 999 copied in SQL with numbers of their own: the 1,000 allowed.
  await json(await admin('POST', '/api/v1/test-data/category-records', { category: 'national_health_insurance', qualification_type: 'insurance_valid' }), 201);
  server.pg.psql(server.db, `INSERT INTO test_persons (institution_code, source, category, qualification_type, insurer_number, insured_number, person, created_by)
    SELECT institution_code, source, category, qualification_type, insurer_number, lpad(g::text, 8, '0'), person, created_by
    FROM test_persons, generate_series(1, 999) g WHERE institution_code = '${server.code}' AND source = 'category'`);
  const page = await open();
  await goTo(page);
  assert.match(await page.innerText('#card-links .count-line'), /紐付け件数：100件／上限100件/);
  assert.match(await page.innerText('#card-links .notice'), /紐付けできる件数の上限（100件）に達しています。新しいカードを紐付けるには、下の《全件削除》/);
  assert.match(await page.innerText('#category-records .count-line'), /登録件数：1,000件／上限1,000件/);
  assert.match(await page.innerText('#category-records .notice'), /登録できる件数の上限（1,000件）に達しています/);
  assert.equal((await rowsOf(page, SECTIONS.records)).length, 50, 'the records list shows 50 a page');

  // A new card at the limit: the server refuses, the screen says why in the registry's words.
  await page.fill('#f-serial_number', '9999');
  await page.selectOption('#f-link_type', 'insurance_valid');
  await answerDialog(page, '#card-links button:has-text("紐付登録")');
  await page.waitForSelector('#card-links .error-summary');
  assert.equal(await page.innerText('#card-links .error-summary'), '登録できるテストデータの件数の上限に達しました。全件削除してから登録してください。');
  assert.equal((await testData()).card_links.length, 100);
  await visit(page, 'links-limit');
  // A card already linked can still be linked again.
  await page.fill('#f-serial_number', '7001');
  await page.selectOption('#f-link_type', 'insurance_invalid');
  await answerDialog(page, '#card-links button:has-text("紐付登録")', { expect: [/置き換わり/] });
  await completion(page, /置き換えました/);
  assert.equal((await testData()).card_links.find((l) => l.serial_number === '7001').qualification_type, 'insurance_invalid');

  await page.selectOption('#f-category', 'employee_insurance');
  await page.selectOption('#f-record_type', 'insurance_valid');
  await answerDialog(page, '#category-records button:has-text("登録")');
  await page.waitForSelector('#category-records .error-summary');
  assert.equal(await page.innerText('#category-records .error-summary'), '登録できるテストデータの件数の上限に達しました。全件削除してから登録してください。');
  assert.equal((await testData()).category_records.length, 1000);
  await screenshot(page, 'records-limit');

  // The pager: page 2 in the URL, reload keeps it.
  await page.click('#category-records .pager button:has-text("次へ")');
  await page.waitForFunction(() => location.hash === '#/test-data?page=2');
  await shown(page);
  assert.match(await page.innerText('#category-records'), /新しい順に51〜100件を表示しています。/);
  assert.equal(await page.getAttribute('#category-records .pager [aria-current="page"]', 'aria-label'), '2ページ');
  await visit(page, 'records-page-2');
  // 全件削除 from page 2 comes back to page 1 with the completion message.
  await answerDialog(page, '#category-records button:has-text("全件削除")', { expect: [/すべて（1,000件）/] });
  await page.waitForFunction(() => location.hash === '#/test-data');
  assert.equal(await completion(page, /削除しました/), 'データカテゴリ別テストデータを1,000件削除しました。');
  await page.waitForSelector('#category-records .empty');
  assert.equal((await testData()).category_records.length, 0);
  await json(await admin('DELETE', '/api/v1/test-data/card-links'));
  assertNoConsoleErrors(page);
  await page.close();
});

test('production environment: no menu entry, and a direct link says the screen is for the verification environment', async () => {
  const page = await open(prod.base);
  assert.ok(await page.isHidden('#env-banner'));
  assert.doesNotMatch(await page.innerText('main'), /テスト用データセットアップ/);
  assert.doesNotMatch(await page.innerText('#nav'), /テスト用データセットアップ/);
  assert.match(await page.innerText('main'), /環境設定情報更新/, 'the rest of its group is there');
  await visit(page, 'production-menu');
  await page.goto(`${prod.base}/#/test-data`);
  await page.waitForSelector('main:not([aria-busy]) h1:has-text("この画面は利用できません")');
  assert.match(await page.innerText('main'), /テスト用データセットアップは接続検証環境でのみ利用できます。/);
  assert.equal(await page.title(), 'この画面は利用できません | オンライン資格確認等システム');
  await visit(page, 'production-direct-link');
  assertNoConsoleErrors(page);
  await page.close();
});

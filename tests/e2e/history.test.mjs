// 資格確認履歴照会 and 医療情報閲覧履歴照会 in the browser (manual ch. 4): checks made through the
// API (by insurance-card number and by a test My Number card) shown and downloaded by a general
// account in both 利用文字コード (the bytes checked against the API's own file); a medical-information
// view shown to the admin with the patient's name and kana and the viewer's ユーザ名, with
// 照会情報区分; the empty state; input errors; the period kept in the URL (reload and back); over
// 25,000 rows refused with the manual's message and the period offered in parts with their counts,
// narrowed until each part downloads; a general account sees the checks but not the views. axe on every state; screenshots under e2e-screenshots/history/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launchBrowser, newPage, assertNoConsoleErrors, visit, signedInPage, startConsoleServer } from './support/browser.mjs';
import { signedIn, json } from '../support/people.mjs';

let server;
let browser;
let admin; // API helpers: the admin 'kanri01', the general 'ippan01', the medical viewer 'etsuran1'
let general;
let viewer;
let patient; // the test person of the card 5150
const PW = 'Rireki2026!x';
const DAY = 86400e3;
const jstDay = (offsetDays = 0) => new Date(Date.now() + 9 * 3600e3 + offsetDays * DAY).toISOString().slice(0, 10);
const slash = (iso) => iso.replaceAll('-', '/');

async function member(master, role, userId) {
  const made = await json(await master('POST', '/api/v1/accounts', { role, user_id: userId,
    name: '履歴 確認', name_kana: 'ﾘﾚｷ ｶｸﾆﾝ', start_date: '2020-04-01' }), 201);
  return signedIn(server.srv, server.code, userId, made.initial_password, PW);
}

const xml = (person) => ({ XmlMsg: { MessageHeader: { QualificationConfirmationDate: jstDay().replaceAll('-', ''), MedicalInstitutionCode: server.code, ArbitraryFileIdentifier: 'UKETSUKE-1' },
  MessageBody: { QualificationConfirmSearchInfo: { InsurerNumber: person.insurance.insurer_number, InsuredCardSymbol: person.insurance.insured_card_symbol,
    InsuredIdentificationNumber: person.insurance.insured_number, InsuredBranchNumber: person.insurance.insured_branch_number } } } });

before(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
  const master = await server.api('master');
  admin = await member(master, 'admin', 'kanri01');
  general = await member(admin, 'general', 'ippan01');
  viewer = await member(admin, 'medical_viewer', 'etsuran1');
  // A check by insurance-card number (the reception's system) and one by a test My Number card
  // (the reader), then a view of the patient's 薬剤情報 they consented to.
  const link = await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: '5150', qualification_type: 'insurance_valid', register_as_insurance_card: true }), 201);
  const person = link.card_link.person;
  patient = person;
  await json(await general('POST', '/api/v1/qualifications', xml(person)));
  await json(await viewer('POST', '/api/v1/qualifications/card', { serial_number: '5150', consents: ['drug', 'checkup'] }));
  await json(await viewer('GET', '/api/v1/medical-info?serial_number=5150&category=drug'));
});
after(async () => {
  await browser?.close();
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

async function open(userId) {
  return signedInPage(browser, server, userId, PW);
}

// The screen's answer to a search: the summary of a result, or an error box.
async function answered(page) {
  await page.waitForSelector('main:not([aria-busy])');
  await page.waitForSelector('.result-summary, .error-summary');
  await page.waitForSelector('.history-results[aria-busy="true"]', { state: 'detached' });
}

async function goTo(page, route, q = '') {
  await page.goto(`${server.srv.base}/#/history/${route}${q}`);
  await page.reload(); // a fresh screen even when only the query changed
  await answered(page);
}

const rows = (page) => page.$$eval('table.history tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
const headers = (page) => page.$$eval('table.history thead th', (ths) => ths.map((th) => th.textContent.trim()));
const summary = (page) => page.innerText('.result-summary');

async function setPeriod(page, side, date, hour, minute) {
  await page.fill(`#f-${side}`, date);
  await page.selectOption(`#f-${side}-hour`, String(hour));
  await page.selectOption(`#f-${side}-minute`, String(minute));
}

async function searchFor(page, from, to) {
  await setPeriod(page, 'from', ...from);
  await setPeriod(page, 'to', ...to);
  await page.getByRole('button', { name: '照会', exact: true }).click();
  await page.waitForFunction(() => !document.querySelector('.history-results[aria-busy="true"]') && document.querySelector('.result-summary, .error-summary'));
}

// Clicks `button` and returns the saved file's bytes and name, after the completion message.
async function downloaded(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const bytes = fs.readFileSync(await dl.path());
  await page.waitForFunction(() => /ダウンロードしました/.test(document.getElementById('flash').textContent));
  assert.equal(await page.getAttribute('#flash', 'role'), 'status');
  return { bytes, name: dl.suggestedFilename() };
}

const VIEW_HEADERS = '閲覧日時,ユーザID,ユーザ名,権限区分,保険者番号,被保険者証記号,被保険者証番号,被保険者証枝番,氏名,氏名（カナ）,照会情報区分,閲覧同意,閲覧方法';
const CHECK_HEADERS = '資格確認日時,ユーザID,権限区分,照会経路,照会区分,保険者番号,被保険者証記号,被保険者証番号,被保険者証枝番,資格有効性,処理結果,処理結果コード,任意のファイル識別子';

async function setEncoding(value) {
  const s = await json(await admin('GET', '/api/v1/settings'));
  await json(await admin('PUT', '/api/v1/settings', { values: { char_encoding: value }, version: s.version }));
}

test('資格確認履歴照会: today\'s checks by card number and by card, downloaded in UTF-8 and Shift-JIS as the API writes them', async () => {
  const page = await open('ippan01');
  await page.getByRole('link', { name: '資格確認履歴照会' }).first().click();
  await answered(page);
  assert.equal(await page.title(), '資格確認履歴照会 | オンライン資格確認等システム');
  // Today 00:00 to now, searched at once; the institution code shown.
  assert.equal(await page.inputValue('#f-from'), slash(jstDay()));
  assert.equal(await page.inputValue('#f-from-hour'), '0');
  assert.equal(await page.inputValue('#f-from-minute'), '0');
  assert.equal(await page.inputValue('#f-to'), slash(jstDay()));
  assert.match(await page.innerText('.institution-code'), new RegExp(server.code));
  assert.match(await summary(page), /検索結果：2件/);
  assert.deepEqual(await headers(page), CHECK_HEADERS.split(','));
  const shown = await rows(page);
  // Newest first: the card check by the medical viewer, then the reception's check.
  assert.deepEqual(shown.map((r) => [r[1], r[2], r[3], r[4], r[9], r[10]]),
    [['etsuran1', '医療情報閲覧', '画面', 'マイナンバーカード', '有効', '正常'], ['ippan01', '一般利用者', '画面', '被保険者証', '有効', '正常']]);
  assert.match(shown[0][0], /^\d{4}\/\d\d\/\d\d \d\d:\d\d$/);
  assert.equal(shown[1][12], 'UKETSUKE-1');
  // A general account cannot read the settings: the page still says the encoding.
  assert.match(await page.innerText('#history-encoding'), /文字コード：utf-8（BOM付き）.*管理者に依頼/s);
  await visit(page, 'checks-today-general');

  const apiFile = async () => Buffer.from(await (await general('GET', `/api/v1/history/qualification-checks.csv?from=${jstDay()}T00:00&to=${jstDay()}T23:59`)).arrayBuffer());
  // The period shown ends at the minute the screen opened: search to the end of the day, so the
  // browser's file and the API's hold the same rows.
  await searchFor(page, [slash(jstDay()), 0, 0], [slash(jstDay()), 23, 59]);
  assert.match(page.url(), new RegExp(`#/history/checks\\?from=${jstDay()}T00%3A00&to=${jstDay()}T23%3A59`));
  let file = await downloaded(page, page.getByRole('button', { name: 'ダウンロード', exact: true }));
  assert.equal(file.name, `資格確認履歴_${jstDay().replaceAll('-', '')}0000-${jstDay().replaceAll('-', '')}2359.csv`);
  assert.deepEqual([...file.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const utf8 = new TextDecoder('utf-8').decode(file.bytes.subarray(3));
  assert.equal(utf8.split('\r\n')[0], CHECK_HEADERS);
  assert.equal(utf8.split('\r\n').length, 4); // header, two rows, the empty string after the last CRLF
  assert.deepEqual(file.bytes, await apiFile());
  assert.match(await page.innerText('#flash'), /2件、文字コード：utf-8（BOM付き）/);

  await setEncoding('sjis');
  try {
    await page.reload();
    await answered(page);
    assert.match(await page.innerText('#history-encoding'), /文字コード：Shift-JIS/);
    file = await downloaded(page, page.getByRole('button', { name: 'ダウンロード', exact: true }));
    assert.notDeepEqual([...file.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const sjis = new TextDecoder('shift_jis').decode(file.bytes);
    assert.equal(sjis, utf8);
    assert.deepEqual(file.bytes, await apiFile());
    assert.match(await page.innerText('#flash'), /文字コード：Shift-JIS/);
    await visit(page, 'checks-downloaded-sjis');
  } finally {
    await setEncoding('utf8');
  }
  assertNoConsoleErrors(page);
  await page.close();
});

test('医療情報閲覧履歴照会: the medical viewer\'s view shown to the admin, 照会情報区分, the empty state, the CSV', async () => {
  const page = await open('kanri01');
  await page.getByRole('link', { name: '医療情報閲覧履歴照会' }).first().click();
  await answered(page);
  assert.match(await summary(page), /検索結果：1件/);
  const [row] = await rows(page);
  // Whose information was viewed and by whom: the patient's name and kana, the viewer's ユーザ名.
  assert.deepEqual(await headers(page), VIEW_HEADERS.split(','));
  assert.deepEqual([row[1], row[2], row[3], row[8], row[9], row[10], row[11], row[12]],
    ['etsuran1', '履歴　確認', '医療情報閲覧', patient.name, patient.name_kana, '薬剤情報', '同意あり', '通常']);
  assert.match(await page.innerText('#history-encoding'), /環境設定情報更新/); // an admin is shown where to change it
  await visit(page, 'views-today');

  // 特定健診情報 was consented to but never viewed: nothing for the period.
  await page.selectOption('#f-category', 'checkup');
  await page.getByRole('button', { name: '照会', exact: true }).click();
  await page.waitForSelector('.empty');
  assert.match(await summary(page), /該当するデータはありません/);
  assert.match(await page.innerText('.empty'), /対象期間・照会情報区分に該当する医療情報閲覧履歴はありません/);
  assert.match(page.url(), /category=checkup/);
  await visit(page, 'views-empty-category');

  await page.selectOption('#f-category', 'drug');
  await searchFor(page, [slash(jstDay()), 0, 0], [slash(jstDay()), 23, 59]);
  const file = await downloaded(page, page.getByRole('button', { name: 'ダウンロード', exact: true }));
  const text = new TextDecoder().decode(file.bytes.subarray(3));
  const lines = text.split('\r\n');
  assert.equal(lines[0], VIEW_HEADERS);
  assert.match(lines[1], new RegExp(`^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d,etsuran1,履歴　確認,医療情報閲覧,.*,${patient.name},${patient.name_kana},薬剤情報,同意あり,通常$`));
  assert.equal(lines.length, 3);
  assert.match(file.name, /^医療情報閲覧履歴_薬剤情報_/);
  assertNoConsoleErrors(page);
  await page.close();
});

test('a period without checks, input errors under their fields, and the period in the URL (reload, back)', async () => {
  const page = await open('kanri01');
  await goTo(page, 'checks');
  await searchFor(page, ['2026/01/01', 9, 0], ['2026/01/01', 18, 30]);
  assert.match(await page.innerText('.history-period'), /2026\/01\/01 09:00〜2026\/01\/01 18:30/);
  assert.match(await page.innerText('.empty'), /対象期間に該当する資格確認履歴はありません/);
  await visit(page, 'checks-empty');
  const emptyUrl = page.url();

  // Reload keeps the period and the result.
  await page.reload();
  await answered(page);
  assert.equal(await page.inputValue('#f-from'), '2026/01/01');
  assert.equal(await page.inputValue('#f-to-hour'), '18');
  assert.equal(await page.inputValue('#f-to-minute'), '30');
  assert.match(await page.innerText('.empty'), /該当する資格確認履歴はありません/);

  // Errors: no date, a day that does not exist, then 至 before 自.
  await page.fill('#f-from', '');
  await page.fill('#f-to', '2026/02/30');
  await page.getByRole('button', { name: '照会', exact: true }).click();
  await page.waitForSelector('.error-summary');
  assert.match(await page.innerText('.error-summary'), /対象期間（自）：必須項目が入力されていません。/);
  assert.match(await page.innerText('.error-summary'), /対象期間（至）：日付の形式が正しくありません。/);
  assert.match(await page.innerText('fieldset:has(#f-from) .field-error'), /必須項目が入力されていません/);
  assert.equal(await page.getAttribute('#f-to', 'aria-invalid'), 'true');
  assert.equal(page.url(), emptyUrl); // nothing was searched
  await visit(page, 'checks-input-errors');
  await page.click('.error-summary a[href="#f-to"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-to');

  await setPeriod(page, 'from', '2026/01/02', 10, 1);
  await setPeriod(page, 'to', '2026/01/02', 10, 0);
  await page.getByRole('button', { name: 'ダウンロード', exact: true }).click();
  await page.waitForSelector('.error-summary');
  assert.match(await page.innerText('fieldset:has(#f-to) .field-error'), /対象期間（至）は対象期間（自）以降を指定してください/);
  await visit(page, 'checks-range-error');

  // A second search, then back to the first.
  await searchFor(page, [slash(jstDay()), 0, 0], [slash(jstDay()), 23, 59]);
  assert.match(await summary(page), /検索結果：2件/);
  await page.goBack();
  await answered(page);
  assert.equal(page.url(), emptyUrl);
  assert.equal(await page.inputValue('#f-from'), '2026/01/01');
  assert.match(await page.innerText('.empty'), /該当する資格確認履歴はありません/);
  assertNoConsoleErrors(page);
  await page.close();
});

test('over 25,000 rows: the manual\'s message, no download, the period in parts with their counts, narrowed until it downloads', async () => {
  const day = jstDay(-1);
  const at = (hms) => `'${day} ${hms}+09'::timestamptz`;
  // 25,500 checks between 10:00 and 10:59 and 500 between 11:00 and 11:59 yesterday.
  server.pg.psql(server.db, `INSERT INTO qualification_checks (institution_code, checked_at, account_id, account_kind, route, reference_classification, insurer_number, insured_number, validity, result_status)
    SELECT '${server.code}', ${at('10:00:00')} + g * interval '3600 seconds' / 25500, 'ippan01', 'general', 'screen', '2', '06131234', lpad(g::text, 7, '0'), '1', '1'
    FROM generate_series(0, 25499) g`);
  server.pg.psql(server.db, `INSERT INTO qualification_checks (institution_code, checked_at, account_id, account_kind, route, reference_classification, insurer_number, insured_number, validity, result_status)
    SELECT '${server.code}', ${at('11:00:00')} + g * interval '3600 seconds' / 500, 'ippan01', 'general', 'webapi', '2', '06131234', lpad(g::text, 7, '0'), '1', '1'
    FROM generate_series(0, 499) g`);

  const page = await open('ippan01');
  await goTo(page, 'checks', `?from=${day}T00:00&to=${day}T23:59`);
  assert.match(await summary(page), /検索結果：26,000件/);
  const refusal = page.locator('#history-refusal');
  assert.match(await refusal.innerText(), /検索結果が25,000件を超えるため、ダウンロードできません。検索条件を見直して、再検索してください。/);
  const download = page.getByRole('button', { name: 'ダウンロード', exact: true });
  assert.equal(await download.isDisabled(), true);
  assert.match(await page.innerText('#history-blocked'), /25,000件を超えるため/);
  // The day counted hour by hour and joined into the fewest periods within the limit: 10時 alone
  // (still over it), 11:00 to the end of the day (500); the hours without rows left out.
  const parts = () => page.$$eval('table.history-parts tbody tr', (trs) => trs.map((tr) => [tr.dataset.from.slice(11), tr.dataset.to.slice(11), tr.cells[1].innerText.trim()]));
  await page.waitForSelector('table.history-parts');
  assert.deepEqual(await parts(), [['10:00', '10:59', '25,500件（上限超過）'], ['11:00', '23:59', '500件']]);
  assert.match(await refusal.innerText(), /該当する履歴がない期間は省いています/);
  const part = (from) => page.locator(`table.history-parts tr[data-from="${day}T${from}"]`);
  assert.equal(await part('10:00').getByRole('button', { name: /ダウンロード/ }).count(), 0);
  await visit(page, 'checks-over-limit');

  // Straight from the list: the 500 rows from 11:00.
  let file = await downloaded(page, part('11:00').getByRole('button', { name: /ダウンロード（.*の500件）/ }));
  assert.equal(new TextDecoder().decode(file.bytes).split('\r\n').length, 502);
  assert.match(file.name, new RegExp(`_${day.replaceAll('-', '')}1100-${day.replaceAll('-', '')}2359\\.csv$`));

  // 10時 narrowed: still over, cut into ten minutes of 4,250 rows and joined again: 10:00–10:49
  // (21,250) and 10:50–10:59 (4,250).
  await part('10:00').getByRole('button', { name: /この期間で照会/ }).click();
  await page.waitForFunction(() => /25,500件/.test(document.querySelector('.result-summary')?.innerText || ''));
  assert.match(page.url(), new RegExp(`from=${day}T10%3A00&to=${day}T10%3A59`));
  assert.equal(await page.inputValue('#f-from-hour'), '10');
  assert.equal(await page.inputValue('#f-to-minute'), '59');
  await page.waitForSelector('table.history-parts');
  assert.deepEqual(await parts(), [['10:00', '10:49', '21,250件'], ['10:50', '10:59', '4,250件']]);
  await visit(page, 'checks-over-limit-narrowed');
  await part('10:00').getByRole('button', { name: /この期間で照会/ }).click();
  await page.waitForFunction(() => /21,250件/.test(document.querySelector('.result-summary')?.innerText || ''));
  assert.equal(await page.locator('#history-refusal').count(), 0);
  assert.equal(await download.isDisabled(), false);
  file = await downloaded(page, download);
  const lines = new TextDecoder().decode(file.bytes.subarray(3)).split('\r\n');
  assert.equal(lines.length, 21252);
  assert.ok(lines.slice(1, -1).every((l) => /^\d{4}\/\d\d\/\d\d 10:[0-4]\d:\d\d,ippan01,/.test(l)));
  assert.match(await page.innerText('#flash'), /21,250件/);
  await visit(page, 'checks-narrowed-downloaded');
  // Back: the hour again, over the limit.
  await page.goBack();
  await answered(page);
  assert.match(await summary(page), /25,500件/);

  // Typing a period over the limit and pressing ダウンロード searches it and says why not.
  await setPeriod(page, 'from', slash(day), 10, 0);
  await setPeriod(page, 'to', slash(day), 11, 59);
  await page.getByRole('button', { name: 'ダウンロード', exact: true }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'history-refusal');
  assert.equal(await page.getAttribute('#history-refusal', 'role'), 'alert');
  assert.match(await summary(page), /26,000件/);
  assertNoConsoleErrors(page);
  await page.close();
});

test('a general account sees 資格確認履歴照会 but not 医療情報閲覧履歴照会', async () => {
  const page = await open('ippan01');
  const menu = await page.$$eval('main .menu-link', (as) => as.map((a) => a.textContent.trim()));
  assert.ok(menu.includes('資格確認履歴照会'), menu.join());
  assert.ok(!menu.some((m) => m.startsWith('医療情報閲覧履歴照会')), menu.join());
  assert.equal(await page.locator('#nav a', { hasText: '医療情報閲覧履歴照会' }).count(), 0);
  await page.goto(`${server.srv.base}/#/history/views`);
  await page.waitForSelector('main:not([aria-busy]) h1:has-text("この画面は利用できません")');
  assert.match(await page.innerText('main'), /この操作を行う権限がありません|権限/);
  await visit(page, 'views-forbidden-general');
  assertNoConsoleErrors(page);
  await page.close();
});

test('on a tablet: the period fields and the list fit, the list scrolls sideways by keyboard too', async () => {
  const page = await newPage(browser, { viewport: { width: 768, height: 1024 } });
  page.setDefaultTimeout(15000);
  await page.goto(`${server.srv.base}/#/login`);
  await page.fill('#f-institution_code', server.code);
  await page.fill('#f-user_id', 'ippan01');
  await page.fill('#f-password', PW);
  await page.click('button:has-text("ログイン")');
  await page.waitForSelector('h1:has-text("メニュー")');
  await goTo(page, 'checks', `?from=${jstDay()}T00:00&to=${jstDay()}T23:59`);
  assert.match(await summary(page), /検索結果：2件/);
  // Nothing but the list's own box is wider than the screen.
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true);
  assert.equal(await page.getAttribute('.history-results .table-scroll', 'tabindex'), '0');
  await visit(page, 'checks-tablet');
  assertNoConsoleErrors(page);
  await page.close();
});

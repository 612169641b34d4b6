// アカウント一括登録 and アカウント一括登録結果 as an administrator uses them: a 10,000-row CP932
// file with 3 bad rows is checked in the console and the table names the 3 rows and their
// problems, nothing registered; the fixed file is registered, and the results page (served by
// an onshid without a worker) follows the job run by a second onshid on the same database
// through the event stream alone: the progress bar moves and reaches 登録完了 without a reload
// or a poll; the result downloads after the password warning. Also: the template, bulk.busy
// with 再度登録する, and the stream down (the page says so, 更新 works).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser, newPage, assertNoConsoleErrors, visit, startConsoleServer } from './support/browser.mjs';
import { signedIn, json, raw } from '../support/people.mjs';
import { startOnshid, eventually } from '../support/harness.mjs';

let server; // serves the console; ONSHI_BULK_WORKER=0, so it never runs a job
let worker; // a second onshid on the same database, started when wanted: the only one that runs jobs
let browser;
let admin; // API helper of the admin 'kanri01'
const ADMIN_PW = 'Kanri2026!x';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-bulk-e2e-'));

const HEADER = '権限区分,ユーザID,ユーザ名,ユーザ名（カナ）,利用開始年月日,利用終了年月日\r\n';
// iconv from Debian's libc-bin: the file as a Windows spreadsheet program saves it.
const cp932 = (text) => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'CP932'], { input: text, maxBuffer: 64 << 20 });
const BAD = { 17: '利用開始年月日', 5000: 'ユーザ名', 9998: 'ユーザID' };

function bulkFile(name, { bad = false, prefix = 'b', count = 10000 } = {}) {
  const lines = [];
  for (let k = 1; k <= count; k++) {
    let id = `${prefix}${String(k).padStart(5, '0')}`;
    let user = '山田　太郎';
    let start = '2026/12/01';
    if (bad && k === 17) start = '2026/13/01';
    if (bad && k === 5000) user = '';
    if (bad && k === 9998) id = 'x';
    lines.push(`一般利用者,${id},${user},ﾔﾏﾀﾞ ﾀﾛｳ,${start},\r\n`);
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, cp932(HEADER + lines.join('')));
  return file;
}

before(async () => {
  [server, browser] = await Promise.all([startConsoleServer({ env: { ONSHI_BULK_WORKER: '0' } }), launchBrowser()]);
  const master = await server.api('master');
  const made = await json(await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01',
    name: '管理 花子', name_kana: 'ｶﾝﾘ ﾊﾅｺ', start_date: '2020-04-01' }), 201);
  admin = await signedIn(server.srv, server.code, 'kanri01', made.initial_password, ADMIN_PW);
});
after(async () => {
  await browser?.close();
  if (worker) assert.deepEqual(await worker.stop(), { code: 0, signal: null }, worker.log().slice(-3000));
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
  fs.rmSync(dir, { recursive: true, force: true });
});

async function signIn(page) {
  await page.goto(`${server.srv.base}/#/login`);
  await page.fill('#f-institution_code', server.code);
  await page.fill('#f-user_id', 'kanri01');
  await page.fill('#f-password', ADMIN_PW);
  await page.click('button:has-text("ログイン")');
  await page.waitForSelector('h1:has-text("メニュー")');
}

const counts = (page) => page.$$eval('dl.bulk-counts dt', (dts) => Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
const cells = (page, sel) => page.$$eval(`${sel} tbody tr`, (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.replace(/\s+/g, ' ').trim())));
const registeredB = () => Number(server.pg.psql(server.db, "SELECT count(*) FROM accounts WHERE user_id ~ '^b[0-9]{5}$'"));

async function chooseAndCheck(page, file) {
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/bulk-checks'));
  await page.setInputFiles('#f-file', file);
  await answered;
  await page.locator('#check-heading').waitFor();
}

test('a 10,000-row CP932 file: checked, fixed, registered by the second onshid, followed live to 登録完了, result downloaded', async () => {
  const page = await newPage(browser);
  await signIn(page);
  await page.click('a.menu-link:has-text("アカウント一括登録")');
  await page.getByRole('heading', { name: 'アカウント一括登録', level: 1 }).waitFor();
  assert.equal(await page.title(), 'アカウント一括登録 | オンライン資格確認等システム');
  assert.equal(await page.getByRole('button', { name: '登録', exact: true }).isDisabled(), true, 'nothing to send before a check');
  await visit(page, 'upload-empty');

  // The template, in the institution's 利用文字コード.
  const [tpl] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'ひな形ファイル（CSV）をダウンロード' }).click()]);
  assert.equal(tpl.suggestedFilename(), 'アカウント一括登録用ファイル.csv');
  const tplBytes = fs.readFileSync(await tpl.path());
  const tplText = tplBytes[0] === 0xEF ? tplBytes.subarray(3).toString('utf8')
    : execFileSync('iconv', ['-f', 'CP932', '-t', 'UTF-8'], { input: tplBytes }).toString();
  assert.ok(tplText.startsWith(HEADER), tplText.slice(0, 80));

  // The file with 3 bad rows: the check names each, and nothing is registered.
  const badFile = bulkFile('職員一覧.csv', { bad: true });
  await chooseAndCheck(page, badFile);
  const facts = await page.$$eval('dl.file-facts dt', (dts) => Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
  assert.equal(facts['ファイル名'], '職員一覧.csv');
  assert.match(facts['サイズ'], /KB（[\d,]+ バイト）/);
  assert.equal(facts['文字コード'], 'Shift_JIS（CP932）');
  assert.deepEqual(await counts(page), { 行数: '10,000件', エラー: '3件', 重複: '0件', 登録可能: '0件' });
  assert.match(await page.locator('.bulk-check [role=status]').textContent(), /登録失敗\(入力チェックエラー\).*まだ登録はしていません/s);
  const problems = await cells(page, 'table.bulk-problems');
  assert.deepEqual(problems.map((r) => [r[0], r[1], r[2]]),
    Object.entries(BAD).map(([row, col]) => [Number(row).toLocaleString('ja-JP'), col, '入力チェックエラー']));
  for (const r of problems) assert.ok(r[3].length > 3 && !/[a-z]+\.[a-z_.]+/.test(r[3]), `a Japanese message: ${r[3]}`);
  await visit(page, 'check-3-bad-rows');
  assert.equal(registeredB(), 0, 'the check registers nothing');
  assert.deepEqual((await json(await admin('GET', '/api/v1/bulk-jobs'))).items, [], 'and makes no job');

  // The fixed file; a recorder of what the page shows, installed before anything is sent: the
  // route changes below are hash changes, so it lives until the end (no reload).
  await chooseAndCheck(page, bulkFile('職員一覧_修正.csv'));
  assert.deepEqual(await counts(page), { 行数: '10,000件', エラー: '0件', 重複: '0件', 登録可能: '10,000件' });
  assert.equal(await page.locator('table.bulk-problems').count(), 0);
  await page.evaluate(() => {
    window.seen = [];
    const note = () => {
      const tr = document.querySelector('table.bulk-jobs tbody tr');
      if (!tr) return;
      const p = tr.querySelector('progress');
      const v = `${tr.dataset.status}:${p ? p.getAttribute('value') : ''}`;
      if (window.seen.at(-1) !== v) window.seen.push(v);
      if (p) window.bar = { max: p.getAttribute('max'), label: p.getAttribute('aria-label'), text: tr.querySelector('.progress-text')?.textContent };
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });

  await page.getByRole('button', { name: '登録', exact: true }).click();
  const dlg = page.locator('#confirm-dialog');
  await dlg.getByText('アカウント一括登録用ファイル「職員一覧_修正.csv」（10,000件）を登録します。よろしいですか？').waitFor();
  await visit(page, 'register-confirm');
  await dlg.getByRole('button', { name: '登録する' }).click();
  await dlg.getByText('アカウント一括登録の受付が完了しました。').waitFor();
  const rn = (await dlg.locator('dd').first().textContent()).trim();
  assert.match(rn, /^\d{17}_[A-Z0-9]+$/);
  assert.match(await dlg.locator('dd').nth(1).textContent(), /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
  await visit(page, 'register-accepted');
  await dlg.getByRole('button', { name: 'OK' }).click();
  await page.locator('#done-heading').waitFor();

  // Results: every GET /bulk-jobs is counted; after the first snapshots only events may move the page.
  const gets = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/bulk-jobs') gets.push(r.url()); });
  await page.getByRole('link', { name: 'アカウント一括登録結果を表示' }).click();
  await page.getByRole('heading', { name: 'アカウント一括登録結果', level: 1 }).waitFor();
  await page.locator('.live-note[data-live=live]').waitFor();
  await page.locator(`tr[data-reception="${rn}"]`).waitFor();
  const snapshots = gets.length;
  // Nothing runs the job until the second onshid starts: the page shows it waiting first.
  assert.equal((await cells(page, 'table.bulk-jobs'))[0][1], '登録待ち');
  await visit(page, 'results-waiting');
  worker = await startOnshid({ database: server.conninfo });
  await page.locator(`tr[data-reception="${rn}"][data-status=completed]`).waitFor({ timeout: 120000 });
  await visit(page, 'results-completed');

  const seen = await page.evaluate(() => window.seen);
  const values = [...new Set(seen.filter((s) => s.startsWith('processing:')).map((s) => Number(s.split(':')[1])))];
  assert.ok(values.length > 1, `the bar moved: ${JSON.stringify(seen)}`);
  assert.deepEqual(values, [...values].sort((a, b) => a - b), 'it only goes forward');
  assert.equal(seen.at(-1), 'completed:');
  // The bar as it was drawn (the worker checks 10,000 rows in well under a second, so the
  // recorder saw it, not a screenshot).
  const bar = await page.evaluate(() => window.bar);
  assert.equal(bar.max, '10000');
  assert.equal(bar.label, `受付番号 ${rn} の処理状況`);
  assert.match(bar.text, /^[\d,]+ \/ 10,000件（\d+%）$/);
  assert.equal(gets.length, snapshots, `no poll while the stream was up: ${gets.join(' ')}`);
  const row = (await cells(page, 'table.bulk-jobs'))[0];
  assert.deepEqual([row[0], row[1], row[4], row[5]], [rn, '登録完了', '10,000件', 'ダウンロード']);
  assert.match(row[3], /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
  assert.equal(registeredB(), 10000);
  assert.ok(worker.log().includes(`bulk job ${rn} claimed`), 'the second onshid ran the job');
  assert.ok(!server.srv.log().includes(`bulk job ${rn} claimed`), 'not the one serving the page');

  // The result, after the warning that it holds initial passwords.
  await page.getByRole('button', { name: `受付番号 ${rn} の登録結果をダウンロード` }).click();
  await dlg.getByText('登録結果ファイルには、登録したアカウントの初期パスワードが含まれています。').waitFor();
  await visit(page, 'result-warning');
  const [res] = await Promise.all([page.waitForEvent('download'), dlg.getByRole('button', { name: 'ダウンロードする' }).click()]);
  assert.equal(res.suggestedFilename(), `アカウント一括登録結果_${rn}.csv`);
  const bytes = fs.readFileSync(await res.path());
  const text = bytes[0] === 0xEF ? bytes.subarray(3).toString('utf8') : execFileSync('iconv', ['-f', 'CP932', '-t', 'UTF-8'], { input: bytes }).toString();
  const lines = text.split('\r\n').filter(Boolean);
  assert.equal(lines.length, 10001);
  assert.match(lines[0], /初期パスワード/);
  assert.match(lines[1], /b00001/);
  await page.getByText(`受付番号 ${rn} の登録結果をダウンロードしました。`).waitFor();
  assertNoConsoleErrors(page);
  await page.close();
});

test('bulk.busy while another job waits: explained, and 再度登録する succeeds once it is done', async () => {
  // Without the worker a job stays 登録待ち (the console's onshid runs none).
  assert.deepEqual(await worker.stop(), { code: 0, signal: null }, worker.log().slice(-3000));
  worker = null;
  const waiting = await json(await admin('POST', '/api/v1/bulk-jobs',
    raw(cp932(HEADER + '一般利用者,w00001,山田,ヤマダ,2026/12/01,\r\n'), 'text/csv')), 202);
  const page = await newPage(browser);
  await signIn(page);
  await page.goto(`${server.srv.base}/#/bulk`);
  await chooseAndCheck(page, bulkFile('追加.csv', { prefix: 'c', count: 3 }));
  await page.getByRole('button', { name: '登録', exact: true }).click();
  await page.locator('#confirm-dialog').getByRole('button', { name: '登録する' }).click();
  const box = page.locator('#send-error');
  await box.waitFor();
  assert.match(await box.textContent(), /他の利用者がアカウント一括登録用ファイルを登録しています。.*1分程度/s);
  await visit(page, 'busy');
  worker = await startOnshid({ database: server.conninfo });
  await eventually(async () => (await json(await admin('GET', `/api/v1/bulk-jobs/${waiting.reception_number}`))).job.status === 'completed',
    { timeoutMs: 60000, intervalMs: 500 });
  await box.getByRole('button', { name: '再度登録する' }).click();
  await page.locator('#confirm-dialog').getByText('アカウント一括登録の受付が完了しました。').waitFor();
  await page.locator('#confirm-dialog').getByRole('button', { name: 'OK' }).click();
  await page.locator('#done-heading').waitFor();
  assertNoConsoleErrors(page);
  await page.close();
});

test('the stream down: the page says it refreshes every minute, and 更新 shows a new job', async () => {
  const page = await newPage(browser);
  // The server's own refusal when its streams are used up (503 events.capacity).
  await page.route('**/api/v1/events', (r) => r.fulfill({ status: 503, contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'events.capacity', message: '' } }) }));
  await signIn(page);
  await page.goto(`${server.srv.base}/#/bulk/results`);
  const note = page.locator('.live-note[data-live=down]');
  await note.waitFor();
  assert.match(await note.textContent(), /自動更新の接続が切れているため、一覧は1分ごとに更新しています。最新の状況は「更新」を押してください。/);
  await page.locator('table.bulk-jobs').waitFor();
  const before = (await cells(page, 'table.bulk-jobs')).map((r) => r[0]);
  const made = await json(await admin('POST', '/api/v1/bulk-jobs',
    raw(cp932(HEADER + '一般利用者,d00001,山田,ヤマダ,2026/12/01,\r\n'), 'text/csv')), 202);
  assert.ok(!before.includes(made.reception_number));
  await page.getByRole('button', { name: '更新', exact: true }).click();
  await page.locator(`tr[data-reception="${made.reception_number}"]`).waitFor();
  assert.equal((await cells(page, 'table.bulk-jobs')).length, 3, 'the newest three');
  await visit(page, 'results-stream-down');
  // The status explanations, 【入力チェックエラーなし:未登録】 among them.
  assert.match(await page.locator('dl.bulk-status-help').textContent(), /【入力チェックエラーなし:未登録】/);
  assertNoConsoleErrors(page);
  await page.close();
});

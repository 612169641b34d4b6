// Browser-test helpers: Debian's chromium driven by playwright-core (which never downloads a
// browser), a console server (throwaway PostgreSQL + demo institution + onshid serving
// ${BUILD}/webui), axe-core on every screen and numbered screenshots under the build directory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BUILD, startPostgres, startOnshid, onshictl } from '../../support/harness.mjs';
import { signedIn } from '../../support/people.mjs';

const require = createRequire(import.meta.url);

// node_modules comes from `npm ci` in tests/e2e (tests/run.sh runs it); say so plainly when it is
// missing or does not match package-lock.json, instead of failing somewhere inside a test.
function checkInstalled() {
  const e2e = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const lock = JSON.parse(fs.readFileSync(path.join(e2e, 'package-lock.json'), 'utf8'));
  for (const [where, { version }] of Object.entries(lock.packages)) {
    if (!where) continue;
    const file = path.join(e2e, where, 'package.json');
    const found = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).version : 'nothing';
    if (found !== version) {
      throw new Error(`tests/e2e/${where}: ${found} installed, package-lock.json wants ${version}; ` +
        'run `npm ci --no-audit --no-fund` in tests/e2e (bash tests/run.sh does)');
    }
  }
}
checkInstalled();
const { chromium } = require('playwright-core');

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

// Launches chromium. Call `await browser.close()` in an after() hook; should the process end
// another way (a throw, process.exit, SIGINT/SIGTERM), playwright-core kills the browsers it
// launched from its own 'exit' handler, and chromium quits by itself when its pipe closes.
export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

const CONTEXT = { locale: 'ja-JP', timezoneId: 'Asia/Tokyo', acceptDownloads: true };

// A page in a context of its own (its own cookies), as a Japanese user in Tokyo would have it.
// page.consoleErrors collects console errors and uncaught page errors; Chromium reports CSP
// refusals and failed loads (404s) as console errors, so they land there too. Closing the page
// closes its context.
export async function newPage(browser, { viewport = { width: 1280, height: 800 }, ...options } = {}) {
  const context = await browser.newContext({ ...CONTEXT, viewport, ...options });
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      // An API refusal (401 before sign-in, 400 on a bad form) is logged by Chromium too, but it
      // is the console's to handle: tests check what the page then says. Static files must load.
      if (/^Failed to load resource: the server responded with a status of \d+/.test(msg.text()) &&
          new URL(loc?.url || page.url()).pathname.startsWith('/api/')) return;
      page.consoleErrors.push(`console: ${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => page.consoleErrors.push(`pageerror: ${err.stack || err.message}`));
  page.on('close', () => { context.close().catch(() => {}); });
  return page;
}

export function assertNoConsoleErrors(page) {
  if (page.consoleErrors.length) assert.fail(`console errors or page errors on ${page.url()}:\n  ${page.consoleErrors.join('\n  ')}`);
}

// axe-core's source, evaluated through the DevTools protocol: the page's CSP
// (default-src 'self') would refuse an inline <script>, and the context must not bypass it.
let axeSource;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export async function checkAxe(page, name) {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const result = await page.evaluate((tags) => window.axe.run(document,
    { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), AXE_TAGS);
  const lines = result.violations.map((v) => [
    `- ${v.id} (${v.impact}): ${v.help} ${v.helpUrl}`,
    ...v.nodes.map((n) => `    at ${n.target.join(' ')}\n      ${n.html}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`),
  ].join('\n'));
  if (result.violations.length) assert.fail(`axe: ${result.violations.length} WCAG 2.1 AA violation(s) on screen "${name}" (${page.url()}):\n${lines.join('\n')}`);
}

// Screenshots of one test file go to ${BUILD}/e2e-screenshots/<file>/NN-<name>.png, numbered in
// the order taken. The directory is emptied at the first one, so no stale screen lingers there.
const testFile = path.basename(process.argv[1] || 'e2e', '.mjs').replace(/\.test$/, '');
export const SCREENSHOT_DIR = path.join(BUILD, 'e2e-screenshots', testFile);
let shots = 0;

export async function screenshot(page, name) {
  if (shots === 0) {
    fs.rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }
  const file = path.join(SCREENSHOT_DIR, `${String(++shots).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// The one call a test makes per screen: a screenshot (taken first, so a failing axe check still
// leaves something to look at), then axe. Returns the screenshot's path.
export async function visit(page, name) {
  const file = await screenshot(page, name);
  await checkAxe(page, name);
  return file;
}

// What a first visit costs: a fresh context with the cache disabled, bytes as transferred
// (encodedDataLength: compressed bodies plus headers). Waits until no request has been in
// flight for 500 ms; Server-Sent Events streams never finish, so they are counted as requests
// but not waited for.
export async function measureFirstLoad(browser, url, { timeoutMs = 30000 } = {}) {
  const context = await browser.newContext(CONTEXT);
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const inflight = new Set();
    const urls = [];
    let bytes = 0;
    let lastActivity = Date.now();
    cdp.on('Network.requestWillBeSent', (e) => {
      if (e.redirectResponse) return; // same requestId, already counted
      urls.push(e.request.url);
      if (e.type !== 'EventSource') inflight.add(e.requestId);
      lastActivity = Date.now();
    });
    cdp.on('Network.loadingFinished', (e) => {
      bytes += e.encodedDataLength;
      inflight.delete(e.requestId);
      lastActivity = Date.now();
    });
    cdp.on('Network.loadingFailed', (e) => { inflight.delete(e.requestId); lastActivity = Date.now(); });
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    const end = Date.now() + timeoutMs;
    while (inflight.size > 0 || Date.now() - lastActivity < 500) {
      if (Date.now() > end) throw new Error(`network not idle after ${timeoutMs} ms: ${inflight.size} request(s) in flight`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { bytes, requests: urls.length, urls };
  } finally {
    await context.close();
  }
}

// Opens the confirmation dialog with `click` (a selector; null when it is already opening),
// checks what it says, answers it; returns its text.
export async function answerDialog(page, click, { expect = [], ok = true, shot } = {}) {
  if (click) await page.click(click);
  await page.waitForSelector('#confirm-dialog[open]');
  const text = await page.innerText('#confirm-dialog');
  for (const e of expect) assert.match(text, e);
  if (shot) await visit(page, shot);
  await page.click(ok ? '#confirm-ok' : '#confirm-cancel');
  await page.waitForSelector('#confirm-dialog', { state: 'hidden' });
  return text;
}

// The completion message (role=status) once it matches `re`; returns its text.
export async function completion(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById('flash').textContent), re.source);
  assert.equal(await page.getAttribute('#flash', 'role'), 'status');
  return page.innerText('#flash');
}

// A new tab signed in through the sign-in screen of `server` (startConsoleServer), on the menu.
export async function signedInPage(browser, server, userId, password, options = {}) {
  const page = await newPage(browser, options);
  page.setDefaultTimeout(15000);
  await page.goto(`${server.srv.base}/#/login`);
  await page.fill('#f-institution_code', server.code);
  await page.fill('#f-user_id', userId);
  await page.fill('#f-password', password);
  await page.click('button:has-text("ログイン")');
  await page.waitForSelector('h1:has-text("メニュー")');
  return page;
}

// The demo institution (onshictl demo: usage from today, so every menu is open) on a fresh
// database and an onshid serving the built console. api(who) signs in as 'master' or
// 'master_reset' once and returns the signedIn request helper (method, path, body?); that sign-in
// spends the initial password, so afterwards the account's password is accounts[who].password.
export async function startConsoleServer({ env = {} } = {}) {
  const pg = await startPostgres();
  const db = pg.migratedDatabase();
  const conninfo = pg.conninfo(db);
  const demo = onshictl(['--json', 'demo'], { ONSHI_DATABASE_URL: conninfo });
  assert.equal(demo.status, 0, `onshictl demo: ${demo.stderr}`);
  const { institution_code: code, name, master, master_reset } = JSON.parse(demo.stdout);
  const srv = await startOnshid({ database: conninfo, env });
  const accounts = { master: { ...master }, master_reset: { ...master_reset } };
  const sessions = {};
  const NEW_PASSWORD = 'Sakura2026!';
  return {
    pg, db, conninfo, srv, code, name, master: accounts.master, master_reset: accounts.master_reset, accounts,
    async api(who = 'master') {
      if (!sessions[who]) {
        const a = accounts[who];
        sessions[who] = await signedIn(srv, code, a.user_id, a.initial_password, NEW_PASSWORD);
        a.password = NEW_PASSWORD;
      }
      return sessions[who];
    },
    async stop() {
      const exit = await srv.stop();
      pg.stop();
      return exit;
    },
  };
}

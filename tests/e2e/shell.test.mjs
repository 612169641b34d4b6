// The browser-test infrastructure itself, on the console's first page: it loads in Japanese with
// no console error or CSP refusal, axe finds nothing, a screenshot is saved, and a first visit
// stays within the 150 kB budget. Only what holds whatever the screens become is checked here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launchBrowser, newPage, assertNoConsoleErrors, checkAxe, visit, measureFirstLoad, startConsoleServer } from './support/browser.mjs';

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  if (server) assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

test('the first page is Japanese, clean, accessible and screenshotted', async () => {
  const page = await newPage(browser);
  const res = await page.goto(`${server.srv.base}/`, { waitUntil: 'networkidle' });
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-security-policy'] || '', /default-src 'self'/);
  assert.match(await page.title(), /\S/);
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  const shot = await visit(page, 'first-page');
  assert.ok(fs.statSync(shot).size > 1000, `screenshot ${shot} saved`);
  assertNoConsoleErrors(page);
  await page.close();
});

test('a first visit transfers at most 150 kB', async () => {
  const { bytes, requests, urls } = await measureFirstLoad(browser, `${server.srv.base}/`);
  console.log(`first load: ${bytes} bytes in ${requests} requests\n  ${urls.join('\n  ')}`);
  assert.ok(requests >= 1);
  assert.ok(bytes <= 150 * 1024, `first load ${bytes} bytes > 150 kB`);
});

test('the helpers see a CSP refusal, a page error and an axe violation', async () => {
  // The collectors must really collect, or "no console errors" above would prove nothing.
  const page = await newPage(browser);
  await page.goto(`${server.srv.base}/`);
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.inlineRan = true';
    document.body.append(s);
    setTimeout(() => { throw new Error('thrown on purpose'); });
    document.body.append(document.createElement('button')); // a button without a name
  });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.inlineRan), undefined, 'the CSP refuses inline scripts');
  assert.ok(page.consoleErrors.some((e) => /Content Security Policy/.test(e)), page.consoleErrors.join('\n'));
  assert.ok(page.consoleErrors.some((e) => /thrown on purpose/.test(e)), page.consoleErrors.join('\n'));
  await assert.rejects(checkAxe(page, 'nameless-button'), /button-name \(critical\)[^]*at body > button\n {6}<button><\/button>/);
  await page.close();
});

test('api() signs the master in once for direct API calls', async () => {
  const api = await server.api();
  const res = await api('GET', '/api/v1/session');
  assert.equal(res.status, 200);
  assert.equal((await res.json()).account.user_id, server.master.user_id);
  assert.equal(await server.api(), api);
  assert.equal(server.master.password, 'Sakura2026!');
});

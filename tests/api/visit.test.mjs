// 医療機関別URL (manual ch. 5): the initial URL of each kind, change / revert / reset and their
// combinations seen at once by another onshid, the QR code as PNG (decoded with zbarimg) and
// PDF (text checked with pdftotext), and the public patient page: 410 for retired URLs, 404
// for unknown ones or a function turned off, consent registrations, rate limits, tenants.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid } from '../support/harness.mjs';
import { createInstitution, signedIn } from '../support/people.mjs';

let pg;
let db;
let srv;
let other; // a second onshid on the same database
let tight; // one with a small rate limit
let a; // admin of institution A
let b; // admin of institution B
const A = '1319400001';
const B = '1319400002';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-visit-'));

async function adminOf(code, name) {
  const inst = createInstitution(pg, db, code, 'medical', name);
  const master = await signedIn(srv, code, inst.master.user_id, inst.master.initial_password);
  const made = await master('POST', '/api/v1/accounts', { role: 'admin', user_id: 'kanri01', name: '管理', name_kana: 'カンリ', start_date: '2020-04-01' });
  return signedIn(srv, code, 'kanri01', (await made.json()).initial_password);
}

async function settings(call, values) {
  const s = await (await call('GET', '/api/v1/settings')).json();
  const res = await call('PUT', '/api/v1/settings', { values, version: s.version, terms_agreed: true });
  assert.equal(res.status, 200, await res.text());
}

const urls = async (call) => Object.fromEntries((await (await call('GET', '/api/v1/visit-urls')).json()).items.map((i) => [i.kind, i]));
const tokenOf = (url) => url.slice(url.lastIndexOf('/') + 1);
const page = (server, token, init) => fetch(`${server.base}/visit/${token}`, init);

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  const env = { ONSHI_PUBLIC_BASE_URL: 'https://onshi.example.jp' };
  srv = await startOnshid({ database: pg.conninfo(db), env });
  other = await startOnshid({ database: pg.conninfo(db), env });
  tight = await startOnshid({ database: pg.conninfo(db), env: { ...env, ONSHI_VISIT_RATE_LIMIT: '5', ONSHI_TRUSTED_PROXY: '127.0.0.1' } });
  a = await adminOf(A, '在宅試験クリニック');
  b = await adminOf(B, '別の医院');
});
after(async () => {
  for (const s of [srv, other, tight]) if (s) assert.deepEqual(await s.stop(), { code: 0, signal: null });
  pg?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('every institution starts with an initial URL of each kind; functions off → 404 with its own code', async () => {
  const u = await urls(a);
  assert.deepEqual(Object.keys(u).sort(), ['home_visit', 'online_care']);
  for (const [kind, item] of Object.entries(u)) {
    assert.match(item.url, /^https:\/\/onshi\.example\.jp\/visit\/[A-Za-z0-9_-]{43}$/);
    assert.deepEqual([item.generation, item.is_initial, item.can_revert, item.active], [1, true, false, false], kind);
    assert.equal(item.label, { home_visit: '訪問診療等', online_care: 'オンライン診療等' }[kind]);
    // No 医療機関名称等情報 in the settings yet: patients see the institution's name.
    assert.deepEqual([item.display_name, item.display_name_source], ['在宅試験クリニック', 'institution'], kind);
    assert.deepEqual([item.initial_url, item.previous_url], [item.url, null], kind);
  }
  assert.notEqual(tokenOf(u.home_visit.url), tokenOf(u.online_care.url));
  assert.notEqual(tokenOf(u.home_visit.url), tokenOf((await urls(b)).home_visit.url));
  const res = await page(srv, tokenOf(u.home_visit.url));
  assert.deepEqual([res.status, (await res.json()).error.code], [404, 'visit.unavailable']);
  for (const t of ['A'.repeat(43), 'short', '..%2F..%2Fetc', 'A'.repeat(300)]) {
    const r = await page(srv, t);
    assert.equal(r.status, 404, t);
  }
});

test('change, revert, reset and their combinations; every onshid at once; audited', async () => {
  await settings(a, { home_visit: 'use' });
  const op = (name, body = { confirm: true }) => a('POST', `/api/v1/visit-urls/home_visit/${name}`, body);
  const works = async (token, server = other) => (await page(server, token)).status;
  const first = tokenOf((await urls(a)).home_visit.url);
  assert.equal(await works(first), 200);
  for (const [body, code] of [[{}, 'request.field_missing'], [{ confirm: false }, 'visit_url.confirm_required'], [{ confirm: 'yes' }, 'request.field_type']]) {
    const r = await op('change', body);
    assert.deepEqual([r.status, (await r.json()).error.code], [400, code]);
  }
  assert.equal(await works(first), 200); // nothing changed
  let r = await op('change');
  assert.equal(r.status, 200);
  const second = tokenOf((await r.json()).items.find((i) => i.kind === 'home_visit').url);
  assert.notEqual(second, first);
  const gone = await page(other, first);
  assert.equal(gone.status, 410);
  assert.match((await gone.json()).error.message, /変更されたため使用できません/);
  const goneHtml = await page(other, first, { headers: { Accept: 'text/html' } });
  assert.equal(goneHtml.status, 410);
  assert.match(await goneHtml.text(), /変更されたため使用できません/);
  assert.equal(await works(second), 200);
  assert.deepEqual((({ generation, can_revert, is_initial }) => ({ generation, can_revert, is_initial }))((await urls(a)).home_visit), { generation: 2, can_revert: true, is_initial: false });
  // What revert and reset would bring back.
  const tokens = (i) => [tokenOf(i.url), tokenOf(i.previous_url ?? ''), tokenOf(i.initial_url)];
  assert.deepEqual(tokens((await urls(a)).home_visit), [second, first, first]);

  r = await op('revert');
  assert.equal(r.status, 200);
  assert.equal(await works(first), 200);
  assert.equal(await works(second), 410);
  assert.equal((await urls(a)).home_visit.can_revert, false);
  assert.deepEqual(tokens((await urls(a)).home_visit), [first, '', first]);
  r = await op('revert');
  assert.deepEqual([r.status, (await r.json()).error.code], [409, 'visit_url.no_previous']);

  // change twice, then reset: only the first works; nothing to revert to.
  await op('change');
  const third = tokenOf((await urls(a)).home_visit.url);
  await op('change');
  const fourth = tokenOf((await urls(a)).home_visit.url);
  assert.deepEqual(tokens((await urls(a)).home_visit), [fourth, third, first]); // one step back only
  assert.deepEqual([await works(first), await works(third), await works(fourth)], [410, 410, 200]);
  r = await op('reset');
  assert.equal(r.status, 200);
  assert.deepEqual([await works(first), await works(second), await works(third), await works(fourth)], [200, 410, 410, 410]);
  assert.deepEqual((({ generation, can_revert, is_initial }) => ({ generation, can_revert, is_initial }))((await urls(a)).home_visit), { generation: 1, can_revert: false, is_initial: true });
  r = await op('reset');
  assert.deepEqual([r.status, (await r.json()).error.code], [409, 'visit_url.already_initial']);
  r = await a('POST', '/api/v1/visit-urls/dental_care/change', { confirm: true });
  assert.deepEqual([r.status, (await r.json()).error.code], [404, 'visit_url.kind_unknown']);
  // The other kind never moved.
  assert.equal((await urls(a)).online_care.generation, 1);
  const audit = pg.psql(db, `SELECT string_agg(action || ':' || (details->>'generation'), ',' ORDER BY id) FROM audit_log WHERE institution_code = '${A}' AND action LIKE 'visit_url.%'`);
  assert.equal(audit, 'visit_url.change:2,visit_url.revert:1,visit_url.change:3,visit_url.change:4,visit_url.reset:1');
});

test('the QR code: a PNG that decodes to the URL, with an ETag tied to it; a PDF with the URL and the name', async () => {
  await settings(a, { home_visit: 'use', visit_display_name: '在宅<b>&サンプル</b>医院' });
  const listed = await urls(a);
  for (const item of Object.values(listed)) assert.deepEqual([item.display_name, item.display_name_source], ['在宅<b>&サンプル</b>医院', 'settings']);
  assert.equal((await urls(b)).home_visit.display_name, '別の医院'); // each institution its own
  const url = listed.home_visit.url;
  let res = await a('GET', '/api/v1/visit-urls/home_visit/qr.png');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  const etag = res.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const png = path.join(tmp, 'qr.png');
  fs.writeFileSync(png, Buffer.from(await res.arrayBuffer()));
  assert.equal(execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8' }).trim(), url);
  assert.ok(fs.readFileSync(png).readUInt32BE(16) >= 400, 'large enough to print'); // IHDR width
  // Unchanged → 304; changed → a new code.
  const again = await a('GET', '/api/v1/visit-urls/home_visit/qr.png', undefined, srv, { 'If-None-Match': etag });
  assert.equal(again.status, 304);
  await a('POST', '/api/v1/visit-urls/home_visit/change', { confirm: true });
  res = await a('GET', '/api/v1/visit-urls/home_visit/qr.png', undefined, srv, { 'If-None-Match': etag });
  assert.equal(res.status, 200);
  assert.notEqual(res.headers.get('etag'), etag);
  fs.writeFileSync(png, Buffer.from(await res.arrayBuffer()));
  const changed = (await urls(a)).home_visit.url;
  assert.equal(execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8' }).trim(), changed);

  res = await a('GET', '/api/v1/visit-urls/online_care/qr.pdf');
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const pdf = path.join(tmp, 'qr.pdf');
  fs.writeFileSync(pdf, Buffer.from(await res.arrayBuffer()));
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
  assert.ok(text.includes((await urls(a)).online_care.url), text);
  assert.ok(text.includes('在宅<b>&サンプル</b>医院'));
  assert.ok(text.includes('オンライン診療等'));
  assert.match(text, /作成日\d{4}年\d{1,2}月\d{1,2}日/);
  await a('POST', '/api/v1/visit-urls/home_visit/reset', { confirm: true });
});


test('the patient page: JSON or a Japanese HTML page naming the institution, escaped', async () => {
  await settings(a, { home_visit: 'use', visit_display_name: '在宅<b>&サンプル</b>医院' });
  const token = tokenOf((await urls(a)).home_visit.url);
  const j = await (await page(srv, token)).json();
  assert.deepEqual({ ...j, consent_items: j.consent_items.map((c) => c.id) },
    { institution: { institution_code: A, name: '在宅<b>&サンプル</b>医院' }, kind: 'home_visit', label: '訪問診療等', consent_items: ['drug', 'checkup', 'specific_disease'] });
  const html = await page(srv, token, { headers: { Accept: 'text/html,application/xhtml+xml' } });
  assert.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(html.headers.get('content-security-policy'), "default-src 'none'");
  const text = await html.text();
  assert.ok(text.includes('在宅&lt;b&gt;&amp;サンプル&lt;/b&gt;医院'));
  assert.ok(!text.includes('<b>&'));
  assert.match(text, /<html lang="ja">/);
  // online_care is still off here.
  const off = await page(srv, tokenOf((await urls(a)).online_care.url));
  assert.deepEqual([off.status, (await off.json()).error.code], [404, 'visit.unavailable']);
});

test('consent registrations through the page: recorded for the token\'s institution only, validated', async () => {
  await settings(a, { home_visit: 'use' });
  await settings(b, { online_care: 'use' });
  // Both institutions have a test card with the same serial.
  for (const call of [a, b])
    assert.equal((await call('POST', '/api/v1/test-data/card-links', { serial_number: '97531', qualification_type: 'insurance_valid', register_as_insurance_card: true })).status, 201);
  const tb = tokenOf((await urls(b)).online_care.url);
  const post = (token, body) => fetch(`${srv.base}/visit/${token}/consents`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  let res = await post(tb, { serial_number: '97531', consents: ['drug', 'checkup'] });
  const got = await res.json();
  assert.equal(res.status, 201, JSON.stringify(got));
  assert.deepEqual([got.institution.name, got.kind, got.consents.map((c) => c.id)], ['別の医院', 'online_care', ['drug', 'checkup']]);
  assert.equal(pg.psql(db, `SELECT string_agg(institution_code || ':' || kind || ':' || array_to_string(items, '+'), ',') FROM visit_consent_requests`), `${B}:online_care:drug+checkup`);
  assert.equal(pg.psql(db, `SELECT string_agg(c.institution_code || ':' || item || ':' || c.source, ',' ORDER BY item) FROM test_consents c`), `${B}:checkup:visit,${B}:drug:visit`);
  for (const [body, status, code] of [
    [{ serial_number: '97531', consents: ['surgery'] }, 400, 'qualification.consent_not_offered'],
    [{ serial_number: '97531', consents: [] }, 400, 'request.field_range'],
    [{ serial_number: '97531', consents: ['x'] }, 400, 'qualification.consent_unknown'],
    [{ serial_number: 'abc', consents: ['drug'] }, 400, 'qualification.serial_number_invalid'],
    [{ serial_number: '97531' }, 400, 'request.field_missing'],
    [{ serial_number: '97531', consents: ['drug'], institution_code: A }, 400, 'request.unknown_field'],
  ]) {
    res = await post(tb, body);
    assert.deepEqual([res.status, (await res.json()).error.code], [status, code], JSON.stringify(body));
  }
  res = await fetch(`${srv.base}/visit/${tb}/consents`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ serial_number: '1'.repeat(70_000), consents: ['drug'] }) });
  assert.equal(res.status, 413);
  // A changed URL no longer takes registrations.
  await b('POST', '/api/v1/visit-urls/online_care/change', { confirm: true });
  res = await post(tb, { serial_number: '97531', consents: ['drug'] });
  assert.deepEqual([res.status, (await res.json()).error.code], [410, 'visit.retired']);
  assert.equal(pg.psql(db, 'SELECT count(*) FROM visit_consent_requests'), '1');
  // 閲覧同意情報初期化 leaves consents given through the page alone.
  pg.psql(db, `UPDATE test_consents SET revoked_at = now() WHERE institution_code = '${B}'`);
  assert.deepEqual(await (await b('POST', '/api/v1/test-data/consents/reset')).json(), { restored: 0 });
});

test('rate limit per client address (behind the trusted proxy, X-Forwarded-For names it): 429 with Retry-After', async () => {
  const token = tokenOf((await urls(a)).home_visit.url);
  const from = (address) => ({ headers: { 'X-Forwarded-For': `203.0.113.77, ${address}` } });
  const statuses = [];
  for (let i = 0; i < 7; i++) statuses.push((await page(tight, token, from('198.51.100.1'))).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  // Another client behind the same proxy has its own budget; a whole IPv6 /64 shares one.
  assert.equal((await page(tight, token, from('198.51.100.2'))).status, 200);
  for (let i = 0; i < 5; i++) assert.equal((await page(tight, token, from(`2001:db8:5:6::${i + 1}`))).status, 200);
  assert.equal((await page(tight, token, from('2001:db8:5:6::ff'))).status, 429);
  // A browser is told in Japanese, with the status.
  const html = await page(tight, token, { headers: { ...from('198.51.100.1').headers, Accept: 'text/html' } });
  assert.equal(html.status, 429);
  assert.match(await html.text(), /<html lang="ja">.*アクセスが集中しています/s);
  const limited = await page(tight, token, from('198.51.100.1'));
  assert.equal(limited.status, 429);
  assert.equal((await limited.json()).error.code, 'visit.rate_limited');
  assert.match(limited.headers.get('retry-after'), /^\d+$/);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  // Unknown tokens count too: guessing is as limited as browsing.
  assert.equal((await page(tight, 'B'.repeat(43), from('198.51.100.1'))).status, 429);
  // Without a trusted proxy the header is the client's own claim and changes nothing.
  const seen = [];
  for (let i = 0; i < 3; i++) seen.push((await page(srv, token, from(`198.51.100.${10 + i}`))).status);
  assert.deepEqual(seen, [200, 200, 200]);
});

test('two admins turning the same kind at once in two onshid: every answer 200 or 409, one current URL', async () => {
  await settings(a, { online_care: 'use' });
  const ops = ['change', 'revert', 'reset', 'change', 'change', 'revert', 'reset', 'change'];
  const statuses = await Promise.all(ops.flatMap((name) => [srv, other].map((server) =>
    a('POST', `/api/v1/visit-urls/online_care/${name}`, { confirm: true }, server).then((r) => r.status))));
  assert.ok(statuses.every((s) => s === 200 || s === 409), statuses.join(','));
  assert.equal(pg.psql(db, `SELECT count(*) FROM visit_tokens WHERE institution_code = '${A}' AND kind = 'online_care' AND state = 'current'`), '1');
  const current = tokenOf((await urls(a)).online_care.url);
  assert.equal((await page(other, current)).status, 200);
});

test('tenants: each admin sees and turns only its own URLs', async () => {
  const before = (await urls(a)).home_visit.url;
  await b('POST', '/api/v1/visit-urls/home_visit/change', { confirm: true });
  assert.equal((await urls(a)).home_visit.url, before);
  const tb = tokenOf((await urls(b)).online_care.url);
  const j = await (await page(srv, tb)).json();
  assert.equal(j.institution.institution_code, B);
});

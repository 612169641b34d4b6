// History CSV downloads are shared out (issue 17 §4): a client that opens downloads and never
// reads them holds at most a quarter of history_download_limit per account and half per
// institution, so other accounts and other institutions are still served; and a download whose
// client stops reading is closed after connection_timeout, giving its slot back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startPostgres, startOnshid, eventually } from '../support/harness.mjs';
import { createInstitution, signedIn } from '../support/people.mjs';

const A = '1319600001';
const B = '1319600002';
let pg;
let db;
let srv;
const today = new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
const csvPath = `/api/v1/history/qualification-checks.csv?from=${today}&to=${today}`;
const account = (role, id) => ({ role, user_id: id, name: '履歴 確認', name_kana: 'リレキ カクニン', start_date: '2020-04-01' });

// Signs in and changes the initial password; returns the session cookie, for raw sockets.
async function cookieOf(code, userId, password) {
  let res = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: code, user_id: userId, password }) });
  let cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  const { csrf_token: csrf } = await res.json();
  res = await fetch(`${srv.base}/api/v1/session/password`, { method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf },
    body: JSON.stringify({ current_password: password, new_password: 'Sakura2026!' }) });
  assert.equal(res.status, 200);
  cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  return cookie;
}

// Opens the download and reads only the status line: the client that never reads on.
function stalled(cookie) {
  return new Promise((resolve) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    sock.on('error', () => {});
    sock.once('data', (d) => {
      sock.pause();
      resolve({ status: Number(String(d).split(' ')[1]), destroy: () => sock.destroy() });
    });
    sock.write(`GET ${csvPath} HTTP/1.1\r\nHost: x\r\nCookie: onshi_session=${cookie}\r\n\r\n`);
  });
}

let cookies;
before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_HISTORY_DOWNLOAD_LIMIT: '4', ONSHI_CONNECTION_TIMEOUT: '3' } });
  cookies = {};
  for (const code of [A, B]) {
    const inst = createInstitution(pg, db, code, 'medical', '配分試験医院');
    const master = await signedIn(srv, code, inst.master.user_id, inst.master.initial_password);
    const made = await (await master('POST', '/api/v1/accounts', account('admin', 'kanri01'))).json();
    const admin = await signedIn(srv, code, 'kanri01', made.initial_password);
    for (const id of ['ippan01', 'ippan02', 'ippan03']) {
      const g = await (await admin('POST', '/api/v1/accounts', account('general', id))).json();
      cookies[`${code}/${id}`] = await cookieOf(code, id, g.initial_password);
    }
  }
  // A file (24 MB) far larger than the socket buffers, so a client that does not read holds it open.
  pg.psql(db, `INSERT INTO qualification_checks (institution_code, checked_at, account_id, account_kind, route, reference_classification, insurer_number, insured_number, validity, result_status, file_identifier)
    SELECT '${A}', now() - g * interval '1 millisecond', 'ippan01', 'general', 'screen', '2', '06131234', lpad(g::text, 7, '0'), '1', '1', repeat('x', 1000)
    FROM generate_series(1, 24000) g`);
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  pg?.stop();
});

test('one account, one institution: their share, and the others still served; a stalled client is closed and its slot comes back', async () => {
  const first = await stalled(cookies[`${A}/ippan01`]);
  assert.equal(first.status, 200);
  const again = await stalled(cookies[`${A}/ippan01`]);
  assert.equal(again.status, 503, 'an account holds a quarter of 4: one');
  const second = await stalled(cookies[`${A}/ippan02`]);
  assert.equal(second.status, 200);
  const third = await stalled(cookies[`${A}/ippan03`]);
  assert.equal(third.status, 503, 'an institution holds half of 4: two');
  // Another institution downloads in full while A's clients sit there.
  const res = await fetch(`${srv.base}${csvPath}`, { headers: { Cookie: `onshi_session=${cookies[`${B}/ippan01`]}` } });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^資格確認日時,/);
  const still = await stalled(cookies[`${A}/ippan01`]);
  assert.equal(still.status, 503, 'the stalled download still holds its slot');
  still.destroy();
  // The stalled downloads are closed (connection_timeout 3 s) and the slots are A's again.
  // (The client, paused, does not see the close; the server's count does.)
  const t0 = Date.now();
  let later;
  await eventually(async () => {
    later?.destroy();
    later = await stalled(cookies[`${A}/ippan03`]);
    return later.status === 200;
  }, { timeoutMs: 15000, intervalMs: 250 });
  console.log(`# a slot came back ${Date.now() - t0} ms after the stalled clients stopped reading`);
  for (const s of [first, again, second, third, later]) s.destroy();
});

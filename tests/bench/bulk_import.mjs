// Benchmark: a 10,000-row bulk registration file from upload to 登録完了 through onshid,
// against `psql \copy` of the same 10,000 accounts straight into the accounts table,
// alternating; then GET /api/v1/accounts/{user_id} throughput while imports run back to
// back, against the same with nothing else running. Informational: it fails only when
// something breaks, never on a ratio.
//   BENCH_ROUNDS (3)  BENCH_SECONDS (5: each throughput window)  BENCH_CONNECTIONS (4)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid, onshictl } from '../support/harness.mjs';
import { intEnv, median, wrk, benchInstitution } from '../support/bench.mjs';

const ROUNDS = intEnv('BENCH_ROUNDS', 3, 1, 50);
const SECS = intEnv('BENCH_SECONDS', 5, 1, 600);
const C = intEnv('BENCH_CONNECTIONS', 4, 1, 64);
const ROWS = 10000;
const HEADER = '権限区分,ユーザID,ユーザ名,ユーザ名（カナ）,利用開始年月日,利用終了年月日\r\n';
const file = HEADER + Array.from({ length: ROWS }, (_, k) => `一般利用者,u${k},山田　太郎,ヤマダ　タロウ,2026/12/01,\r\n`).join('');

const pg = await startPostgres();
const db = pg.migratedDatabase();
const srv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_HTTP_THREADS: '0', ONSHI_LOG_LEVEL: 'warn' } });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-bench-'));
let seq = 0;
const problems = [];

// A fresh institution whose master has chosen a password; returns its request headers.
async function institution() {
  const code = `13198${String(++seq).padStart(5, '0')}`;
  const created = JSON.parse(onshictl(['--json', 'institution', 'create', '--code', code, '--name', 'ベンチ医院',
    '--kind', 'medical', '--start-date', '2020-01-01'], { ONSHI_DATABASE_URL: pg.conninfo(db) }).stdout);
  const post = (p, body, headers = {}) => fetch(`${srv.base}${p}`, { method: p.endsWith('password') ? 'PUT' : 'POST',
    headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const first = await post('/api/v1/session', { institution_code: code, user_id: created.master.user_id, password: created.master.initial_password });
  const cookie = /^onshi_session=([^;]+)/.exec(first.headers.get('set-cookie'))[1];
  const changed = await post('/api/v1/session/password', { current_password: created.master.initial_password, new_password: 'Sakura2026!' },
    { Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': (await first.json()).csrf_token });
  const admin = await (await post('/api/v1/accounts', { role: 'admin', user_id: 'kanri01', name: '管理', name_kana: 'カンリ', start_date: '2020-01-01' },
    { Cookie: `onshi_session=${/^onshi_session=([^;]+)/.exec(changed.headers.get('set-cookie'))[1]}`, 'X-CSRF-Token': (await changed.json()).csrf_token })).json();
  const a1 = await post('/api/v1/session', { institution_code: code, user_id: 'kanri01', password: admin.initial_password });
  const ac = /^onshi_session=([^;]+)/.exec(a1.headers.get('set-cookie'))[1];
  const a2 = await post('/api/v1/session/password', { current_password: admin.initial_password, new_password: 'Sakura2026!' },
    { Cookie: `onshi_session=${ac}`, 'X-CSRF-Token': (await a1.json()).csrf_token });
  return { code, headers: { Cookie: `onshi_session=${/^onshi_session=([^;]+)/.exec(a2.headers.get('set-cookie'))[1]}`, 'X-CSRF-Token': (await a2.json()).csrf_token } };
}

// Upload to 登録完了, in seconds (the institution is made beforehand: its sign-ins hash).
async function importOnce(inst) {
  const t0 = process.hrtime.bigint();
  const res = await fetch(`${srv.base}/api/v1/bulk-jobs`, { method: 'POST', headers: { ...inst.headers, 'Content-Type': 'text/csv' }, body: file });
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
  const rn = (await res.json()).reception_number;
  for (;;) {
    const job = (await (await fetch(`${srv.base}/api/v1/bulk-jobs/${rn}`, { headers: inst.headers })).json()).job;
    if (job.status === 'completed' && job.registered === ROWS) break;
    if (!['waiting', 'processing'].includes(job.status)) throw new Error(`job ${rn} ended ${job.status}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

// The same accounts (names already full-width, hashes of the fast form) via psql \copy.
function copyOnce() {
  const code = `13199${String(++seq).padStart(5, '0')}`;
  onshictl(['institution', 'create', '--code', code, '--name', 'ベンチ医院', '--kind', 'medical', '--start-date', '2020-01-01'],
    { ONSHI_DATABASE_URL: pg.conninfo(db) });
  const csv = path.join(tmp, `${code}.csv`);
  fs.writeFileSync(csv, Array.from({ length: ROWS }, (_, k) =>
    `${code},u${k},general,山田　太郎,ヤマダ　タロウ,2026-12-01,9999-12-31,$sha256$c2FsdHNhbHRzYWx0$${'0'.repeat(64)}\n`).join(''));
  fs.chmodSync(tmp, 0o755);
  fs.chmodSync(csv, 0o644);
  const t0 = process.hrtime.bigint();
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', pg.conninfo(db), '-c',
    `\\copy accounts (institution_code, user_id, role, name, name_kana, start_date, end_date, password_hash) FROM '${csv}' WITH (FORMAT csv)`]);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

try {
  console.log(`# ${ROWS}-row file, upload to 登録完了 vs psql \\copy of the same rows; rounds=${ROUNDS} cpus=${os.cpus().length}`);
  await importOnce(await institution()); // warm-up
  copyOnce();
  console.log('round  onshid_s  copy_s  ratio');
  const rows = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const o = await importOnce(await institution());
    const c = copyOnce();
    rows.push({ o, c });
    console.log(`${String(r).padEnd(7)}${o.toFixed(3).padStart(8)}  ${c.toFixed(3).padStart(6)}  ${(o / c).toFixed(2)}`);
  }
  const o = median(rows.map((x) => x.o));
  const c = median(rows.map((x) => x.c));
  console.log(`# target ratio <= 3 (information only): ${o / c <= 3 ? 'met' : 'NOT met'}`);
  console.log(`bulk_import_vs_copy ratio=${(o / c).toFixed(2)} onshid_s=${o.toFixed(3)} copy_s=${c.toFixed(3)} rows=${ROWS} rounds=${ROUNDS}`);

  // Reads while imports run back to back.
  const inst = await benchInstitution(pg, db, srv, { code: '1319700001', general: 10 });
  const url = `${srv.base}/api/v1/accounts/u0005`;
  const headers = { Authorization: `Bearer ${inst.token}` };
  await wrk(url, { secs: 2, conns: C, headers });
  console.log('round  idle_rps  during_import_rps  imports  ratio');
  const tp = [];
  for (let r = 1; r <= ROUNDS; r++) {
    // Enough institutions for imports back to back over the window (about 0.5 s each).
    const pool = [];
    for (let i = 0; i < SECS * 4; i++) pool.push(await institution());
    const idle = await wrk(url, { secs: SECS, conns: C, headers });
    let stop = false;
    let imports = 0;
    const loop = (async () => { while (!stop && pool.length) { await importOnce(pool.pop()); imports++; } })();
    await new Promise((res) => setTimeout(res, 300));
    const busy = await wrk(url, { secs: SECS, conns: C, headers });
    stop = true;
    await loop;
    for (const w of [idle, busy]) if (w.non2xx || w.sockErrors) problems.push(`round ${r}: failed reads`);
    tp.push({ idle, busy });
    console.log(`${String(r).padEnd(7)}${idle.rps.toFixed(0).padStart(8)}  ${busy.rps.toFixed(0).padStart(17)}  ${String(imports).padStart(7)}  ${(busy.rps / idle.rps).toFixed(2)}`);
  }
  const ratio = median(tp.map((x) => x.busy.rps)) / median(tp.map((x) => x.idle.rps));
  console.log(`# target ratio >= 0.5 (information only): ${ratio >= 0.5 ? 'met' : 'NOT met'}`);
  if (problems.length) console.log(`# FLAGGED: ${problems.join('; ')}`);
  console.log(`account_get_during_import ratio=${ratio.toFixed(2)} idle_rps=${Math.round(median(tp.map((x) => x.idle.rps)))} during_rps=${Math.round(median(tp.map((x) => x.busy.rps)))} connections=${C} rounds=${ROUNDS}`);
} finally {
  await srv.stop();
  pg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (problems.length) process.exitCode = 1;

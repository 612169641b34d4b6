// Benchmark: sign-in throughput at saturation (wrk POSTing /api/v1/session for an account
// with a chosen, argon2id-hashed password) against a standalone argon2id benchmark with the
// same parameters on the same number of threads (build/bench_argon2_ref), alternating.
//   BENCH_SECONDS (8)  BENCH_ROUNDS (3)  BENCH_CONNECTIONS (8)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid, onshictl, BUILD } from '../support/harness.mjs';

const run = promisify(execFile);
const SECS = Number(process.env.BENCH_SECONDS || 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const CONNS = Number(process.env.BENCH_CONNECTIONS || 8);
const THREADS = os.cpus().length; // onshid's hash_threads default: one per core
const TARGET = 0.8;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };

const pg = await startPostgres();
const db = pg.migratedDatabase();
const created = JSON.parse(onshictl(['--json', 'institution', 'create', '--code', '1319800001', '--name', 'ベンチ医院',
  '--kind', 'medical', '--start-date', '2020-01-01'], { ONSHI_DATABASE_URL: pg.conninfo(db) }).stdout);
const srv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_LOG_LEVEL: 'warn', ONSHI_HASH_THREADS: String(THREADS) } });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-bench-'));
try {
  // Give the master a chosen password, so every sign-in verifies a real argon2id hash.
  const first = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: '1319800001', user_id: created.master.user_id, password: created.master.initial_password }) });
  const cookie = /^onshi_session=([^;]+)/.exec(first.headers.get('set-cookie'))[1];
  const { csrf_token: csrf } = await first.json();
  const changed = await fetch(`${srv.base}/api/v1/session/password`, { method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf },
    body: JSON.stringify({ current_password: created.master.initial_password, new_password: 'Sakura2026!' }) });
  if (changed.status !== 200) throw new Error(`password change: ${changed.status}`);
  const body = JSON.stringify({ institution_code: '1319800001', user_id: created.master.user_id, password: 'Sakura2026!' });
  const script = path.join(tmp, 'signin.lua');
  fs.writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = '${body}'\n`);

  const wrk = async () => {
    const { stdout } = await run('wrk', ['-t2', `-c${CONNS}`, `-d${SECS}s`, '--timeout', '30s', '-s', script, `${srv.base}/api/v1/session`], { timeout: (SECS + 60) * 1000 });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)[1]);
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
    return { rps, non2xx };
  };
  const ref = async () => {
    const { stdout } = await run(path.join(BUILD, 'bench_argon2_ref'), [String(THREADS), String(SECS)], { timeout: (SECS + 60) * 1000 });
    return Number(/argon2id_verify_per_s=([\d.]+)/.exec(stdout)[1]);
  };
  console.log(`# POST /api/v1/session (chosen password) vs argon2id verify, threads=${THREADS} connections=${CONNS} seconds=${SECS} rounds=${ROUNDS}`);
  console.log('round  signin_per_s  non2xx  argon2_per_s  ratio');
  const rows = [];
  let broken = false;
  for (let r = 1; r <= ROUNDS; r++) {
    const w = await wrk();
    const a = await ref();
    rows.push({ w, a });
    broken ||= w.non2xx > 0;
    console.log(`${String(r).padEnd(7)}${w.rps.toFixed(1).padStart(12)}  ${String(w.non2xx).padStart(6)}  ${a.toFixed(1).padStart(12)}  ${(w.rps / a).toFixed(2)}`);
  }
  const s = median(rows.map((x) => x.w.rps));
  const a = median(rows.map((x) => x.a));
  console.log(`# target ratio >= ${TARGET} (information only): ${s / a >= TARGET ? 'met' : 'NOT met'}`);
  console.log(`signin_vs_argon2 ratio=${(s / a).toFixed(2)} signin_per_s=${s.toFixed(1)} argon2_per_s=${a.toFixed(1)} threads=${THREADS}`);
  if (broken) {
    console.error('signin bench: some sign-ins were refused (non-2xx): broken run');
    process.exitCode = 1;
  }
} finally {
  await srv.stop();
  pg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}

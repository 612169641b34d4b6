// Benchmark: sign-in throughput at saturation (wrk POSTing /api/v1/session for accounts with
// chosen, argon2id-hashed passwords) against a standalone argon2id benchmark with the same
// parameters on the same number of threads (build/bench_argon2_ref), alternating.
// Informational: it fails only when something breaks (refused sign-ins), never on the ratio.
//   BENCH_SECONDS (8)  BENCH_ROUNDS (3)  BENCH_SIGNIN_CONNECTIONS (8)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid, BUILD } from '../support/harness.mjs';
import { intEnv, median, run, wrk, benchInstitution, signinScript } from '../support/bench.mjs';

const SECS = intEnv('BENCH_SECONDS', 8, 1, 600);
const ROUNDS = intEnv('BENCH_ROUNDS', 3, 1, 50);
const CONNS = intEnv('BENCH_SIGNIN_CONNECTIONS', 8, 1, 256);
const THREADS = os.cpus().length; // onshid's hash_threads default: one per core
const TARGET = 0.8;

const pg = await startPostgres();
const db = pg.migratedDatabase();
const srv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_LOG_LEVEL: 'warn', ONSHI_HASH_THREADS: String(THREADS) } });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-bench-'));
let broken = false;
try {
  const inst = await benchInstitution(pg, db, srv, { signers: 16 });
  const script = path.join(tmp, 'signin.lua');
  signinScript(inst, script);
  const signins = () => wrk(`${srv.base}/api/v1/session`, { secs: SECS, conns: CONNS, threads: 1, script, timeoutSecs: 30 });
  const ref = async () => {
    const { stdout } = await run(path.join(BUILD, 'bench_argon2_ref'), [String(THREADS), String(SECS)], { timeout: (SECS + 60) * 1000 });
    return Number(/argon2id_verify_per_s=([\d.]+)/.exec(stdout)[1]);
  };
  console.log(`# POST /api/v1/session (chosen passwords) vs argon2id verify, threads=${THREADS} connections=${CONNS} seconds=${SECS} rounds=${ROUNDS}`);
  console.log('round  signin_per_s  non2xx  argon2_per_s  ratio');
  const rows = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const w = await signins();
    const a = await ref();
    rows.push({ w, a });
    broken ||= w.non2xx > 0 || w.sockErrors > 0;
    console.log(`${String(r).padEnd(7)}${w.rps.toFixed(1).padStart(12)}  ${String(w.non2xx).padStart(6)}  ${a.toFixed(1).padStart(12)}  ${(w.rps / a).toFixed(2)}`);
  }
  const s = median(rows.map((x) => x.w.rps));
  const a = median(rows.map((x) => x.a));
  console.log(`# target ratio >= ${TARGET} (information only): ${s / a >= TARGET ? 'met' : 'NOT met'}`);
  console.log(`signin_vs_argon2 ratio=${(s / a).toFixed(2)} signin_per_s=${s.toFixed(1)} argon2_per_s=${a.toFixed(1)} threads=${THREADS}`);
} finally {
  await srv.stop();
  pg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (broken) {
  console.error('signin bench: some sign-ins were refused or failed: broken run');
  process.exitCode = 1;
}

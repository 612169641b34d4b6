// Benchmark: p99 latency of GET /api/v1/accounts/{user_id} while sign-ins (argon2id) keep
// every hashing worker busy, against its p99 with nothing else running, alternating.
// Hashing runs off the HTTP threads, so reads should barely notice it.
// Informational: it fails only when something breaks, never on the ratio.
//   BENCH_CONNECTIONS (2: GET connections)  BENCH_SECONDS (5)  BENCH_ROUNDS (3)
//   BENCH_SIGNIN_CONNECTIONS (8)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid } from '../support/harness.mjs';
import { intEnv, median, wrk, benchInstitution, signinScript } from '../support/bench.mjs';

const TARGET = 3;
const C = intEnv('BENCH_CONNECTIONS', 2, 1, 64);
const SECS = intEnv('BENCH_SECONDS', 5, 1, 600);
const ROUNDS = intEnv('BENCH_ROUNDS', 3, 1, 50);
const SIGNIN_C = intEnv('BENCH_SIGNIN_CONNECTIONS', 8, 1, 256);

const pg = await startPostgres();
const db = pg.migratedDatabase();
const srv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_HTTP_THREADS: '0', ONSHI_LOG_LEVEL: 'warn' } });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-bench-'));
const problems = [];
try {
  const inst = await benchInstitution(pg, db, srv, { general: 200, signers: 16 });
  const url = `${srv.base}/api/v1/accounts/u0100`;
  const headers = { Authorization: `Bearer ${inst.token}` };
  const script = path.join(tmp, 'signin.lua');
  signinScript(inst, script);
  const signins = (secs) => wrk(`${srv.base}/api/v1/session`, { secs, conns: SIGNIN_C, threads: 1, script, timeoutSecs: 30 });
  const reads = (secs) => wrk(url, { secs, conns: C, threads: 1, headers });
  const flag = (r, what, x) => {
    if (x.non2xx) problems.push(`round ${r}: ${x.non2xx} non-2xx responses (${what})`);
    if (x.sockErrors) problems.push(`round ${r}: ${x.sockErrors} socket errors (${what})`);
  };

  console.log(`# p99 of GET /api/v1/accounts/{user_id} (${C} connections) idle vs during sign-ins (${SIGNIN_C} connections)  seconds=${SECS} rounds=${ROUNDS} cpus=${os.cpus().length}`);
  await reads(2); // warm-up
  await signins(2);
  console.log('round  idle_p99_ms  idle_rps  loaded_p99_ms  loaded_rps  signin_per_s  ratio');
  const rows = [];
  const settle = () => new Promise((res) => setTimeout(res, 2000)); // queued hashing drains
  for (let r = 1; r <= ROUNDS; r++) {
    await settle();
    const idle = await reads(SECS);
    // The sign-in load starts first and ends last, so the reads see it the whole time.
    const load = signins(SECS + 2);
    await new Promise((res) => setTimeout(res, 1000));
    const loaded = await reads(SECS);
    const s = await load;
    flag(r, 'idle reads', idle);
    flag(r, 'loaded reads', loaded);
    flag(r, 'sign-ins', s);
    rows.push({ idle, loaded, s });
    console.log(`${String(r).padEnd(7)}${idle.p99.toFixed(2).padStart(11)}  ${idle.rps.toFixed(0).padStart(8)}  ${loaded.p99.toFixed(2).padStart(13)}  ` +
      `${loaded.rps.toFixed(0).padStart(10)}  ${s.rps.toFixed(1).padStart(12)}  ${(loaded.p99 / idle.p99).toFixed(2)}`);
  }
  const idleP99 = median(rows.map((x) => x.idle.p99));
  const loadedP99 = median(rows.map((x) => x.loaded.p99));
  const ratio = loadedP99 / idleP99;
  console.log(`# target ratio <= ${TARGET} (information only): ${ratio <= TARGET ? 'met' : 'NOT met'}`);
  if (problems.length) console.log(`# FLAGGED: ${problems.join('; ')}`);
  console.log(`account_get_p99_under_signin ratio=${ratio.toFixed(2)} idle_p99_ms=${idleP99.toFixed(2)} loaded_p99_ms=${loadedP99.toFixed(2)} ` +
    `signin_per_s=${median(rows.map((x) => x.s.rps)).toFixed(1)} connections=${C} signin_connections=${SIGNIN_C} rounds=${ROUNDS}`);
} finally {
  await srv.stop();
  pg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (problems.length) {
  console.error(`account_get_under_signin bench: broken run:\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
}

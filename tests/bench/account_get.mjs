// Benchmark: GET /api/v1/accounts/{user_id} through onshid (wrk, an admin's bearer token)
// against pgbench running the SQL that request runs (the token lookup and the account read,
// printed by build/bench_print_sql) at the same number of connections, alternating.
// A second reference runs the account read alone: what one query per request allows, and the
// figure issue 20 aims at (onshid remembers sessions, store/session_cache.h, so a request
// runs the read only). Informational: it fails only when something breaks (errors, non-2xx
// replies), never on the ratio.
//   BENCH_CONNECTIONS (4)  BENCH_SECONDS (5)  BENCH_ROUNDS (3)
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid } from '../support/harness.mjs';
import { intEnv, median, wrk, pgbench, pgbenchStatements, benchInstitution } from '../support/bench.mjs';

const TARGET = 0.6; // of the read alone
const C = intEnv('BENCH_CONNECTIONS', 4, 1, 64);
const SECS = intEnv('BENCH_SECONDS', 5, 1, 600);
const ROUNDS = intEnv('BENCH_ROUNDS', 3, 1, 50);

const pg = await startPostgres();
const db = pg.migratedDatabase();
const conninfo = pg.conninfo(db);
// Request lines are logged at info; at warn the benchmark measures serving, not logging.
const srv = await startOnshid({ database: conninfo, env: { ONSHI_HTTP_THREADS: process.env.BENCH_HTTP_THREADS ?? '0', ONSHI_LOG_LEVEL: 'warn' } });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-bench-'));
const problems = [];
try {
  const inst = await benchInstitution(pg, db, srv, { general: 200 });
  const url = `${srv.base}/api/v1/accounts/u0100`;
  const headers = { Authorization: `Bearer ${inst.token}` };
  const check = await fetch(url, { headers });
  if (check.status !== 200) throw new Error(`GET ${url}: ${check.status} ${await check.text()}`);

  // Parameters exactly as onshid passes them with its default configuration.
  const digest = `\\x${createHash('sha256').update(inst.token).digest('hex')}`;
  const lookup = ['session_lookup', [inst.code, digest, '1800', null]];
  const read = ['account_get', [inst.code, 'u0100', '5', '30', '90']];
  const both = path.join(tmp, 'request.sql');
  const alone = path.join(tmp, 'account_get.sql');
  fs.writeFileSync(both, await pgbenchStatements([lookup, read]));
  fs.writeFileSync(alone, await pgbenchStatements([read]));
  const opts = { clients: C, mode: 'simple' };

  const threads = Number(/"http_threads":(\d+)/.exec(srv.log())[1]);
  console.log(`# GET /api/v1/accounts/{user_id} vs pgbench (token lookup + account read; account read alone)  connections=${C} onshid_threads=${threads} seconds=${SECS} rounds=${ROUNDS} cpus=${os.cpus().length}`);
  // Warm-up: caches, plans and connections on every path; discarded.
  await wrk(url, { secs: 2, conns: C, headers });
  await pgbench(conninfo, both, { ...opts, secs: 2 });
  console.log('round  onshid_rps  p99_ms  pgbench_tps  ratio  read_alone_tps  ratio');
  const rows = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const w = await wrk(url, { secs: SECS, conns: C, headers });
    const p = await pgbench(conninfo, both, { ...opts, secs: SECS });
    const a = await pgbench(conninfo, alone, { ...opts, secs: SECS });
    rows.push({ w, p, a });
    if (w.non2xx) problems.push(`round ${r}: ${w.non2xx} non-2xx responses from onshid`);
    if (w.sockErrors) problems.push(`round ${r}: ${w.sockErrors} wrk socket errors`);
    if (p.failed || a.failed) problems.push(`round ${r}: failed pgbench transactions`);
    console.log(`${String(r).padEnd(7)}${w.rps.toFixed(0).padStart(10)}  ${w.p99.toFixed(2).padStart(6)}  ${p.tps.toFixed(0).padStart(11)}  ${(w.rps / p.tps).toFixed(2).padStart(5)}  ${a.tps.toFixed(0).padStart(14)}  ${(w.rps / a.tps).toFixed(2).padStart(5)}`);
  }
  const rps = median(rows.map((x) => x.w.rps));
  const tps = median(rows.map((x) => x.p.tps));
  const alonetps = median(rows.map((x) => x.a.tps));
  const ratio = rps / tps;
  const vsAlone = rps / alonetps;
  console.log(`# target ratio to the read alone >= ${TARGET} (information only): ${vsAlone >= TARGET ? 'met' : 'NOT met'}`);
  if (problems.length) console.log(`# FLAGGED: ${problems.join('; ')}`);
  console.log(`account_get_vs_pgbench ratio=${ratio.toFixed(2)} onshid_rps=${Math.round(rps)} pgbench_tps=${Math.round(tps)} ` +
    `ratio_vs_read_alone=${vsAlone.toFixed(2)} read_alone_tps=${Math.round(alonetps)} connections=${C} rounds=${ROUNDS}`);
} finally {
  await srv.stop();
  pg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (problems.length) {
  console.error(`account_get bench: broken run:\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
}

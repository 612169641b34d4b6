// Benchmark: GET /readyz through onshid (wrk) against the bare SQL it runs (pgbench), with
// the same number of connections, so the ratio shows what the HTTP layer costs on top of
// PostgreSQL. Informational: it fails only when something breaks (errors, non-2xx replies),
// never on the ratio.
//   BENCH_CONNECTIONS (4)  wrk connections = pgbench clients (onshid runs its default
//                          http_threads: one per core, each with one database connection)
//   BENCH_SECONDS (5)      duration of one measurement
//   BENCH_ROUNDS (3)       wrk/pgbench pairs; the medians are reported
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid, BUILD } from '../support/harness.mjs';
import { intEnv, median, wrk, pgbench } from '../support/bench.mjs';

const TARGET = 0.6;
const C = intEnv('BENCH_CONNECTIONS', 4, 1, 64);
const SECS = intEnv('BENCH_SECONDS', 5, 1, 600);
const ROUNDS = intEnv('BENCH_ROUNDS', 3, 1, 50);

// The SQL is onshid's own (build/bench_print_sql), so pgbench runs exactly what /readyz runs.
const SQL = `${execFileSync(path.join(BUILD, 'bench_print_sql'), ['schema_version'], { encoding: 'utf8' }).trim()};`;

const pg = await startPostgres();
const conninfo = pg.conninfo(pg.migratedDatabase());
// Request lines are logged at info; at warn the benchmark measures serving, not logging.
const server = await startOnshid({ database: conninfo, env: { ONSHI_HTTP_THREADS: '0', ONSHI_LOG_LEVEL: 'warn' } });
const threads = Number(/"http_threads":(\d+)/.exec(server.log())[1]);
server.url = `${server.base}/readyz`;
const ready = await (await fetch(server.url)).json();
if (ready.status !== 'ready') throw new Error(`GET /readyz: ${JSON.stringify(ready)}`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-bench-'));
const file = path.join(tmp, 'query.sql');
fs.writeFileSync(file, `${SQL}\n`);
const problems = [];
try {
  console.log(`# GET ${server.url} vs pgbench '${SQL}'  connections=${C} onshid_threads=${threads} seconds=${SECS} rounds=${ROUNDS} cpus=${os.cpus().length}`);
  // Warm-up: fills caches, plans and connections on both paths; results are discarded.
  await wrk(server.url, { secs: 2, conns: C });
  await pgbench(conninfo, file, { secs: 2, clients: C });
  console.log('round  onshid_rps  p99      non2xx  sock_err  pgbench_tps  failed  ratio');
  const rows = [];
  for (let r = 1; r <= ROUNDS; r++) { // alternate, so drift affects both sides alike
    const w = await wrk(server.url, { secs: SECS, conns: C });
    const p = await pgbench(conninfo, file, { secs: SECS, clients: C });
    rows.push({ w, p });
    if (w.non2xx) problems.push(`round ${r}: ${w.non2xx} non-2xx responses from onshid`);
    if (w.sockErrors) problems.push(`round ${r}: ${w.sockErrors} wrk socket errors`);
    if (p.failed) problems.push(`round ${r}: ${p.failed} failed pgbench transactions`);
    console.log(`${String(r).padEnd(7)}${w.rps.toFixed(0).padStart(10)}  ${(w.p99.toFixed(2) + 'ms').padEnd(8)} ${String(w.non2xx).padStart(6)}  ` +
      `${String(w.sockErrors).padStart(8)}  ${p.tps.toFixed(0).padStart(11)}  ${String(p.failed).padStart(6)}  ${(w.rps / p.tps).toFixed(2)}`);
  }
  const rps = median(rows.map((x) => x.w.rps));
  const tps = median(rows.map((x) => x.p.tps));
  const ratio = rps / tps;
  console.log(`# target ratio >= ${TARGET} (information only): ${ratio >= TARGET ? 'met' : 'NOT met'}`);
  if (problems.length) console.log(`# FLAGGED: ${problems.join('; ')}`);
  console.log(`readyz_vs_pgbench ratio=${ratio.toFixed(2)} onshid_rps=${Math.round(rps)} pgbench_tps=${Math.round(tps)} connections=${C} rounds=${ROUNDS}`);
} finally {
  await server.stop();
  pg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (problems.length) {
  console.error(`readyz bench: broken run:\n  ${problems.join('\n  ')}\nonshid log:\n${server.log()}`);
  process.exitCode = 1;
}

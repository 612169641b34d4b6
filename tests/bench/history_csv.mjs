// Benchmark: history CSV downloads (資格確認履歴). Three figures, each against its reference
// in the same run:
//  1. One institution's 25,000-row month: GET …/qualification-checks.csv time to last byte
//     against `psql` running `\copy (the same query) to stdout csv header` (target ≤ 1.5).
//  2. onshid's resident memory growth while four of those downloads stream at once
//     (target ≤ 8 MiB).
//  3. Figure 1 again once the table holds BENCH_HISTORY_ROWS rows (10,000,000) over 1,000
//     institutions and several months (the data is generated in SQL, partition by partition).
// Informational: it fails only when something breaks, never on a ratio.
//   BENCH_ROUNDS (5)  BENCH_HISTORY_ROWS (10000000)  BENCH_HISTORY_INSTITUTIONS (1000)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid, BUILD } from '../support/harness.mjs';
import { intEnv, median, benchInstitution } from '../support/bench.mjs';

const ROUNDS = intEnv('BENCH_ROUNDS', 5, 1, 50);
const TOTAL = intEnv('BENCH_HISTORY_ROWS', 10_000_000, 100_000, 100_000_000);
const INSTITUTIONS = intEnv('BENCH_HISTORY_INSTITUTIONS', 1000, 2, 100_000);
const MONTH_ROWS = 25_000;

const pg = await startPostgres();
const db = pg.migratedDatabase();
const srv = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_LOG_LEVEL: 'warn' } });
const inst = await benchInstitution(pg, db, srv, { code: '1319700001', general: 0 });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-bench-'));

// Last month in Japan time: its partition exists (the migration makes the month before).
const now = new Date(Date.now() + 9 * 3600e3);
const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
const first = month.toISOString().slice(0, 10);
const last = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
const fromUtc = new Date(Date.parse(`${first}T00:00:00+09:00`)).toISOString();
const toUtc = new Date(Date.parse(`${last}T00:00:00+09:00`) + 86400e3).toISOString();

const rowsSql = (code, n, fromDay, days, offset = 0) => `INSERT INTO qualification_checks (institution_code, checked_at, account_id, account_kind, route,
  reference_classification, insurer_number, insured_symbol, insured_number, insured_branch, validity, result_status, file_identifier)
  SELECT ${code}, '${fromDay} 00:00+09'::timestamptz + (g::float8 / ${n} * ${days}) * interval '1 day',
    'u' || (g % 50), 'general', 'screen', '2', '06131234', '1234', lpad((g + ${offset})::text, 7, '0'), '00', '1', '1', 'RC-' || g
  FROM generate_series(0, ${n - 1}) g`;

pg.psql(db, rowsSql(`'${inst.code}'`, MONTH_ROWS, first, Number(last.slice(8))));
const query = execFileSync(path.join(BUILD, 'bench_print_sql'), ['history_checks_csv'], { encoding: 'utf8' }).trim();
const script = path.join(tmp, 'copy.sql');
fs.writeFileSync(script, `BEGIN;
SELECT set_config('onshi.csv_institution', '${inst.code}', true), set_config('onshi.csv_from', '${fromUtc}', true), set_config('onshi.csv_to', '${toUtc}', true), set_config('onshi.csv_category', 'all', true) \\g /dev/null
\\copy (${query}) to stdout csv header
COMMIT;
`);
const url = `${srv.base}/api/v1/history/qualification-checks.csv?from=${first}&to=${last}`;
const headers = { Authorization: `Bearer ${inst.token}` };

// A new connection each time, as psql makes one: no idle keep-alive connection to find
// closed after the long data generation.
function download() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    http.get(url, { headers, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (d) => { bytes += d.length; });
      res.on('end', () => (res.statusCode === 200 ? resolve({ secs: Number(process.hrtime.bigint() - t0) / 1e9, bytes })
        : reject(new Error(`download: ${res.statusCode}`))));
    }).on('error', reject);
  });
}

function psqlCopy() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', pg.conninfo(db), '-f', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    p.stdout.on('data', (d) => { bytes += d.length; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => (code === 0 ? resolve({ secs: Number(process.hrtime.bigint() - t0) / 1e9, bytes }) : reject(new Error(err))));
  });
}

async function ratio(label) {
  const ours = [];
  const theirs = [];
  let sizes;
  await download(); // warm both paths once
  await psqlCopy();
  for (let i = 0; i < ROUNDS; i++) {
    const a = await download();
    const b = await psqlCopy();
    ours.push(a.secs);
    theirs.push(b.secs);
    sizes = [a.bytes, b.bytes];
  }
  const r = median(ours) / median(theirs);
  console.log(`${label} ratio=${r.toFixed(2)} onshid_ms=${(median(ours) * 1000).toFixed(1)} psql_copy_ms=${(median(theirs) * 1000).toFixed(1)} bytes=${sizes[0]}/${sizes[1]} rounds=${ROUNDS}`);
}

const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'))[1]);

async function memory() {
  await Promise.all([download(), download(), download(), download()]); // warm: threads, pools
  const before = rss();
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, rss()); }, 2);
  // Slow readers keep all four streams open at once.
  await Promise.all([0, 1, 2, 3].map(async () => {
    await new Promise((resolve, reject) => {
      http.get(url, { headers, agent: false }, (res) => {
        res.on('data', () => { peak = Math.max(peak, rss()); });
        res.on('end', resolve);
      }).on('error', reject);
    });
  }));
  clearInterval(timer);
  console.log(`history_csv_rss_growth_4_downloads kib=${peak - before} mib=${((peak - before) / 1024).toFixed(2)} rss_before_kib=${before} peak_kib=${peak}`);
}

try {
  await ratio('history_csv_25000_vs_psql_copy');
  await memory();
  // The national-scale table: other institutions over the last few months.
  const t0 = Date.now();
  const codes = `'13197' || lpad(((g % ${INSTITUTIONS - 1}) + 2)::text, 5, '0')`;
  pg.psql(db, `INSERT INTO institutions (institution_code, name, kind, start_date)
    SELECT '13197' || lpad(g::text, 5, '0'), 'ベンチ医院', 'medical', '2020-01-01' FROM generate_series(2, ${INSTITUTIONS}) g ON CONFLICT DO NOTHING`);
  const months = 4; // this partition and the three before it, made if missing
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months + 1, 1)).toISOString().slice(0, 10);
  pg.psql(db, `SELECT history_partitions_ensure('${start}', ${months})`);
  const per = Math.floor((TOTAL - MONTH_ROWS) / months);
  for (let m = 0; m < months; m++) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months + 1 + m, 1));
    const day = d.toISOString().slice(0, 10);
    const days = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    pg.psql(db, rowsSql(codes.replaceAll('g %', `(g + ${m}) %`), per, day, days, m * per));
  }
  pg.psql(db, 'ANALYZE qualification_checks');
  const total = pg.psql(db, 'SELECT count(*) FROM qualification_checks');
  console.log(`history rows=${total} institutions=${INSTITUTIONS} months=${months} generated_in_s=${((Date.now() - t0) / 1000).toFixed(0)}`);
  await ratio('history_csv_25000_of_10m_vs_psql_copy');
} finally {
  await srv.stop();
  pg.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}

// Soak: a mixed load on one onshid for SOAK_MINUTES (10), checking the status of every
// answer, and onshid's memory over time. What runs at once:
//  - readers (SOAK_READERS, 4): an account by ID, account searches, history pages,
//    qualification checks by insurance card, card checks with consents and the medical
//    information they open, the public patient page;
//  - sign-ins: right passwords over several accounts, wrong ones and unknown IDs (401);
//  - a bulk registration job every 20 s, waited for, its result file downloaded;
//  - history CSV downloads, one after another, both histories;
//  - slow clients: every 30 s a few connections that send a header line a second and never
//    finish their head, each of which onshid must close after header_timeout.
// It prints a line every 30 s (requests, errors, VmRSS/VmHWM) and a summary; it fails
// (exit 1) on any unexpected answer, an SQL error in onshid's log, a slow client kept open,
// memory that grew from the first minute to the end by more than max(20 %, 16 MiB), or an
// unclean exit of onshid.
//   SOAK_MINUTES (10)  SOAK_READERS (4)
import fs from 'node:fs';
import net from 'node:net';
import { startPostgres, startOnshid } from '../support/harness.mjs';
import { createInstitution, signedIn, raw } from '../support/people.mjs';
import { intEnv, percentile } from '../support/bench.mjs';

const MINUTES = intEnv('SOAK_MINUTES', 10, 1, 24 * 60);
const READERS = intEnv('SOAK_READERS', 4, 1, 64);
const HEADER_TIMEOUT = 5;
const CODE = '1319900001';
const PASSWORD = 'Sakura2026!';

const pg = await startPostgres();
const db = pg.migratedDatabase();
const srv = await startOnshid({ database: pg.conninfo(db), env: {
  ONSHI_LOG_LEVEL: 'warn', ONSHI_HEADER_TIMEOUT: String(HEADER_TIMEOUT),
  // One address makes all of this load; the limits' own tests (api/visit, api/signin_abuse)
  // cover the limits.
  ONSHI_VISIT_RATE_LIMIT: '100000',
} });

const stats = new Map(); // op → { n, errors, ms[] }
const errors = [];
function record(op, ms, problem) {
  const s = stats.get(op) ?? { n: 0, errors: 0, ms: [] };
  s.n++;
  if (s.ms.length < 200_000) s.ms.push(ms);
  if (problem) {
    s.errors++;
    if (errors.length < 20) {
      errors.push(`${op}: ${problem}`);
      console.log(`! t=${Math.round((Date.now() - started) / 1000)}s ${op}: ${problem}`);
    }
  }
  stats.set(op, s);
}

// Runs one request, reads its body and checks its status; returns the body (text), or null
// when the answer was not the one wanted.
async function timed(op, want, fn) {
  const t0 = performance.now();
  try {
    const res = await fn();
    const body = await res.text();
    const ms = performance.now() - t0;
    record(op, ms, res.status === want ? null : `${res.status} ${body.slice(0, 200)}`);
    return res.status === want ? body : null;
  } catch (e) {
    record(op, performance.now() - t0, e.message);
    return null;
  }
}

// --- Setup: one institution, its people, test data -------------------------------------------
const inst = createInstitution(pg, db, CODE, 'medical', '耐久試験医院');
const master = await signedIn(srv, CODE, inst.master.user_id, inst.master.initial_password);
const account = (role, id) => ({ role, user_id: id, name: '耐久 試験', name_kana: 'タイキュウ シケン', start_date: '2020-04-01' });
async function member(call, role, id) {
  const made = await call('POST', '/api/v1/accounts', account(role, id));
  if (made.status !== 201) throw new Error(`${id}: ${made.status} ${await made.text()}`);
  return signedIn(srv, CODE, id, (await made.json()).initial_password, PASSWORD);
}
const admin = await member(master, 'admin', 'kanri01');
const viewer = await member(admin, 'medical_viewer', 'etsuran1');
// Each reader is a pair: an admin (account and history reads) and a general user (checks).
const readers = [];
for (let i = 1; i <= READERS; i++) {
  const n = String(i).padStart(2, '0');
  readers.push({ staff: await member(master, 'admin', `kanri${n}x`), desk: await member(admin, 'general', `ippan${n}`) });
}
const signers = [];
for (let i = 1; i <= 8; i++) {
  const id = `s${String(i).padStart(2, '0')}`;
  await member(admin, 'general', id);
  signers.push(id);
}
// Wrong guesses go to accounts of their own (they lock), never to the signers.
const victims = [];
for (let i = 1; i <= 4; i++) {
  const id = `v${String(i).padStart(2, '0')}`;
  await member(admin, 'general', id);
  victims.push(id);
}
const persons = [];
for (const qualification_type of ['insurance_valid', 'insurance_invalid', 'insurance_valid_nondisclosure']) {
  const res = await admin('POST', '/api/v1/test-data/category-records', { category: 'employee_insurance', qualification_type });
  if (res.status !== 201) throw new Error(`category record: ${res.status}`);
  persons.push((await res.json()).category_record.person);
}
const serials = [];
for (let i = 0; i < 4; i++) {
  const serial = String(810001 + i);
  const res = await admin('POST', '/api/v1/test-data/card-links', { serial_number: serial, qualification_type: 'insurance_valid', register_as_insurance_card: true });
  if (res.status !== 201) throw new Error(`card link: ${res.status}`);
  serials.push(serial);
}
{
  const s = await (await admin('GET', '/api/v1/settings')).json();
  const res = await admin('PUT', '/api/v1/settings', { values: { home_visit: 'use' }, version: s.version, terms_agreed: true });
  if (res.status !== 200) throw new Error(`settings: ${res.status} ${await res.text()}`);
}
const visitUrl = (await (await admin('GET', '/api/v1/visit-urls')).json()).items.find((i) => i.kind === 'home_visit').url;
const visitToken = visitUrl.slice(visitUrl.lastIndexOf('/') + 1);

// --- The load ---------------------------------------------------------------------------------
const started = Date.now();
const end = started + MINUTES * 60_000;
const running = () => Date.now() < end;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (xs) => xs[Math.floor(Math.random() * xs.length)];
const todayJst = () => new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);

const insuranceFields = (p) => ({ insurer_number: p.insurance.insurer_number, insured_card_symbol: p.insurance.insured_card_symbol || undefined,
  insured_number: p.insurance.insured_number, insured_branch_number: p.insurance.insured_branch_number || undefined, birthdate: p.birthdate });

const readOps = [
  ['account_get', ({ staff }) => timed('account_get', 200, () => staff('GET', `/api/v1/accounts/${pick(signers)}`))],
  ['account_search', ({ staff }) => timed('account_search', 200, () => staff('GET', `/api/v1/accounts?${new URLSearchParams(pick([
    { name_kana: 'タイキュウ' }, { user_id: 's0' }, { role: 'general', sort: 'user_id' }, { locked: 'true' }, { name: '耐久', page: '2', per_page: '20' }]))}`))],
  ['history_page', ({ staff }) => timed('history_page', 200, () => staff('GET', `/api/v1/history/${pick(['qualification-checks', 'medical-info-views'])}?from=${todayJst()}&to=${todayJst()}&per_page=50`))],
  ['check_insurance', ({ desk }) => timed('check_insurance', 200, () => desk('POST', '/api/v1/qualifications/insurance', insuranceFields(pick(persons))))],
  ['check_card', async ({ desk }) => {
    const serial = pick(serials);
    if (!await timed('check_card', 200, () => desk('POST', '/api/v1/qualifications/card', { serial_number: serial, consents: ['drug'] }))) return;
    await timed('medical_info', 200, () => viewer('GET', `/api/v1/medical-info?serial_number=${serial}&category=drug`));
  }],
  ['visit_page', () => timed('visit_page', 200, () => fetch(`${srv.base}/visit/${visitToken}`))],
];

async function reader(pair) {
  while (running()) {
    const [, op] = pick(readOps);
    await op(pair);
  }
}

async function signins() {
  const post = (body) => fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  let n = 0;
  while (running()) {
    n++;
    const r = Math.random();
    if (r < 0.7) {
      await timed('signin_right', 200, () => post({ institution_code: CODE, user_id: signers[n % signers.length], password: PASSWORD }));
    } else {
      const body = r < 0.85 ? { institution_code: CODE, user_id: pick(victims), password: `wrong-${n}` }
        : { institution_code: CODE, user_id: `nobody${n}`, password: PASSWORD };
      await timed(r < 0.85 ? 'signin_wrong' : 'signin_unknown', 401, () => post(body));
    }
  }
}

const BULK_HEADER = '権限区分,ユーザID,ユーザ名,ユーザ名（カナ）,利用開始年月日,利用終了年月日\r\n';
async function bulkJobs() {
  let job = 0;
  while (running()) {
    const next = Date.now() + 20_000;
    job++;
    const rows = [];
    for (let i = 1; i <= 20; i++) rows.push(`一般利用者,b${String(job).padStart(3, '0')}${String(i).padStart(2, '0')},一括 登録,イッカツ トウロク,2020/04/01,\r\n`);
    const accepted = await timed('bulk_upload', 202, () => admin('POST', '/api/v1/bulk-jobs', raw(BULK_HEADER + rows.join(''), 'text/csv')));
    if (accepted) {
      const rn = JSON.parse(accepted).reception_number;
      const t0 = performance.now();
      let status;
      while (performance.now() - t0 < 60_000) {
        status = (await (await admin('GET', `/api/v1/bulk-jobs/${rn}`)).json()).job?.status;
        if (!['waiting', 'processing'].includes(status)) break;
        await sleep(200);
      }
      record('bulk_job', performance.now() - t0, status === 'completed' ? null : `job ${rn} ended ${status}`);
      const text = await timed('bulk_result', 200, () => admin('GET', `/api/v1/bulk-jobs/${rn}/result.csv`));
      if (text !== null) {
        if (text.split('\r\n').filter(Boolean).length !== 21) record('bulk_result_rows', 0, `result file of ${rn} has not 20 rows`);
      }
    }
    await sleep(Math.max(0, next - Date.now()));
  }
}

async function downloads() {
  let n = 0;
  while (running()) {
    const kind = n++ % 2 ? 'qualification-checks' : 'medical-info-views';
    // The last 30 s: a whole day of this load is past the 25,000 rows a download may hold.
    const window = new URLSearchParams({ from: new Date(Date.now() - 30_000).toISOString(), to: new Date().toISOString() });
    await timed('history_csv', 200, () => admin('GET', `/api/v1/history/${kind}.csv?${window}`));
    await sleep(2000);
  }
}

// A connection that sends a header line a second and never ends its head: onshid must close
// it within header_timeout (and a little slack).
function slowClient() {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect(srv.port, '127.0.0.1');
    let timer;
    const done = (problem) => { clearInterval(timer); sock.destroy(); resolve(problem); };
    sock.on('connect', () => {
      sock.write('GET /api/v1/accounts HTTP/1.1\r\nHost: soak\r\n');
      timer = setInterval(() => sock.write(`X-Slow-${Date.now()}: 1\r\n`), 1000);
    });
    sock.on('data', () => {}); // a 408 or nothing: the close is what counts
    sock.on('error', () => {}); // writes racing the close
    sock.on('close', () => {
      const secs = (Date.now() - t0) / 1000;
      done(secs > HEADER_TIMEOUT + 3 ? `closed after ${secs.toFixed(1)} s` : null);
    });
    setTimeout(() => done(`still open after ${HEADER_TIMEOUT + 10} s`), (HEADER_TIMEOUT + 10) * 1000);
  });
}
async function slowClients() {
  while (running()) {
    const next = Date.now() + 30_000;
    const t0 = performance.now();
    const problems = await Promise.all(Array.from({ length: 4 }, slowClient));
    for (const p of problems) record('slow_client', performance.now() - t0, p);
    await sleep(Math.max(0, next - Date.now()));
  }
}

const samples = [];
function sample() {
  const status = fs.readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  const s = { t: (Date.now() - started) / 1000, rss: kib('VmRSS'), hwm: kib('VmHWM') };
  samples.push(s);
  const total = [...stats.values()].reduce((a, x) => a + x.n, 0);
  const errs = [...stats.values()].reduce((a, x) => a + x.errors, 0);
  console.log(`t=${String(Math.round(s.t)).padStart(5)}s requests=${total} errors=${errs} rss_kib=${s.rss} hwm_kib=${s.hwm}`);
}

console.log(`# soak: ${MINUTES} min, ${READERS} readers, sign-ins, a bulk job every 20 s, CSV downloads, slow clients (header_timeout ${HEADER_TIMEOUT} s)`);
sample();
const sampler = setInterval(sample, 30_000);
await Promise.all([...readers.map(reader), signins(), bulkJobs(), downloads(), slowClients()]);
clearInterval(sampler);
sample();

// --- Summary ------------------------------------------------------------------------------------
console.log('op                 requests  errors  p50_ms   p99_ms');
for (const [op, s] of [...stats.entries()].sort()) {
  console.log(`${op.padEnd(18)}${String(s.n).padStart(9)}${String(s.errors).padStart(8)}${percentile(s.ms, 50).toFixed(1).padStart(8)}${percentile(s.ms, 99).toFixed(1).padStart(9)}`);
}
const failures = [];
const errorCount = [...stats.values()].reduce((a, x) => a + x.errors, 0);
if (errorCount) failures.push(`${errorCount} unexpected answers (the first ones are printed above with '!')`);
const sqlErrors = srv.log().split('\n').filter((l) => l.includes('"msg":"SQL error') || l.includes('transaction failed inside')).length;
if (sqlErrors) failures.push(`${sqlErrors} SQL error lines in onshid's log`);
// The baseline is the sample nearest to one minute in (the first minute warms pools and caches).
const base = samples.reduce((a, s) => (Math.abs(s.t - 60) < Math.abs(a.t - 60) ? s : a));
const last = samples[samples.length - 1];
const growth = last.rss - base.rss;
const bound = Math.max(0.2 * base.rss, 16 * 1024);
if (MINUTES >= 2 && growth > bound) failures.push(`VmRSS grew ${growth} KiB from t=${Math.round(base.t)} s to the end (bound ${Math.round(bound)} KiB)`);
const stopped = await srv.stop();
if (stopped.code !== 0) failures.push(`onshid exited ${JSON.stringify(stopped)}`);
pg.stop();
console.log(`soak minutes=${MINUTES} requests=${[...stats.values()].reduce((a, x) => a + x.n, 0)} errors=${errorCount} sql_errors=${sqlErrors}` +
  ` rss_1min_kib=${base.rss} rss_end_kib=${last.rss} growth_kib=${growth} hwm_kib=${last.hwm} exit=${stopped.code}`);
if (failures.length) {
  for (const f of failures) console.error(`soak: ${f}`);
  process.exitCode = 1;
}

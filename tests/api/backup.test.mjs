// Backup and restore with PostgreSQL's own tools (issue 18 §4): a pg_dump -Fc taken while
// onshid runs and answers checks, restored by pg_restore into a second, fresh cluster, gives
// back through the API every account with its role, state and password, the settings, the
// bulk job with its sealed result file, the histories and the audit log, and every table's
// rows; the result key file is the one thing outside the database that must be kept with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, startOnshid, eventually, SCHEMA_VERSION } from '../support/harness.mjs';
import { createInstitution, signedIn, raw, json } from '../support/people.mjs';

const A = '1319800001';
const B = '2712000001';
const HEADER = '権限区分,ユーザID,ユーザ名,ユーザ名（カナ）,利用開始年月日,利用終了年月日\r\n';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-backup-'));
const DUMP = path.join(tmp, 'onshi.dump');

let pg; // the site's cluster
let db;
let srv; // the site's onshid, running through the backup
let pg2; // the fresh cluster the dump is restored into
let restored;
let srv2; // onshid on the restored database, with the same result key file
const people = {}; // code → signed-in helpers and bearer tokens made before the backup
const seen = {}; // what the API answered just before the backup
let snapshotCounts; // every table's rows in the dump's snapshot
let sequencesBefore; // every sequence's value before the dump started
let snapshotChecksOfB; // B's checks in the dump's snapshot (more arrived while it ran)
// The admin's pages compared before and after; A's bulk job is A's alone.
const pathsOf = (code) => (code === A ? [...seen.paths, `/api/v1/bulk-jobs/${people[A].reception}`] : seen.paths);

const account = (role, id) => ({ role, user_id: id, name: '復元 確認', name_kana: 'フクゲン カクニン', start_date: '2020-04-01' });
const CHECKS = '/api/v1/history/qualification-checks';
const tokenOf = (url) => url.slice(url.lastIndexOf('/') + 1);
const jstDay = () => new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
const signIn = (server, code, userId, password) => fetch(`${server.base}/api/v1/session`, { method: 'POST',
  headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ institution_code: code, user_id: userId, password }) });
const bytes = async (res) => {
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
};

async function bearer(server, code, userId, password) {
  const { access_token: token } = await json(await fetch(`${server.base}/api/v1/tokens`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ institution_code: code, user_id: userId, password }) }));
  return (method, p, body, s = server) => fetch(`${s.base}${p}`, { method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body) });
}

const xml = (code, person) => ({ XmlMsg: { MessageHeader: { QualificationConfirmationDate: '20261124', MedicalInstitutionCode: code, ArbitraryFileIdentifier: 'BK-1' },
  MessageBody: { QualificationConfirmSearchInfo: { InsurerNumber: person.insurance.insurer_number, InsuredCardSymbol: person.insurance.insured_card_symbol,
    InsuredIdentificationNumber: person.insurance.insured_number, InsuredBranchNumber: person.insurance.insured_branch_number } } } });

async function finishedJob(call, server, rn) {
  let job;
  await eventually(async () => {
    job = (await (await call('GET', `/api/v1/bulk-jobs/${rn}`, undefined, server)).json()).job;
    return job && !['waiting', 'processing'].includes(job.status);
  }, { timeoutMs: 60000 });
  return job;
}

// Every table of the public schema, partitions and their parents included, with its rows:
// one statement, so that it reads one snapshot. A table added later is counted too.
const COUNT_ROWS = `SELECT string_agg(c.relname || '=' || (xpath('/row/n/text()',
  query_to_xml(format('SELECT count(*) AS n FROM public.%I', c.relname), false, true, '')))[1]::text, ',' ORDER BY c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`;
const counts = (text) => Object.fromEntries(text.split(',').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
const SEQUENCES = "SELECT string_agg(schemaname || '.' || sequencename || '=' || coalesce(last_value, 0), ',' ORDER BY sequencename) FROM pg_sequences WHERE schemaname = 'public'";
// Every column a sequence feeds (identity columns and nextval defaults), with its largest value.
const SEQUENCE_COLUMNS = `SELECT string_agg(format('%s.%s:%s', c.table_name, c.column_name,
    coalesce(pg_get_serial_sequence(quote_ident(c.table_name), c.column_name), substring(c.column_default from 'nextval\\(''([^'']+)''')))
  , ',' ORDER BY c.table_name, c.column_name)
  FROM information_schema.columns c JOIN pg_class t ON t.relname = c.table_name AND t.relnamespace = 'public'::regnamespace
  WHERE c.table_schema = 'public' AND NOT t.relispartition AND (c.is_identity = 'YES' OR c.column_default LIKE 'nextval(%')`;

// A psql session kept open: it holds the transaction whose snapshot pg_dump uses, so that the
// rows can be counted in exactly the state the dump holds while checks keep arriving.
function openPsql(conninfo) {
  const proc = spawn('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', conninfo], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let waiting = null;
  proc.stdout.on('data', (d) => {
    out += d;
    const i = out.indexOf('@@done@@\n');
    if (waiting && i >= 0) {
      const text = out.slice(0, i).trim();
      out = out.slice(i + 9);
      const w = waiting;
      waiting = null;
      w.resolve(text);
    }
  });
  proc.stderr.on('data', (d) => { err += d; });
  proc.on('close', (code) => waiting?.reject(new Error(`psql ended (${code}): ${err}`)));
  return {
    query: (sql) => new Promise((resolve, reject) => {
      waiting = { resolve, reject };
      proc.stdin.write(`${sql};\n\\echo @@done@@\n`);
    }),
    close: () => new Promise((resolve) => { proc.on('close', (code) => resolve({ code, err })); proc.stdin.end(); }),
  };
}

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
  for (const code of [A, B]) {
    const inst = createInstitution(pg, db, code, 'medical', code === A ? '復元試験医院' : '復元試験第二医院');
    const master = await signedIn(srv, code, inst.master.user_id, inst.master.initial_password, 'Masuta2026!');
    const made = await json(await master('POST', '/api/v1/accounts', account('admin', 'kanri01')), 201);
    const admin = await signedIn(srv, code, 'kanri01', made.initial_password);
    const member = async (role, id) => signedIn(srv, code, id, (await json(await admin('POST', '/api/v1/accounts', account(role, id)), 201)).initial_password);
    people[code] = { inst, master, admin, member };
    await member('webapi', 'A0001');
    people[code].webapi = await bearer(srv, code, 'A0001', 'Sakura2026!');
    const link = await json(await admin('POST', '/api/v1/test-data/card-links', { serial_number: '5150', qualification_type: 'insurance_valid', register_as_insurance_card: true }), 201);
    people[code].patient = link.card_link.person;
  }
  const a = people[A];
  a.general = await a.member('general', 'ippan01');
  a.viewer = await a.member('medical_viewer', 'etsuran1');
  a.reader = await a.member('face_reader', 'F0001');
  await a.member('linked_app', 'R0001');
  // One still on its initial password, one locked by wrong passwords, one disabled.
  a.initialPassword = (await json(await a.admin('POST', '/api/v1/accounts', account('general', 'shoki01')), 201)).initial_password;
  const locked = await json(await a.admin('POST', '/api/v1/accounts', account('general', 'lock01')), 201);
  a.lockedPassword = locked.initial_password;
  for (let i = 0; i < 5; i++) assert.equal((await signIn(srv, A, 'lock01', `wrong${i}`)).status, 401);
  a.disabledPassword = (await json(await a.admin('POST', '/api/v1/accounts', account('general', 'dis01')), 201)).initial_password;
  await json(await a.admin('PATCH', '/api/v1/accounts/dis01', { enabled: false, version: 1 }));
  // Settings changed in both institutions (A agrees to the terms of use to turn 訪問診療等 on).
  for (const [code, values] of [[A, { consent_surgery: 'use', home_visit: 'use' }], [B, { char_encoding: 'sjis' }]]) {
    const s = await json(await people[code].admin('GET', '/api/v1/settings'));
    await json(await people[code].admin('PUT', '/api/v1/settings', { values, version: s.version, ...(code === A ? { terms_agreed: true } : {}) }));
  }
  // A changed 訪問診療等 URL: the patients' QR codes point at it, the first one is retired.
  const visit = (await json(await a.admin('GET', '/api/v1/visit-urls'))).items.find((i) => i.kind === 'home_visit');
  const changed = (await json(await a.admin('POST', '/api/v1/visit-urls/home_visit/change', { confirm: true }))).items.find((i) => i.kind === 'home_visit');
  seen.visit = { retired: tokenOf(visit.url), current: tokenOf(changed.url) };
  seen.visit.page = await json(await fetch(`${srv.base}/visit/${seen.visit.current}`));
  assert.equal((await fetch(`${srv.base}/visit/${seen.visit.retired}`)).status, 410);
  // A completed bulk job with its sealed result file.
  const accepted = await json(await a.admin('POST', '/api/v1/bulk-jobs', raw(HEADER +
    '一般利用者,ikkatsu1,山田　太郎,ヤマダ　タロウ,2026/12/01,\r\n医療情報閲覧,ikkatsu2,山田　花子,ヤマダ　ハナコ,2026/12/01,\r\n', 'text/csv')), 202);
  a.reception = accepted.reception_number;
  const job = await finishedJob(a.admin, srv, a.reception);
  assert.deepEqual([job.status, job.registered, job.downloadable], ['completed', 2, true]);
  // Qualification checks by every route, consents from the card, two medical-information views.
  assert.equal((await a.general('POST', '/api/v1/qualifications', xml(A, a.patient))).status, 200);
  assert.equal((await a.webapi('POST', '/api/v1/qualifications', xml(A, a.patient))).status, 200);
  assert.equal((await json(await a.reader('POST', '/api/v1/qualifications/card', { serial_number: '5150', consents: ['drug', 'checkup'] }))).XmlMsg.MessageBody.ProcessingResultStatus, '1');
  a.drug = await json(await a.viewer('GET', '/api/v1/medical-info?serial_number=5150&category=drug'));
  await json(await a.viewer('GET', '/api/v1/medical-info?serial_number=5150&category=checkup'));
  assert.equal((await people[B].webapi('POST', '/api/v1/qualifications', xml(B, people[B].patient))).status, 200);

  // What the API answers before the backup; the downloads first, since they are audited too.
  const today = jstDay();
  const period = `from=${today}&to=${today}`;
  seen.result = await bytes(await a.admin('GET', `/api/v1/bulk-jobs/${a.reception}/result.csv`));
  seen.checksCsv = await bytes(await a.admin('GET', `${CHECKS}.csv?${period}`));
  seen.viewsCsv = await bytes(await a.admin('GET', `/api/v1/history/medical-info-views.csv?${period}`));
  seen.paths = [
    '/api/v1/session', '/api/v1/settings', '/api/v1/accounts?per_page=100',
    '/api/v1/bulk-jobs', '/api/v1/visit-urls',
    `${CHECKS}?${period}&per_page=100`, `/api/v1/history/medical-info-views?${period}&per_page=100`,
    '/api/v1/audit-events?per_page=200',
  ];
  for (const code of [A, B]) {
    seen[code] = {};
    for (const p of pathsOf(code)) {
      const res = await people[code].admin('GET', p);
      assert.equal(res.status, 200, `${code} ${p}`);
      seen[code][p] = await res.json();
    }
    seen[code].masterAccounts = await json(await people[code].master('GET', '/api/v1/accounts?per_page=100'));
  }
  assert.equal(seen[A][`${CHECKS}?${period}&per_page=100`].total, 3);
  assert.equal(seen[A][`/api/v1/history/medical-info-views?${period}&per_page=100`].total, 2);
  assert.ok(seen[A]['/api/v1/audit-events?per_page=200'].items.some((e) => e.action === 'bulk.download'));
});

after(async () => {
  for (const s of [srv, srv2]) if (s) assert.deepEqual(await s.stop(), { code: 0, signal: null }, s.log().slice(-4000));
  pg?.stop();
  pg2?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// pg_dump reads one REPEATABLE READ snapshot of its own; --snapshot only hands it the one of
// a session kept open here, so that the rows of exactly that state can be counted. It is not
// part of the operator's command. done() counts the checks answered so far.
async function dumpWhile(done) {
  await eventually(() => done() > 0);
  const holder = openPsql(pg.conninfo(db));
  await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  const snapshot = await holder.query('SELECT pg_export_snapshot()');
  const dump = await new Promise((resolve) => {
    const proc = spawn('pg_dump', ['-Fc', `--snapshot=${snapshot}`, `--file=${DUMP}`, `--dbname=${pg.conninfo(db)}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => { stderr += d; });
    proc.on('close', (code) => resolve({ code, stderr }));
  });
  assert.deepEqual(dump, { code: 0, stderr: '' });
  snapshotCounts = counts(await holder.query(COUNT_ROWS));
  snapshotChecksOfB = Number(await holder.query(`SELECT count(*) FROM qualification_checks WHERE institution_code = '${B}'`));
  assert.equal((await holder.query('COMMIT')), '');
  assert.deepEqual(await holder.close(), { code: 0, err: '' });
  const doneAtDump = done();
  await eventually(() => done() > doneAtDump); // at least one check lands after the dump
}

test('pg_dump -Fc while onshid serves checks, pg_restore into a fresh cluster: every table holds the rows of the dump\'s snapshot', async () => {
  sequencesBefore = pg.psql(db, SEQUENCES);
  // Checks keep arriving at institution B while the dump runs, as they do at a site.
  let stopTraffic = false;
  let checksDone = 0;
  const traffic = (async () => {
    while (!stopTraffic) {
      assert.equal((await people[B].webapi('POST', '/api/v1/qualifications', xml(B, people[B].patient))).status, 200);
      checksDone++;
    }
  })();
  try {
    await dumpWhile(() => checksDone);
  } finally {
    stopTraffic = true;
    await traffic;
  }
  const now = counts(pg.psql(db, COUNT_ROWS));
  assert.ok(now.qualification_checks > snapshotCounts.qualification_checks, 'checks kept being written during and after the dump');
  assert.ok(Number(pg.psql(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'onshi'")) > 0, 'onshid stayed connected');


  pg2 = await startPostgres();
  // template0 and UTF8: an empty database whatever template1 holds, in the encoding of the
  // Japanese text.
  restored = 'onshi_restored';
  pg2.psql('postgres', `CREATE DATABASE ${restored} TEMPLATE template0 ENCODING 'UTF8'`);
  // --no-owner: the objects belong to whoever restores (connect as onshid's role), not to
  //   the role that owned them at the site, which the new cluster may not have;
  // --exit-on-error with --single-transaction: the first error stops it and leaves the
  //   database empty, never half restored (the default goes on past errors and exits 1).
  const res = spawnSync('pg_restore', ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${pg2.conninfo(restored)}`, DUMP], { encoding: 'utf8' });
  assert.deepEqual([res.status, res.stderr], [0, '']);

  // Compared before any onshid touches the restored database.
  const back = counts(pg2.psql(restored, COUNT_ROWS));
  assert.deepEqual(back, snapshotCounts);
  // Restoring again over it is refused at the first object that exists, and changes nothing.
  const again = spawnSync('pg_restore', ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${pg2.conninfo(restored)}`, DUMP], { encoding: 'utf8' });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists/);
  assert.deepEqual(counts(pg2.psql(restored, COUNT_ROWS)), snapshotCounts);
  for (const t of ['accounts', 'audit_log', 'bulk_jobs', 'sessions', 'institution_settings', 'qualification_checks', 'medical_info_views', 'test_persons', 'test_consents', 'visit_tokens', 'terms_agreements', 'password_history', 'schema_version']) {
    assert.ok(back[t] > 0, `${t} has rows to compare`);
  }
  // The history partitions came back as partitions of their tables.
  const partitions = "SELECT string_agg(inhrelid::regclass || '<' || inhparent::regclass, ',' ORDER BY inhrelid::regclass::text) FROM pg_inherits";
  assert.equal(pg2.psql(restored, partitions), pg.psql(db, partitions));
  assert.match(pg2.psql(restored, partitions), /qualification_checks_\w+<qualification_checks/);
  const versions = "SELECT string_agg(version || ':' || name, ',' ORDER BY version) FROM schema_version";
  assert.equal(pg2.psql(restored, versions), pg.psql(db, versions));
  assert.equal(pg2.psql(restored, 'SELECT max(version) FROM schema_version'), String(SCHEMA_VERSION));
  // Sequences go on from where they were, past every value in use: new rows cannot collide.
  const seqBack = counts(pg2.psql(restored, SEQUENCES));
  for (const [name, value] of Object.entries(counts(sequencesBefore))) assert.ok(seqBack[name] >= value, `${name}: ${seqBack[name]} >= ${value}`);
  const fed = pg2.psql(restored, SEQUENCE_COLUMNS).split(',');
  assert.ok(fed.length >= 3, fed.join(','));
  for (const entry of fed) {
    const [, table, column, seq] = /^(\w+)\.(\w+):(.+)$/.exec(entry);
    const largest = Number(pg2.psql(restored, `SELECT coalesce(max(${column}), 0) FROM ${table}`));
    assert.ok(seqBack[seq.includes('.') ? seq : `public.${seq}`] >= largest, `${entry}: sequence past ${largest}`);
  }
});

test('on the restored database with the same result key: accounts, sessions, settings, the bulk job and its result file, histories, audit', async () => {
  srv2 = await startOnshid({ database: pg2.conninfo(restored) });
  const ready = await json(await fetch(`${srv2.base}/readyz`));
  assert.deepEqual([ready.status, ready.schema_version], ['ready', SCHEMA_VERSION]);
  const a = people[A];
  // Sessions and tokens live in the database: those of before the backup still work, and
  // the audit log is read through them before any new sign-in adds to it.
  for (const code of [A, B]) {
    for (const p of pathsOf(code).filter((x) => !(code === B && x.startsWith(CHECKS)))) assert.deepEqual(await json(await people[code].admin('GET', p, undefined, srv2)), seen[code][p], `${code} ${p}`);
    assert.deepEqual(await json(await people[code].master('GET', '/api/v1/accounts?per_page=100', undefined, srv2)), seen[code].masterAccounts);
  }
  // B's history holds what had arrived when the dump's snapshot was taken.
  const period = `from=${jstDay()}&to=${jstDay()}`;
  const checksB = await json(await people[B].admin('GET', `${CHECKS}?${period}&per_page=1`, undefined, srv2));
  assert.ok(snapshotChecksOfB > seen[B][`${CHECKS}?${period}&per_page=100`].total);
  assert.equal(checksB.total, snapshotChecksOfB);
  assert.equal((await a.webapi('GET', '/api/v1/session', undefined, srv2)).status, 200, 'the bearer token');

  const accounts = Object.fromEntries(seen[A]['/api/v1/accounts?per_page=100'].items.map((x) => [x.user_id, x]));
  assert.deepEqual(Object.keys(accounts).sort(), ['A0001', 'F0001', 'R0001', 'dis01', 'etsuran1', 'ikkatsu1', 'ikkatsu2', 'ippan01', 'lock01', 'shoki01']);
  assert.deepEqual([accounts.lock01.locked, accounts.lock01.enabled], [true, true]);
  assert.deepEqual([accounts.dis01.locked, accounts.dis01.enabled], [false, false]);
  assert.deepEqual(['general', 'medical_viewer', 'webapi', 'linked_app', 'face_reader'].map((r) => Object.values(accounts).some((x) => x.role === r)), [true, true, true, true, true]);
  assert.equal(seen[A]['/api/v1/settings'].values.consent_surgery, 'use');
  assert.equal(seen[B]['/api/v1/settings'].values.char_encoding, 'sjis');
  assert.deepEqual([seen[A][`/api/v1/bulk-jobs/${a.reception}`].job.status, seen[A][`/api/v1/bulk-jobs/${a.reception}`].job.downloadable], ['completed', true]);

  // The files, byte for byte: the sealed result opened with the same key, the history CSVs.
  assert.deepEqual(await bytes(await a.admin('GET', `/api/v1/bulk-jobs/${a.reception}/result.csv`, undefined, srv2)), seen.result);
  assert.deepEqual(await bytes(await a.admin('GET', `${CHECKS}.csv?${period}`, undefined, srv2)), seen.checksCsv);
  assert.deepEqual(await bytes(await a.admin('GET', `/api/v1/history/medical-info-views.csv?${period}`, undefined, srv2)), seen.viewsCsv);
  const ikkatsu1 = /"ikkatsu1",.*?,"(\w{20})",/.exec(seen.result.toString('utf8'))[1];

  // Passwords: the changed ones sign in, the initial ones still count as initial, the locked
  // and the disabled accounts are refused with their right passwords.
  for (const [code, id, pw] of [[A, 'kanri01', 'Sakura2026!'], [A, a.inst.master.user_id, 'Masuta2026!'], [A, 'etsuran1', 'Sakura2026!'], [B, 'kanri01', 'Sakura2026!']]) {
    const body = await json(await signIn(srv2, code, id, pw));
    assert.deepEqual([body.account.user_id, body.account.password_state, body.account.password_change_required], [id, 'active', false]);
  }
  for (const [id, pw] of [['shoki01', a.initialPassword], ['ikkatsu1', ikkatsu1]]) {
    const body = await json(await signIn(srv2, A, id, pw));
    assert.deepEqual([body.account.password_state, body.account.password_change_required], ['initial', true], id);
  }
  for (const [id, pw] of [['lock01', a.lockedPassword], ['dis01', a.disabledPassword]]) {
    const res = await signIn(srv2, A, id, pw);
    assert.deepEqual([res.status, (await res.json()).error.code], [401, 'auth.failed'], id);
  }
  // The patients' page answers at the changed URL as before; the retired one stays retired.
  assert.deepEqual(await json(await fetch(`${srv2.base}/visit/${seen.visit.current}`)), seen.visit.page);
  assert.equal((await fetch(`${srv2.base}/visit/${seen.visit.retired}`)).status, 410);

  // And it goes on: a new job is numbered after the old one, sealed and opened with the key;
  // the consent given before the backup lets the same records be viewed.
  const accepted = await json(await a.admin('POST', '/api/v1/bulk-jobs', raw(`${HEADER}一般利用者,fukugen1,山田　次郎,ヤマダ　ジロウ,2026/12/01,\r\n`, 'text/csv'), srv2), 202);
  assert.ok(accepted.reception_number.slice(-7) > a.reception.slice(-7), `${accepted.reception_number} after ${a.reception}`);
  assert.equal((await finishedJob(a.admin, srv2, accepted.reception_number)).status, 'completed');
  assert.match((await bytes(await a.admin('GET', `/api/v1/bulk-jobs/${accepted.reception_number}/result.csv`, undefined, srv2))).toString('utf8'), /"fukugen1"/);
  assert.deepEqual((await json(await a.viewer('GET', '/api/v1/medical-info?serial_number=5150&category=drug', undefined, srv2))).records, a.drug.records);
  assert.equal((await a.webapi('POST', '/api/v1/qualifications', xml(A, a.patient), srv2)).status, 200);
});

test('the result key file must be kept with the dump: another key cannot open the result, no key refuses bulk registration', async () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'key-'));
  const otherKey = path.join(dir, 'result.key');
  fs.writeFileSync(otherKey, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const a = people[A];
  const other = await startOnshid({ database: pg2.conninfo(restored), env: { ONSHI_RESULT_KEY_FILE: otherKey, ONSHI_BULK_WORKER: '0' } });
  try {
    // The job still says its file can be downloaded; the download fails with its own code,
    // and the log names the job for the operator.
    assert.equal((await json(await a.admin('GET', `/api/v1/bulk-jobs/${a.reception}`, undefined, other))).job.downloadable, true);
    const downloads = () => pg2.psql(restored, `SELECT count(*) FROM audit_log WHERE action = 'bulk.download' AND target = '${a.reception}'`);
    const before = downloads();
    const res = await a.admin('GET', `/api/v1/bulk-jobs/${a.reception}/result.csv`, undefined, other);
    assert.deepEqual([res.status, (await res.json()).error.code], [500, 'bulk.result_unreadable']);
    // The log arrives through a pipe: the answer can be read before the line is.
    const line = new RegExp(`"level":"error","msg":"bulk job ${a.reception}: its result file cannot be opened with result_key_file`);
    await eventually(() => line.test(other.log()), { timeoutMs: 3000 });
    assert.equal(downloads(), before, 'nothing was handed out, so nothing audited as downloaded');
  } finally {
    assert.deepEqual(await other.stop(), { code: 0, signal: null }, other.log().slice(-4000));
  }
  const none = await startOnshid({ database: pg2.conninfo(restored), env: { ONSHI_RESULT_KEY_FILE: '', ONSHI_BULK_WORKER: '0' } });
  try {
    const res = await a.admin('GET', `/api/v1/bulk-jobs/${a.reception}/result.csv`, undefined, none);
    assert.deepEqual([res.status, (await res.json()).error.code], [503, 'bulk.unavailable']);
  } finally {
    assert.deepEqual(await none.stop(), { code: 0, signal: null }, none.log().slice(-4000));
  }
  // The right key still opens it.
  assert.deepEqual(await bytes(await a.admin('GET', `/api/v1/bulk-jobs/${a.reception}/result.csv`, undefined, srv2)), seen.result);
});

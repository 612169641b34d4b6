// Test harness: a throwaway PostgreSQL in a temporary directory (run as the unprivileged
// `postgres` user when we are root, since PostgreSQL refuses root), the real onshictl and
// the real onshid on a free port. Everything started here is stopped when the test file
// ends, and killed on process exit even when a test failed or threw.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..', '..');
export const BUILD = process.env.TEST_BUILD_DIR || path.join(REPO, 'build');
export const ONSHID = path.join(BUILD, 'onshid');
export const ONSHICTL = path.join(BUILD, 'onshictl');
export const WEBUI = path.join(BUILD, 'webui');

// The schema version the binaries carry: the number of the last migration in schema/.
export const SCHEMA_VERSION = Math.max(...fs.readdirSync(path.join(REPO, 'schema'))
  .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).map((f) => Number(f.slice(0, 4))));

const isRoot = process.getuid() === 0;
const cleanups = new Set();
// Problems found in what a test left behind (an SQL error in onshid's log, a transaction left
// open): they fail the test file even when every assertion passed.
const leftovers = new Set();
process.on('exit', () => {
  for (const check of leftovers) {
    const problem = check();
    if (problem) {
      process.stderr.write(`harness: ${problem}\n`);
      process.exitCode = 1;
    }
  }
  for (const fn of [...cleanups].reverse()) {
    try { fn(); } catch { /* best effort at exit */ }
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => process.exit(130));
}

function pgBinDir() {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
    : [];
  if (versions.length === 0) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  versions.sort((a, b) => Number(b) - Number(a));
  return path.join(base, versions[0], 'bin');
}

function asPostgres(bin, args, opts = {}) {
  const cmd = isRoot ? 'runuser' : bin;
  const argv = isRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
  return spawnSync(cmd, argv, { encoding: 'utf8', ...opts });
}

function mustRun(res, what) {
  if (res.status !== 0) {
    throw new Error(`${what} failed (${res.status}): ${res.stderr || ''}${res.stdout || ''}`);
  }
  return res;
}

// Starts a private PostgreSQL listening only on a Unix socket inside its own directory.
export async function startPostgres() {
  const bin = pgBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-pg-'));
  const data = path.join(dir, 'data');
  const pgctl = (args) => asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);
  // Registered before anything can fail, so a failed start leaves nothing behind.
  let stopped = false;
  const cleanup = () => {
    if (!stopped && fs.existsSync(path.join(data, 'postmaster.pid'))) pgctl(['-m', 'immediate', '-w', 'stop']);
    stopped = true;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    fs.chownSync(dir, uid, gid);
  }
  const user = isRoot ? 'postgres' : os.userInfo().username;
  mustRun(asPostgres(path.join(bin, 'initdb'),
    ['-D', data, '-A', 'trust', '-U', user, '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']), 'initdb');
  const opts = `-k ${dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off ` +
    '-c full_page_writes=off -c max_connections=200';
  const start = () => mustRun(pgctl(['-l', path.join(dir, 'log'), '-o', opts, '-w', '-t', '60', 'start']), 'pg_ctl start');
  start();
  const conninfo = (db) => `host=${dir} user=${user} dbname=${db}`;
  const psql = (db, sql) => mustRun(spawnSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', conninfo(db), '-c', sql], { encoding: 'utf8' }), `psql ${sql}`).stdout.trim();
  let dbCounter = 0;
  return {
    dir,
    user,
    conninfo,
    psql,
    // A fresh, empty database for one group of tests.
    createDatabase() {
      const name = `onshi_${process.pid}_${++dbCounter}`;
      psql('postgres', `CREATE DATABASE ${name}`);
      return name;
    },
    // A database migrated to the current schema.
    migratedDatabase() {
      const name = this.createDatabase();
      const res = onshictl(['migrate'], { ONSHI_DATABASE_URL: conninfo(name) });
      if (res.status !== 0) throw new Error(`migrate failed: ${res.stderr}`);
      return name;
    },
    // A fresh database migrated, as onshi's migrations landed, only up to schema `version`
    // (for upgrade tests: rows of the old shape, then `onshictl migrate`).
    databaseAtVersion(version) {
      const name = this.createDatabase();
      psql(name, 'CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      const files = fs.readdirSync(path.join(REPO, 'schema')).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
      for (const file of files.filter((f) => Number(f.slice(0, 4)) <= version)) {
        psql(name, fs.readFileSync(path.join(REPO, 'schema', file), 'utf8'));
        psql(name, `INSERT INTO schema_version (version, name) VALUES (${Number(file.slice(0, 4))}, '${file.slice(0, -4)}')`);
      }
      return name;
    },
    stopServer() { mustRun(pgctl(['-m', 'fast', '-w', 'stop']), 'pg_ctl stop'); },
    startServer() { start(); },
    stop() {
      cleanups.delete(cleanup);
      cleanup();
    },
  };
}

// Environment for our binaries: only what the test gives, plus what the system needs.
function childEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('ONSHI_')) env[k] = v;
  }
  return { ...env, ...extra };
}

export function onshictl(args, env = {}) {
  return spawnSync(ONSHICTL, args, { encoding: 'utf8', env: childEnv(env), timeout: 60000 });
}

// Runs onshid to completion (for start-up failures); resolves {code, stderr}.
export function runOnshidToExit(args, env, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const proc = spawn(ONSHID, args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`onshid did not exit: ${stderr}`)); }, timeoutMs);
    proc.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

// Starts onshid on a free port and waits for its "listening" log line.
// One AES-256 key file per test process, for bulk registration results (result_key_file).
let keyFile;
export function resultKeyFile() {
  if (!keyFile) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-key-'));
    keyFile = path.join(dir, 'result.key');
    fs.writeFileSync(keyFile, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    cleanups.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return keyFile;
}

// An SQL error onshid logged is a bug (a statement that does not fit the schema, a constraint
// the code should have checked first) unless the test says it provokes one: sqlErrors is then
// a RegExp every such line must match.
function sqlErrorsIn(log, allowed) {
  // An invariant (util/invariant.h) that failed is a bug too: sanitizer builds abort on it,
  // release builds log it and carry on, and this makes it fail the test there as well.
  const lines = log.split('\n').filter((l) => l.includes('"msg":"SQL error') || l.includes('transaction failed inside') ||
    l.includes('"msg":"invariant failed at'));
  const unexpected = allowed ? lines.filter((l) => !allowed.test(l)) : lines;
  return unexpected.length ? `onshid logged ${unexpected.length} unexpected SQL error(s):\n${unexpected.slice(0, 5).join('\n')}` : null;
}

// A sanitizer's report in onshid's stderr: ThreadSanitizer's data races and lock-order
// inversions (the process halts, but its test may be past its last request and pass), ASan's
// and LSan's errors, UBSan's runtime errors.
function sanitizerReportsIn(log) {
  const m = /^(?:==\d+==)?(?:WARNING|ERROR): (?:Thread|Address|Leak)Sanitizer: .*$|^\S+:\d+:\d+: runtime error: .*$/m.exec(log);
  return m ? `onshid's stderr holds a sanitizer report: ${m[0]}` : null;
}

// onshid's connections that sit in an open transaction with nothing running: a code path
// that began a transaction and never ended it.
function openTransactions(database) {
  const res = spawnSync('psql', ['-X', '-q', '-At', '-d', database, '-c',
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'onshi' AND state LIKE 'idle in transaction%' AND now() - state_change > interval '2 seconds'"],
  { encoding: 'utf8' });
  const n = res.status === 0 ? Number(res.stdout.trim()) : 0; // the database may be down on purpose
  return n > 0 ? `${n} onshid connection(s) left idle in an open transaction` : null;
}

// ONSHI_TEST_NODES=N (N > 1): every startOnshid starts N onshid on the same database behind
// HAProxy, configured by packaging/haproxy/haproxy.cfg with its addresses replaced, so a
// test file's requests are spread over the nodes (tests/CMakeLists.txt runs some so). The
// result looks like one onshid: base and port are HAProxy's, log() holds every node's
// lines, proc.kill signals every node, stop() stops them all.
export const TEST_NODES = Number(process.env.ONSHI_TEST_NODES || 1);

export function startOnshid(opts = {}) {
  return TEST_NODES > 1 ? startCluster(opts, TEST_NODES) : startNode(opts);
}

async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

async function startCluster(opts, n) {
  const nodes = await Promise.all(Array.from({ length: n }, () =>
    startNode({ ...opts, env: { ONSHI_TRUSTED_PROXY: '127.0.0.1', ...opts.env } })));
  const port = await freePort();
  const shipped = fs.readFileSync(path.join(REPO, 'packaging', 'haproxy', 'haproxy.cfg'), 'utf8');
  const servers = nodes.map((x, i) => `    server node${i + 1} 127.0.0.1:${x.port} check\n`).join('');
  const cfg = shipped.replace(/^(\s*)bind :80$/m, `$1bind 127.0.0.1:${port}`)
    .replace(/^\s*server node1 .*\n(?:\s*server node\d+ .*\n)*/m, servers);
  if (!cfg.includes(`bind 127.0.0.1:${port}`) || !cfg.includes(`node${n} 127.0.0.1`)) {
    throw new Error('packaging/haproxy/haproxy.cfg: no `bind :80` or `server node1 …` lines to replace');
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-haproxy-')), 'haproxy.cfg');
  fs.writeFileSync(file, cfg);
  const haproxy = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let hlog = '';
  haproxy.stdout.on('data', (d) => { hlog += d; });
  haproxy.stderr.on('data', (d) => { hlog += d; });
  const kill = () => { try { haproxy.kill('SIGKILL'); } catch { /* gone */ } };
  cleanups.add(kill);
  const base = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${base}/healthz`)).status === 200, { timeoutMs: 15000 })
    .catch((e) => { throw new Error(`HAProxy did not come up: ${e.message}\n${hlog}`); });
  const first = nodes[0].proc;
  return {
    nodes,
    proc: {
      pid: first.pid,
      get exitCode() { return first.exitCode; },
      get signalCode() { return first.signalCode; },
      kill(signal) { for (const x of nodes) x.proc.kill(signal); return true; },
    },
    port,
    base,
    log: () => nodes.map((x) => x.log()).join(''),
    haproxyLog: () => hlog,
    exited: Promise.all(nodes.map((x) => x.exited)).then((all) => all.find((r) => r.code !== 0 || r.signal) ?? all[0]),
    async stop(signal = 'SIGTERM') {
      const all = await Promise.all(nodes.map((x) => x.stop(signal)));
      haproxy.kill('SIGTERM');
      cleanups.delete(kill);
      return all.find((r) => r.code !== 0 || r.signal) ?? all[0];
    },
  };
}

function startNode({ database, env = {}, args = [], sqlErrors } = {}) {
  return new Promise((resolve, reject) => {
    const fullEnv = {
      ONSHI_PORT: '0',
      ONSHI_RESULT_KEY_FILE: resultKeyFile(),
      ONSHI_STATIC_DIR: WEBUI,
      ONSHI_HTTP_THREADS: '2',
      ONSHI_ENVIRONMENT: 'verification',
      // The tests sign in from one address far more often than any site; the limit's own
      // test (api/signin_abuse) sets it.
      ONSHI_SIGNIN_RATE_LIMIT: '100000',
      ...(database ? { ONSHI_DATABASE_URL: database } : {}),
      ...env,
    };
    const proc = spawn(ONSHID, args, { env: childEnv(fullEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let resolved = false;
    // 'close', not 'exit': by then stderr has been read to the end, so log() is complete.
    const exited = new Promise((res) => proc.on('close', (code, signal) => res({ code, signal })));
    const kill = () => { try { proc.kill('SIGKILL'); } catch { /* already gone */ } };
    cleanups.add(kill);
    leftovers.add(() => sqlErrorsIn(log, sqlErrors));
    leftovers.add(() => sanitizerReportsIn(log));
    exited.then(() => cleanups.delete(kill));
    const timer = setTimeout(() => {
      if (!resolved) { kill(); reject(new Error(`onshid did not start:\n${log}`)); }
    }, 30000);
    proc.stdout.on('data', (d) => { log += d; });
    proc.stderr.on('data', (d) => {
      log += d;
      const m = !resolved && /"msg":"listening".*"port":(\d+)/.exec(log);
      if (m) {
        resolved = true;
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({
          proc,
          port,
          base: `http://127.0.0.1:${port}`,
          log: () => log,
          exited,
          // Sends a signal and resolves with the exit {code, signal}.
          async stop(signal = 'SIGTERM') {
            const open = database && proc.exitCode === null && proc.signalCode === null ? openTransactions(database) : null;
            if (open) leftovers.add(() => open);
            proc.kill(signal);
            return exited;
          },
        });
      }
    });
    exited.then(({ code, signal }) => {
      if (!resolved) { clearTimeout(timer); reject(new Error(`onshid exited (${code ?? signal}) before listening:\n${log}`)); }
    });
  });
}

// Polls fn until it returns truthy or the time is up.
export async function eventually(fn, { timeoutMs = 10000, intervalMs = 50 } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`condition not met in ${timeoutMs} ms (last: ${last})`);
}

// Sends one raw HTTP/1.1 request over a socket (for bodies fetch will not send, such as a
// GET with a body or a chunked upload) and resolves {status, headers, body}.
export async function rawRequest(port, text, { timeoutMs = 10000 } = {}) {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('raw request timed out')); }, timeoutMs);
    sock.on('error', (e) => {
      // The server may close while we are still writing an oversize body: keep what came back.
      if (data.length === 0) { clearTimeout(timer); reject(e); }
    });
    sock.on('data', (d) => { data = Buffer.concat([data, d]); });
    sock.on('close', () => {
      clearTimeout(timer);
      const s = data.toString('utf8');
      const head = s.split('\r\n\r\n')[0];
      const lines = head.split('\r\n');
      const status = Number((lines[0] || '').split(' ')[1]);
      const headers = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status, headers, body: s.slice(head.length + 4) });
    });
    if (typeof text === 'function') text(sock); else sock.write(text);
  });
}

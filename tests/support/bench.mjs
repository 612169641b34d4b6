// What the benchmarks in tests/bench/ share: load generators (wrk, pgbench) with their
// output parsed, the SQL onshid runs (from build/bench_print_sql), and an institution with a
// signed-in admin to measure against.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { BUILD, onshictl } from './harness.mjs';

export const run = promisify(execFile);

export function intEnv(name, def, min, max) {
  const v = process.env[name] ?? String(def);
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in ${min}..${max} (got '${v}')`);
  return n;
}

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };

// wrk's durations ("812.00us", "1.23ms", "2.01s") in milliseconds.
function ms(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text || '');
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[m[2]];
}

// Runs wrk; p50/p99 in milliseconds. A Lua script (text) sets the method and body.
export async function wrk(url, { secs, conns, threads = Math.min(2, conns), headers = {}, script, timeoutSecs = 10 }) {
  const args = [`-t${threads}`, `-c${conns}`, `-d${secs}s`, '--latency', '--timeout', `${timeoutSecs}s`];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  if (script) args.push('-s', script);
  args.push(url);
  const { stdout } = await run('wrk', args, { timeout: (secs + timeoutSecs + 30) * 1000 });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (!rps) throw new Error(`no Requests/sec in wrk output:\n${stdout}`);
  // wrk prints these lines only when non-zero.
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const sockErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    rps: Number(rps[1]), non2xx, sockErrors,
    p50: ms(/^\s+50%\s+(\S+)/m.exec(stdout)?.[1]),
    p99: ms(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1]),
  };
}

// Runs pgbench on a script file; mode 'prepared' (pgbench prepares each command) or 'simple'.
export async function pgbench(conninfo, file, { secs, clients, threads = Math.min(2, clients), mode = 'prepared' }) {
  const args = ['-n', '-c', String(clients), '-j', String(threads), '-T', String(secs), '-M', mode, '-D', 'prepared=0', '-f', file, conninfo];
  // As root this connects as user=postgres from the conninfo (trust auth over the socket).
  const { stdout } = await run('pgbench', args, { timeout: (secs + 30) * 1000 });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
  if (!tps) throw new Error(`no tps line in pgbench output:\n${stdout}`);
  const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
  return { tps: Number(tps[1]), failed };
}

// A pgbench script running onshid's prepared statements exactly as onshid does: each client
// PREPAREs them once (the same text, the same server-side type inference) and then EXECUTEs
// them with the given parameters (strings, or null), one round trip each. (pgbench's own
// -M prepared cannot: it takes the ':' in to_char formats for variables.) Run it with
// pgbench's simple mode (pgbench() passes -D prepared=0 to every run).
export async function pgbenchStatements(calls) {
  const lit = (v) => (v === null ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);
  const prepares = [];
  const executes = [];
  for (const [name, params] of calls) {
    const { stdout } = await run(path.join(BUILD, 'bench_print_sql'), [name]);
    prepares.push(`PREPARE ${name} AS ${stdout.trim()};`);
    executes.push(`EXECUTE ${name}(${params.map(lit).join(', ')});`);
  }
  return ['\\if :prepared = 0', ...prepares, '\\set prepared 1', '\\endif', ...executes, ''].join('\n');
}

async function post(base, p, body, headers = {}) {
  const res = await fetch(`${base}${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${p}: ${res.status} ${await res.text()}`);
  return res;
}

// An institution whose master chose the password `password`, with an admin (kanri01) holding
// a bearer token, `general` accounts u0001… registered by it, and `signers` more (s01…) that
// chose `password` too, for sign-in load: sign-ins of one account are limited to the lockout
// threshold in flight (each takes an attempt while its password is checked), so load is
// spread over several.
export async function benchInstitution(pg, db, srv, { code = '1319800001', password = 'Sakura2026!', general = 1, signers = 0 } = {}) {
  const r = onshictl(['--json', 'institution', 'create', '--code', code, '--name', 'ベンチ医院',
    '--kind', 'medical', '--start-date', '2020-01-01'], { ONSHI_DATABASE_URL: pg.conninfo(db) });
  if (r.status !== 0) throw new Error(r.stderr);
  const created = JSON.parse(r.stdout);
  const chosen = async (userId, initial) => {
    const first = await post(srv.base, '/api/v1/session', { institution_code: code, user_id: userId, password: initial });
    const cookie = /^onshi_session=([^;]+)/.exec(first.headers.get('set-cookie'))[1];
    const { csrf_token: csrf } = await first.json();
    const res = await fetch(`${srv.base}/api/v1/session/password`, { method: 'PUT',
      headers: { 'Content-Type': 'application/json', Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf },
      body: JSON.stringify({ current_password: initial, new_password: password }) });
    if (res.status !== 200) throw new Error(`password change of ${userId}: ${res.status}`);
    return { cookie: /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1], csrf: (await res.json()).csrf_token };
  };
  const master = await chosen(created.master.user_id, created.master.initial_password);
  const admin = await (await post(srv.base, '/api/v1/accounts',
    { role: 'admin', user_id: 'kanri01', name: '管理 太郎', name_kana: 'カンリ タロウ', start_date: '2020-01-01' },
    { Cookie: `onshi_session=${master.cookie}`, 'X-CSRF-Token': master.csrf })).json();
  await chosen('kanri01', admin.initial_password);
  const { access_token: token } = await (await post(srv.base, '/api/v1/tokens', { institution_code: code, user_id: 'kanri01', password })).json();
  const register = async (userId) => (await post(srv.base, '/api/v1/accounts', { role: 'general', user_id: userId,
    name: '一般 花子', name_kana: 'イッパン ハナコ', start_date: '2020-01-01' }, { Authorization: `Bearer ${token}` })).json();
  for (let i = 1; i <= general; i++) await register(`u${String(i).padStart(4, '0')}`);
  const signerIds = [];
  for (let i = 1; i <= signers; i++) {
    const id = `s${String(i).padStart(2, '0')}`;
    await chosen(id, (await register(id)).initial_password);
    signerIds.push(id);
  }
  return { code, masterId: created.master.user_id, password, token, signerIds };
}

// A wrk Lua script that signs in as each of inst.signerIds in turn.
export function signinScript(inst, file) {
  const bodies = inst.signerIds.map((id) => JSON.stringify({ institution_code: inst.code, user_id: id, password: inst.password }));
  fs.writeFileSync(file, [
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/json"',
    `local bodies = { ${bodies.map((b) => `'${b}'`).join(', ')} }`,
    'local n = 0',
    'request = function()',
    '  n = n + 1',
    '  return wrk.format(nil, nil, nil, bodies[n % #bodies + 1])',
    'end',
    '',
  ].join('\n'));
}

// The p-th percentile (nearest rank) of xs; p in 0..100.
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

// A process's resident memory in KiB: VmRSS (/proc/<pid>/status) and Pss (smaps_rollup).
export function memoryKiB(pid) {
  const field = (file, name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/${file}`, 'utf8'))?.[1]);
  return { rss: field('status', 'VmRSS'), pss: field('smaps_rollup', 'Pss') };
}

// CPU seconds (user + system, every thread) a process has used so far: /proc/<pid>/stat at
// 100 ticks a second (Linux's USER_HZ).
export function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' '); // the name may hold spaces
  return (Number(rest[11]) + Number(rest[12])) / 100;
}

// The password hashing helper (util/hash_pool.h): onshid re-executes itself as
// `onshid-hash`, in a session of its own at a lower priority; sign-ins hash there; if the
// helper dies, onshid hashes by itself and says so; it ends with onshid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startPostgres, startOnshid, onshictl, eventually } from '../support/harness.mjs';

let pg;
let db;

before(() => {
  pg = startPostgres();
});
after(async () => {
  (await pg)?.stop();
});

// /proc/<pid>/stat after the command name: state ppid pgrp session … (nice is field 19).
function stat(pid) {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid: Number(pid), comm, state: f[0], ppid: Number(f[1]), session: Number(f[3]), nice: Number(f[16]) };
}

function helpersOf(pid) {
  const found = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = stat(d);
      if (s.ppid === pid) found.push(s);
    } catch { /* gone meanwhile */ }
  }
  return found.filter((s) => s.comm === 'onshid-hash');
}

// Gone, or a zombie waiting for onshid to collect its status.
function ended(pid) {
  try { return stat(pid).state === 'Z'; } catch { return true; }
}

async function signInWithChosenPassword(srv, code) {
  const r = onshictl(['--json', 'institution', 'create', '--code', code, '--name', '補助処理試験',
    '--kind', 'medical', '--start-date', '2020-04-01'], { ONSHI_DATABASE_URL: (await pg).conninfo(db) });
  assert.equal(r.status, 0, r.stderr);
  const inst = JSON.parse(r.stdout);
  const signIn = (password) => fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: code, user_id: inst.master.user_id, password }) });
  const first = await signIn(inst.master.initial_password);
  const cookie = /^onshi_session=([^;]+)/.exec(first.headers.get('set-cookie'))[1];
  const changed = await fetch(`${srv.base}/api/v1/session/password`, { method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': (await first.json()).csrf_token },
    body: JSON.stringify({ current_password: inst.master.initial_password, new_password: 'Sakura2026!' }) });
  assert.equal(changed.status, 200);
  return signIn;
}

test('the helper runs in its own session below onshid, and sign-ins hash there', async () => {
  db = (await pg).migratedDatabase();
  const srv = await startOnshid({ database: (await pg).conninfo(db), env: { ONSHI_HASH_THREADS: '3' } });
  try {
    const [helper, ...more] = helpersOf(srv.proc.pid);
    assert.ok(helper, 'an onshid-hash child process');
    assert.equal(more.length, 0, 'one helper');
    assert.equal(helper.session, helper.pid, 'it leads a session of its own');
    assert.equal(helper.nice, 10);
    // By name: a sanitizer runtime may add threads of its own.
    const names = fs.readdirSync(`/proc/${helper.pid}/task`)
      .map((t) => fs.readFileSync(`/proc/${helper.pid}/task/${t}/comm`, 'utf8').trim());
    assert.deepEqual(names.filter((n) => /^onshi-hash-\d+$/.test(n)).sort(), ['onshi-hash-1', 'onshi-hash-2', 'onshi-hash-3'],
      `a thread per hashing worker: ${names.join(', ')}`);
    assert.ok(names.includes('onshid-hash'), 'and its main thread');
    const signIn = await signInWithChosenPassword(srv, '1316000001');
    assert.equal((await signIn('Sakura2026!')).status, 200);
    assert.equal((await signIn('Sakura2026?')).status, 401);
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('when the helper dies, onshid hashes by itself and says so once', async () => {
  const srv = await startOnshid({ database: (await pg).conninfo(db) });
  try {
    const signIn = await signInWithChosenPassword(srv, '1316000002');
    const [helper] = helpersOf(srv.proc.pid);
    process.kill(helper.pid, 'SIGKILL');
    await eventually(() => ended(helper.pid));
    for (let i = 0; i < 3; i++) assert.equal((await signIn('Sakura2026!')).status, 200);
    assert.equal((await signIn('wrong')).status, 401);
    assert.equal(srv.log().match(/password hashing helper is gone/g)?.length, 1, srv.log());
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('the helper ends with onshid, also when onshid is killed', async () => {
  for (const signal of ['SIGTERM', 'SIGKILL']) {
    const srv = await startOnshid({ database: (await pg).conninfo(db) });
    const [helper] = helpersOf(srv.proc.pid);
    assert.ok(helper);
    await srv.stop(signal);
    await eventually(() => ended(helper.pid));
  }
});

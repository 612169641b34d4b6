// The README's run command: from a new state directory it builds, starts a private
// PostgreSQL and onshid with the demo institution, prints where to sign in; a second run
// reuses the database and prints the same demo account again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO, eventually } from '../support/harness.mjs';

let state;
before(() => {
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-quickstart-'));
  if (process.getuid() === 0) {
    // As root the script hands the cluster to the postgres user, who must reach it.
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    fs.chownSync(state, uid, Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
    fs.chmodSync(state, 0o755);
  }
});
after(() => fs.rmSync(state, { recursive: true, force: true }));

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function runQuickstart(port, whileUp = async () => {}) {
  const env = { ...process.env, PORT: String(port), QUICKSTART_DIR: state };
  delete env.TEST_BUILD_DIR;
  const proc = spawn('bash', [path.join(REPO, 'packaging', 'quickstart.sh')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  let done = null;
  const exited = new Promise((r) => proc.on('exit', (code, signal) => { done = { code, signal }; r(done); }));
  try {
    await eventually(async () => {
      if (done) throw new Error(`quickstart exited early (${JSON.stringify(done)})`);
      return (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;
    }, { timeoutMs: 240000, intervalMs: 250 });
  } catch (e) {
    proc.kill('SIGTERM');
    throw new Error(`quickstart did not become ready: ${e.message}\n${out}`);
  }
  try {
    await whileUp(out);
  } finally {
    proc.kill('SIGTERM');
  }
  const exit = await exited;
  return { out, exit };
}

test('the run command serves /readyz and prints the demo master account, twice', { timeout: 600000 }, async () => {
  // The printed URL is the console: its page, the boot module and the sign-in screen.
  const first = await runQuickstart(await freePort(), async (printed) => {
    const url = /onshi is starting at (http:\/\/localhost:\d+\/)/.exec(printed)[1].replace('localhost', '127.0.0.1');
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html lang="ja">[\s\S]*<script type="module" src="\/app.js">/);
    for (const f of ['app.js', 'screens/login.js', 'js/errors.js']) assert.equal((await fetch(`${url}${f}`)).status, 200, f);
  });
  assert.match(first.out, /onshi is starting at http:\/\/localhost:\d+\//);
  const account = /master account: +user ID (M1319900019) +initial password ([A-Za-z2-9]{20})/.exec(first.out);
  assert.ok(account, first.out);
  assert.equal(first.exit.code, 0, first.out);
  const second = await runQuickstart(await freePort());
  assert.match(second.out, /0 migrations applied/);
  assert.ok(second.out.includes(`user ID M1319900019  initial password ${account[2]}`), 'same saved credentials');
  assert.equal(second.exit.code, 0);
  // The private PostgreSQL was stopped with the script.
  assert.equal(fs.existsSync(path.join(state, 'pgdata', 'postmaster.pid')), false);
});

test('the run command reports onshid failing to start and exits with its status', { timeout: 300000 }, async () => {
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const env = { ...process.env, PORT: String(blocker.address().port), QUICKSTART_DIR: state };
  delete env.TEST_BUILD_DIR;
  const res = spawnSync('bash', [path.join(REPO, 'packaging', 'quickstart.sh')], { env, encoding: 'utf8', timeout: 240000 });
  blocker.close();
  assert.equal(res.status, 6, res.stdout + res.stderr);
  assert.match(res.stderr, /onshid exited with status 6/);
  assert.equal(fs.existsSync(path.join(state, 'pgdata', 'postmaster.pid')), false, 'its PostgreSQL was stopped');
});

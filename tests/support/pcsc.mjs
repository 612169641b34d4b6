// A real pcscd with vsmartcard's two virtual readers (Virtual PCD 00 00 / 00 01 on TCP
// 35963 / 35964), and My Number cards served by tests/support/jpki_card.py.
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOCKET = '/run/pcscd/pcscd.comm';
const running = new Set();
process.on('exit', () => { for (const p of running) p.kill('SIGKILL'); });

// Whether something listens on each TCP port (from /proc/net/tcp and tcp6: no connection
// made, so vpcd sees no card come and go).
function listening(ports) {
  const found = new Set();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(f, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A') found.add(parseInt(cols[1].split(':').pop(), 16)); // TCP_LISTEN
    }
  }
  return ports.every((p) => found.has(p));
}

// Starts pcscd in the foreground; resolves {stop(signal)} once its socket answers and vpcd
// listens for both virtual cards. vpcd binds its ports without SO_REUSEADDR, so right after an
// earlier pcscd it can fail to bind and pcscd runs with no readers: then it is started again.
export async function startPcscd() {
  for (let attempt = 1; ; attempt++) {
    const p = await startPcscdOnce();
    const ok = await eventually(() => listening([35963, 35964]), { timeoutMs: 5000, intervalMs: 100 }).then(() => true, () => false);
    if (ok) return p;
    await p.stop();
    if (attempt === 15) throw new Error(`vpcd never listened on 35963/35964:\n${p.log()}`);
    console.log(`# vpcd did not listen (attempt ${attempt}); starting pcscd again`);
  }
}

async function startPcscdOnce() {
  // One pcscd per machine (its socket path is fixed). In CI a packaged one that apt happened
  // to start is replaced; on a workstation the test refuses to touch it.
  if (spawnSync('pgrep', ['-x', 'pcscd']).status === 0) {
    assert.ok(process.env.CI === 'true', 'another pcscd is running: stop it first (the tests run their own)');
    spawnSync('pkill', ['-x', 'pcscd']);
    await eventually(() => spawnSync('pgrep', ['-x', 'pcscd']).status === 1);
  }
  fs.rmSync(SOCKET, { force: true });
  const proc = spawn('pcscd', ['--foreground'], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(proc);
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => { running.delete(proc); resolve({ code, signal }); }));
  await eventually(() => fs.existsSync(SOCKET), { timeoutMs: 10000 }).catch((e) => { throw new Error(`pcscd did not start: ${e.message}\n${log}`); });
  return { proc, log: () => log, exited, stop: async (signal = 'SIGTERM') => { proc.kill(signal); return exited; } };
}

// A self-signed certificate with the given serial (hex, 17+ bytes), in DER.
export function makeCertificate(dir, serialHex) {
  const out = path.join(dir, `cert-${serialHex.slice(0, 8)}.der`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-keyout', '/dev/null', '-nodes', '-subj', '/CN=JPKI-TEST',
    '-days', '1', '-set_serial', `0x${serialHex}`, '-outform', 'DER', '-out', out], { stdio: 'ignore' });
  return out;
}

// Inserts a card into a virtual reader (0 or 1); resolves {remove(), log()} once connected.
export async function insertCard(reader, cert, mode = 'jpki') {
  const proc = spawn('python3', [path.join(here, 'jpki_card.py'), '--port', String(35963 + reader), '--cert', cert, '--mode', mode],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => proc.on('exit', () => { running.delete(proc); resolve(); }));
  await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => { if (String(d).includes('inserted')) resolve(); });
    proc.on('exit', (code) => reject(new Error(`card emulator exited (${code}): ${log}`)));
  });
  return { log: () => log, remove: async () => { proc.kill('SIGTERM'); await exited; } };
}

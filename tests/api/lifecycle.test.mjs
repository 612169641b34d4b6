// Start-up failures, reload, graceful shutdown and surviving a database restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { startPostgres, startOnshid, runOnshidToExit, rawRequest, eventually, SCHEMA_VERSION } from '../support/harness.mjs';

let pg;
let tmp;

before(async () => {
  pg = await startPostgres();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-life-'));
});
after(() => {
  pg?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function writeConfig(name, text) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

test('unknown configuration key: exit 3 naming the key and line', async () => {
  const file = writeConfig('unknown.conf', '# comment\nport = 0\nlisten_adress = 127.0.0.1\n');
  const r = await runOnshidToExit(['--config', file], {});
  assert.equal(r.code, 3);
  assert.match(r.stderr, /unknown\.conf:3: unknown key 'listen_adress'/);
});

test('bad configuration value: exit 3 naming the key and the allowed range', async () => {
  const file = writeConfig('bad.conf', 'http_threads = many\n');
  const r = await runOnshidToExit(['--config', file], {});
  assert.equal(r.code, 3);
  assert.match(r.stderr, /http_threads must be an integer from 0 to 256 \(got 'many'\)/);
  const env = await runOnshidToExit([], { ONSHI_ENVIRONMENT: 'staging' });
  assert.equal(env.code, 3);
  assert.match(env.stderr, /ONSHI_ENVIRONMENT: environment must be one of production, verification/);
});

test('missing configuration file: exit 3 naming the file', async () => {
  const r = await runOnshidToExit(['--config', path.join(tmp, 'nope.conf')], {});
  assert.equal(r.code, 3);
  assert.match(r.stderr, /nope\.conf: cannot open/);
});

test('the shipped example configuration is exactly what onshid documents and is valid', async () => {
  const shipped = fs.readFileSync(new URL('../../packaging/onshid.conf.example', import.meta.url), 'utf8');
  const printed = await runOnshidToExit(['--print-config-example'], {});
  assert.equal(printed.code, 0);
  assert.equal(printed.stdout, shipped);
  // Uncommenting every key with its default must still be a valid configuration.
  const file = writeConfig('example.conf', shipped.replace(/^# (\w+ = )/gm, '$1'));
  const check = await runOnshidToExit(['--config', file, '--check-config'], {});
  assert.equal(check.code, 0, check.stderr);
});

test('unreachable database: exit 4 with a clear message, no crash', async () => {
  const r = await runOnshidToExit([], {
    ONSHI_DATABASE_URL: `host=${path.join(tmp, 'no-such-dir')} dbname=onshi`,
  });
  assert.equal(r.code, 4);
  assert.match(r.stderr, /cannot connect to PostgreSQL/);
  assert.equal(r.signal, null);
});

test('database without the schema: exit 5 saying it is older and to migrate', async () => {
  const db = pg.createDatabase();
  const r = await runOnshidToExit([], { ONSHI_DATABASE_URL: pg.conninfo(db) });
  assert.equal(r.code, 5);
  assert.match(r.stderr, new RegExp(`schema is at version 0, older than the ${SCHEMA_VERSION} this onshid expects: run 'onshictl migrate'`));
});

test('database with a newer schema: exit 5 saying it is newer', async () => {
  const db = pg.migratedDatabase();
  pg.psql(db, "INSERT INTO schema_version (version, name) VALUES (99, '0099_future')");
  const r = await runOnshidToExit([], { ONSHI_DATABASE_URL: pg.conninfo(db) });
  assert.equal(r.code, 5);
  assert.match(r.stderr, new RegExp(`version 99, newer than the ${SCHEMA_VERSION} this onshid expects`));
});

test('port already in use: exit 6', async () => {
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const { port } = blocker.address();
  const r = await runOnshidToExit([], {
    ONSHI_DATABASE_URL: pg.conninfo(pg.migratedDatabase()), ONSHI_PORT: String(port),
  });
  blocker.close();
  assert.equal(r.code, 6);
  assert.match(r.stderr, /cannot listen on 127\.0\.0\.1 port/);
});

test('SIGHUP reloads reloadable keys and names the ones that need a restart', async () => {
  const file = writeConfig('reload.conf', 'log_level = info\n');
  const srv = await startOnshid({ database: pg.conninfo(pg.migratedDatabase()), args: ['--config', file] });
  try {
    await fetch(`${srv.base}/healthz`);
    await eventually(() => srv.log().includes('"route":"/healthz"'));
    fs.writeFileSync(file, 'log_level = warn\nconnection_limit = 77\n');
    srv.proc.kill('SIGHUP');
    await eventually(() => srv.log().includes('restart to apply changes to connection_limit'));
    const before = srv.log().split('"route":"/readyz"').length;
    await fetch(`${srv.base}/readyz`);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(srv.log().split('"route":"/readyz"').length, before, 'request lines are no longer logged at warn');
    // A broken file on reload keeps the running configuration.
    fs.writeFileSync(file, 'log_level = loud\n');
    srv.proc.kill('SIGHUP');
    await eventually(() => srv.log().includes('reload refused, keeping the running configuration'));
    assert.equal((await fetch(`${srv.base}/healthz`)).status, 200);
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
  const srv = await startOnshid({ database: pg.conninfo(pg.migratedDatabase()) });
  // Headers arrive now, the body later: the request is in flight when SIGTERM comes.
  const pending = rawRequest(srv.port, (sock) => {
    sock.write('GET /readyz HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n{}');
    setTimeout(() => srv.proc.kill('SIGTERM'), 300);
    setTimeout(() => sock.write('  '), 900);
  });
  const res = await pending;
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.body).status, 'ready');
  assert.deepEqual(await srv.exited, { code: 0, signal: null });
  assert.match(srv.log(), /received SIGTERM; draining/);
});

// Opens a request whose body never completes: it stays in flight until the server gives up.
async function stalledRequest(srv) {
  const sock = net.connect(srv.port, '127.0.0.1');
  sock.on('error', () => {});
  await new Promise((r) => sock.once('connect', r));
  sock.write('GET /readyz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{');
  await new Promise((r) => setTimeout(r, 200));
  return sock;
}

test('a stalled request is closed when shutdown_grace runs out, and onshid still exits 0', async () => {
  const srv = await startOnshid({ database: pg.conninfo(pg.migratedDatabase()), env: { ONSHI_SHUTDOWN_GRACE: '1' } });
  const sock = await stalledRequest(srv);
  const t0 = Date.now();
  srv.proc.kill('SIGTERM');
  assert.deepEqual(await srv.exited, { code: 0, signal: null });
  const took = Date.now() - t0;
  assert.ok(took >= 900 && took < 5000, `waited ${took} ms for a 1 s grace`);
  assert.match(srv.log(), /closing 1 unfinished requests/);
  sock.destroy();
});

test('connection_limit reached once: the extra clients get 503 and the log says why; SIGTERM still exits within shutdown_grace', async () => {
  // libmicrohttpd 0.9.75 deadlocked its workers at shutdown once its own limit had tripped;
  // onshid keeps the count itself, so that limit never trips.
  const srv = await startOnshid({ database: pg.conninfo(pg.migratedDatabase()), env: { ONSHI_CONNECTION_LIMIT: '10', ONSHI_CONNECTION_RESERVE: '0', ONSHI_SHUTDOWN_GRACE: '2' } });
  const socks = [];
  for (let i = 0; i < 12; i++) {
    const sock = net.connect(srv.port, '127.0.0.1');
    sock.on('error', () => {});
    let data = '';
    sock.on('data', (d) => { data += d; });
    sock.answer = () => data;
    await new Promise((r) => sock.once('connect', r));
    socks.push(sock);
  }
  // The two over the limit are told at once (and closed); the ten others are still served.
  await eventually(() => socks.filter((s) => s.answer().startsWith('HTTP/1.1 503')).length === 2);
  assert.match(socks.find((s) => s.answer()).answer(), /server\.busy/);
  await eventually(() => /connection_limit \(10\) reached/.test(srv.log()));
  socks[0].write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await eventually(() => socks[0].answer().includes('"ok"'));
  for (const s of socks) s.destroy();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await fetch(`${srv.base}/healthz`)).status, 200, 'served again once they left');
  const t0 = Date.now();
  srv.proc.kill('SIGTERM');
  const exit = await Promise.race([srv.exited, new Promise((r) => setTimeout(() => r('hung'), 8000))]);
  if (exit === 'hung') srv.proc.kill('SIGKILL');
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.ok(Date.now() - t0 < 4000, `exited in ${Date.now() - t0} ms`);
});

test('a second SIGTERM while draining stops at once', async () => {
  const srv = await startOnshid({ database: pg.conninfo(pg.migratedDatabase()), env: { ONSHI_SHUTDOWN_GRACE: '60' } });
  const sock = await stalledRequest(srv);
  const t0 = Date.now();
  srv.proc.kill('SIGTERM');
  await eventually(() => srv.log().includes('draining'));
  srv.proc.kill('SIGTERM');
  assert.deepEqual(await srv.exited, { code: 0, signal: null });
  assert.ok(Date.now() - t0 < 5000, 'did not wait for the 60 s grace');
  assert.match(srv.log(), /second signal: not waiting for in-flight requests/);
  sock.destroy();
});

test('SIGTERM under load: every request the server took is answered, none aborted, exit 0', async () => {
  const srv = await startOnshid({ database: pg.conninfo(pg.migratedDatabase()) });
  const statuses = [];
  let failures = 0;
  let stop = false;
  // Eight clients loop until the server goes away; each request uses a fresh connection, so
  // once the listener closes new ones are refused (or reset while still in the backlog).
  const client = async () => {
    while (!stop) {
      try {
        const res = await fetch(`${srv.base}/readyz`, { headers: { Connection: 'close' } });
        await res.arrayBuffer();
        statuses.push(res.status);
      } catch {
        if (++failures > 50) return;
      }
    }
  };
  const clients = Array.from({ length: 8 }, client);
  await eventually(() => statuses.length >= 200, { timeoutMs: 20000 });
  const before = statuses.length;
  srv.proc.kill('SIGTERM');
  const exit = await srv.exited;
  stop = true;
  await Promise.all(clients);
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.ok(statuses.length > before, 'requests kept completing while the signal arrived');
  assert.deepEqual(statuses.filter((st) => st !== 200 && st !== 503), [],
    'only 200, or 503 shutting_down for requests that came after the drain began');
  // The server's own account: one log line per request it took, none of them aborted, and
  // as many as the clients received.
  const lines = srv.log().split('\n').filter((l) => l.includes('"msg":"request"'));
  assert.deepEqual(lines.filter((l) => l.includes('"aborted":true')), []);
  assert.equal(lines.length, statuses.length, 'every request the server took reached its client');
});

test('a database restart: requests fail cleanly during the outage and recover without restarting onshid', async () => {
  const srv = await startOnshid({ database: pg.conninfo(pg.migratedDatabase()) });
  try {
    assert.equal((await fetch(`${srv.base}/readyz`)).status, 200);
    pg.stopServer();
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${srv.base}/readyz`);
      assert.equal(res.status, 503);
      const body = await res.json();
      assert.equal(body.error.code, 'server.unavailable');
      assert.equal(body.error.details[0].reason, 'database_unreachable');
    }
    assert.equal((await fetch(`${srv.base}/healthz`)).status, 200, 'the process itself stays up');
    pg.startServer();
    await eventually(async () => (await fetch(`${srv.base}/readyz`)).status === 200, { timeoutMs: 15000 });
    // Every pool thread recovers, not just one: a burst of parallel requests all succeed.
    await eventually(async () => {
      const rs = await Promise.all(Array.from({ length: 20 }, () => fetch(`${srv.base}/readyz`)));
      return rs.every((r) => r.status === 200);
    }, { timeoutMs: 15000 });
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

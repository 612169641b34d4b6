// HTTPS served by onshid itself (issue 18 §3): curl with the test's own CA, TLS 1.2 and 1.3
// only, the session cookie Secure and HSTS, a certificate renewed by SIGHUP without a
// restart (a broken renewal keeps the old one), and the configuration's refusals. Behind a
// proxy that terminates TLS (public_base_url https://) the cookie and HSTS are the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { startPostgres, startOnshid, runOnshidToExit, eventually } from '../support/harness.mjs';
import { createInstitution } from '../support/people.mjs';

let pg;
let db;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-tls-'));
const file = (name) => path.join(tmp, name);
const CODE = '1319500001';
let master;

const openssl = (args) => execFileSync('openssl', args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
// A P-256 key and a certificate for localhost signed by the test CA, with this serial.
function issue(name, serial) {
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`,
    '-out', `${name}.csr`, '-subj', '/CN=localhost']);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(serial),
    '-days', '2', '-extfile', 'san.ext', '-out', `${name}.pem`]);
}

// curl over HTTPS trusting only the test CA; extra curl arguments before the URL.
function curl(port, p, extra = []) {
  return spawnSync('curl', ['-sS', '--cacert', file('ca.pem'), '-D', '-', '-o', '/dev/null', '-w', '%{http_code}',
    ...extra, `https://localhost:${port}${p}`], { encoding: 'utf8' });
}

// The serial number of the certificate a new connection is given.
function servedSerial(port) {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: fs.readFileSync(file('ca.pem')) }, () => {
      const serial = parseInt(sock.getPeerCertificate().serialNumber, 16);
      sock.end();
      resolve(serial);
    });
    sock.on('error', reject);
  });
}

const tlsEnv = (cert = 'srv.pem', key = 'srv.key') => ({ ONSHI_TLS_CERTIFICATE_FILE: file(cert), ONSHI_TLS_KEY_FILE: file(key) });

before(async () => {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key',
    '-out', 'ca.pem', '-subj', '/CN=onshi test CA', '-days', '2']);
  fs.writeFileSync(file('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  issue('srv', 1001);
  issue('renewed', 1002);
  issue('other', 1003);
  pg = await startPostgres();
  db = pg.migratedDatabase();
  master = createInstitution(pg, db, CODE).master;
});
after(() => {
  pg?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('HTTPS with the configured certificate: TLS 1.2 and 1.3 served, 1.1 and 1.0 refused, HSTS and a Secure cookie', async () => {
  const srv = await startOnshid({ database: pg.conninfo(db), env: tlsEnv() });
  try {
    let r = curl(srv.port, '/readyz');
    assert.equal(r.stdout.trim().split('\n').pop(), '200', r.stderr);
    assert.match(r.stdout, /^strict-transport-security: max-age=31536000\r?$/mi);
    // The client offers one version only; SECLEVEL=0 lets OpenSSL's client offer the old
    // ones at all, so a refusal is the server's.
    for (const [version, ok] of [['1.0', false], ['1.1', false], ['1.2', true], ['1.3', true]]) {
      r = curl(srv.port, '/healthz', [`--tlsv${version}`, '--tls-max', version, '--ciphers', 'DEFAULT@SECLEVEL=0', '-v']);
      if (ok) {
        assert.equal(r.status, 0, `TLS ${version}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`SSL connection using TLSv${version.replace('.', '\\.')}`), version);
      } else {
        assert.equal(r.status, 35, `TLS ${version} must be refused: ${r.stderr}`); // CURLE_SSL_CONNECT_ERROR
        // The client did offer it, and no server hello came back (onshid ends the handshake).
        assert.match(r.stderr, new RegExp(`TLSv${version.replace('.', '\\.')} \\(OUT\\), TLS handshake, Client hello`), version);
        assert.doesNotMatch(r.stderr, /Server hello/, version);
      }
    }
    // Plain HTTP on the HTTPS port gets no answer.
    const plain = spawnSync('curl', ['-sS', '-m', '5', `http://127.0.0.1:${srv.port}/healthz`], { encoding: 'utf8' });
    assert.notEqual(plain.status, 0);
    // Signing in: the cookie is Secure, the answer carries HSTS.
    const body = JSON.stringify({ institution_code: CODE, user_id: master.user_id, password: master.initial_password });
    r = spawnSync('curl', ['-sS', '--cacert', file('ca.pem'), '-D', '-', '-o', '/dev/null', '-H', 'Content-Type: application/json',
      '--data-binary', body, `https://localhost:${srv.port}/api/v1/session`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^HTTP\/1\.1 200/m);
    assert.match(r.stdout, /^set-cookie: onshi_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure\r?$/mi);
    assert.match(r.stdout, /^strict-transport-security: max-age=31536000\r?$/mi);
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

test('a renewed certificate is served after SIGHUP without a restart; a broken renewal keeps the old one', async () => {
  fs.copyFileSync(file('srv.pem'), file('live.pem'));
  fs.copyFileSync(file('srv.key'), file('live.key'));
  const srv = await startOnshid({ database: pg.conninfo(db), env: tlsEnv('live.pem', 'live.key') });
  try {
    assert.equal(await servedSerial(srv.port), 1001);
    // A connection opened before the renewal keeps working across it.
    const before = await fetchOverKeptConnection(srv.port);
    fs.copyFileSync(file('renewed.pem'), file('live.pem'));
    fs.copyFileSync(file('renewed.key'), file('live.key'));
    const reloads = () => (srv.log().match(/"configuration reloaded"/g) ?? []).length;
    srv.proc.kill('SIGHUP');
    await eventually(() => reloads() === 1);
    assert.equal(await servedSerial(srv.port), 1002);
    assert.equal(await before.again(), 200);
    before.close();
    // The new certificate with another certificate's key: refused, 1002 still served.
    fs.copyFileSync(file('other.key'), file('live.key'));
    srv.proc.kill('SIGHUP');
    await eventually(() => reloads() === 2);
    assert.match(srv.log(), /reload: keeping the certificate served so far: .*live\.pem/);
    assert.equal(await servedSerial(srv.port), 1002);
    assert.equal(curl(srv.port, '/readyz').stdout.trim().split('\n').pop(), '200');
    assert.equal(srv.proc.exitCode, null);
  } finally {
    assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  }
});

// One TLS connection kept open: again() sends GET /healthz on it and resolves the status.
function fetchOverKeptConnection(port) {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: fs.readFileSync(file('ca.pem')) });
    let pending = null;
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => {
      data += d;
      // Only a status line after the request was written (the previous body may trail).
      const m = /HTTP\/1\.1 (\d{3})[\s\S]*?\r\n\r\n/.exec(data);
      if (m && pending) { const p = pending; pending = null; data = ''; p(Number(m[1])); }
    });
    sock.on('error', reject);
    const again = () => new Promise((res) => { pending = res; data = ''; sock.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'); });
    sock.on('secureConnect', async () => resolve({ again, close: () => sock.end(), first: await again() }));
  });
}

test('the configuration: certificate and key together, readable, belonging together, or onshid does not start', async () => {
  for (const [env, message] of [
    [{ ONSHI_TLS_CERTIFICATE_FILE: file('srv.pem') }, /tls_certificate_file and tls_key_file go together/],
    [{ ONSHI_TLS_KEY_FILE: file('srv.key') }, /tls_certificate_file and tls_key_file go together/],
    [tlsEnv('missing.pem', 'srv.key'), /tls_certificate_file .*missing\.pem/],
    [tlsEnv('srv.pem', 'other.key'), /srv\.pem with .*other\.key: /],
    [tlsEnv('srv.key', 'srv.key'), /srv\.key with .*srv\.key: /],
  ]) {
    const r = await runOnshidToExit([], { ONSHI_DATABASE_URL: pg.conninfo(db), ONSHI_PORT: '0', ...env });
    assert.notEqual(r.code, 0, JSON.stringify(env));
    assert.match(r.stderr, message);
  }
});

test('plain HTTP: no HSTS and no Secure cookie, unless public_base_url says a proxy serves HTTPS', async () => {
  const plain = await startOnshid({ database: pg.conninfo(db) });
  const proxied = await startOnshid({ database: pg.conninfo(db), env: { ONSHI_PUBLIC_BASE_URL: 'https://onshi.example.jp' } });
  try {
    for (const [srv, secure] of [[plain, false], [proxied, true]]) {
      const res = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ institution_code: CODE, user_id: master.user_id, password: master.initial_password }) });
      assert.equal(res.status, 200);
      assert.equal(/; Secure$/.test(res.headers.get('set-cookie')), secure);
      assert.equal(res.headers.get('strict-transport-security'), secure ? 'max-age=31536000' : null);
    }
  } finally {
    for (const s of [plain, proxied]) assert.deepEqual(await s.stop(), { code: 0, signal: null });
  }
});

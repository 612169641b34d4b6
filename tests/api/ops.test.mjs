// The dispatcher's shared rules and the operations endpoints, over real HTTP against the
// real onshid and a real PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, startOnshid, rawRequest, runOnshidToExit, eventually, SCHEMA_VERSION } from '../support/harness.mjs';
import { createInstitution } from '../support/people.mjs';

let pg;
let db;
let srv;

before(async () => {
  pg = await startPostgres();
  db = pg.migratedDatabase();
  srv = await startOnshid({ database: pg.conninfo(db) });
});
after(async () => {
  if (srv) assert.deepEqual(await srv.stop(), { code: 0, signal: null });
  pg?.stop();
});

async function errorBody(res) {
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const body = await res.json();
  assert.ok(body.error, 'error envelope');
  assert.match(body.error.message, /[\u3040-\u30ff\u4e00-\u9fff]/, 'message is Japanese');
  return body.error;
}

test('healthz answers ok without touching the database', async () => {
  const res = await fetch(`${srv.base}/healthz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('readyz reports the current schema version', async () => {
  const res = await fetch(`${srv.base}/readyz`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status, 'ready');
  assert.equal(body.schema_version, SCHEMA_VERSION);
});

test('unknown API route answers 404 with the registry body', async () => {
  const res = await fetch(`${srv.base}/api/v1/no-such-thing`);
  assert.equal(res.status, 404);
  assert.equal((await errorBody(res)).code, 'request.not_found');
});

test('unknown static file answers 404, not the index page', async () => {
  const res = await fetch(`${srv.base}/no-such-page`);
  assert.equal(res.status, 404);
  assert.equal((await errorBody(res)).code, 'request.not_found');
});

test('wrong method answers 405 with Allow and the registry body', async () => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
    const res = await fetch(`${srv.base}/readyz`, { method });
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    assert.equal((await errorBody(res)).code, 'request.method_not_allowed');
  }
});

test('HEAD is served by GET routes without a body', async () => {
  const res = await rawRequest(srv.port, 'HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^application\/json/);
  assert.equal(res.body, '', 'nothing follows the headers');
});

test('declared oversize body answers 413 before the body is read', async () => {
  const res = await rawRequest(srv.port,
    'GET /readyz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${64 * 1024 + 1}\r\n\r\n{`);
  assert.equal(res.status, 413);
  assert.equal(JSON.parse(res.body).error.code, 'request.body_too_large');
});

test('chunked oversize body answers 413', async () => {
  const chunk = 'x'.repeat(64 * 1024);
  const res = await rawRequest(srv.port, (sock) => {
    sock.write('GET /readyz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    // 2 × 64 KiB: over the 64 KiB default limit, under the point where the server hangs up.
    for (let i = 0; i < 2; i++) sock.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    sock.write('0\r\n\r\n');
  });
  assert.equal(res.status, 413);
  assert.equal(JSON.parse(res.body).error.code, 'request.body_too_large');
});

test('an endless chunked body is cut off instead of being read forever', async () => {
  const net = await import('node:net');
  const chunk = `${(64 * 1024).toString(16)}\r\n${'x'.repeat(64 * 1024)}\r\n`;
  const closed = await new Promise((resolve) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let sent = 0;
    const pump = () => {
      // 32 MiB at most: far beyond the 64 KiB limit plus what the server may discard.
      while (sent < 512) {
        sent++;
        if (!sock.write(chunk)) { sock.once('drain', pump); return; }
      }
      resolve(false);
    };
    sock.on('error', () => {});
    sock.on('close', () => resolve(sent < 512));
    sock.write('GET /readyz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    pump();
  });
  assert.equal(closed, true, 'the server closed the connection');
  assert.equal((await fetch(`${srv.base}/healthz`)).status, 200, 'and keeps serving others');
});

// Sends a raw request; resolves with the status line's code and whether the server closed the
// connection within `waitMs` (a connection left open after an ambiguous request could carry a
// smuggled second one).
async function probe(text, waitMs = 1500) {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let data = '';
    let closed = false;
    sock.on('data', (d) => { data += d; });
    sock.on('error', () => {});
    sock.on('close', () => { closed = true; });
    sock.write(text);
    setTimeout(() => {
      sock.destroy();
      const body = data.slice(data.indexOf('\r\n\r\n') + 4);
      let code = null;
      try { code = JSON.parse(body).error.code; } catch { /* not ours */ }
      resolve({ status: Number(data.split(' ')[1]) || null, code, closed });
    }, waitMs);
  });
}

test('ambiguous framing and malformed heads are refused and the connection closed (request smuggling)', async () => {
  const post = 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';
  for (const [name, text, code] of [
    ['Transfer-Encoding other than chunked (hung before)', `${post}Transfer-Encoding: gzip\r\n\r\n{"a":1}`, 'request.bad_framing'],
    ['Transfer-Encoding twice', `${post}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 'request.bad_framing'],
    ['Content-Length with Transfer-Encoding', `${post}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 'request.bad_framing'],
    ['two Content-Length', `${post}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 'request.bad_framing'],
    ['a space before the colon', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Foo : bar\r\n\r\n', 'request.bad_framing'],
    ['HTTP/1.1 without Host', 'GET /healthz HTTP/1.1\r\n\r\n', 'request.bad_framing'],
    ['an encoded NUL in the path (served app.js before)', 'GET /app.js%00/../x HTTP/1.1\r\nHost: x\r\n\r\n', 'request.bad_encoding'],
    ['an encoded NUL at the end of the path', 'GET /app.js%00 HTTP/1.1\r\nHost: x\r\n\r\n', 'request.bad_encoding'],
  ]) {
    assert.deepEqual(await probe(text), { status: 400, code, closed: true }, name);
  }
  // What is well framed keeps its connection, HTTP/1.0 needs no Host, chunked alone is fine.
  assert.deepEqual(await probe('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'), { status: 200, code: null, closed: false });
  assert.equal((await probe('GET /healthz HTTP/1.0\r\n\r\n')).status, 200);
  assert.equal((await probe(`${post}Transfer-Encoding: Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`)).code, 'request.field_missing');
  assert.equal((await fetch(`${srv.base}/app.js`)).status, 200);
});

test("/metrics answers only the addresses of metrics_allow (the connection's own, not X-Forwarded-For)", async () => {
  const other = await startOnshid({ database: pg.conninfo(pg.migratedDatabase()), env: { ONSHI_METRICS_ALLOW: '10.0.0.0/8, fd00::/8', ONSHI_TRUSTED_PROXY: '127.0.0.1' } });
  try {
    const res = await fetch(`${other.base}/metrics`, { headers: { 'X-Forwarded-For': '10.1.2.3' } });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, 'auth.forbidden');
    assert.equal((await fetch(`${other.base}/healthz`)).status, 200);
  } finally {
    assert.deepEqual(await other.stop(), { code: 0, signal: null });
  }
  assert.equal((await fetch(`${srv.base}/metrics`)).status, 200, 'loopback by default');
  const bad = await runOnshidToExit([], { ONSHI_METRICS_ALLOW: 'localhost' });
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /metrics_allow must list IPv4 or IPv6 addresses/);
});

test('a body within the limit on a GET route is accepted and ignored', async () => {
  const res = await rawRequest(srv.port,
    'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}');
  assert.equal(res.status, 200);
});

test('metrics exposes request counters, latency histograms, connections and build info', async () => {
  await fetch(`${srv.base}/readyz`);
  await fetch(`${srv.base}/api/v1/nothing`);
  const res = await fetch(`${srv.base}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.match(text, /^onshi_http_requests_total\{method="GET",route="\/readyz",status="200"\} [1-9]\d*$/m);
  assert.match(text, /^onshi_http_requests_total\{method="",route="unmatched",status="404"\} [1-9]\d*$/m);
  assert.match(text, /^onshi_http_request_duration_seconds_bucket\{method="GET",route="\/readyz",le="\+Inf"\} [1-9]\d*$/m);
  assert.match(text, /^onshi_http_request_duration_seconds_count\{method="GET",route="\/readyz"\} [1-9]\d*$/m);
  assert.match(text, /^onshi_db_connections [1-9]\d*$/m);
  assert.match(text, new RegExp(`^onshi_build_info\\{version="[^"]+",schema_version="${SCHEMA_VERSION}"\\} 1$`, 'm'));
});

test('metrics count each named transaction: runs, retries, conflicts, failures', async () => {
  const { master } = createInstitution(pg, db, '1319600001');
  const res = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: '1319600001', user_id: master.user_id, password: master.initial_password }) });
  assert.equal(res.status, 200);
  const text = await (await fetch(`${srv.base}/metrics`)).text();
  for (const field of ['runs', 'retries', 'conflicts', 'failures'])
    assert.match(text, new RegExp(`^# TYPE onshi_db_transaction_${field}_total counter$`, 'm'));
  // The sign-in's own transaction (api/session.c), once at least, and it did not fail.
  assert.match(text, /^onshi_db_transaction_runs_total\{name="session\.success"\} [1-9]\d*$/m);
  assert.match(text, /^onshi_db_transaction_failures_total\{name="session\.success"\} 0$/m);
});

test('static files are served with their content types', async () => {
  const cases = [
    ['/', /^text\/html; charset=utf-8/, /オンライン資格確認等システム/],
    ['/index.html', /^text\/html/, /<!doctype html>/],
    ['/app.js', /^text\/javascript/, /errorMessage/],
    ['/js/errors.js', /^text\/javascript/, /"request\.not_found"/],
    ['/style.css', /^text\/css/, /font-family/],
  ];
  for (const [path, type, content] of cases) {
    const res = await fetch(`${srv.base}${path}`);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type'), type, path);
    assert.match(await res.text(), content, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  }
});

test('static paths cannot leave the console directory or reach hidden files', async () => {
  for (const path of ['/%2e%2e/%2e%2e/etc/passwd', '/../../etc/passwd', '/.hidden', '/js/../../CMakeCache.txt']) {
    const res = await rawRequest(srv.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(res.body, /root:/);
  }
});

test('every request is logged once as structured JSON without the raw path', async () => {
  const count = () => srv.log().split('\n').filter((l) => l.includes('"msg":"request"') && l.includes('"route":"/healthz"')).length;
  const before = count();
  await fetch(`${srv.base}/healthz?probe=secret-looking-value`);
  await eventually(() => count() === before + 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(count(), before + 1, 'exactly one line');
  const line = srv.log().split('\n').filter((l) => l.includes('"route":"/healthz"')).pop();
  const entry = JSON.parse(line);
  assert.equal(entry.method, 'GET');
  assert.equal(entry.status, 200);
  assert.equal(typeof entry.duration_ms, 'number');
  assert.ok('institution' in entry && 'account' in entry);
  assert.doesNotMatch(srv.log(), /secret-looking-value/);
});

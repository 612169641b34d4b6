// Benchmark: the live-update streams (GET /api/v1/events) with BENCH_STREAMS (1,000) open on
// one onshid (A, which processes no bulk jobs) while another onshid (B) on the same database
// takes and processes the jobs. Three figures, each against its target:
//  1. A job's commit on B to its `bulk_job` (status waiting) event on each of A's streams:
//     p50/p99/max over BENCH_EVENT_JOBS (30) jobs × every stream (target p99 ≤ 100 ms).
//     t0 is the arrival of B's 202, which B sends right after the commit; the figure is thus
//     short by B's reply time (printed too, from the request's sending to its 202), and the
//     same from the request's sending is printed as the upper bound: the truth lies between.
//  2. A's resident memory per idle open stream: VmRSS with the streams open and their
//     heartbeats run (heartbeat 2 s) minus VmRSS with none after a warm-up, divided by the
//     number of streams (target ≤ 16 KiB).
//  3. GET /api/v1/accounts/{user_id} throughput on A (wrk, as account_get.mjs) with the
//     streams open (default 20 s heartbeat) against the same with none, alternating
//     (target ratio ≥ 0.9), and A's CPU time per request in both, which the other work on the
//     machine disturbs less than the rate.
// The streams are read by BENCH_EVENT_WORKERS (4) worker threads of this process, which
// timestamp each event on one clock (performance.timeOrigin + performance.now()). Exits
// non-zero when a target is missed or something breaks. Runs alone too:
//   TEST_BUILD_DIR=$PWD/build node tests/bench/events.mjs
//   BENCH_STREAMS (1000)  BENCH_EVENT_JOBS (30)  BENCH_EVENT_WORKERS (4)
//   BENCH_CONNECTIONS (4)  BENCH_EVENT_SECONDS (10: each throughput window)  BENCH_ROUNDS (5)
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { isMainThread, Worker, parentPort, workerData } from 'node:worker_threads';

const now = () => performance.timeOrigin + performance.now();
const FINISHED = (status) => status !== 'waiting' && status !== 'processing';

if (isMainThread) await main();
else readerThread();

// --- a reader thread: holds its share of the streams ----------------------------------

function readerThread() {
  const { port } = workerData;
  let streams = [];
  let waiter = null; // {rn, id}: answered once every stream has seen the job finish

  const block = (s, text, at) => {
    let event = 'message';
    let data = '';
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) s.heartbeats += line.includes('heartbeat') ? 1 : 0;
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (event === 'ready') s.ready = JSON.parse(data);
    else if (event === 'session_end') s.ended = `session_end ${data}`;
    else if (event === 'bulk_job') {
      const job = JSON.parse(data);
      const seen = s.jobs.get(job.reception_number) ?? {};
      if (job.status === 'waiting' && seen.waiting === undefined) seen.waiting = at;
      if (FINISHED(job.status)) seen.finished = job.status;
      s.jobs.set(job.reception_number, seen);
    }
  };

  const answer = () => {
    if (!waiter) return;
    const { rn, id } = waiter;
    if (!streams.every((s) => s.jobs.get(rn)?.finished || s.ended)) return;
    waiter = null;
    const waiting = [];
    let missing = 0;
    for (const s of streams) {
      const seen = s.jobs.get(rn);
      if (seen?.waiting !== undefined && seen.finished) waiting.push(seen.waiting); else missing++;
      s.jobs.delete(rn);
    }
    parentPort.postMessage({ id, waiting, missing, ended: streams.filter((s) => s.ended).map((s) => s.ended) });
  };

  const openOne = (token) => new Promise((resolve, reject) => {
    const s = { jobs: new Map(), heartbeats: 0, ready: null, ended: null, text: '' };
    s.req = http.get({ host: '127.0.0.1', port, path: '/api/v1/events', agent: false,
      headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET /api/v1/events: ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const at = now(); // first: before this thread parses anything
        s.text += chunk;
        let cut;
        while ((cut = s.text.indexOf('\n\n')) >= 0) {
          block(s, s.text.slice(0, cut), at);
          s.text = s.text.slice(cut + 2);
        }
        if (s.ready) resolve(s);
        answer();
      });
      res.on('end', () => { s.ended ??= 'ended by the server'; answer(); });
      res.on('error', () => { s.ended ??= 'connection error'; });
    });
    s.req.on('error', (e) => { if (!s.ready) reject(e); s.ended ??= `connection error: ${e.code}`; answer(); });
  });

  parentPort.on('message', async (m) => {
    try {
      if (m.cmd === 'open') {
        // A few at a time: the listen backlog, not the server, would refuse a burst.
        for (let i = 0; i < m.tokens.length; i += 25) streams.push(...await Promise.all(m.tokens.slice(i, i + 25).map(openOne)));
        parentPort.postMessage({ id: m.id, heartbeatSeconds: streams.map((s) => s.ready.heartbeat_seconds) });
      } else if (m.cmd === 'job') {
        waiter = { rn: m.rn, id: m.id };
        answer();
      } else if (m.cmd === 'stats') {
        parentPort.postMessage({ id: m.id, heartbeats: streams.map((s) => s.heartbeats), ended: streams.filter((s) => s.ended).map((s) => s.ended) });
      } else if (m.cmd === 'close') {
        for (const s of streams) s.req.destroy();
        streams = [];
        parentPort.postMessage({ id: m.id });
      } else if (m.cmd === 'clock') {
        parentPort.postMessage({ id: m.id, at: now() });
      }
    } catch (e) {
      parentPort.postMessage({ id: m.id, error: String(e) });
    }
  });
}

// --- the benchmark --------------------------------------------------------------------

// The reader threads, each holding its share of the streams, spread over the tokens.
function readerPool(port, workers) {
  const threads = Array.from({ length: workers }, () => new Worker(new URL(import.meta.url), { workerData: { port } }));
  let seq = 0;
  const ask = (w, msg, timeoutMs = 120000) => new Promise((resolve, reject) => {
    const id = ++seq;
    const timer = setTimeout(() => { w.off('message', on); reject(new Error(`reader thread: no answer to ${msg.cmd} in ${timeoutMs} ms`)); }, timeoutMs);
    const on = (r) => {
      if (r.id !== id) return;
      clearTimeout(timer);
      w.off('message', on);
      if (r.error) reject(new Error(r.error)); else resolve(r);
    };
    w.on('message', on);
    w.postMessage({ ...msg, id });
  });
  const all = (msg, timeoutMs) => Promise.all(threads.map((w) => ask(w, msg, timeoutMs)));
  return {
    async open(tokens, n) {
      const shares = threads.map(() => []);
      for (let i = 0; i < n; i++) shares[i % threads.length].push(tokens[i % tokens.length]);
      const r = await Promise.all(threads.map((w, k) => ask(w, { cmd: 'open', tokens: shares[k] })));
      return r.flatMap((x) => x.heartbeatSeconds);
    },
    // Per stream, the arrival of job rn's waiting event, once every stream has seen it finish.
    async job(rn) {
      const r = await all({ cmd: 'job', rn }, 60000);
      return { waiting: r.flatMap((x) => x.waiting), missing: r.reduce((a, x) => a + x.missing, 0), ended: r.flatMap((x) => x.ended) };
    },
    async stats() {
      const r = await all({ cmd: 'stats' });
      return { heartbeats: r.flatMap((x) => x.heartbeats), ended: r.flatMap((x) => x.ended) };
    },
    close: () => all({ cmd: 'close' }),
    // How far apart the threads' clocks can be from this one's: a reading taken between the
    // question and the answer; the smallest window of several.
    async clockBound() {
      let worst = 0;
      for (const w of threads) {
        let best = Infinity;
        for (let i = 0; i < 20; i++) {
          const t1 = now();
          const { at } = await ask(w, { cmd: 'clock' });
          const t2 = now();
          if (at < t1 || at > t2) return Infinity; // not one clock
          best = Math.min(best, t2 - t1);
        }
        worst = Math.max(worst, best);
      }
      return worst;
    },
    stop: () => Promise.all(threads.map((w) => w.terminate())),
  };
}

async function main() {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { startPostgres, startOnshid, eventually } = await import('../support/harness.mjs');
  const { intEnv, median, percentile, memoryKiB, cpuSeconds, wrk, benchInstitution } = await import('../support/bench.mjs');

  const LATENCY_TARGET_MS = 100;
  const MEMORY_TARGET_KIB = 16;
  const THROUGHPUT_TARGET = 0.9;
  const N = intEnv('BENCH_STREAMS', 1000, 1, 10000);
  const JOBS = intEnv('BENCH_EVENT_JOBS', 30, 1, 1000);
  const WORKERS = intEnv('BENCH_EVENT_WORKERS', 4, 1, 64);
  const C = intEnv('BENCH_CONNECTIONS', 4, 1, 64);
  const SECS = intEnv('BENCH_EVENT_SECONDS', 10, 1, 600);
  const ROUNDS = intEnv('BENCH_ROUNDS', 5, 1, 50);
  const PER_SESSION = 100;
  const ROWS = 20;
  const HEADER = '権限区分,ユーザID,ユーザ名,ユーザ名（カナ）,利用開始年月日,利用終了年月日\r\n';

  const pg = await startPostgres();
  const db = pg.migratedDatabase();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onshi-bench-'));
  // The event keys are in A's file, not its environment (which would win over a reload):
  // a 2 s heartbeat for the memory figure, then the default 20 s.
  const conf = path.join(tmp, 'onshid.conf');
  const events = (heartbeat) => fs.writeFileSync(conf, `event_streams_max = ${N + 100}\nevent_streams_per_session = ${PER_SESSION}\nevent_heartbeat_seconds = ${heartbeat}\n`);
  events(2);
  const env = { ONSHI_LOG_LEVEL: 'warn', ONSHI_CONNECTION_LIMIT: String(N + 1000) };
  const [a, b] = await Promise.all([
    startOnshid({ database: pg.conninfo(db), args: ['--config', conf], env: { ...env, ONSHI_HTTP_THREADS: '0', ONSHI_BULK_WORKER: '0' } }),
    startOnshid({ database: pg.conninfo(db), env }),
  ]);
  const pool = readerPool(a.port, WORKERS);
  const problems = [];
  const missed = [];
  try {
    const inst = await benchInstitution(pg, db, a, { general: 200 });
    // One session per PER_SESSION streams (bearer tokens of the admin), and one spare.
    const tokens = [];
    for (let i = 0; i < Math.ceil(N / PER_SESSION) + 1; i++) {
      const res = await fetch(`${a.base}/api/v1/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ institution_code: inst.code, user_id: 'kanri01', password: inst.password }) });
      if (res.status !== 200 && res.status !== 201) throw new Error(`POST /api/v1/tokens: ${res.status} ${await res.text()}`);
      tokens.push((await res.json()).access_token);
    }
    const streamsOpen = async () => Number(/^onshi_event_streams (\d+)$/m.exec(await (await fetch(`${a.base}/metrics`)).text())[1]);
    // Streams a client dropped are counted off at their next heartbeat.
    const noStreams = () => eventually(async () => (await streamsOpen()) === 0, { timeoutMs: 90000, intervalMs: 200 });
    const url = `${a.base}/api/v1/accounts/u0100`;
    const headers = { Authorization: `Bearer ${inst.token}` };
    let jobNo = 0;
    // One job through B; resolves with its times once every stream has seen it finish.
    const job = async () => {
      const k = ++jobNo;
      const csv = HEADER + Array.from({ length: ROWS }, (_, i) =>
        `一般利用者,b${String(k).padStart(3, '0')}${String(i).padStart(2, '0')},ﾔﾏﾀﾞ ﾀﾛｳ,ﾔﾏﾀﾞ ﾀﾛｳ,2026/12/01,\r\n`).join('');
      const sent = now();
      const res = await fetch(`${b.base}/api/v1/bulk-jobs`, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/csv' }, body: csv });
      const t0 = now();
      if (res.status !== 202) throw new Error(`POST /api/v1/bulk-jobs: ${res.status} ${await res.text()}`);
      const { reception_number: rn } = await res.json();
      const seen = await pool.job(rn);
      if (seen.missing) problems.push(`job ${rn}: ${seen.missing} streams without its waiting event (${[...new Set(seen.ended)].join(', ') || 'none ended'})`);
      const { job: j } = await (await fetch(`${b.base}/api/v1/bulk-jobs/${rn}`, { headers })).json();
      if (j.status !== 'completed' || j.registered !== ROWS) problems.push(`job ${rn} ended ${j.status}, ${j.registered} registered`);
      return { rn, reply: t0 - sent, lat: seen.waiting.map((t) => t - t0), upper: seen.waiting.map((t) => t - sent) };
    };

    console.log(`# live-update streams: ${N} on onshid A (http_threads=${/"http_threads":(\d+)/.exec(a.log())?.[1]}, no bulk worker), ` +
      `jobs on onshid B, one database; ${WORKERS} reader threads, ${Math.ceil(N / WORKERS)} streams each at most; ` +
      `${tokens.length - 1} sessions of ${PER_SESSION} streams; cpus=${os.cpus().length}`);

    // Warm-up: the account read, a few streams, one job; discarded.
    await wrk(url, { secs: 2, conns: C, headers });
    await pool.open(tokens, Math.min(N, 2 * WORKERS));
    await job();
    await pool.close();
    await noStreams();

    // 2. Memory per idle stream.
    const sample = async () => {
      const xs = [];
      for (let i = 0; i < 5; i++) { xs.push(memoryKiB(a.proc.pid)); await new Promise((r) => setTimeout(r, 200)); }
      return { rss: median(xs.map((x) => x.rss)), pss: median(xs.map((x) => x.pss)) };
    };
    const before = await sample();
    const hb = await pool.open(tokens, N);
    if (hb.some((s) => s !== 2)) problems.push(`memory: streams announced heartbeats of ${[...new Set(hb)]} s, not 2`);
    await eventually(async () => Math.min(...(await pool.stats()).heartbeats) >= 3, { timeoutMs: 30000, intervalMs: 500 });
    const open = await sample();
    const st = await pool.stats();
    if (st.ended.length) problems.push(`memory: ${st.ended.length} streams ended (${[...new Set(st.ended)]})`);
    const perRss = (open.rss - before.rss) / N;
    const perPss = (open.pss - before.pss) / N;
    console.log(`# memory: VmRSS ${before.rss} KiB with no stream, ${open.rss} KiB with ${N} idle streams after ${Math.min(...st.heartbeats)}+ heartbeats of 2 s each; Pss ${before.pss} → ${open.pss} KiB`);
    console.log(`# target <= ${MEMORY_TARGET_KIB} KiB per idle stream: ${perRss <= MEMORY_TARGET_KIB ? 'met' : 'NOT met'}`);
    console.log(`events_memory_per_idle_stream kib=${perRss.toFixed(1)} pss_kib=${perPss.toFixed(1)} streams=${N}`);
    if (perRss > MEMORY_TARGET_KIB) missed.push(`memory per idle stream ${perRss.toFixed(1)} KiB > ${MEMORY_TARGET_KIB} KiB`);

    // The default heartbeat from here on.
    await pool.close();
    events(20);
    a.proc.kill('SIGHUP');
    await noStreams();

    // 1. Commit to event, on every stream.
    const hb20 = await pool.open(tokens, N);
    if (hb20.some((s) => s !== 20)) problems.push(`latency: streams announced heartbeats of ${[...new Set(hb20)]} s, not 20 (reload not applied?)`);
    const skew = await pool.clockBound();
    if (!Number.isFinite(skew)) problems.push('the reader threads do not share this thread\'s clock');
    console.log(`# commit on B → bulk_job waiting event on each of A's ${N} streams; t0 = B's 202 (sent right after the commit: ` +
      `the figures are short by B's reply time, shown as reply_ms); one job of ${ROWS} rows at a time, each to 完了 on every stream before the next; ` +
      `reader clocks agree within ${skew.toFixed(3)} ms`);
    console.log('job  reply_ms  p50_ms  p99_ms  max_ms  early  p99_from_send_ms');
    const lat = [];
    const upper = [];
    const replies = [];
    for (let k = 1; k <= JOBS; k++) {
      const r = await job();
      lat.push(...r.lat);
      upper.push(...r.upper);
      replies.push(r.reply);
      const early = r.lat.filter((x) => x < 0).length; // arrived before B's 202 did
      console.log(`${String(k).padEnd(5)}${r.reply.toFixed(2).padStart(8)}  ${percentile(r.lat, 50).toFixed(2).padStart(6)}  ` +
        `${percentile(r.lat, 99).toFixed(2).padStart(6)}  ${Math.max(...r.lat).toFixed(2).padStart(6)}  ${String(early).padStart(5)}  ${percentile(r.upper, 99).toFixed(2).padStart(16)}`);
    }
    const p99 = percentile(lat, 99);
    console.log(`# target p99 <= ${LATENCY_TARGET_MS} ms: ${p99 <= LATENCY_TARGET_MS ? 'met' : 'NOT met'}`);
    console.log(`events_commit_to_event p50_ms=${percentile(lat, 50).toFixed(2)} p99_ms=${p99.toFixed(2)} max_ms=${Math.max(...lat).toFixed(2)} ` +
      `p99_from_send_ms=${percentile(upper, 99).toFixed(2)} samples=${lat.length} reply_ms_median=${median(replies).toFixed(2)} streams=${N} jobs=${JOBS} reader_threads=${WORKERS}`);
    if (lat.length !== N * JOBS) problems.push(`latency: ${lat.length} samples, not ${N * JOBS}`);
    if (p99 > LATENCY_TARGET_MS) missed.push(`commit-to-event p99 ${p99.toFixed(2)} ms > ${LATENCY_TARGET_MS} ms`);

    // 3. Account reads with the streams open (still open from 1.) and with none, alternating.
    console.log(`# GET /api/v1/accounts/{user_id} on A (wrk, connections=${C}, ${SECS} s windows, heartbeat 20 s) with ${N} idle streams open vs none`);
    console.log('round  streams_rps  p99_ms  cpu_us/req  none_rps  p99_ms  cpu_us/req  ratio');
    // wrk, with A's CPU time per request over the window.
    const reads = async () => {
      const c0 = cpuSeconds(a.proc.pid);
      const x = await wrk(url, { secs: SECS, conns: C, headers });
      return { ...x, cpu: ((cpuSeconds(a.proc.pid) - c0) * 1e6) / (x.rps * SECS) };
    };
    await wrk(url, { secs: 2, conns: C, headers }); // what the jobs left behind settles; discarded
    const rows = [];
    for (let r = 1; r <= ROUNDS; r++) {
      if (r > 1) await pool.open(tokens, N);
      const w = await reads();
      const s = await pool.stats();
      if (s.ended.length) problems.push(`round ${r}: ${s.ended.length} streams ended during the reads`);
      await pool.close();
      await noStreams();
      const z = await reads();
      for (const x of [w, z]) {
        if (x.non2xx) problems.push(`round ${r}: ${x.non2xx} non-2xx responses`);
        if (x.sockErrors) problems.push(`round ${r}: ${x.sockErrors} wrk socket errors`);
      }
      rows.push({ w, z });
      console.log(`${String(r).padEnd(7)}${w.rps.toFixed(0).padStart(11)}  ${w.p99.toFixed(2).padStart(6)}  ${w.cpu.toFixed(1).padStart(10)}  ` +
        `${z.rps.toFixed(0).padStart(8)}  ${z.p99.toFixed(2).padStart(6)}  ${z.cpu.toFixed(1).padStart(10)}  ${(w.rps / z.rps).toFixed(2)}`);
    }
    const withRps = median(rows.map((x) => x.w.rps));
    const noneRps = median(rows.map((x) => x.z.rps));
    const ratio = withRps / noneRps;
    console.log(`# target ratio >= ${THROUGHPUT_TARGET}: ${ratio >= THROUGHPUT_TARGET ? 'met' : 'NOT met'}`);
    console.log(`account_get_with_streams ratio=${ratio.toFixed(2)} streams_rps=${Math.round(withRps)} none_rps=${Math.round(noneRps)} ` +
      `cpu_us_per_req_streams=${median(rows.map((x) => x.w.cpu)).toFixed(1)} cpu_us_per_req_none=${median(rows.map((x) => x.z.cpu)).toFixed(1)} streams=${N} connections=${C} rounds=${ROUNDS}`);
    if (ratio < THROUGHPUT_TARGET) missed.push(`account reads with streams ${ratio.toFixed(2)} × without < ${THROUGHPUT_TARGET}`);
    if (problems.length) console.log(`# FLAGGED: ${problems.join('; ')}`);
  } finally {
    await pool.stop();
    await Promise.all([a.stop(), b.stop()]);
    pg.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (problems.length || missed.length) {
    console.error(`events bench:${problems.length ? `\n  broken: ${problems.join('\n  broken: ')}` : ''}${missed.length ? `\n  target missed: ${missed.join('\n  target missed: ')}` : ''}`);
    process.exitCode = 1;
  }
}

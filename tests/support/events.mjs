// A Server-Sent-Events client for tests, on fetch: the stream's events as they arrive
// ({event, data (parsed JSON), at (ms)}), its comments (heartbeats), `retry:` and whether the
// server ended it. `call` is a signedIn helper or any function returning a fetch Response.
export async function openStream(call) {
  const res = await call();
  const s = { status: res.status, headers: res.headers, events: [], comments: [], retry: null, ended: false, res };
  if (res.status !== 200) {
    s.body = await res.json();
    return s;
  }
  const waiters = new Set();
  const notify = () => { for (const w of waiters) w(); };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  s.done = (async () => {
    let text = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = text.indexOf('\n\n')) >= 0) {
          parseBlock(s, text.slice(0, cut));
          text = text.slice(cut + 2);
          notify();
        }
      }
    } catch { /* aborted by close() */ }
    s.ended = true;
    notify();
  })();
  // Resolves with the first event (from index `from`) that `match` accepts, or rejects.
  s.next = (match, { from = 0, timeoutMs = 10000 } = {}) => new Promise((resolve, reject) => {
    const look = () => {
      const hit = s.events.slice(from).find(match);
      if (hit) { done(); resolve(hit); } else if (s.ended) { done(); reject(new Error(`stream ended without the event; got ${JSON.stringify(s.events.map((e) => e.event))}`)); }
    };
    const timer = setTimeout(() => { done(); reject(new Error(`no such event in ${timeoutMs} ms; got ${JSON.stringify(s.events)}`)); }, timeoutMs);
    const done = () => { clearTimeout(timer); waiters.delete(look); };
    waiters.add(look);
    look();
  });
  s.close = async () => { try { await reader.cancel(); } catch { /* already closed */ } await s.done; };
  return s;
}

function parseBlock(s, block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) s.comments.push({ text: line.slice(1).trim(), at: Date.now() });
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
    else if (line.startsWith('retry: ')) s.retry = Number(line.slice(7));
  }
  if (data.length) s.events.push({ event, data: JSON.parse(data.join('\n')), at: Date.now() });
}

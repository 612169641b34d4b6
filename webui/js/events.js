// Live updates: the console's one client of GET /api/v1/events (Server-Sent Events, the session
// cookie). One stream per tab, shared by every screen; it opens with the first listener and
// closes when the last one leaves or the session ends.
//
//   const stop = listen({
//     bulk_job(job) {},        // any event kind of the stream: bulk_job, reader, reader_service
//     resync() {},             // re-read your snapshot with the GET endpoints: called when the
//                              // stream is (re)connected (`ready`) and on `resync`
//     state(s) {},             // 'live' | 'down', at once and on every change
//   });
//   stop();                    // in the screen's dispose()
//   streamState();             // 'live' | 'down' now
//
// While the state is 'down' a screen falls back to polling (the manual's one-minute refresh) and
// says so. session_end hands over to the session module (sign-in screen, or a reload of the
// session when only the role changed). createStream() is the same thing with its outside world
// passed in, for the unit test.

const RETRY_MS = [5000, 10000, 30000, 60000];
const SESSION_REASONS = { ended: 'signed-out-elsewhere', expired: 'timed-out', disabled: 'expired' };

export function createStream({ open, sessionEnded, url = '/api/v1/events', setTimer = setTimeout, clearTimer = clearTimeout }) {
  const listeners = new Set();
  const kinds = new Set();
  let source = null;
  let state = 'down';
  let retryTimer = 0;
  let failures = 0;

  function setState(s) {
    if (s === state) return;
    state = s;
    for (const l of listeners) l.state?.(s);
  }
  function emit(name, data) {
    for (const l of [...listeners]) l[name]?.(data);
  }
  function bind(kind) {
    if (!source || kinds.has(kind)) return;
    kinds.add(kind);
    source.addEventListener(kind, (e) => {
      let data;
      try { data = JSON.parse(e.data); } catch { return; } // a broken line: the next resync repairs it
      emit(kind, data);
    });
  }
  function connect() {
    clearTimer(retryTimer);
    retryTimer = 0;
    if (source || listeners.size === 0) return;
    source = open(url);
    kinds.clear();
    source.addEventListener('ready', () => { failures = 0; setState('live'); emit('resync'); });
    source.addEventListener('resync', () => emit('resync'));
    source.addEventListener('session_end', (e) => {
      let reason = 'ended';
      try { reason = JSON.parse(e.data).reason || reason; } catch { /* keep 'ended' */ }
      close();
      sessionEnded(reason, SESSION_REASONS[reason] || null);
    });
    source.onerror = () => {
      setState('down');
      // EventSource retries by itself after a network error (CONNECTING); a refusal (429, 503,
      // 401) closes it for good (CLOSED), so reopen later, each time a little later.
      if (source && source.readyState === 2) {
        source.close();
        source = null;
        const wait = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)];
        retryTimer = setTimer(connect, wait);
      }
    };
    for (const l of listeners) for (const k of Object.keys(l)) if (!['resync', 'state'].includes(k)) bind(k);
  }
  function close() {
    clearTimer(retryTimer);
    retryTimer = 0;
    source?.close();
    source = null;
    kinds.clear();
    setState('down');
  }
  return {
    listen(handlers) {
      listeners.add(handlers);
      handlers.state?.(state);
      if (source) {
        for (const k of Object.keys(handlers)) if (!['resync', 'state'].includes(k)) bind(k);
      } else {
        connect();
      }
      return () => {
        listeners.delete(handlers);
        if (listeners.size === 0) close();
      };
    },
    state: () => state,
    close,
    // After a sign-in or a reloaded session: a fresh stream for the listeners still there.
    reopen() { close(); connect(); },
  };
}

let shared = null;
function stream() {
  if (shared) return shared;
  shared = createStream({
    open: (url) => new EventSource(url, { withCredentials: true }),
    async sessionEnded(reason, clearReason) {
      const s = await import('./session.js');
      if (clearReason) { s.clearSession(clearReason); return; }
      // 'changed': the role changed; read the session again (the menu follows) and reconnect.
      try { await s.loadSession(); shared.reopen(); } catch { /* a 401 is handled by the shell */ }
    },
  });
  // A sign-out (here, in another tab, or by the idle timeout) closes the stream.
  import('./session.js').then((s) => s.onSessionChange((cur) => { if (!cur) shared.close(); }));
  return shared;
}

export const listen = (handlers) => stream().listen(handlers);
export const streamState = () => stream().state();

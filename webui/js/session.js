// The signed-in session as the server describes it (GET /api/v1/session): who, what they may
// use, and when the session ends for idleness. Warns two minutes before the idle timeout, and
// keeps the tabs of one browser together: a sign-out in one signs out the others.
import { api, on, setCsrfToken } from './api.js';
import { minutesUntil } from './format.js';

// Two minutes ahead, or half the idle time when it is shorter (the server then touches the
// session on the next request whatever happened just before: statements.c, session_lookup).
const WARN_MS = 2 * 60 * 1000;
const warnLead = () => Math.min(WARN_MS, (current?.session?.idle_timeout_seconds ?? 1800) * 500);
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('onshi-session') : null;
let current = null;
let idleDeadline = 0;
let warnTimer = 0;
let endTimer = 0;
let tick = 0;
const changed = new Set();

export const session = () => current;
export const hasCapability = (cap) => Boolean(current?.capabilities?.includes(cap));
export function onSessionChange(fn) { changed.add(fn); }
function notify(reason) { for (const fn of changed) fn(current, reason); }

export async function loadSession() {
  if (!current) idleDeadline = 0;
  try {
    current = await api('GET', '/session');
  } catch (e) {
    if (e.status === 401) { current = null; return null; }
    throw e;
  }
  setDeadline(current.session?.idle_expires_at);
  notify('loaded');
  return current;
}

// Ends the session here (after DELETE /session, a 401, or another tab's sign-out).
export function clearSession(reason, { broadcast = false } = {}) {
  const had = current !== null;
  current = null;
  idleDeadline = 0;
  setCsrfToken(null);
  clearTimers();
  document.getElementById('idle-dialog')?.close();
  if (broadcast) channel?.postMessage({ type: 'signed-out' });
  if (had) notify(reason);
}

export async function signOut() {
  try { await api('DELETE', '/session'); } catch { /* already gone: signed out all the same */ }
  clearSession('signed-out', { broadcast: true });
}

function clearTimers() {
  clearTimeout(warnTimer);
  clearTimeout(endTimer);
  clearInterval(tick);
}

// The server's word on when idleness ends the session (every cookie-authenticated answer
// carries it), shared with the other tabs so none warns while another is in use.
function setDeadline(ts, { share = true } = {}) {
  if (!ts || !current) return;
  const t = new Date(ts).getTime();
  if (Number.isNaN(t) || t <= idleDeadline) return;
  idleDeadline = t;
  if (share) channel?.postMessage({ type: 'deadline', ts });
  clearTimers();
  document.getElementById('idle-dialog')?.close();
  const now = Date.now();
  warnTimer = setTimeout(warn, Math.max(0, t - warnLead() - now));
  endTimer = setTimeout(() => clearSession('timed-out'), Math.max(0, t - now));
}

function warn() {
  const dlg = document.getElementById('idle-dialog');
  const body = document.getElementById('idle-body');
  const say = () => {
    body.textContent = `操作がないため、あと約${minutesUntil(idleDeadline)}分で自動的にログアウトします。続ける場合は「ログインを続ける」を押してください。`;
  };
  say();
  tick = setInterval(say, 15000);
  dlg.returnValue = '';
  dlg.showModal();
  dlg.addEventListener('close', async () => {
    clearInterval(tick);
    if (dlg.returnValue === 'keep') {
      try { await loadSession(); } catch { /* a 401 is handled by the shell */ }
    } else if (dlg.returnValue === 'logout') {
      await signOut();
    }
  }, { once: true });
}

on('activity', (ts) => setDeadline(ts));
on('unauthorized', () => clearSession('expired'));
channel?.addEventListener('message', (e) => {
  if (e.data?.type === 'signed-out') clearSession('signed-out-elsewhere');
  else if (e.data?.type === 'deadline') setDeadline(e.data.ts, { share: false });
});

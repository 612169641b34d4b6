// The one way the console talks to onshid: JSON in and out, the CSRF header on every change,
// the new CSRF token after a sign-in or password change, the registry's Japanese message for
// every refusal, and a 401 handed to whoever listens (the shell sends the user to sign-in).
import { errorMessage } from './errors.js';

const CSRF_KEY = 'onshi.csrf';
const listeners = { unauthorized: new Set(), activity: new Set() };

export function on(event, fn) {
  listeners[event].add(fn);
  return () => listeners[event].delete(fn);
}
function emit(event, arg) {
  for (const fn of listeners[event]) fn(arg);
}

// The CSRF token lives for the tab (sessionStorage): a reload keeps it, the cookie is HttpOnly.
export function setCsrfToken(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

export class ApiError extends Error {
  constructor(status, error) {
    const code = error?.code || (status >= 500 ? 'server.unavailable' : 'server.internal');
    super(errorMessage(code));
    this.status = status;
    this.code = code;
    this.field = error?.field || null;
    this.details = error?.details || null;
  }
}

async function send(method, path, { body, accept = 'application/json', signal } = {}) {
  const headers = { Accept: accept };
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin', signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { code: 'server.unavailable' });
  }
  const idle = res.headers.get('X-Session-Idle-Expires');
  if (idle) emit('activity', idle);
  if (!res.ok) {
    let error = null;
    try { error = (await res.json()).error; } catch { /* not JSON: a proxy's page */ }
    const err = new ApiError(res.status, error);
    if (res.status === 401 && err.code === 'auth.required') emit('unauthorized', err);
    throw err;
  }
  return res;
}

// JSON request → parsed JSON answer (null for 204). Throws ApiError.
export async function api(method, path, body, opts = {}) {
  const res = await send(method, path, { ...opts, body });
  if (res.status === 204) return null;
  const data = await res.json();
  if (data && typeof data.csrf_token === 'string') setCsrfToken(data.csrf_token);
  return data;
}

// A file answer (PDF, CSV) saved through <a download> of a blob: URL.
export async function download(method, path, body, filename) {
  const res = await send(method, path, { body, accept: '*/*' });
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return blob.size;
}

// Query string from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export { errorMessage };

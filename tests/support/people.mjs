// Institutions and signed-in accounts for API tests: the steps nearly every test starts with.
import assert from 'node:assert/strict';
import { onshictl } from './harness.mjs';

// Creates an institution through onshictl; returns its JSON (master and master_reset with
// their initial passwords).
export function createInstitution(pg, db, code, kind = 'medical', name = '試験医院') {
  const r = onshictl(['--json', 'institution', 'create', '--code', code, '--name', name,
    '--kind', kind, '--start-date', '2020-04-01'], { ONSHI_DATABASE_URL: pg.conninfo(db) });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// Signs in on `srv`, replaces the initial password by `newPassword`, and returns a request
// helper (method, path, JSON body?, server?, extra headers?) carrying the session cookie and CSRF token.
// Sessions live in the database, so the helper works against any onshid sharing it.
export async function signedIn(srv, code, userId, password, newPassword = 'Sakura2026!') {
  let res = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ institution_code: code, user_id: userId, password }) });
  assert.equal(res.status, 200, `${code}/${userId} signs in`);
  let cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  let { csrf_token: csrf } = await res.json();
  res = await fetch(`${srv.base}/api/v1/session/password`, { method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf },
    body: JSON.stringify({ current_password: password, new_password: newPassword }) });
  assert.equal(res.status, 200, `${userId} changes the initial password`);
  cookie = /^onshi_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
  csrf = (await res.json()).csrf_token;
  return (method, p, body, server = srv, headers = {}) => fetch(`${server.base}${p}`, { method,
    headers: { Cookie: `onshi_session=${cookie}`, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': body[RAW] !== undefined ? body.type : 'application/json' } : {}), ...headers },
    body: body ? (body[RAW] !== undefined ? body[RAW] : JSON.stringify(body)) : undefined });
}

const RAW = Symbol('raw body');
// A body sent as it is (malformed JSON, other encodings) through a signedIn helper.
export const raw = (data, type = 'application/json') => ({ [RAW]: data, type });

// The JSON body of an answer that must have `status` (the body is in the failure message).
export async function json(res, status = 200) {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  return body;
}

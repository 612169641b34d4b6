// Formatting for people: dates as YYYY/MM/DD, timestamps in Japan time as YYYY/MM/DD HH:MM,
// numbers with separators, and the labels of the API's ids. Pure: no DOM, no fetch.

const JST = 'Asia/Tokyo';
const jstParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: JST, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

function parts(date) {
  const o = {};
  for (const p of jstParts.formatToParts(date)) o[p.type] = p.value;
  return o;
}

// 'YYYY-MM-DD' (the API's dates) → 'YYYY/MM/DD'; empty for nothing.
export function formatDate(iso) {
  if (!iso) return '';
  return String(iso).slice(0, 10).replaceAll('-', '/');
}

// An RFC 3339 timestamp → 'YYYY/MM/DD HH:MM' in Japan time; empty for nothing.
export function formatDateTime(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return '';
  const p = parts(d);
  return `${p.year}/${p.month}/${p.day} ${p.hour}:${p.minute}`;
}

// An RFC 3339 timestamp → 'YYYY/MM/DD HH:MM:SS' in Japan time, for what changes by the second
// (a card put in a reader, the time a list was read).
export function formatDateTimeSeconds(ts) {
  const d = new Date(ts ?? '');
  if (!ts || Number.isNaN(d.getTime())) return '';
  return `${formatDateTime(ts)}:${String(d.getUTCSeconds()).padStart(2, '0')}`;
}

// Today's date in Japan, as the API writes dates.
export function todayJst(now = new Date()) {
  const p = parts(now);
  return `${p.year}-${p.month}-${p.day}`;
}

// Adds whole days to an ISO date.
export function addDays(iso, days) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// What a person types for a date — 2026/12/01, 2026-12-1, 20261201, full-width digits —
// as 'YYYY-MM-DD', or null when it is no day of the calendar.
export function parseDateInput(text) {
  const s = String(text ?? '').trim()
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
    .replace(/[／－ー]/g, '/');
  let m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(s) || /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function formatNumber(n) {
  return Number(n).toLocaleString('ja-JP');
}

// Whole minutes until a deadline, at least 0.
export function minutesUntil(ts, now = Date.now()) {
  return Math.max(0, Math.ceil((new Date(ts).getTime() - now) / 60000));
}

export const ROLE_LABELS = Object.freeze({
  master: 'マスタアカウント',
  master_reset: 'マスタアカウントリセット用アカウント',
  admin: '管理者',
  general: '一般利用者',
  medical_viewer: '医療情報閲覧',
  webapi: 'WebAPI用',
  linked_app: '連携アプリケーション用',
  face_reader: '顔認証付きカードリーダー用',
});

export const PASSWORD_STATE_LABELS = Object.freeze({
  initial: '初期パスワード',
  expired: '有効期限切れ',
  active: '変更済み',
});

export const INSTITUTION_KIND_LABELS = Object.freeze({
  medical: '医科', dental: '歯科', pharmacy: '薬局', home_nursing: '訪問看護',
});

// 対象期間 of the history screens (manual ch. 4 §2): a date typed as 西暦 with an hour (0–23)
// and a minute (0–59) on each side, in Japan time, to the minute; the API's form of a bound is
// 'YYYY-MM-DDTHH:MM'. And the ways to narrow a period the CSV refuses (more than 25,000 rows):
// its parts by year, month, day, hour, ten minutes or minute. Pure: no DOM, no fetch.
import { formatDate, parseDateInput, todayJst } from './format.js';

const pad = (n) => String(n).padStart(2, '0');

// 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM' (the URL's and the API's form) → { date, hour, minute },
// or null. A bare date is the day's first minute for 自 and its last for 至.
export function parseBound(text, isEnd = false) {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(String(text ?? ''));
  if (!m || parseDateInput(m[1]) !== m[1]) return null;
  if (m[2] === undefined) return { date: m[1], hour: isEnd ? 23 : 0, minute: isEnd ? 59 : 0 };
  const hour = Number(m[2]);
  const minute = Number(m[3]);
  if (hour > 23 || minute > 59) return null;
  return { date: m[1], hour, minute };
}

export const boundText = ({ date, hour, minute }) => `${date}T${pad(hour)}:${pad(minute)}`;

// 'YYYY-MM-DDTHH:MM' → 'YYYY/MM/DD HH:MM', as the screens show times.
export const boundLabel = (text) => `${formatDate(text.slice(0, 10))} ${text.slice(11, 16)}`;

// Today 00:00 to now, in Japan time.
export function defaultPeriod(now = new Date()) {
  const date = todayJst(now);
  const [hour, minute] = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(now).split(':').map(Number);
  return { from: { date, hour: 0, minute: 0 }, to: { date, hour, minute } };
}

// What the form holds ({ from: { dateText, hour, minute }, to: … }) → { from, to } in the API's
// form, or { errors: { from|to: registry code } } with the server's codes for the same faults.
export function checkPeriod(form) {
  const errors = {};
  const out = {};
  for (const side of ['from', 'to']) {
    const f = form[side];
    const text = String(f.dateText ?? '').trim();
    const date = text ? parseDateInput(text) : null;
    if (!text) errors[side] = 'request.field_missing';
    else if (!date) errors[side] = 'request.field_date';
    else out[side] = boundText({ date, hour: Number(f.hour), minute: Number(f.minute) });
  }
  if (!errors.from && !errors.to && out.to < out.from) errors.to = 'history.range_invalid';
  return Object.keys(errors).length ? { errors } : out;
}

// Minutes since 1970-01-01T00:00 of Japan's wall clock (Japan keeps no summer time), and back.
const toMinutes = (text) => Date.UTC(+text.slice(0, 4), +text.slice(5, 7) - 1, +text.slice(8, 10), +text.slice(11, 13), +text.slice(14, 16)) / 60000;
function fromMinutes(n) {
  const d = new Date(n * 60000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

// The units a period is cut at, coarsest first: next(date) → the first moment of the unit
// after the one holding date.
const UNITS = [
  { id: 'year', label: '1年ごと', next: (d) => Date.UTC(d.getUTCFullYear() + 1, 0, 1) },
  { id: 'month', label: '1か月ごと', next: (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) },
  { id: 'day', label: '1日ごと', next: (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) },
  { id: 'hour', label: '1時間ごと', next: (d) => d.getTime() - (d.getTime() % 3600000) + 3600000 },
  { id: 'ten_minutes', label: '10分ごと', next: (d) => d.getTime() - (d.getTime() % 600000) + 600000 },
  { id: 'minute', label: '1分ごと', next: (d) => d.getTime() + 60000 },
];
export const MAX_PARTS = 36;

// A period (the API's bounds, `to` inclusive to its minute) cut at the coarsest unit that
// makes two parts or more: { unit, label, parts: [{ from, to }] }, oldest first, each within
// the period. null when it cannot be cut (one minute) or would make more than MAX_PARTS.
export function splitPeriod(from, to) {
  const a = toMinutes(from);
  const b = toMinutes(to);
  if (!(b > a)) return null;
  for (const unit of UNITS) {
    const parts = [];
    for (let m = a; m <= b && parts.length <= MAX_PARTS;) {
      const end = Math.min(b, unit.next(new Date(m * 60000)) / 60000 - 1);
      parts.push({ from: fromMinutes(m), to: fromMinutes(end) });
      m = end + 1;
    }
    if (parts.length >= 2) return parts.length > MAX_PARTS ? null : { unit: unit.id, label: unit.label, parts };
  }
  return null;
}

// Counted parts ({ from, to, count }, in order) joined while their rows stay within `limit`:
// the fewest files that hold the period. A part over the limit stays alone (to be cut again).
export function groupParts(parts, limit) {
  const out = [];
  for (const p of parts) {
    const last = out.at(-1);
    if (last && last.count <= limit && p.count <= limit && last.count + p.count <= limit) {
      last.to = p.to;
      last.count += p.count;
    } else out.push({ from: p.from, to: p.to, count: p.count });
  }
  return out;
}

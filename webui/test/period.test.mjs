// 対象期間 of the history screens: bounds to the minute, the form's checks with the server's codes,
// and the parts a period over the CSV limit is cut into.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundLabel, boundText, checkPeriod, defaultPeriod, groupParts, MAX_PARTS, parseBound, splitPeriod } from '../js/period.js';

test('bounds: the API form to the minute, a bare date as the first or last minute of its day', () => {
  assert.deepEqual(parseBound('2026-11-24T09:05'), { date: '2026-11-24', hour: 9, minute: 5 });
  assert.deepEqual(parseBound('2026-11-24'), { date: '2026-11-24', hour: 0, minute: 0 });
  assert.deepEqual(parseBound('2026-11-24', true), { date: '2026-11-24', hour: 23, minute: 59 });
  for (const bad of ['2026-11-24T24:00', '2026-11-24T10:60', '2026-02-30', '2026/11/24', '', null, 'x']) assert.equal(parseBound(bad), null, bad);
  assert.equal(boundText({ date: '2026-01-02', hour: 3, minute: 4 }), '2026-01-02T03:04');
  assert.equal(boundLabel('2026-01-02T03:04'), '2026/01/02 03:04');
});

test('the default: today 00:00 to now, in Japan time', () => {
  // 2026-11-24 23:30 UTC is 2026-11-25 08:30 in Japan.
  assert.deepEqual(defaultPeriod(new Date('2026-11-24T23:30:00Z')),
    { from: { date: '2026-11-25', hour: 0, minute: 0 }, to: { date: '2026-11-25', hour: 8, minute: 30 } });
});

test('the form: 西暦 as people type it, and the server codes for what is wrong', () => {
  const side = (dateText, hour = 0, minute = 0) => ({ dateText, hour, minute });
  assert.deepEqual(checkPeriod({ from: side('2026/11/1', 9, 0), to: side('２０２６／１１／２４', 18, 30) }),
    { from: '2026-11-01T09:00', to: '2026-11-24T18:30' });
  assert.deepEqual(checkPeriod({ from: side(''), to: side('2026/13/01') }).errors, { from: 'request.field_missing', to: 'request.field_date' });
  assert.deepEqual(checkPeriod({ from: side('2026/11/24', 10, 1), to: side('2026/11/24', 10, 0) }).errors, { to: 'history.range_invalid' });
  assert.deepEqual(checkPeriod({ from: side('2026/11/24', 10, 0), to: side('2026/11/24', 10, 0) }), { from: '2026-11-24T10:00', to: '2026-11-24T10:00' });
});

test('a period is cut at the coarsest unit that makes two parts, every minute in exactly one part', () => {
  const months = splitPeriod('2026-01-15T10:00', '2026-03-02T05:00');
  assert.equal(months.unit, 'month');
  assert.deepEqual(months.parts, [
    { from: '2026-01-15T10:00', to: '2026-01-31T23:59' },
    { from: '2026-02-01T00:00', to: '2026-02-28T23:59' },
    { from: '2026-03-01T00:00', to: '2026-03-02T05:00' }]);
  assert.equal(splitPeriod('2025-12-31T00:00', '2026-01-01T00:00').unit, 'year');
  assert.equal(splitPeriod('2026-11-23T12:00', '2026-11-24T11:59').unit, 'day');
  const hours = splitPeriod('2026-11-24T00:00', '2026-11-24T23:59');
  assert.deepEqual([hours.unit, hours.parts.length, hours.parts[23]], ['hour', 24, { from: '2026-11-24T23:00', to: '2026-11-24T23:59' }]);
  assert.deepEqual(splitPeriod('2026-11-24T10:00', '2026-11-24T10:59').parts.map((p) => p.from.slice(11)), ['10:00', '10:10', '10:20', '10:30', '10:40', '10:50']);
  assert.deepEqual(splitPeriod('2026-11-24T10:05', '2026-11-24T10:07').parts, [
    { from: '2026-11-24T10:05', to: '2026-11-24T10:05' }, { from: '2026-11-24T10:06', to: '2026-11-24T10:06' }, { from: '2026-11-24T10:07', to: '2026-11-24T10:07' }]);
  assert.equal(splitPeriod('2026-11-24T10:05', '2026-11-24T10:05'), null); // one minute cannot be cut
  assert.equal(splitPeriod('1980-01-01T00:00', '2026-11-24T10:05'), null); // more than MAX_PARTS years
  assert.ok(MAX_PARTS >= 31);
  // Contiguous and within the period.
  const p = splitPeriod('2024-02-27T13:17', '2024-03-01T08:02').parts;
  assert.deepEqual(p.map((x) => [x.from, x.to]), [['2024-02-27T13:17', '2024-02-29T23:59'], ['2024-03-01T00:00', '2024-03-01T08:02']]);
});

test('counted parts joined into the fewest periods within the limit; a part over it stays alone', () => {
  const h = (n) => `2026-11-24T${String(n).padStart(2, '0')}`;
  const parts = [0, 0, 300, 0, 25500, 200, 0, 24000, 1000, 1].map((count, i) => ({ from: `${h(i)}:00`, to: `${h(i)}:59`, count }));
  assert.deepEqual(groupParts(parts, 25000), [
    { from: `${h(0)}:00`, to: `${h(3)}:59`, count: 300 },
    { from: `${h(4)}:00`, to: `${h(4)}:59`, count: 25500 },
    { from: `${h(5)}:00`, to: `${h(7)}:59`, count: 24200 },
    { from: `${h(8)}:00`, to: `${h(9)}:59`, count: 1001 }]);
  assert.deepEqual(groupParts([], 25000), []);
});

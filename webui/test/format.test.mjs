// format.js: dates as YYYY/MM/DD, timestamps in Japan time, what people type for a date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, formatDate, formatDateTime, minutesUntil, parseDateInput, todayJst } from '../js/format.js';

test('formatDate writes the API date with slashes', () => {
  assert.equal(formatDate('2026-04-01'), '2026/04/01');
  assert.equal(formatDate('9999-12-31'), '9999/12/31');
  assert.equal(formatDate(''), '');
  assert.equal(formatDate(null), '');
});

test('formatDateTime is Japan time, across UTC midnight and the year', () => {
  assert.equal(formatDateTime('2026-03-31T15:00:00Z'), '2026/04/01 00:00');
  assert.equal(formatDateTime('2026-03-31T14:59:59Z'), '2026/03/31 23:59');
  assert.equal(formatDateTime('2025-12-31T15:30:00Z'), '2026/01/01 00:30');
  assert.equal(formatDateTime('2026-04-01T09:05:00+09:00'), '2026/04/01 09:05');
  assert.equal(formatDateTime('not a time'), '');
  assert.equal(formatDateTime(undefined), '');
});

test('todayJst is the Japanese calendar day, not UTC', () => {
  assert.equal(todayJst(new Date('2026-03-31T15:00:00Z')), '2026-04-01');
  assert.equal(todayJst(new Date('2026-03-31T14:59:59Z')), '2026-03-31');
});

test('addDays crosses months, leap days and years', () => {
  assert.equal(addDays('2026-01-31', 1), '2026-02-01');
  assert.equal(addDays('2028-02-28', 1), '2028-02-29');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
});

test('parseDateInput accepts what people type and refuses days that do not exist', () => {
  for (const [input, want] of [
    ['2026/12/01', '2026-12-01'], ['2026-12-1', '2026-12-01'], ['20261201', '2026-12-01'],
    ['２０２６／１２／０１', '2026-12-01'], ['２０２６－４－１', '2026-04-01'], [' 2026/4/1 ', '2026-04-01'],
    ['2028/02/29', '2028-02-29'],
  ]) assert.equal(parseDateInput(input), want, input);
  for (const bad of ['2026/02/30', '2026/02/29', '2026/13/01', '2026/00/10', '2026/04/31', '1899/12/31', '26/4/1', 'abc', '', null]) {
    assert.equal(parseDateInput(bad), null, String(bad));
  }
});

test('minutesUntil rounds up and never goes below zero', () => {
  const now = Date.parse('2026-04-01T00:00:00Z');
  assert.equal(minutesUntil('2026-04-01T00:02:00Z', now), 2);
  assert.equal(minutesUntil('2026-04-01T00:01:01Z', now), 2);
  assert.equal(minutesUntil('2026-03-31T23:00:00Z', now), 0);
});

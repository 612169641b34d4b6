// The card-reader screens' words for a reader's last card and the countdown of 目視確認モード.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resultText, timeLeft } from '../js/reader-labels.js';
import { formatDateTimeSeconds } from '../js/format.js';

test('resultText: nothing read yet, a check by its validity, a warning, a refused check, a failed read', () => {
  assert.equal(resultText(null), 'まだカードを読み取っていません。');
  assert.equal(resultText({ result: 'checked', segment_of_result: '1', processing_result_status: '1', qualification_validity: '1' }), '資格確認しました：有効');
  assert.equal(resultText({ result: 'checked', segment_of_result: '1', processing_result_status: '1', qualification_validity: '4', processing_result_message: '該当する資格情報がありません。' }),
    '資格確認しました：該当資格なし（該当する資格情報がありません。）');
  assert.equal(resultText({ result: 'checked', segment_of_result: '1', processing_result_status: '2', processing_result_code: 'W2001', processing_result_message: '閲覧制限' }), '資格確認しました（注意：閲覧制限）');
  assert.equal(resultText({ result: 'checked', segment_of_result: '9', error_code: 'E9001', error_message: '本番環境では利用できません。' }), '資格確認できませんでした：本番環境では利用できません。');
  assert.match(resultText({ result: 'not_bound', serial_number: '1' }), /アカウントが設定されていない/);
  assert.match(resultText({ result: 'removed' }), /取り外されました/);
  assert.equal(resultText({ result: 'something_new' }), '読み取りに失敗しました（something_new）。');
});

test('timeLeft counts whole seconds down and is empty once the time has passed', () => {
  const now = Date.parse('2026-12-03T01:00:00Z');
  assert.equal(timeLeft('2026-12-03T01:10:00Z', now), '10分00秒');
  assert.equal(timeLeft('2026-12-03T01:00:59.2Z', now), '1分00秒');
  assert.equal(timeLeft('2026-12-03T01:00:05Z', now), '5秒');
  assert.equal(timeLeft('2026-12-03T01:00:00Z', now), '');
  assert.equal(timeLeft('2026-12-03T00:59:00Z', now), '');
  assert.equal(timeLeft('not a time', now), '');
});

test('formatDateTimeSeconds is Japan time with seconds', () => {
  assert.equal(formatDateTimeSeconds('2026-03-31T15:00:07Z'), '2026/04/01 00:00:07');
  assert.equal(formatDateTimeSeconds(null), '');
  assert.equal(formatDateTimeSeconds('soon'), '');
});

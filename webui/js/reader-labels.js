// What the card-reader screens say about a reader: its state, its mode and the last card it
// read, as a receptionist reads them; and the time left in 目視確認モード. Pure: no DOM, no fetch.

export const STATE_LABELS = Object.freeze({
  empty: 'カードなし',
  card_present: 'カードあり',
  mute: 'カードが応答しません',
  unavailable: '利用できません（PC/SCサービス停止中）',
});
export const MODE_LABELS = Object.freeze({ unattended: '無人運転', pin_fixed: '暗証番号認証固定' });
export const MODE_HELP = {
  unattended: '患者が顔認証か暗証番号を選んで本人確認します。',
  pin_fixed: '顔認証を使わず、暗証番号で本人確認します。',
};
// QualificationValidity of the answer (DOMAIN: 1 有効 … 5 複数該当).
const VALIDITY = { 1: '有効', 2: '無効', 3: '無効（新しい資格あり）', 4: '該当資格なし', 5: '複数該当' };
const RESULT_LABELS = {
  not_bound: '読み取りましたが、資格確認に使うアカウントが設定されていないため資格確認していません。',
  database_unavailable: '読み取りましたが、システムに接続できなかったため資格確認できませんでした。',
  not_my_number_card: 'マイナンバーカードではないカードが置かれました。',
  card_error: 'カードを読み取れませんでした。カードを置き直してください。',
  bad_certificate: 'カードの証明書を読み取れませんでした。',
  no_answer: 'カードが応答しませんでした。カードを置き直してください。',
  removed: '読み取り中にカードが取り外されました。',
};

// What the last card gave, as a receptionist reads it.
export function resultText(r) {
  if (!r) return 'まだカードを読み取っていません。';
  if (r.result !== 'checked') return RESULT_LABELS[r.result] || `読み取りに失敗しました（${r.result}）。`;
  if (r.segment_of_result && r.segment_of_result !== '1') return `資格確認できませんでした：${r.error_message || r.error_code || '処理が異常終了しました。'}`;
  if (r.processing_result_status === '2') return `資格確認しました（注意：${r.processing_result_message || r.processing_result_code}）`;
  const v = VALIDITY[r.qualification_validity];
  return `資格確認しました：${v || '結果不明'}${r.processing_result_message ? `（${r.processing_result_message}）` : ''}`;
}

// '9分58秒' for the time left until `until` (RFC 3339), '' when it has passed.
export function timeLeft(until, now = Date.now()) {
  const s = Math.ceil((Date.parse(until) - now) / 1000);
  if (!(s > 0)) return '';
  return s >= 60 ? `${Math.floor(s / 60)}分${String(s % 60).padStart(2, '0')}秒` : `${s}秒`;
}

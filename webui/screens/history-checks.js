// 資格確認履歴照会 (menu 問い合わせ管理; the same screen as 医療情報閲覧履歴照会, manual ch. 4, for the
// qualification checks): when and by whom each 資格確認 was made, searched by 対象期間 and
// downloaded as the API's CSV. Admins, general accounts and medical viewers.
import { ROLE_LABELS } from '../js/format.js';
import { cell, historyScreen, timeCell } from './history-common.js';

const ROUTES = { screen: '画面', webapi: 'WebAPI', linked_app: '連携アプリケーション', face_reader: '顔認証付きカードリーダー' };
const VALIDITY = { 1: '有効', 2: '無効', 3: '無効（新しい資格あり）', 4: '該当資格なし', 5: '複数該当' };

// The CSV's columns, in its order and with its headers.
export const COLUMNS = [
  { label: '資格確認日時', cell: (i) => timeCell(i.checked_at) },
  { label: 'ユーザID', code: true, cell: (i) => cell(i.user_id) },
  { label: '権限区分', text: true, cell: (i) => cell(ROLE_LABELS[i.account_kind] || i.account_kind) },
  { label: '照会経路', text: true, cell: (i) => cell(ROUTES[i.route] || i.route) },
  { label: '照会区分', cell: (i) => (i.reference_classification === '1' ? 'マイナンバーカード' : '被保険者証') },
  { label: '保険者番号', code: true, cell: (i) => cell(i.insurer_number) },
  { label: '被保険者証記号', code: true, cell: (i) => cell(i.insured_card_symbol) },
  { label: '被保険者証番号', code: true, cell: (i) => cell(i.insured_number) },
  { label: '被保険者証枝番', code: true, cell: (i) => cell(i.insured_branch_number) },
  { label: '資格有効性', text: true, cell: (i) => cell(VALIDITY[i.validity]) },
  { label: '処理結果', cell: (i) => (i.result_status === '1' ? '正常' : 'エラー') },
  { label: '処理結果コード', code: true, cell: (i) => cell(i.result_code) },
  { label: '任意のファイル識別子', text: true, cell: (i) => cell(i.file_identifier) },
];

export default historyScreen({
  title: '資格確認履歴照会',
  capability: 'history_checks',
  route: '/history/checks',
  path: '/history/qualification-checks',
  noun: '資格確認履歴',
  caption: '資格確認履歴',
  lead: '資格確認履歴照会では、いつ誰が資格確認をしたのか、資格確認の履歴を検索、ダウンロードできます。検索条件を入力し、《照会》で件数と内容を確認するか、《ダウンロード》でCSV形式のファイルに保存してください。',
  columns: COLUMNS,
});

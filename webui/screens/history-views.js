// 医療情報閲覧履歴照会 (manual ch. 4 and its 画面項目説明): when and by whom whose medical information
// was viewed, searched by 対象期間 and 照会情報区分 and downloaded as the API's CSV. Admins only.
import { ROLE_LABELS } from '../js/format.js';
import { cell, historyScreen, timeCell } from './history-common.js';

const CATEGORIES = { checkup: '特定健診情報', drug: '薬剤情報', surgery_medical_drug: '手術・診療・薬剤情報' };

// The CSV's columns, in its order and with its headers.
export const COLUMNS = [
  { label: '閲覧日時', cell: (i) => timeCell(i.viewed_at) },
  { label: 'ユーザID', code: true, cell: (i) => cell(i.user_id) },
  { label: 'ユーザ名', cell: (i) => cell(i.user_name) },
  { label: '権限区分', text: true, cell: (i) => cell(ROLE_LABELS[i.account_kind] || i.account_kind) },
  { label: '保険者番号', code: true, cell: (i) => cell(i.insurer_number) },
  { label: '被保険者証記号', code: true, cell: (i) => cell(i.insured_card_symbol) },
  { label: '被保険者証番号', code: true, cell: (i) => cell(i.insured_number) },
  { label: '被保険者証枝番', code: true, cell: (i) => cell(i.insured_branch_number) },
  // Whose information: the patient's name as at the view (empty for older views not known).
  { label: '氏名', cell: (i) => cell(i.patient_name) },
  { label: '氏名（カナ）', cell: (i) => cell(i.patient_name_kana) },
  { label: '照会情報区分', cell: (i) => cell(CATEGORIES[i.category] || i.category) },
  { label: '閲覧同意', cell: (i) => (i.consent === 'given' ? '同意あり' : '同意不要') },
  { label: '閲覧方法', cell: (i) => (i.method === 'normal' ? '通常' : '緊急時') },
];

export default historyScreen({
  title: '医療情報閲覧履歴照会',
  capability: 'history_views',
  route: '/history/views',
  path: '/history/medical-info-views',
  noun: '医療情報閲覧履歴',
  caption: '医療情報閲覧履歴',
  lead: '医療情報閲覧履歴照会では、いつ誰の医療情報を閲覧したのか、医療情報閲覧の履歴を検索、ダウンロードできます。検索条件を入力し、《照会》で件数と内容を確認するか、《ダウンロード》でCSV形式のファイルに保存してください。',
  // The manual's list: 全て、特定健診情報、薬剤情報、手術・診療・薬剤情報.
  category: { label: '照会情報区分', options: [{ value: 'all', label: '全て' }, ...Object.entries(CATEGORIES).map(([value, label]) => ({ value, label }))] },
  columns: COLUMNS,
});

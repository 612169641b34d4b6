// The manual's menu (ch. 1 §2), grouped as the manual groups it. Which entries show comes
// from the session's capabilities; an entry without a screen in this console yet says so.
import { html, nothing } from '../vendor/lit-html/lit-html.js';

// group → entries; each entry: capability, label, route (null: not in the console yet),
// roles (only these kinds see it), description (from the manual).
export const MENU = [
  { group: 'マイナンバーカードで確認', entries: [
    { capability: 'qualification', label: '資格情報照会（マイナンバーカード）', route: '#/qualifications/card',
      description: 'マイナンバーカードで資格確認を行います（接続検証環境ではテスト用カードのシリアル番号で照会できます）。' },
  ] },
  { group: '保険証／処方箋で確認', entries: [
    { capability: 'qualification', label: '資格情報照会（被保険者証）', route: '#/qualifications/insurance',
      description: '健康保険証又は処方箋で資格確認を行います。' },
  ] },
  { group: 'アカウント情報管理', entries: [
    { capability: 'accounts', label: 'アカウント管理（登録）', route: '#/accounts/new', registers: true,
      description: 'オンライン資格確認等システムを利用するアカウント情報を登録します。' },
    { capability: 'accounts', label: 'アカウント管理（更新）', route: '#/accounts',
      description: '登録済みのアカウント情報を検索し、更新・削除・パスワード初期化をします。' },
    { capability: 'session', label: 'パスワード変更', route: '#/password',
      description: 'ログインする際のパスワードを変更します。' },
  ] },
  { group: 'アカウント一括登録', entries: [
    { capability: 'bulk', label: 'アカウント一括登録', route: '#/bulk',
      description: '複数のアカウントを一括して登録するためのファイルを登録します。' },
    { capability: 'bulk', label: 'アカウント一括登録結果', route: '#/bulk/results',
      description: '一括登録した結果を確認し、登録結果のファイルをダウンロードします。' },
  ] },
  { group: '問い合わせ管理', entries: [
    { capability: 'history_checks', label: '資格確認履歴照会', route: '#/history/checks', description: '資格確認の履歴を照会します。' },
    { capability: 'history_views', label: '医療情報閲覧履歴照会', route: '#/history/views', description: '医療情報閲覧の履歴を照会します。' },
  ] },
  { group: '環境設定情報管理', entries: [
    { capability: 'settings', label: '環境設定情報更新', route: '#/settings',
      description: '医療機関等内システムの動作環境等を設定します。' },
    { capability: 'test_data', label: 'テスト用データセットアップ', route: '#/test-data',
      description: 'テストで使用するマイナンバーカードとテスト用データを紐付けます（接続検証環境のみ）。' },
  ] },
  { group: '顔認証付きカードリーダー管理', entries: [
    { capability: 'readers', label: '顔認証付きカードリーダー操作', route: '#/readers',
      description: '顔認証付きカードリーダーの運転モードを「無人運転」か「暗証番号認証固定」に切り替えます。照合エラーとなる場合は目視確認モードに切り替えます。' },
    { capability: 'readers', label: '顔認証付きカードリーダー環境設定', route: '#/readers/display',
      description: '資格確認時の顔認証付きカードリーダーへの各サービス関連画面の表示有無を設定します。' },
  ] },
  { group: '医療機関別URL取得・変更', entries: [
    { capability: 'visit', label: '医療機関別URL取得・変更', route: '#/visit-urls',
      description: 'マイナ在宅受付Webにアクセスするための URL や二次元バーコードを取得・変更します。' },
  ] },
  { group: '操作履歴', entries: [
    { capability: 'audit', label: '操作履歴', route: '#/audit',
      description: 'アカウントや設定を、いつ、誰が、どのように変更したかを確認します。' },
  ] },
];

// The groups and entries this session may use. Registering needs kinds to register
// (master_reset registers none).
export function menuFor(s) {
  const caps = new Set(s.capabilities || []);
  return MENU.map((g) => ({
    group: g.group,
    entries: g.entries.filter((e) => caps.has(e.capability) && (!e.registers || (s.account.registers_roles || []).length > 0)),
  })).filter((g) => g.entries.length > 0);
}

// The navigation bar: the built screens only, grouped.
export function navigation(s) {
  const here = location.hash.split('?')[0];
  const entries = menuFor(s).flatMap((g) => g.entries).filter((e) => e.route);
  return html`<ul>
    <li><a href="#/menu" aria-current=${here === '#/menu' ? 'page' : nothing}>メニュー</a></li>
    ${entries.map((e) => html`<li><a href=${e.route} aria-current=${here === e.route ? 'page' : nothing}>${e.label}</a></li>`)}
  </ul>`;
}

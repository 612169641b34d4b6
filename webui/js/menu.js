// The manual's menu (ch. 1 §2) as GET /session gives it: which items this account may use
// now, their groups, words and order come from the server; the console adds only where each
// item leads and the manual's description of it.
import { html, nothing } from '../vendor/lit-html/lit-html.js';

// menu item id → route (null: not in the console yet) and description (from the manual).
const SCREENS = {
  qualification_card: { route: '#/qualifications/card',
    description: 'マイナンバーカードで資格確認を行います（接続検証環境ではテスト用カードのシリアル番号で照会できます）。' },
  qualification_insurance: { route: '#/qualifications/insurance', description: '健康保険証又は処方箋で資格確認を行います。' },
  account_register: { route: '#/accounts/new', description: 'オンライン資格確認等システムを利用するアカウント情報を登録します。' },
  account_update: { route: '#/accounts', description: '登録済みのアカウント情報を検索し、更新・削除・パスワード初期化をします。' },
  password: { route: '#/password', description: 'ログインする際のパスワードを変更します。' },
  bulk_upload: { route: '#/bulk', description: '複数のアカウントを一括して登録するためのファイルを登録します。' },
  bulk_results: { route: '#/bulk/results', description: '一括登録した結果を確認し、登録結果のファイルをダウンロードします。' },
  history_checks: { route: '#/history/checks', description: '資格確認の履歴を照会します。' },
  history_views: { route: '#/history/views', description: '医療情報閲覧の履歴を照会します。' },
  settings: { route: '#/settings', description: '医療機関等内システムの動作環境等を設定します。' },
  test_data: { route: '#/test-data', description: 'テストで使用するマイナンバーカードとテスト用データを紐付けます（接続検証環境のみ）。' },
  reader_operation: { route: '#/readers',
    description: '顔認証付きカードリーダーの運転モードを「無人運転」か「暗証番号認証固定」に切り替えます。照合エラーとなる場合は目視確認モードに切り替えます。' },
  reader_display: { route: '#/readers/display', description: '資格確認時の顔認証付きカードリーダーへの各サービス関連画面の表示有無を設定します。' },
  visit_urls: { route: '#/visit-urls', description: 'マイナ在宅受付Webにアクセスするための URL や二次元バーコードを取得・変更します。' },
  audit: { route: '#/audit', description: 'アカウントや設定を、いつ、誰が、どのように変更したかを確認します。' },
};

// The session's menu grouped as the server orders it: [{ group, entries: [{ id, label, route, description }] }].
export function menuFor(s) {
  const groups = [];
  for (const item of s.menu || []) {
    const screen = SCREENS[item.id] || { route: null, description: '' };
    let g = groups.at(-1);
    if (!g || g.group !== item.group) groups.push((g = { group: item.group, entries: [] }));
    g.entries.push({ ...item, ...screen });
  }
  return groups;
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

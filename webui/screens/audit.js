// 操作履歴: who changed what, when and from where (admins only). Every filter and the page
// live in the URL (#/audit?from=2026-04-01&action=account.update&page=2), so reload, back and
// a shared link show the same list. Details of an update read as 「項目：変更前 → 変更後」.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { api, query } from '../js/api.js';
import { formatDate, formatDateTime, formatNumber, INSTITUTION_KIND_LABELS, parseDateInput, ROLE_LABELS } from '../js/format.js';
import { dateField, errorSummary, selectField, serverErrors, textField } from '../js/widgets/form.js';
import { pager, resultSummary } from '../js/widgets/table.js';

// Every action the server writes to the log (store_audit_insert in server/src), in the order
// an administrator meets them. An action missing here is shown as its id.
export const ACTION_LABELS = Object.freeze({
  'signin.succeeded': 'ログイン',
  'signin.failed': 'ログイン失敗',
  'account.locked': 'アカウントロック',
  'token.issued': 'WebAPI用トークン発行',
  'password.changed': 'パスワード変更',
  'password.change_failed': 'パスワード変更失敗',
  'account.create': 'アカウント登録',
  'account.update': 'アカウント更新',
  'account.delete': 'アカウント削除',
  'account.password_reset': 'パスワード初期化',
  'account_sheet.issued': 'アカウント情報の帳票出力',
  'account_sheet.refused': 'アカウント情報の帳票出力（拒否）',
  'bulk.upload': 'アカウント一括登録（ファイル登録）',
  'bulk.processed': 'アカウント一括登録（処理終了）',
  'bulk.download': 'アカウント一括登録結果ダウンロード',
  'settings.update': '環境設定情報更新',
  'history.download': '履歴ダウンロード',
  'reader.update': '顔認証付きカードリーダー操作',
  'reader.display_settings.update': '顔認証付きカードリーダー環境設定',
  'visit_url.change': '医療機関別URL変更',
  'visit_url.revert': '医療機関別URL変更取消',
  'visit_url.reset': '医療機関別URL再発行',
  'test_data.card_link.create': 'テスト用データ紐付け',
  'test_data.category_record.create': 'テスト用データ登録',
  'test_data.card_links.delete': 'テスト用データ紐付け削除',
  'test_data.category_records.delete': 'テスト用データ削除',
  'test_data.consents.reset': 'テスト用同意情報リセット',
  'institution.create': '医療機関登録（運用担当）',
  'institution.relate': '関連医療機関登録（運用担当）',
});

// Item names in details: the account's fields, the settings items (DOMAIN.md) and the rest.
const FIELD_LABELS = {
  role: '権限区分', name: 'ユーザ名', name_kana: 'ユーザ名（カナ）', enabled: '有効/無効',
  start_date: '利用開始年月日', end_date: '利用終了年月日', reason: '理由',
  status: '状態', rows: '件数', registered: '登録件数', duplicates: 'ID重複件数', errors: 'エラー件数',
  kind: '種類', generation: '世代', count: '件数', history: '履歴', from: '対象期間（自）', to: '対象期間（至）',
  category: '区分', encoding: '文字コード', mode: '運転モード', visual_confirmation: '目視確認モード',
  screens: '表示する画面', qualification_type: 'テスト用資格情報', accounts: 'アカウント',
  established_on: '新設年月日', abolished_on: '廃止年月日',
  unlocked: 'ロック解除', sessions_ended: '終了したセッション・トークン数',
  char_encoding: '利用文字コード', consent_surgery: '手術情報', consent_drug: '薬剤情報',
  consent_medical: '診療情報', consent_checkup: '特定健診情報', consent_specific_disease: '特定疾病療養受療証',
  eprescription_mode: '電子処方箋利用区分', prescription_form_timing: '発行形態選択タイミング',
  eprescription: '電子処方箋', refill_prescription: 'リフィル処方箋', medical_assistance: '医療扶助情報',
  medical_subsidy: '医療費助成情報', home_visit: '訪問診療等機能', online_care: 'オンライン診療等機能',
  visit_display_name: '訪問診療等・オンライン診療等の医療機関名称等情報',
};

const VALUE_LABELS = {
  use: '利用する', not_use: '利用しない', utf8: 'UTF-8', sjis: 'Shift_JIS',
  e_only: '電子処方箋のみ', e_and_paper: '電子処方箋+紙の処方箋併用', paper_only: '紙の処方箋のみ',
  other_than_check: '資格確認時以外で確認する', at_check: '資格確認時に確認する',
  // Why a sign-in or change was refused (the log keeps the reason the user is not told).
  unknown_user: '未登録のユーザID', wrong_password: 'パスワード誤り', locked: 'アカウントロック中',
  not_allowed: '無効又は利用期間外', initial_password_expired: '初期パスワードの有効期限切れ',
  changed_during_check: '確認中に変更された', failed_sign_ins: 'パスワードの連続誤り',
  wrong_current_password: '現在のパスワード誤り', password_mismatch: 'パスワード不一致',
  password_rehashed: 'パスワードの保存形式を更新',
  qualification_checks: '資格確認履歴', medical_info_views: '医療情報閲覧履歴',
};

// The order an account's fields are read in; other keys follow in the server's order.
const ORDER = ['role', 'name', 'name_kana', 'enabled', 'start_date', 'end_date'];
const rank = (k) => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);
const label = (key, action = '') => (action.startsWith('institution.') && key === 'name' ? '医療機関名称' : FIELD_LABELS[key] || key);

export function valueText(key, v) {
  if (v === null || v === undefined || v === '') return '（なし）';
  if (key === 'enabled' || typeof v === 'boolean') {
    const b = v === true || v === 'true';
    if (key === 'enabled') return b ? '有効' : '無効';
    return b ? 'はい' : 'いいえ';
  }
  if (key === 'role' && ROLE_LABELS[v]) return ROLE_LABELS[v];
  if (key === 'kind' && INSTITUTION_KIND_LABELS[v]) return INSTITUTION_KIND_LABELS[v];
  if (Array.isArray(v)) return v.map((x) => valueText('', x)).join('、');
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${label(k)}：${valueText(k, x)}`).join('、');
  const s = String(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return formatDate(s);
  if (typeof v === 'number') return formatNumber(v);
  return VALUE_LABELS[s] || s;
}

const isChange = (v) => v && typeof v === 'object' && !Array.isArray(v) && 'before' in v && 'after' in v;

// details → [{ key, label, before, after } | { key, label, value }], for the 変更内容 column.
export function describeDetails(details, action = '') {
  if (!details || typeof details !== 'object') return [];
  // settings.update nests its changes one level down.
  const d = details.changes && typeof details.changes === 'object' && Object.values(details.changes).every(isChange)
    ? details.changes : details;
  return Object.entries(d).sort(([a], [b]) => rank(a) - rank(b)).map(([key, v]) => (isChange(v)
    ? { key, label: label(key, action), before: valueText(key, v.before), after: valueText(key, v.after) }
    : { key, label: label(key, action), value: valueText(key, v) }));
}

const FIELDS = ['from', 'to', 'actor', 'action', 'target'];
const LABELS = { from: '対象期間（自）', to: '対象期間（至）', actor: '操作者', action: '操作', target: '対象' };
const PAGE_SIZES = [20, 50, 100, 200];
const ACTOR_KIND = { operator: '運用担当', system: 'システム' };

export default {
  title: '操作履歴',
  capability: 'audit',
  create(ctx) {
    const q = Object.fromEntries(FIELDS.map((f) => [f, ctx.query.get(f) || '']));
    const page = Math.max(1, Number(ctx.query.get('page')) || 1);
    const perPage = PAGE_SIZES.includes(Number(ctx.query.get('per_page'))) ? Number(ctx.query.get('per_page')) : 50;
    // What the form shows: dates as the person reads them.
    const form = { ...q, from: formatDate(q.from), to: formatDate(q.to), per_page: perPage };
    const st = { data: null, loading: true, errors: {}, message: '', fetchedAt: null };

    const params = (over = {}) => ({ ...q, page, per_page: perPage, ...over });
    const go = (over) => ctx.navigate('/audit', params(over));

    async function load() {
      try {
        st.data = await api('GET', `/audit-events${query(params())}`);
        st.fetchedAt = new Date();
      } catch (err) {
        st.errors = serverErrors(err, FIELDS);
        if (!Object.keys(st.errors).length) st.message = err.message;
      }
      st.loading = false;
      ctx.update();
    }
    load();

    function submit(e) {
      e.preventDefault();
      const errors = {};
      const next = { actor: form.actor.trim(), action: form.action, target: form.target.trim(), per_page: form.per_page };
      for (const f of ['from', 'to']) {
        const text = form[f].trim();
        next[f] = text ? parseDateInput(text) : '';
        if (next[f] === null) errors[f] = 'request.field_date';
      }
      if (!errors.from && !errors.to && next.from && next.to && next.to < next.from) errors.to = 'history.range_invalid';
      if (Object.keys(errors).length) {
        st.errors = errors;
        st.message = '';
        ctx.update();
        document.querySelector('.error-summary')?.focus();
        return;
      }
      go({ ...next, page: 1 });
    }

    const actionOptions = () => {
      const opts = [{ value: '', label: 'すべて' }, ...Object.entries(ACTION_LABELS).map(([value, l]) => ({ value, label: l }))];
      if (q.action && !ACTION_LABELS[q.action]) opts.push({ value: q.action, label: q.action });
      return opts;
    };

    const detailsCell = (ev) => {
      const rows = describeDetails(ev.details, ev.action);
      if (!rows.length) return html`<span class="muted">—</span>`;
      return html`<ul class="changes">${rows.map((r) => html`<li>${r.label}：${'value' in r ? r.value : html`<span class="before">${r.before}</span><span class="visually-hidden">から</span>
        <span class="arrow" aria-hidden="true">→</span> <span class="after">${r.after}</span><span class="visually-hidden">に変更</span>`}</li>`)}</ul>`;
    };

    const actorCell = (ev) => html`${ev.actor}${ACTOR_KIND[ev.actor_kind] ? html`<span class="actor-kind">（${ACTOR_KIND[ev.actor_kind]}）</span>` : nothing}`;

    const table = () => {
      const d = st.data;
      if (!d) return nothing;
      return html`${resultSummary(d, st.fetchedAt)}
        ${d.items.length ? html`<div class="table-scroll"><table class="data audit">
          <caption class="visually-hidden">操作履歴（新しい順）</caption>
          <thead><tr><th scope="col">日時</th><th scope="col">操作者</th><th scope="col">操作</th>
            <th scope="col">対象</th><th scope="col">接続元</th><th scope="col">変更内容</th></tr></thead>
          <tbody>${d.items.map((ev) => html`<tr>
            <td class="nowrap">${formatDateTime(ev.occurred_at)}</td>
            <td>${actorCell(ev)}</td>
            <td>${ACTION_LABELS[ev.action] || ev.action}</td>
            <td>${ev.target || html`<span class="muted">—</span>`}</td>
            <td>${ev.source || html`<span class="muted">—</span>`}</td>
            <td>${detailsCell(ev)}</td></tr>`)}</tbody>
        </table></div>`
          : html`<p class="empty">条件に該当する操作履歴はありません。対象期間や条件を変えて検索してください。</p>`}
        ${pager(d, (p) => go({ page: p }))}`;
    };

    const anyFilter = FIELDS.some((f) => q[f]);
    return {
      view: () => html`
        <h1>操作履歴</h1>
        <p>アカウントや設定を、いつ、誰が、どのように変更したかを確認できます。新しい順に表示します。</p>
        ${st.message ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.message}</p></div>` : errorSummary(st.errors, LABELS)}
        <form class="form audit-filters" novalidate @submit=${submit} aria-label="検索条件">
          <div class="grid">
            ${dateField({ id: 'from', label: LABELS.from, support: '西暦（例：2026/04/01）', value: form.from, error: st.errors.from, onInput: (v) => { form.from = v; } })}
            ${dateField({ id: 'to', label: LABELS.to, support: '西暦（例：2026/04/30）', value: form.to, error: st.errors.to, onInput: (v) => { form.to = v; } })}
            ${textField({ id: 'actor', label: LABELS.actor, value: form.actor, size: 'code', maxlength: 64, error: st.errors.actor,
              support: '操作したユーザID（完全一致）', onInput: (v) => { form.actor = v; } })}
            ${selectField({ id: 'action', label: LABELS.action, value: form.action, options: actionOptions(), error: st.errors.action, support: '操作の種類',
              onInput: (v) => { form.action = v; } })}
            ${textField({ id: 'target', label: LABELS.target, value: form.target, size: 'code', maxlength: 64, error: st.errors.target,
              support: '操作されたユーザID等（完全一致）', onInput: (v) => { form.target = v; } })}
            ${selectField({ id: 'per_page', label: '表示件数', value: String(form.per_page), support: '1ページに表示する件数',
              options: PAGE_SIZES.map((n) => ({ value: String(n), label: `${n}件ずつ` })), onInput: (v) => { form.per_page = Number(v); } })}
          </div>
          <div class="actions">
            <button class="button primary">検索</button>
            ${anyFilter ? html`<a class="button secondary" href="#/audit">条件をクリア</a>` : nothing}
          </div>
        </form>
        ${st.loading ? html`<p role="status">読み込んでいます…</p>` : table()}`,
    };
  },
};

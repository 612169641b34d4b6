// アカウント検索 (manual ch. 2 §3, §6): every search item of the manual plus quick filters,
// page size and order, all kept in the URL so reload and back show the same list. Results
// link to アカウント管理（更新）; rows can be enabled, disabled or deleted together.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { repeat } from '../vendor/lit-html/directives/repeat.js';
import { api, errorMessage, query as apiQuery } from '../js/api.js';
import { addDays, formatDate, formatDateTime, formatNumber, parseDateInput, PASSWORD_STATE_LABELS, ROLE_LABELS, todayJst } from '../js/format.js';
import { session } from '../js/session.js';
import { confirmDialog } from '../js/widgets/dialog.js';
import { dateField, errorSummary, selectField, textField } from '../js/widgets/form.js';
import { pager, resultSummary } from '../js/widgets/table.js';
import { findsRoles, focusSummary } from '../js/widgets/account-fields.js';

// The URL's keys: the API's filters, plus dormant (days without sign-in, made a date when
// fetching so the list stays "90 days" tomorrow too).
const FILTERS = ['role', 'user_id', 'name', 'name_kana', 'enabled', 'locked', 'start_from', 'end_until',
  'password_state', 'password_expires_before', 'last_login_before', 'dormant'];
const LABELS = { role: '権限区分', user_id: 'ユーザID', name: 'ユーザ名', name_kana: 'ユーザ名（カナ）',
  enabled: '有効/無効', locked: 'アカウントロック', start_from: '利用開始日', end_until: '利用終了日' };
const SORTS = [
  ['user_id', 'ユーザID（昇順）'], ['-user_id', 'ユーザID（降順）'],
  ['name_kana', 'ユーザ名（カナ）（昇順）'], ['-name_kana', 'ユーザ名（カナ）（降順）'],
  ['start_date', '利用開始日（古い順）'], ['-start_date', '利用開始日（新しい順）'],
  ['end_date', '利用終了日（早い順）'], ['-end_date', '利用終了日（遅い順）'],
  ['last_login_at', '最終ログイン（古い順）'], ['-last_login_at', '最終ログイン（新しい順）'],
];
const DORMANT_DAYS = [30, 60, 90, 180];
const BATCH_MAX = 100;
const ACTIONS = {
  enable: { label: '有効にする', verb: '有効にします', done: '有効にしました' },
  disable: { label: '無効にする', verb: '無効にします', done: '無効にしました' },
  delete: { label: '削除', verb: '削除します', done: '削除しました' },
};

// Set just before 《検索》 navigates, so only a search the user submitted opens a single hit.
let submitted = null;

const stateLabel = (a) => (a.enabled ? '有効' : '無効');

export default {
  title: 'アカウント検索',
  capability: 'accounts',
  create(ctx) {
    const s = session();
    const roles = findsRoles();
    // An account that manages no kind (master_reset) only finds whom it initialises.
    const bulkAllowed = (s.account.registers_roles || []).length > 0;
    const q = Object.fromEntries([...ctx.query].filter(([k]) => FILTERS.includes(k) || ['sort', 'page', 'per_page'].includes(k)));
    const queryString = new URLSearchParams(q).toString();
    const justSubmitted = submitted !== null && submitted === queryString;
    submitted = null;

    // The form's draft: what the inputs show until 《検索》.
    const draft = {
      role: q.role || '', user_id: q.user_id || '', name: q.name || '', name_kana: q.name_kana || '',
      enabled: q.enabled || '', locked: q.locked || '',
      start_from: formatDate(q.start_from || ''), end_until: formatDate(q.end_until || ''),
    };
    const st = { errors: {}, error: '', data: null, fetchedAt: null,
      selected: new Map(), selecting: false, bulk: null, busy: false };

    function apiParams(extra = {}) {
      const p = { ...q };
      if (p.dormant) { p.last_login_before = addDays(todayJst(), -Number(p.dormant)); delete p.dormant; }
      return { ...p, ...extra };
    }

    // Called from create() too, so nothing is drawn before the first answer.
    async function load({ openSingle = false } = {}) {
      if (st.data) { st.data = null; ctx.update(); } // a search again: no stale list meanwhile
      try {
        st.data = await api('GET', `/accounts${apiQuery(apiParams())}`);
        st.fetchedAt = new Date();
        st.error = '';
        if (openSingle && st.data.total === 1) {
          open(st.data.items[0].user_id);
          return;
        }
      } catch (err) {
        st.data = null;
        st.error = err.message;
      }
      ctx.update();
    }

    const editHref = (id) => `#/accounts/${encodeURIComponent(id)}${queryString ? `?back=${encodeURIComponent(queryString)}` : ''}`;
    function open(id) {
      ctx.navigate(`/accounts/${id}`, queryString ? { back: queryString } : {});
    }

    // New filters (or page, order, size) → a new URL; the router draws the screen again.
    function go(next, { submit = false } = {}) {
      const clean = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== '' && v !== undefined && v !== null));
      if (clean.page === 1 || clean.page === '1') delete clean.page;
      const qs = new URLSearchParams(clean).toString();
      if (qs === queryString) { load({ openSingle: submit }); return; }
      if (submit) submitted = qs;
      ctx.navigate('/accounts', clean);
    }

    function search(e) {
      e.preventDefault();
      const errors = {};
      const next = { ...q, page: undefined };
      for (const k of ['role', 'enabled', 'locked']) next[k] = draft[k];
      for (const k of ['user_id', 'name', 'name_kana']) next[k] = draft[k].trim();
      for (const k of ['start_from', 'end_until']) {
        const t = draft[k].trim();
        next[k] = t ? parseDateInput(t) : '';
        if (t && !next[k]) errors[k] = 'request.field_date';
      }
      st.errors = errors;
      if (Object.keys(errors).length) { ctx.update(); focusSummary(); return; }
      go(next, { submit: true });
    }

    const quick = (key, value) => () => go({ ...q, [key]: q[key] === value ? '' : value, page: undefined });

    // --- selection and bulk actions ---------------------------------------------------------
    const isSelected = (a) => st.selected.has(a.user_id);
    function toggle(a, on) {
      if (on) st.selected.set(a.user_id, { user_id: a.user_id, version: a.version, name: a.name });
      else st.selected.delete(a.user_id);
      ctx.update();
    }
    function togglePage(on) {
      for (const a of st.data.items) toggle(a, on);
    }
    async function selectAll() {
      st.selecting = true;
      ctx.update();
      try {
        const pages = Math.ceil(st.data.total / 100);
        for (let p = 1; p <= pages; p++) {
          const r = await api('GET', `/accounts${apiQuery(apiParams({ page: p, per_page: 100, sort: q.sort || 'user_id' }))}`);
          for (const a of r.items) st.selected.set(a.user_id, { user_id: a.user_id, version: a.version, name: a.name });
        }
      } catch (err) {
        st.error = err.message;
      }
      st.selecting = false;
      ctx.update();
    }

    async function bulk(action) {
      const list = [...st.selected.values()];
      const danger = action === 'delete';
      const ok = await confirmDialog({
        title: `アカウントの一括${danger ? '削除' : '変更'}`,
        body: html`<p>次の${formatNumber(list.length)}件のアカウントを${ACTIONS[action].verb}。よろしいですか？</p>
          ${danger ? html`<p class="warning">削除したユーザIDは二度と使用できません（同じユーザIDで登録し直すこともできません）。</p>` : nothing}
          ${action === 'disable' ? html`<p>無効にしたアカウントはログインできなくなり、ログイン中の画面はログアウトされます。</p>` : nothing}
          <ul class="selected-list">${list.map((a) => html`<li><span class="id">${a.user_id}</span>${a.name}</li>`)}</ul>`,
        ok: danger ? '削除する' : ACTIONS[action].label,
        danger,
      });
      if (!ok) return;
      st.busy = true;
      ctx.update();
      const results = [];
      try {
        for (let i = 0; i < list.length; i += BATCH_MAX) {
          const chunk = list.slice(i, i + BATCH_MAX).map(({ user_id: id, version }) => ({ user_id: id, version }));
          const r = await api('POST', '/accounts/batch', { action, accounts: chunk });
          results.push(...r.results);
        }
      } catch (err) {
        st.error = err.message;
      }
      const names = Object.fromEntries(list.map((a) => [a.user_id, a.name]));
      st.bulk = { action, results: results.map((r) => ({ ...r, name: names[r.user_id] })) };
      st.selected.clear();
      st.busy = false;
      await load();
      document.getElementById('bulk-heading')?.focus();
    }

    function resultText(r) {
      if (r.status === 'ok') return html`<span class="ok">成功（${ACTIONS[st.bulk.action].done}）</span>`;
      if (r.status === 'version_conflict') {
        const a = r.account;
        return html`<span class="ng">他の利用者が更新したため変更していません${a ? `（現在の値：${a.name}、${stateLabel(a)}、ロック${a.locked ? '中' : 'なし'}）` : ''}</span>`;
      }
      if (r.status === 'not_found') return html`<span class="ng">見つかりません（既に削除された可能性があります）</span>`;
      return html`<span class="ng">${r.error?.code ? errorMessage(r.error.code) : '処理できませんでした'}</span>`;
    }

    function bulkView() {
      if (!st.bulk) return nothing;
      const ok = st.bulk.results.filter((r) => r.status === 'ok').length;
      const ng = st.bulk.results.length - ok;
      return html`<section class="bulk-result" aria-labelledby="bulk-heading">
        <div role="status"><h2 id="bulk-heading" tabindex="-1">「${ACTIONS[st.bulk.action].label}」の結果</h2>
        <p>成功 ${formatNumber(ok)}件${ng ? `、変更できなかったもの ${formatNumber(ng)}件` : ''}</p></div>
        <table class="data"><caption class="visually-hidden">一括操作の結果</caption>
          <thead><tr><th scope="col">ユーザID</th><th scope="col">ユーザ名</th><th scope="col">結果</th></tr></thead>
          <tbody>${st.bulk.results.map((r) => html`<tr class=${r.status === 'ok' ? '' : 'row-ng'}><td>${r.user_id}</td><td>${r.name || ''}</td><td>${resultText(r)}</td></tr>`)}</tbody>
        </table>
        ${ng ? html`<p class="support">変更できなかったアカウントは、一覧で現在の値を確認してから、もう一度操作してください。</p>` : nothing}
        <button type="button" class="button secondary small" @click=${() => { st.bulk = null; ctx.update(); }}>結果を閉じる</button>
      </section>`;
    }

    // --- the view ------------------------------------------------------------------------------
    const roleOptions = [{ value: '', label: '全て' }, ...roles.map((r) => ({ value: r, label: ROLE_LABELS[r] }))];
    const setDraft = (k) => (v) => { draft[k] = v; };

    function formView() {
      return html`
        ${errorSummary(st.errors, LABELS)}
        <form class="form search-form" novalidate @submit=${search} aria-label="検索条件">
          <div class="grid">
            ${selectField({ id: 'role', label: LABELS.role, value: draft.role, options: roleOptions, onInput: setDraft('role') })}
            ${textField({ id: 'user_id', label: LABELS.user_id, value: draft.user_id, maxlength: 16, size: 'code',
              support: '一部だけでも検索できます', onInput: setDraft('user_id') })}
            ${textField({ id: 'name', label: LABELS.name, value: draft.name, maxlength: 40, support: '部分一致', onInput: setDraft('name') })}
            ${textField({ id: 'name_kana', label: LABELS.name_kana, value: draft.name_kana, maxlength: 80, support: '部分一致（カタカナ）', onInput: setDraft('name_kana') })}
            ${selectField({ id: 'enabled', label: LABELS.enabled, value: draft.enabled, onInput: setDraft('enabled'),
              options: [{ value: '', label: '全て' }, { value: 'true', label: '有効のみ' }, { value: 'false', label: '無効のみ' }] })}
            ${selectField({ id: 'locked', label: LABELS.locked, value: draft.locked, onInput: setDraft('locked'),
              support: 'パスワードを所定回数以上間違えてログインできなくなった状態',
              options: [{ value: '', label: '全て' }, { value: 'false', label: 'なし' }, { value: 'true', label: 'ロック中' }] })}
            ${dateField({ id: 'start_from', label: LABELS.start_from, value: draft.start_from, error: st.errors.start_from,
              support: 'この日以降に利用開始（例：2026/04/01）', onInput: setDraft('start_from') })}
            ${dateField({ id: 'end_until', label: LABELS.end_until, value: draft.end_until, error: st.errors.end_until,
              support: 'この日までに利用終了（例：2027/03/31）', onInput: setDraft('end_until') })}
          </div>
          <div class="actions">
            <button class="button primary">検索</button>
            <button type="button" class="button secondary" @click=${() => ctx.navigate('/accounts', {})}>クリア</button>
          </div>
        </form>
        ${quickView()}`;
    }

    function quickView() {
      const pressed = (k, v) => (q[k] === v ? 'true' : 'false');
      return html`<div class="quick-filters" role="group" aria-labelledby="quick-label">
        <span id="quick-label" class="quick-label">よく使う条件：</span>
        <button type="button" class="button secondary small" aria-pressed=${pressed('locked', 'true')} @click=${quick('locked', 'true')}>ロック中</button>
        <button type="button" class="button secondary small" aria-pressed=${pressed('enabled', 'false')} @click=${quick('enabled', 'false')}>無効</button>
        <button type="button" class="button secondary small" aria-pressed=${pressed('password_state', 'initial')} @click=${quick('password_state', 'initial')}>初期パスワード未変更</button>
        <span class="dormant">
          <label for="f-dormant">休眠（ログインなし）</label>
          <select id="f-dormant" @change=${(e) => go({ ...q, dormant: e.target.value, last_login_before: '', page: undefined })}>
            <option value="" ?selected=${!q.dormant}>指定しない</option>
            ${DORMANT_DAYS.map((d) => html`<option value=${d} ?selected=${q.dormant === String(d)}>${d}日以上</option>`)}
          </select>
        </span>
      </div>
      ${activeFilters()}`;
    }

    // Filters without a field of their own (from the quick filters or the menu's links).
    function activeFilters() {
      const items = [];
      if (q.password_state) items.push(['password_state', `パスワード：${PASSWORD_STATE_LABELS[q.password_state] || q.password_state}`]);
      if (q.password_expires_before) items.push(['password_expires_before', `パスワードの有効期限が ${formatDate(q.password_expires_before)} より前`]);
      if (q.dormant) items.push(['dormant', `${q.dormant}日以上ログインなし`]);
      if (q.last_login_before) items.push(['last_login_before', `最終ログインが ${formatDate(q.last_login_before)} より前`]);
      if (!items.length) return nothing;
      return html`<p class="active-filters">この条件でも絞り込んでいます：
        ${items.map(([k, label]) => html`<span class="chip">${label}
          <button type="button" class="chip-remove" aria-label=${`条件「${label}」を外す`} @click=${() => go({ ...q, [k]: '', page: undefined })}>×</button></span>`)}</p>`;
    }

    function toolbar() {
      return html`<div class="list-tools">
        <label for="f-sort">並び順</label>
        <select id="f-sort" @change=${(e) => go({ ...q, sort: e.target.value === 'user_id' ? '' : e.target.value, page: undefined })}>
          ${SORTS.map(([v, l]) => html`<option value=${v} ?selected=${(q.sort || 'user_id') === v}>${l}</option>`)}
        </select>
        <label for="f-per_page">表示件数</label>
        <select id="f-per_page" @change=${(e) => go({ ...q, per_page: e.target.value === '20' ? '' : e.target.value, page: undefined })}>
          ${[20, 50, 100].map((n) => html`<option value=${n} ?selected=${String(q.per_page || 20) === String(n)}>${n}件</option>`)}
        </select>
      </div>`;
    }

    function bulkBar() {
      if (!bulkAllowed || !st.data?.total) return nothing;
      const n = st.selected.size;
      const pageAll = st.data.items.length > 0 && st.data.items.every(isSelected);
      return html`<div class="bulk-bar" role="group" aria-label="選択したアカウントの操作">
        <label class="checkbox"><input type="checkbox" .checked=${pageAll} @change=${(e) => togglePage(e.target.checked)}>このページをすべて選択</label>
        ${st.data.total > st.data.items.length ? html`<button type="button" class="button secondary small" ?disabled=${st.selecting}
            @click=${selectAll}>${st.selecting ? '選択しています…' : `検索結果のすべて（${formatNumber(st.data.total)}件）を選択`}</button>` : nothing}
        <span class="selected-count" role="status">選択中：${formatNumber(n)}件</span>
        ${n ? html`<button type="button" class="button secondary small" @click=${() => { st.selected.clear(); ctx.update(); }}>選択を解除</button>` : nothing}
        <span class="bulk-actions">
          <button type="button" class="button secondary" ?disabled=${!n || st.busy} @click=${() => bulk('enable')}>有効にする</button>
          <button type="button" class="button secondary" ?disabled=${!n || st.busy} @click=${() => bulk('disable')}>無効にする</button>
          <button type="button" class="button danger" ?disabled=${!n || st.busy} @click=${() => bulk('delete')}>削除</button>
        </span>
      </div>`;
    }

    function rowView(a) {
      return html`<tr class=${isSelected(a) ? 'selected' : ''}>
        ${bulkAllowed ? html`<td class="check"><input type="checkbox" aria-label=${`${a.user_id} を選択`} .checked=${isSelected(a)}
          @change=${(e) => toggle(a, e.target.checked)}></td>` : nothing}
        <td><a href=${editHref(a.user_id)}>${a.user_id}</a></td>
        <td><span class="kana">${a.name_kana}</span><br>${a.name}</td>
        <td>${a.role_label}</td>
        <td>${a.enabled ? '有効' : html`<span class="badge off">無効</span>`}</td>
        <td>${a.locked ? html`<span class="badge warn">ロック中</span>` : 'なし'}</td>
        <td>${formatDate(a.start_date)}</td>
        <td>${formatDate(a.end_date)}</td>
        <td>${PASSWORD_STATE_LABELS[a.password_state] || ''}${a.password_expires_at ? html`<br><span class="support">期限 ${formatDateTime(a.password_expires_at)}</span>` : nothing}</td>
        <td>${a.last_login_at ? formatDateTime(a.last_login_at) : 'なし'}</td>
      </tr>`;
    }

    function resultsView() {
      if (st.error) return html`<div class="error-summary" role="alert"><p>${st.error}</p></div>`;
      if (!st.data) return html`<p role="status">検索しています…</p>`;
      const d = st.data;
      return html`
        <section class="results" aria-labelledby="results-heading">
          <h2 id="results-heading">検索結果</h2>
          ${resultSummary(d, st.fetchedAt)}
          ${d.total === 0 ? html`<p class="empty">条件に合うアカウントはありません。検索条件を変えるか、「クリア」を押して、もう一度検索してください。</p>` : html`
            ${toolbar()}
            ${bulkBar()}
            <div class="table-wrap" role="region" aria-label="検索結果の表（横にスクロールできます）" tabindex="0">
            <table class="data accounts">
              <caption class="visually-hidden">アカウントの検索結果</caption>
              <thead><tr>
                ${bulkAllowed ? html`<th scope="col" class="check"><span class="visually-hidden">選択</span></th>` : nothing}
                <th scope="col">ユーザID</th><th scope="col">ユーザ名（上段：カナ）</th><th scope="col">権限区分</th>
                <th scope="col">有効/無効</th><th scope="col">アカウントロック</th><th scope="col">利用開始日</th>
                <th scope="col">利用終了日</th><th scope="col">パスワード</th><th scope="col">最終ログイン</th>
              </tr></thead>
              <tbody>${repeat(d.items, (a) => a.user_id, rowView)}</tbody>
            </table>
            </div>
            ${pager(d, (p) => go({ ...q, page: p }))}`}
        </section>`;
    }

    load({ openSingle: justSubmitted });
    // A key of its own per visit, so a new search draws fresh inputs (a select the user changed
    // would otherwise keep its choice over lit's update).
    const visitKey = {};
    return {
      view: () => repeat([visitKey], (k) => k, () => html`
        <h1>アカウント検索</h1>
        <dl class="summary"><dt>機関コード</dt><dd>${s.institution.institution_code}</dd></dl>
        <p>${!bulkAllowed ? 'マスタアカウントのユーザIDを押し、パスワードを初期化してください。'
          : '検索条件を入力し、「検索」を押してください。更新・削除・パスワード初期化をするアカウントのユーザIDを押してください。'}</p>
        ${!bulkAllowed ? nothing : formView()}
        ${bulkView()}
        ${resultsView()}
        <div class="actions"><a class="button secondary" href="#/menu">メニューへ戻る</a>
          ${(s.account.registers_roles || []).length ? html`<a class="button secondary" href="#/accounts/new">アカウントを登録する</a>` : nothing}</div>`),
    };
  },
};

// アカウント管理（更新） (manual ch. 2 §3): one account's names, 有効/無効 and usage period;
// パスワード初期化 and 削除. The confirmation shows only what changes; a stale version (409)
// shows the current values next to what was typed. Which actions show follows the manual's
// who-manages-whom table; the server decides all the same.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { repeat } from '../vendor/lit-html/directives/repeat.js';
import { api } from '../js/api.js';
import { formatDate, formatDateTime, PASSWORD_STATE_LABELS } from '../js/format.js';
import { session } from '../js/session.js';
import { confirmDialog } from '../js/widgets/dialog.js';
import { errorSummary, serverErrors } from '../js/widgets/form.js';
import { initialPassword } from '../js/widgets/initial-password.js';
import { canManage, canReset, checkNamesAndDates, dateFields, focusSummary, nameFields } from '../js/widgets/account-fields.js';

const LABELS = { name: 'ユーザ名', name_kana: 'ユーザ名（カナ）', enabled: '有効/無効',
  start_date: '利用開始年月日', end_date: '利用終了年月日' };
const show = {
  name: (v) => v, name_kana: (v) => v, enabled: (v) => (v ? '有効' : '無効'),
  start_date: (v) => formatDate(v), end_date: (v) => formatDate(v),
};

export default {
  title: 'アカウント管理（更新）',
  capability: 'accounts',
  create(ctx) {
    const s = session();
    const id = ctx.params.user_id;
    const back = ctx.query.get('back') || '';
    const st = { account: null, loadError: '', draft: null, errors: {}, message: '', busy: false,
      conflict: null, reset: null, notice: '' };

    const draftOf = (a) => ({ name: a.name, name_kana: a.name_kana, disabled: !a.enabled,
      start_date: formatDate(a.start_date), end_date: formatDate(a.end_date) });

    async function load() {
      try {
        st.account = (await api('GET', `/accounts/${encodeURIComponent(id)}`)).account;
        st.draft = draftOf(st.account);
        st.loadError = '';
      } catch (err) {
        st.loadError = err.message;
      }
      ctx.update();
    }

    function goBack() {
      ctx.navigate('/accounts', Object.fromEntries(new URLSearchParams(back)));
    }

    // The fields whose new value differs from the account's: { field: [before, after] }.
    function changes(v) {
      const a = st.account;
      const next = { name: v.name, name_kana: v.name_kana, enabled: !st.draft.disabled,
        start_date: v.start_date, end_date: v.end_date };
      return Object.fromEntries(Object.entries(next).filter(([k, val]) => val !== a[k]).map(([k, val]) => [k, [a[k], val]]));
    }

    const changeTable = (diff, heads = ['変更前', '変更後']) => html`<table class="data compare">
      <thead><tr><th scope="col">項目</th><th scope="col">${heads[0]}</th><th scope="col">${heads[1]}</th></tr></thead>
      <tbody>${Object.entries(diff).map(([k, [b, a]]) => html`<tr><th scope="row">${LABELS[k]}</th><td>${show[k](b)}</td><td><strong>${show[k](a)}</strong></td></tr>`)}</tbody>
    </table>`;

    async function update(e) {
      e.preventDefault();
      const errors = {};
      st.message = '';
      st.notice = '';
      const v = checkNamesAndDates(st.draft, errors);
      st.errors = errors;
      if (Object.keys(errors).length) { ctx.update(); focusSummary(); return; }
      const diff = changes(v);
      if (Object.keys(diff).length === 0) st.notice = '変更された項目はありません。内容を変更してから「更新」を押してください。';
      ctx.update(); // clears an earlier notice or error before the dialog opens
      if (Object.keys(diff).length === 0) return;
      const ok = await confirmDialog({
        title: 'アカウント更新',
        body: html`<p>ユーザID ${id} の次の項目を更新します。よろしいですか？</p>${changeTable(diff)}
          ${diff.enabled && !diff.enabled[1] ? html`<p>無効にすると、このアカウントはログインできなくなり、ログイン中の画面はログアウトされます。</p>` : nothing}`,
        ok: '更新する',
      });
      if (!ok) return;
      st.busy = true;
      ctx.update();
      const body = { version: st.account.version };
      for (const [k, [, after]] of Object.entries(diff)) body[k] = after;
      try {
        st.account = (await api('PATCH', `/accounts/${encodeURIComponent(id)}`, body)).account;
        st.draft = draftOf(st.account);
        st.conflict = null;
        st.busy = false;
        ctx.flash(`ユーザID ${id} のアカウント情報を更新しました。`);
        ctx.update();
      } catch (err) {
        st.busy = false;
        if (err.code === 'account.version_conflict') {
          const typed = body;
          await load();
          const now = st.account;
          // What the user typed against what is stored now, for the fields they changed.
          st.conflict = Object.fromEntries(Object.keys(diff).filter((k) => k in typed).map((k) => [k, [typed[k], now[k]]]));
          ctx.update();
          document.getElementById('conflict')?.focus();
          return;
        }
        st.errors = serverErrors(err, Object.keys(LABELS));
        if (!Object.keys(st.errors).length) st.message = err.message;
        ctx.update();
        focusSummary();
      }
    }

    async function resetPassword() {
      const ok = await confirmDialog({
        title: 'パスワード初期化',
        body: html`<p>ユーザID ${id}（${st.account.name}）のパスワードを初期化します。よろしいですか？</p>
          <ul>
            <li>新しい初期パスワードを発行します。今のパスワードは使えなくなります。</li>
            <li>アカウントロックも解除されます。</li>
            <li>このアカウントでログイン中の画面は、すべてログアウトされます。</li>
          </ul>`,
        ok: '初期化する',
      });
      if (!ok) return;
      st.busy = true;
      ctx.update();
      try {
        const r = await api('POST', `/accounts/${encodeURIComponent(id)}/password-reset`);
        st.reset = initialPassword({ user_id: id, initial_password: r.initial_password, expires_at: r.expires_at }, ctx.update);
        st.busy = false;
        await load();
        document.getElementById('reset-heading')?.focus();
      } catch (err) {
        st.busy = false;
        st.message = err.message;
        ctx.update();
        focusSummary();
      }
    }

    async function remove() {
      const ok = await confirmDialog({
        title: 'アカウント削除',
        body: html`<p>ユーザID <strong>${id}</strong>（${st.account.name}）を削除します。</p>
          <p class="warning">削除したアカウントは元に戻せません。ユーザID ${id} は二度と使用できません（同じユーザIDで登録し直すこともできません）。</p>
          <p>よろしいですか？</p>`,
        ok: '削除する',
        danger: true,
      });
      if (!ok) return;
      st.busy = true;
      ctx.update();
      try {
        await api('DELETE', `/accounts/${encodeURIComponent(id)}`);
        ctx.flash(`ユーザID ${id} を削除しました。`, { keep: true });
        goBack();
      } catch (err) {
        st.busy = false;
        st.message = err.message;
        ctx.update();
        focusSummary();
      }
    }

    function readOnly(a) {
      return html`<dl class="summary">
        <dt>ユーザ名</dt><dd>${a.name}</dd>
        <dt>ユーザ名（カナ）</dt><dd>${a.name_kana}</dd>
        <dt>有効/無効</dt><dd>${a.enabled ? '有効' : '無効'}</dd>
        <dt>利用開始年月日</dt><dd>${formatDate(a.start_date)}</dd>
        <dt>利用終了年月日</dt><dd>${formatDate(a.end_date)}</dd>
      </dl>`;
    }

    function conflictView() {
      if (!st.conflict) return nothing;
      return html`<div class="warning" id="conflict" role="alert" tabindex="-1">
        <h2>他の管理者がこのアカウントを更新しました</h2>
        <p>更新している間に、他の管理者がこのアカウントを変更したため、更新しませんでした。画面には現在の値を表示しています。
          必要であれば、もう一度入力して「更新」を押してください。</p>
        ${changeTable(st.conflict, ['あなたが入力した値', '現在の値'])}
      </div>`;
    }

    function formView(a) {
      const manage = canManage(a.role);
      const d = st.draft;
      return html`
        ${conflictView()}
        ${st.message ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.message}</p></div>` : errorSummary(st.errors, LABELS)}
        ${st.notice ? html`<p class="notice" role="status">${st.notice}</p>` : nothing}
        <dl class="summary">
          <dt>機関コード</dt><dd>${s.institution.institution_code}</dd>
          <dt>機関名</dt><dd>${s.institution.name}</dd>
          <dt>権限区分</dt><dd>${a.role_label}</dd>
          <dt>ユーザID</dt><dd><strong>${a.user_id}</strong><span class="support">（ユーザIDと権限区分は変更できません）</span></dd>
          <dt>アカウントロック</dt><dd>${a.locked ? html`<span class="badge warn">ロック中</span>` : 'なし'}
            <span class="support">${a.locked ? '「パスワード初期化」を行うとロックが解除されます。' : ''}</span></dd>
          <dt>パスワード</dt><dd>${PASSWORD_STATE_LABELS[a.password_state] || ''}${a.password_expires_at ? `（有効期限 ${formatDateTime(a.password_expires_at)}）` : ''}</dd>
          <dt>最終ログイン</dt><dd>${a.last_login_at ? formatDateTime(a.last_login_at) : 'なし'}</dd>
          <dt>最終更新</dt><dd>${formatDateTime(a.updated_at)}</dd>
        </dl>
        ${manage ? html`<form class="form" novalidate @submit=${update} aria-label="アカウント情報">
            ${nameFields(d, st.errors, ctx.update)}
            <div class="field">
              <span class="label" id="enabled-label">有効/無効</span>
              <label class="checkbox"><input type="checkbox" id="f-enabled" .checked=${d.disabled}
                @change=${(e) => { d.disabled = e.target.checked; ctx.update(); }}>無効にする</label>
              <p class="support">現在：${a.enabled ? '有効' : '無効'}。無効にするとログインできなくなります。</p>
            </div>
            ${dateFields(d, st.errors)}
            <div class="actions">
              <button class="button primary" ?disabled=${st.busy}>更新</button>
              ${canReset(a.role) ? html`<button type="button" class="button secondary" ?disabled=${st.busy} @click=${resetPassword}>パスワード初期化</button>` : nothing}
              <button type="button" class="button danger" ?disabled=${st.busy} @click=${remove}>削除</button>
              <button type="button" class="button secondary" @click=${goBack}>戻る</button>
            </div>
          </form>`
        : html`${readOnly(a)}
          <p class="notice">${a.role === 'master' ? 'マスタアカウントは更新・削除できません。パスワードの初期化のみ行えます。' : 'このアカウントは変更できません。'}</p>
          <div class="actions">
            ${canReset(a.role) ? html`<button type="button" class="button primary" ?disabled=${st.busy} @click=${resetPassword}>パスワード初期化</button>` : nothing}
            <button type="button" class="button secondary" @click=${goBack}>戻る</button>
          </div>`}`;
    }

    function resetView() {
      return html`<section class="done" aria-labelledby="reset-heading">
        <div role="status"><h2 id="reset-heading" tabindex="-1">パスワードを初期化しました</h2>
          <p>ユーザID ${id} の新しい初期パスワードです。アカウントロックは解除され、ログイン中の画面はログアウトされました。</p></div>
        ${st.reset.view()}
        <div class="actions"><button type="button" class="button primary" @click=${() => { st.reset = null; ctx.update(); }}>OK（アカウント情報に戻る）</button></div>
      </section>`;
    }

    load();
    const visitKey = {}; // fresh inputs for each account shown (see accounts-search.js)
    return {
      view: () => repeat([visitKey], (k) => k, () => html`
        <h1>アカウント管理（更新）</h1>
        ${st.loadError ? html`<p class="warning" role="alert">${st.loadError}</p>
            <div class="actions"><button type="button" class="button secondary" @click=${goBack}>検索に戻る</button></div>`
          : !st.account ? html`<p role="status">読み込んでいます…</p>`
          : st.reset ? resetView() : formView(st.account)}
        <div class="actions"><a class="button secondary" href="#/menu">メニューへ戻る</a></div>`),
    };
  },
};

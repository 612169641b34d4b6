// パスワード変更: forced after a sign-in with an initial or expired password, or chosen from
// the menu. The policy in force (from the session) is shown as a checklist that updates while
// typing; the server's refusals appear under their fields.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { api } from '../js/api.js';
import { checkPassword, passwordChecklist } from '../js/validate.js';
import { session } from '../js/session.js';
import { errorSummary, textField } from '../js/widgets/form.js';

const LABELS = { current_password: '現在のパスワード', new_password: '新しいパスワード', confirm: '新しいパスワード（確認）' };

export default {
  title: 'パスワード変更',
  capability: 'session',
  create(ctx) {
    const s = session();
    const forced = s.account.password_change_required;
    const policy = s.password_policy;
    const st = { current_password: '', new_password: '', confirm: '', show: false, errors: {}, busy: false, message: '' };

    async function submit(e) {
      e.preventDefault();
      st.errors = {};
      st.message = '';
      if (!st.current_password) st.errors.current_password = 'request.field_missing';
      const bad = checkPassword(st.new_password, s.account.user_id, policy);
      if (bad) st.errors.new_password = bad;
      else if (st.confirm !== st.new_password) st.errors.confirm = 'password.confirm_mismatch';
      if (Object.keys(st.errors).length) { ctx.update(); focusSummary(); return; }
      st.busy = true;
      ctx.update();
      try {
        await api('PUT', '/session/password', { current_password: st.current_password, new_password: st.new_password });
        await ctx.reloadSession();
        ctx.flash('パスワードを変更しました。', { keep: true });
        const next = ctx.query.get('next');
        if (next && next.startsWith('#/') && !next.startsWith('#/login') && !next.startsWith('#/password')) {
          history.replaceState(null, '', next);
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        } else ctx.navigate('/menu', {}, { replace: true });
      } catch (err) {
        st.busy = false;
        const field = err.code === 'password.current_wrong' ? 'current_password'
          : err.code.startsWith('password.') ? 'new_password' : err.field;
        if (field && LABELS[field]) st.errors = { [field]: err.code };
        else st.message = err.message;
        st.current_password = '';
        ctx.update();
        focusSummary();
      }
    }

    const type = () => (st.show ? 'text' : 'password');
    return {
      view: () => {
        const list = passwordChecklist(st.new_password, s.account.user_id, policy);
        return html`
        <h1>パスワード変更</h1>
        ${forced ? html`<p class="notice">${s.account.password_state === 'expired' ? 'パスワードの有効期限が切れています。' : '初期パスワードのままです。'}引き続き利用するには、新しいパスワードに変更してください。</p>`
          : html`<p>現在のパスワードと新しいパスワードを入力し、「変更」を押してください。</p>`}
        ${st.message ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.message}</p></div>` : errorSummary(st.errors, LABELS)}
        <form class="form narrow" novalidate @submit=${submit}>
          <input type="text" name="username" autocomplete="username" .value=${s.account.user_id} hidden>
          ${textField({ id: 'current_password', label: LABELS.current_password, isRequired: true, type: type(),
            value: st.current_password, autocomplete: 'current-password', maxlength: 128,
            error: st.errors.current_password, onInput: (v) => { st.current_password = v; } })}
          ${textField({ id: 'new_password', label: LABELS.new_password, isRequired: true, type: type(),
            value: st.new_password, autocomplete: 'new-password', maxlength: 128, error: st.errors.new_password,
            support: `次の条件をすべて満たしてください。${policy.history > 1 ? `過去${policy.history}回までに使ったパスワード（現在のものを含む）` : '現在のパスワード'}は使えません。`,
            onInput: (v) => { st.new_password = v; ctx.update(); },
            after: html`<ul class="checklist" aria-label="パスワードの条件">
              ${list.map((r) => html`<li class=${r.ok ? 'ok' : 'ng'}><span class="mark" aria-hidden="true">${r.ok ? '✓' : '−'}</span>${r.label}<span class="visually-hidden">${r.ok ? '（満たしています）' : '（満たしていません）'}</span></li>`)}
            </ul>` })}
          ${textField({ id: 'confirm', label: LABELS.confirm, isRequired: true, type: type(), value: st.confirm,
            autocomplete: 'new-password', maxlength: 128, error: st.errors.confirm,
            onInput: (v) => { st.confirm = v; } })}
          <div class="field"><label class="checkbox"><input type="checkbox" .checked=${st.show}
            @change=${(e) => { st.show = e.target.checked; ctx.update(); }}>パスワードを表示する</label></div>
          <div class="actions">
            ${forced ? nothing : html`<a class="button secondary" href="#/menu">メニューへ戻る</a>`}
            <button class="button primary" ?disabled=${st.busy}>${st.busy ? '変更しています…' : '変更'}</button>
          </div>
        </form>`;
      },
    };
  },
};

function focusSummary() {
  document.querySelector('.error-summary')?.focus();
}

// ログイン: 医療機関コード (remembered on this browser), ユーザID, パスワード. Each refusal
// says the registry's message; an initial or expired password leads to the password change
// after the manual's confirmation.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { api } from '../js/api.js';
import { checkInstitutionCode } from '../js/validate.js';
import { loadSession } from '../js/session.js';
import { confirmDialog } from '../js/widgets/dialog.js';
import { errorSummary, serverErrors, textField } from '../js/widgets/form.js';

const CODE_KEY = 'onshi.institution_code';
const LABELS = { institution_code: '医療機関コード', user_id: 'ユーザID', password: 'パスワード' };

export default {
  title: 'ログイン',
  public: true,
  create(ctx) {
    const st = {
      institution_code: localStorage.getItem(CODE_KEY) || '',
      user_id: '', password: '', show: false, caps: false, busy: false, errors: {}, message: '',
    };
    const set = (k) => (v) => { st[k] = v; ctx.update(); };

    async function submit(e) {
      e.preventDefault();
      st.errors = {};
      st.message = '';
      const code = st.institution_code.trim();
      const codeError = checkInstitutionCode(code);
      if (codeError) st.errors.institution_code = codeError;
      if (!st.user_id.trim()) st.errors.user_id = 'request.field_missing';
      if (!st.password) st.errors.password = 'request.field_missing';
      if (Object.keys(st.errors).length) { ctx.update(); focusSummary(); return; }
      st.busy = true;
      ctx.update();
      try {
        await api('POST', '/session', { institution_code: code, user_id: st.user_id.trim(), password: st.password });
        localStorage.setItem(CODE_KEY, code);
        st.password = '';
        const s = await loadSession();
        const next = ctx.query.get('next');
        if (s.account.password_change_required) {
          await confirmDialog({
            title: 'パスワード変更',
            body: html`<p>${s.account.password_state === 'expired'
              ? 'パスワードの有効期限が切れています。' : '初期パスワードでログインしました。'}</p>
              <p>引き続き利用するには、パスワードを変更してください。「OK」を押すとパスワード変更画面を表示します。</p>`,
            cancel: null,
          });
          ctx.navigate('/password', { next }, { replace: true });
        } else if (next && next.startsWith('#/') && !next.startsWith('#/login')) {
          history.replaceState(null, '', next);
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        } else {
          ctx.navigate('/menu', {}, { replace: true });
        }
      } catch (err) {
        st.busy = false;
        st.password = '';
        if (err.field) st.errors = serverErrors(err, Object.keys(LABELS));
        if (!Object.keys(st.errors).length) st.message = err.message;
        ctx.update();
        focusSummary();
      }
    }

    return {
      view: () => html`
        <h1>ログイン</h1>
        <p>医療機関コード、ユーザID及びパスワードを入力し、「ログイン」を押してください。</p>
        ${st.message ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.message}</p></div>` : errorSummary(st.errors, LABELS)}
        <form class="form narrow" novalidate @submit=${submit}>
          ${textField({ id: 'institution_code', label: LABELS.institution_code, isRequired: true, value: st.institution_code,
            inputmode: 'numeric', maxlength: 10, size: 'code', autocomplete: 'off', error: st.errors.institution_code,
            support: '10桁の半角数字（このブラウザに記憶されます）', onInput: (v) => { st.institution_code = v; } })}
          ${textField({ id: 'user_id', label: LABELS.user_id, isRequired: true, value: st.user_id, autocomplete: 'username',
            maxlength: 16, size: 'code', error: st.errors.user_id, onInput: (v) => { st.user_id = v; } })}
          ${textField({ id: 'password', label: LABELS.password, isRequired: true, value: st.password,
            type: st.show ? 'text' : 'password', autocomplete: 'current-password', maxlength: 128,
            error: st.errors.password, onInput: (v) => { st.password = v; },
            onKeyup: (e) => { const c = e.getModifierState?.('CapsLock'); if (c !== st.caps) set('caps')(c); },
            after: html`<div class="password-tools">
              <button type="button" class="button secondary small" aria-pressed=${st.show ? 'true' : 'false'}
                aria-controls="f-password" @click=${() => set('show')(!st.show)}>${st.show ? 'パスワードを隠す' : 'パスワードを表示'}</button>
              ${st.caps ? html`<p class="caps-hint" role="status">Caps Lock がオンになっています。</p>` : nothing}
            </div>` })}
          <div class="actions"><button class="button primary" ?disabled=${st.busy}>${st.busy ? 'ログインしています…' : 'ログイン'}</button></div>
        </form>`,
    };
  },
};

function focusSummary() {
  document.querySelector('.error-summary')?.focus();
}

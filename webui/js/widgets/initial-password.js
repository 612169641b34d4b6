// The initial password as registration and パスワード初期化 hand it over (manual ch. 2 §2, §3(2)):
// hidden as ● until 《表示》, a copy button, its expiry, and the アカウント設定情報 PDF.
// The password is shown only here: the server never returns it again.
import { html, nothing } from '../../vendor/lit-html/lit-html.js';
import { download } from '../api.js';
import { formatDateTime } from '../format.js';

// secret: { user_id, initial_password, expires_at }; update() re-renders the screen.
export function initialPassword(secret, update) {
  const st = { shown: false, copy: '', pdf: '', pdfError: '', busy: false };

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret.initial_password);
      st.copy = 'コピーしました。';
    } catch {
      st.copy = 'コピーできませんでした。《表示》を押して書き写してください。';
    }
    update();
  }

  async function pdf() {
    st.busy = true; st.pdf = ''; st.pdfError = '';
    update();
    try {
      await download('POST', '/account-sheets', { user_id: secret.user_id, initial_password: secret.initial_password },
        `アカウント設定情報_${secret.user_id}.pdf`);
      st.pdf = 'アカウント設定情報（PDF）をダウンロードしました。';
    } catch (err) {
      st.pdfError = err.message;
    }
    st.busy = false;
    update();
  }

  return {
    view: () => html`
      <dl class="summary">
        <dt>ユーザID</dt><dd class="secret">${secret.user_id}</dd>
        <dt>初期パスワード</dt>
        <dd>
          <span class="secret" id="initial-password">${st.shown ? secret.initial_password : '●●●●●●●●●●'}</span>
          ${st.shown ? nothing : html`<span class="visually-hidden">（非表示）</span>`}
          <span class="password-buttons">
            <button type="button" class="button secondary small" aria-pressed=${st.shown ? 'true' : 'false'}
              aria-controls="initial-password" @click=${() => { st.shown = !st.shown; update(); }}>表示</button>
            <button type="button" class="button secondary small" @click=${copy}>コピー</button>
          </span>
          <span class="copy-status" role="status">${st.copy}</span>
        </dd>
        ${secret.expires_at ? html`<dt>初期パスワードの有効期限</dt><dd>${formatDateTime(secret.expires_at)} まで</dd>` : nothing}
      </dl>
      <div class="notice" role="note">
        <p>ユーザID及び初期パスワードを、このアカウントを使う方に伝えてください。</p>
        <p>初期パスワードの有効日数は30日間です。30日以内にログインしないと、ログインできなくなり、パスワードの初期化が必要になります。</p>
      </div>
      <div class="actions">
        <button type="button" class="button secondary" ?disabled=${st.busy} @click=${pdf}>${st.busy ? 'ダウンロードしています…' : 'アカウント設定情報（PDF）をダウンロード'}</button>
        <span role="status" class="copy-status">${st.pdf}</span>
      </div>
      ${st.pdfError ? html`<p class="field-error" role="alert">${st.pdfError}</p>` : nothing}`,
  };
}

// オンライン資格確認等システム利用規約 (manual ch. 3 §3 ⑨「表示する」): the current version's text
// and whether this institution has agreed to it. Agreement itself is given on 環境設定情報更新,
// when 訪問診療等機能 or オンライン診療等機能 is turned on.
import { html } from '../vendor/lit-html/lit-html.js';
import { api } from '../js/api.js';
import { termsText } from '../js/widgets/terms-text.js';

export default {
  title: '利用規約',
  capability: 'settings',
  create(ctx) {
    const st = { terms: null, error: '' };
    api('GET', '/terms').then((t) => { st.terms = t; }, (err) => { st.error = err.message; }).finally(() => ctx.update());
    const agreed = (t) => (t.agreed
      ? html`<p class="notice" id="terms-agreed">この医療機関等は、この版の利用規約に同意しています。</p>`
      : html`<p class="notice" id="terms-agreed">この版の利用規約にはまだ同意していません。
          環境設定情報更新で訪問診療等機能・オンライン診療等機能を「利用する」にするときに同意します。</p>`);
    return {
      view: () => html`
        <h1>オンライン資格確認等システム利用規約</h1>
        ${st.error ? html`<p class="warning" role="alert">${st.error}</p>`
          : !st.terms ? html`<p role="status">読み込んでいます…</p>`
          : html`${agreed(st.terms)}
            <p class="support">本システムの利用規約について変更が発生した場合は、この画面で内容を確認してください。</p>
            ${termsText(st.terms)}`}
        <div class="actions">
          <a class="button secondary" href="#/settings">環境設定情報更新へ</a>
          <a class="button secondary" href="#/menu">メニューへ戻る</a>
        </div>`,
    };
  },
};

// The text of the terms of use (オンライン資格確認等システム利用規約) as GET /terms gives it: the
// version, when it was published, and the body in a scrollable region of its own (it is read
// in a dialog as well as on its own screen).
import { html } from '../../vendor/lit-html/lit-html.js';
import { formatDateTime } from '../format.js';

export function termsText(terms) {
  return html`<p class="support">版：${terms.version}（公表日 ${formatDateTime(terms.published_at).slice(0, 10)}）</p>
    <div class="terms-text" role="region" aria-label="利用規約の本文" tabindex="0">${terms.body}</div>`;
}

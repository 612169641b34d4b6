// メニュー: the manual's entries for this account's kind and the institution's state (ch. 1
// §2), with counts where they help an administrator act: locked accounts and initial
// passwords about to lapse.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { api, query } from '../js/api.js';
import { addDays, formatNumber, todayJst } from '../js/format.js';
import { hasCapability, session } from '../js/session.js';
import { menuFor } from '../js/menu.js';

const SOON_DAYS = 7;

export default {
  title: 'メニュー',
  create(ctx) {
    const s = session();
    const counts = { locked: null, expiring: null };
    if (hasCapability('accounts') && s.account.role !== 'master_reset') {
      const total = (q) => api('GET', `/accounts${query({ ...q, per_page: 1 })}`).then((r) => r.total, () => null);
      Promise.all([
        total({ locked: 'true' }),
        total({ password_state: 'initial', password_expires_before: addDays(todayJst(), SOON_DAYS + 1) }),
      ]).then(([locked, expiring]) => { counts.locked = locked; counts.expiring = expiring; ctx.update(); });
    }
    const badge = (entry) => {
      if (entry.route !== '#/accounts') return nothing;
      const items = [];
      if (counts.locked) items.push(html`<li><a href="#/accounts?locked=true">ロック中のアカウント：${formatNumber(counts.locked)}件</a></li>`);
      if (counts.expiring) items.push(html`<li><a href=${`#/accounts?password_state=initial&password_expires_before=${addDays(todayJst(), SOON_DAYS + 1)}`}>初期パスワードの有効期限が${SOON_DAYS}日以内のアカウント：${formatNumber(counts.expiring)}件</a></li>`);
      return items.length ? html`<ul class="counts">${items}</ul>` : nothing;
    };
    return {
      view: () => html`
        <h1>メニュー</h1>
        ${s.institution.not_started ? html`<p class="notice" role="note">利用開始日より前のため、${menuFor(s).map((g) => g.group).join('、')}のみ利用できます。利用開始日になると、すべての機能を利用できます。</p>` : nothing}
        <div class="menu-groups">
        ${menuFor(s).map((g) => html`<section class="menu-group" aria-labelledby=${`g-${g.group}`}>
          <h2 id=${`g-${g.group}`}>${g.group}</h2>
          <ul>${g.entries.map((e) => html`<li>
            ${e.route ? html`<a class="menu-link" href=${e.route}>${e.label}</a>`
              : html`<span class="menu-link disabled">${e.label}<span class="soon">（この管理画面では準備中）</span></span>`}
            <p class="support">${e.description}</p>${badge(e)}</li>`)}</ul>
        </section>`)}
        </div>`,
    };
  },
};

// The list pieces: the total with the range shown, the pager, and the page-size choice.
import { html, nothing } from '../../vendor/lit-html/lit-html.js';
import { formatNumber, formatDateTime } from '../format.js';

export function resultSummary({ total, page, per_page: perPage }, fetchedAt) {
  if (total === 0) return html`<p class="result-summary" role="status">該当するデータはありません。</p>`;
  const from = (page - 1) * perPage + 1;
  const to = Math.min(total, page * perPage);
  return html`<p class="result-summary" role="status">検索結果：<strong>${formatNumber(total)}件</strong>
    （${formatNumber(from)}〜${formatNumber(to)}件を表示）
    ${fetchedAt ? html`<span class="as-of">${formatDateTime(fetchedAt.toISOString())} 時点</span>` : nothing}</p>`;
}

// onPage(n) is called with the page chosen.
export function pager({ total, page, per_page: perPage }, onPage) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return nothing;
  const near = [];
  for (let p = Math.max(1, page - 2); p <= Math.min(pages, page + 2); p++) near.push(p);
  const go = (p) => (e) => { e.preventDefault(); onPage(p); };
  return html`<nav class="pager" aria-label="ページ">
    <button type="button" class="button secondary" ?disabled=${page <= 1} @click=${go(page - 1)}>前へ</button>
    ${near.map((p) => html`<button type="button" class="button ${p === page ? 'primary' : 'secondary'}"
        aria-current=${p === page ? 'page' : nothing} aria-label=${`${p}ページ`} @click=${go(p)}>${p}</button>`)}
    <span class="pages">全${formatNumber(pages)}ページ</span>
    <button type="button" class="button secondary" ?disabled=${page >= pages} @click=${go(page + 1)}>次へ</button>
  </nav>`;
}

// What 資格確認履歴照会 and 医療情報閲覧履歴照会 share (manual ch. 4 and its 画面項目説明): the search
// conditions (医療機関コード shown, 対象期間（自）/（至）as a 西暦 date with hour and minute, and
// the screen's own fields), 《照会》 with the number of rows and the first page of the preview,
// 《ダウンロード》 of the CSV in the encoding the API says (利用文字コード), and over 25,000 rows the
// manual's message with the period cut into parts, each with its count, to search or download.
// The conditions and the page live in the URL (#/history/checks?from=2026-11-24T00:00&to=…);
// a URL without them means today 00:00 to now.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { live } from '../vendor/lit-html/directives/live.js';
import { api, download, errorMessage, query } from '../js/api.js';
import { hashFor } from '../js/router.js';
import { session } from '../js/session.js';
import { formatDateTime, formatNumber } from '../js/format.js';
import { boundLabel, checkPeriod, defaultPeriod, groupParts, parseBound, splitPeriod } from '../js/period.js';
import { errorSummary, selectField, serverErrors } from '../js/widgets/form.js';
import { pager, resultSummary } from '../js/widgets/table.js';

const PAGE_SIZES = [20, 50, 100];
const HOURS = Array.from({ length: 24 }, (_, i) => i);
const MINUTES = Array.from({ length: 60 }, (_, i) => i);
const ENCODING_LABELS = { utf8: 'utf-8（BOM付き）', sjis: 'Shift-JIS' };
const COUNTING = 3; // part counts asked at once

// An empty cell says so to a screen reader too.
export const none = html`<span class="muted" aria-hidden="true">—</span><span class="visually-hidden">なし</span>`;
export const cell = (v) => (v === null || v === undefined || v === '' ? none : v);
export const timeCell = (ts) => html`<span class="nowrap">${formatDateTime(ts)}</span>`;

const pad = (n) => String(n).padStart(2, '0');
const compact = (bound) => bound.replace(/[-T:]/g, '');

// One side of 対象期間: the date typed as 西暦, the hour and the minute chosen. The support text
// (PERIOD_SUPPORT) is shared by both sides.
const PERIOD_SUPPORT = 'f-period-support';
function periodField({ id, label, side, error, onChange }) {
  const base = `f-${id}`;
  const describedBy = [PERIOD_SUPPORT, error ? `${base}-error` : ''].filter(Boolean).join(' ');
  // Only 至 before 自 is about the hour and minute too.
  const cls = error ? (error === 'history.range_invalid' ? 'has-error range-error' : 'has-error') : '';
  return html`<fieldset class="field period-field ${cls}">
    <legend>${label}<span class="required">※必須</span></legend>
    <div class="period-controls">
      <span class="period-date"><label for=${base}>日付</label>
        <input id=${base} name=${id} type="text" inputmode="numeric" maxlength="10" class="size-date" autocomplete="off"
          .value=${live(side.dateText)} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${describedBy} required
          @input=${(e) => onChange({ dateText: e.target.value })}></span>
      <span class="period-time">
        <select id="${base}-hour" name="${id}_hour" aria-describedby=${PERIOD_SUPPORT} @change=${(e) => onChange({ hour: Number(e.target.value) })}>
          ${HOURS.map((h) => html`<option value=${h} ?selected=${h === side.hour}>${h}</option>`)}
        </select><label for="${base}-hour">時</label>
        <select id="${base}-minute" name="${id}_minute" aria-describedby=${PERIOD_SUPPORT} @change=${(e) => onChange({ minute: Number(e.target.value) })}>
          ${MINUTES.map((m) => html`<option value=${m} ?selected=${m === side.minute}>${pad(m)}</option>`)}
        </select><label for="${base}-minute">分</label>
      </span>
    </div>
    ${error ? html`<p class="field-error" id="${base}-error">${errorMessage(error)}</p>` : nothing}
  </fieldset>`;
}

const sideOf = (b) => ({ dateText: b.date.replaceAll('-', '/'), hour: b.hour, minute: b.minute });

// def: { title, capability, route ('/history/checks'), path (API, no .csv), noun (資格確認履歴),
//   lead, caption, columns: [{ label, cell(item), code? (numbers and IDs), text? (free text a client chose: may wrap) }],
//   category?: { label, options: [{value,label}] } }
export function historyScreen(def) {
  const LABELS = { from: '対象期間（自）', to: '対象期間（至）', category: def.category?.label };
  const categoryLabel = (v) => def.category?.options.find((o) => o.value === v)?.label || v;
  return {
    title: def.title,
    capability: def.capability,
    create(ctx) {
      const q = ctx.query;
      const defaults = defaultPeriod();
      const urlFrom = q.get('from');
      const urlTo = q.get('to');
      const from = urlFrom ? parseBound(urlFrom) : defaults.from;
      const to = urlTo ? parseBound(urlTo, true) : defaults.to;
      const category = def.category && def.category.options.some((o) => o.value === q.get('category')) ? q.get('category') : 'all';
      const perPage = PAGE_SIZES.includes(Number(q.get('per_page'))) ? Number(q.get('per_page')) : PAGE_SIZES[0];
      const form = {
        // An address whose period does not parse keeps its text, so the error shows what was asked.
        from: from ? sideOf(from) : { dateText: (urlFrom || '').slice(0, 10), hour: 0, minute: 0 },
        to: to ? sideOf(to) : { dateText: (urlTo || '').slice(0, 10), hour: 23, minute: 59 },
        category, perPage,
      };
      const st = {
        cond: null, page: Math.max(1, Number(q.get('page')) || 1), data: null, fetchedAt: null,
        loading: false, errors: {}, message: '', split: null, refused: null, downloading: '',
      };
      let seq = 0;
      let disposed = false;
      let drawn = false; // the router draws after create(): no update before that
      const update = () => { if (drawn && !disposed) ctx.update(); };

      const params = (cond, page = 1, per = form.perPage) => ({
        from: cond.from, to: cond.to, ...(def.category && cond.category !== 'all' ? { category: cond.category } : {}),
        ...(page > 1 ? { page } : {}), ...(per !== PAGE_SIZES[0] ? { per_page: per } : {}),
      });
      const apiQuery = (cond, extra = {}) => query({ from: cond.from, to: cond.to, ...(def.category ? { category: cond.category } : {}), ...extra });
      const same = (a, b) => a && b && a.from === b.from && a.to === b.to && (a.category || 'all') === (b.category || 'all');

      // The form's conditions, or null after showing what is wrong with them.
      function formConditions() {
        const r = checkPeriod(form);
        if (r.errors) {
          st.errors = r.errors;
          st.message = '';
          update();
          document.querySelector('.error-summary')?.focus();
          return null;
        }
        return { from: r.from, to: r.to, category: form.category };
      }

      // Asks for one page; the URL follows (push: a new history entry, so back returns).
      async function search(cond, page, { push = false } = {}) {
        const mine = ++seq;
        if (push) ctx.flash(''); // an earlier download's completion is not about this result
        const target = hashFor(def.route, params(cond, page));
        if (push && target !== location.hash) history.pushState(null, '', target);
        if (!same(cond, st.cond)) st.data = null; // another page of the same result keeps the old one in view meanwhile
        Object.assign(st, { cond, page, loading: true, errors: {}, message: '', split: null, refused: null });
        update();
        try {
          const data = await api('GET', `${def.path}${apiQuery(cond, { page, per_page: form.perPage })}`);
          if (mine !== seq || disposed) return false;
          st.data = data;
          st.fetchedAt = new Date();
          if (data.total > data.csv_max_rows) countParts(cond, mine);
        } catch (err) {
          if (mine !== seq || disposed) return false;
          st.data = null;
          st.errors = serverErrors(err, ['from', 'to', 'category']);
          if (!Object.keys(st.errors).length) st.message = err.message;
        }
        st.loading = false;
        update();
        return Boolean(st.data);
      }

      // The period in parts, each counted by the API (a one-row page carries the total).
      function countParts(cond, mine) {
        const cut = splitPeriod(cond.from, cond.to);
        st.split = cut ? { label: cut.label, parts: cut.parts.map((p) => ({ ...p, count: null, failed: false })) } : { parts: [] };
        const queue = [...st.split.parts];
        const worker = async () => {
          for (let p = queue.shift(); p; p = queue.shift()) {
            try {
              const r = await api('GET', `${def.path}${apiQuery({ ...cond, ...p }, { per_page: 1 })}`);
              p.count = r.total;
            } catch {
              p.failed = true;
            }
            if (mine === seq) update();
          }
        };
        for (let i = 0; i < COUNTING; i++) worker();
      }

      async function submit(e) {
        e.preventDefault();
        const cond = formConditions();
        if (cond) await search(cond, 1, { push: true });
      }

      const fileName = (cond) => `${def.noun}${def.category && cond.category !== 'all' ? `_${categoryLabel(cond.category)}` : ''}_${compact(cond.from)}-${compact(cond.to)}.csv`;

      async function fetchCsv(cond, rows) {
        st.downloading = `${cond.from}/${cond.to}`;
        st.message = '';
        update();
        const encoding = ENCODING_LABELS[st.data?.csv_encoding] || '';
        try {
          await download('GET', `${def.path}.csv${apiQuery(cond)}`, undefined, fileName(cond));
          ctx.flash(`${def.noun}をダウンロードしました（${boundLabel(cond.from)}〜${boundLabel(cond.to)}、${formatNumber(rows)}件${encoding ? `、文字コード：${encoding}` : ''}）。`);
        } catch (err) {
          if (err.code === 'history.too_many_rows') {
            st.refused = { count: err.details?.[0]?.count ?? null };
            if (same(cond, st.cond)) countParts(cond, seq);
          } else st.message = err.message;
        }
        st.downloading = '';
        update();
        if (st.refused || st.message) document.querySelector('#history-refusal, #history-message')?.focus();
      }

      // 《ダウンロード》 takes the form's conditions; when they are not the ones shown, they are
      // searched first, so that the page shows what the file holds (or why it cannot be made).
      async function downloadClick() {
        ctx.flash('');
        const cond = formConditions();
        if (!cond) return;
        if (!same(cond, st.cond) || !st.data) {
          if (!(await search(cond, 1, { push: true }))) return;
        }
        if (st.data.total > st.data.csv_max_rows) {
          st.refused = { count: st.data.total };
          update();
          document.getElementById('history-refusal')?.focus();
          return;
        }
        await fetchCsv(cond, st.data.total);
      }

      function usePart(p) {
        form.from = sideOf(parseBound(p.from));
        form.to = sideOf(parseBound(p.to, true));
        search({ ...st.cond, from: p.from, to: p.to }, 1, { push: true });
        document.getElementById('f-from')?.focus();
      }

      const s = session();
      const overLimit = () => st.data && st.data.total > st.data.csv_max_rows;
      const formIsShown = () => { const r = checkPeriod(form); return !r.errors && same({ ...r, category: form.category }, st.cond); };
      const downloadBlocked = () => overLimit() && formIsShown();

      function encodingNote() {
        const enc = st.data?.csv_encoding;
        const how = s?.capabilities?.includes('settings')
          ? html`<a href="#/settings">環境設定情報更新</a>の「利用文字コード」で変更できます。`
          : '環境設定情報の「利用文字コード」に従います（変更は管理者に依頼してください）。';
        return html`<div id="history-encoding" class="encoding-note">
          <p>ファイルの文字コード：<strong>${enc ? ENCODING_LABELS[enc] : '環境設定情報の「利用文字コード」'}</strong></p>
          <p class="support">CSV 形式のファイルを保存します。${enc ? how : ''}一度にダウンロードできるのは${formatNumber(st.data?.csv_max_rows ?? 25000)}件までです。</p>
        </div>`;
      }

      // The parts once all are counted, joined into the fewest periods within the limit; those
      // without rows are left out. A part still over the limit is searched, and so cut again.
      function partsTable() {
        const sp = st.split;
        const limit = st.data.csv_max_rows;
        if (!sp) return nothing;
        if (!sp.parts.length) {
          return html`<p>${st.cond.from === st.cond.to
            ? '1分間の件数が上限を超えているため、期間を分けてもダウンロードできません。'
            : '対象期間を短くして、再度照会してください。'}</p>`;
        }
        const counted = sp.parts.filter((p) => p.count !== null || p.failed).length;
        if (counted < sp.parts.length) return html`<p class="counting">期間を分けた件数を数えています…（${counted}／${sp.parts.length}）</p>`;
        if (sp.parts.some((p) => p.failed)) return html`<p>期間ごとの件数を数えられませんでした。対象期間を短くして、再度照会してください。</p>`;
        const all = groupParts(sp.parts, limit);
        const groups = all.filter((g) => g.count > 0);
        return html`<p>次の期間に分けると、それぞれを照会・ダウンロードできます${all.length > groups.length ? '（該当する履歴がない期間は省いています）' : ''}。</p>
          <div class="table-scroll" tabindex="0" role="region" aria-label="期間ごとの件数"><table class="data history-parts">
          <caption class="visually-hidden">期間ごとの件数</caption>
          <thead><tr><th scope="col">対象期間</th><th scope="col">件数</th><th scope="col">操作</th></tr></thead>
          <tbody>${groups.map((p) => {
            const range = `${boundLabel(p.from)}〜${boundLabel(p.to)}`;
            const over = p.count > limit;
            const busy = st.downloading === `${p.from}/${p.to}`;
            return html`<tr data-from=${p.from} data-to=${p.to}>
              <td class="nowrap">${range}</td>
              <td class="num-cell">${over ? html`<strong class="over">${formatNumber(p.count)}件（上限超過）</strong>` : `${formatNumber(p.count)}件`}</td>
              <td><div class="part-actions">
                <button type="button" class="button secondary small" aria-label=${`この期間で照会（${range}）`} @click=${() => usePart(p)}>この期間で照会</button>
                ${over ? html`<span class="support">さらに細かく分けます</span>` : html`<button type="button" class="button primary small" ?disabled=${Boolean(st.downloading)}
                  aria-label=${`ダウンロード（${range}の${formatNumber(p.count)}件）`} @click=${() => fetchCsv({ ...st.cond, from: p.from, to: p.to }, p.count)}>${busy ? 'ダウンロード中…' : 'ダウンロード'}</button>`}
              </div></td></tr>`;
          })}</tbody></table></div>`;
      }

      function refusal() {
        if (!overLimit() && !st.refused) return nothing;
        const count = st.refused?.count ?? st.data.total;
        return html`<div class="warning history-refusal" id="history-refusal" tabindex="-1" role=${st.refused ? 'alert' : nothing}>
          <p><strong>${errorMessage('history.too_many_rows')}</strong></p>
          <p>この条件に該当する履歴は${formatNumber(count)}件です。対象期間を短くして再度照会してください${def.category ? '（照会情報区分で絞り込むこともできます）' : ''}。</p>
          ${st.data ? partsTable() : nothing}
        </div>`;
      }

      function results() {
        if (st.loading && !st.data) return html`<p role="status">照会しています…</p>`;
        const d = st.data;
        if (!d) return nothing;
        const c = st.cond;
        return html`<section class="history-results" aria-labelledby="h-results" aria-busy=${st.loading ? 'true' : 'false'}>
          <h2 id="h-results">照会結果</h2>
          <p class="history-period">対象期間：${boundLabel(c.from)}〜${boundLabel(c.to)}${def.category ? `／${def.category.label}：${categoryLabel(c.category)}` : ''}</p>
          ${resultSummary(d, st.fetchedAt)}
          ${refusal()}
          ${d.items.length ? html`<div class="table-scroll" tabindex="0" role="region" aria-label=${`${def.caption}の一覧`}><table class="data history">
            <caption class="visually-hidden">${def.caption}（新しい順）</caption>
            <thead><tr>${def.columns.map((col) => html`<th scope="col">${col.label}</th>`)}</tr></thead>
            <tbody>${d.items.map((item) => html`<tr>${def.columns.map((col) => html`<td class=${col.code ? 'code' : col.text ? 'text' : nothing}>${col.cell(item)}</td>`)}</tr>`)}</tbody>
          </table></div>
          <p class="support">新しい順に表示しています。ダウンロードしたファイルは古い順です。</p>`
            : html`<p class="empty">対象期間${def.category && c.category !== 'all' ? `・${def.category.label}` : ''}に該当する${def.noun}はありません。対象期間${def.category ? `や${def.category.label}` : ''}を変えて照会してください。</p>`}
          ${pager(d, (p) => search(st.cond, p, { push: true }))}
        </section>`;
      }

      const change = (side) => (patch) => { form[side] = { ...form[side], ...patch }; update(); };
      const errorBox = () => (st.message
        ? html`<div class="error-summary" id="history-message" role="alert" tabindex="-1"><p>${st.message}</p></div>`
        : errorSummary(st.errors, LABELS));

      // First view: the address's conditions (or today until now), unless they do not parse.
      const initial = checkPeriod(form);
      if (initial.errors) st.errors = initial.errors;
      else search({ from: initial.from, to: initial.to, category: form.category }, st.page);

      return {
        view: () => { drawn = true; return html`
          <h1>${def.title}</h1>
          <p>${def.lead}</p>
          ${errorBox()}
          <form class="form history-filters" novalidate @submit=${submit} aria-label="検索条件">
            <dl class="summary institution-code"><dt>医療機関コード</dt><dd>${s?.institution?.institution_code}</dd></dl>
            <p class="support" id=${PERIOD_SUPPORT}>対象期間の日付は西暦で入力し（例：2020/10/10）、時（0〜23）と分（00〜59）を選択してください。（至）の分の終わりまでが対象です。</p>
            <div class="period-pair">
              ${periodField({ id: 'from', label: LABELS.from, side: form.from, error: st.errors.from, onChange: change('from') })}
              <span class="period-sep" aria-hidden="true">〜</span>
              ${periodField({ id: 'to', label: LABELS.to, side: form.to, error: st.errors.to, onChange: change('to') })}
            </div>
            <div class="grid">
              ${def.category ? selectField({ id: 'category', label: def.category.label, value: form.category, error: st.errors.category,
                options: def.category.options, support: '閲覧した情報の種類で絞り込みます。', onInput: (v) => { form.category = v; update(); } }) : nothing}
              ${selectField({ id: 'per_page', label: '表示件数', value: String(form.perPage), support: '照会結果の1ページに表示する件数',
                options: PAGE_SIZES.map((n) => ({ value: String(n), label: `${n}件ずつ` })), onInput: (v) => { form.perPage = Number(v); } })}
            </div>
            <div class="actions">
              <button class="button secondary" ?disabled=${st.loading}>照会</button>
              <button type="button" class="button primary" id="history-download" ?disabled=${downloadBlocked() || Boolean(st.downloading) || st.loading}
                aria-describedby=${downloadBlocked() ? 'history-encoding history-blocked' : 'history-encoding'} @click=${downloadClick}>${st.downloading && st.downloading === (st.cond && `${st.cond.from}/${st.cond.to}`) ? 'ダウンロード中…' : 'ダウンロード'}</button>
            </div>
            ${downloadBlocked() ? html`<p class="field-error" id="history-blocked">${formatNumber(st.data.csv_max_rows)}件を超えるため、この条件ではダウンロードできません。期間を分けてください。</p>` : nothing}
            ${encodingNote()}
          </form>
          ${results()}
          <div class="actions"><a class="button secondary" href="#/menu">メニューへ戻る</a></div>`; },
        dispose() { disposed = true; },
      };
    },
  };
}

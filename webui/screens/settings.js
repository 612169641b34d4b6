// 環境設定情報更新 (manual ch. 3 §1, §3): drawn from the server's catalogue for this kind of
// institution (医科・歯科・訪看 or 薬局), with the manual's required marks, defaults, notes and the
// condition of each dependent item. Turning on 訪問診療等・オンライン診療等 asks for agreement to
// the terms of use; the confirmation lists only what changes; every refusal of a rule is shown
// under its item with the registry's message; a stale version (409) shows the current values.
// An item the institution may not use (医療費助成情報 where the operator has not marked it as a
// PMH participant) is shown disabled with the catalogue's reason.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { live } from '../vendor/lit-html/directives/live.js';
import { api, errorMessage } from '../js/api.js';
import { formatDate, formatDateTime, INSTITUTION_KIND_LABELS } from '../js/format.js';
import { session } from '../js/session.js';
import { confirmDialog } from '../js/widgets/dialog.js';
import { errorSummary } from '../js/widgets/form.js';
import { termsText } from '../js/widgets/terms-text.js';

const required = html`<span class="required">※必須</span>`;

// Label of a value as the screen shows it ('' for the display name left empty).
function shown(item, value) {
  if (!item.choices) return value === '' ? '（未入力）' : value;
  return item.choices.find((c) => c.id === value)?.label ?? value;
}

// Whether a dependent item can be chosen now. It stays open while it holds a value its
// condition forbids, so the person can put it back (the server says why under it).
function selectable(item, draft) {
  if (item.restriction && draft[item.id] === item.restriction.value) return false;
  const c = item.condition;
  if (!c) return true;
  return c.values.includes(draft[c.item]) || draft[item.id] !== c.otherwise;
}

export default {
  title: '環境設定情報更新',
  capability: 'settings',
  create(ctx) {
    const s = session();
    const st = { data: null, draft: {}, loadError: '', errors: {}, message: '', notice: '', busy: false,
      conflict: null, agreeing: false, done: false };

    const items = () => st.data.catalogue;
    const byId = (id) => items().find((i) => i.id === id);
    const labels = () => Object.fromEntries(items().map((i) => [i.id, i.label]));

    // A link from another screen may name the item it is about (?item=consent_drug): that
    // item has focus once the page is drawn.
    let wanted = ctx.query.get('item');
    async function load() {
      try {
        st.data = await api('GET', '/settings');
        st.draft = { ...st.data.values };
        st.agreeing = false;
        st.loadError = '';
      } catch (err) {
        st.loadError = err.message;
      }
      ctx.update();
      if (wanted && st.data) {
        document.getElementById(`f-${wanted}`)?.focus();
        wanted = null;
      }
    }

    // Only what the person changed: { id: [before, after] }.
    function changes() {
      return Object.fromEntries(items().filter((i) => st.draft[i.id] !== st.data.values[i.id])
        .map((i) => [i.id, [st.data.values[i.id], st.draft[i.id]]]));
    }

    const changeTable = (diff, heads = ['変更前', '変更後']) => html`<table class="data compare">
      <thead><tr><th scope="col">項目</th><th scope="col">${heads[0]}</th><th scope="col">${heads[1]}</th></tr></thead>
      <tbody>${Object.entries(diff).map(([id, [b, a]]) => html`<tr><th scope="row">${byId(id).label}</th>
        <td>${shown(byId(id), b)}</td><td><strong>${shown(byId(id), a)}</strong></td></tr>`)}</tbody>
    </table>`;

    // The terms dialog: the text and 同意する / 同意しない. Resolves true when agreed.
    async function askTerms(item) {
      let terms;
      try {
        terms = await api('GET', '/terms');
      } catch (err) {
        st.message = err.message;
        ctx.update();
        return null;
      }
      const agreed = await confirmDialog({
        title: '利用規約同意確認',
        body: html`<p>${item.label}を「利用する」にするには、オンライン資格確認等システム利用規約への同意が必要です。
            内容を確認し、同意する場合は「同意する」を押してください。</p>
          ${termsText(terms)}
          <p>同意すると、「更新」のときに同意が記録され、メニューに「訪問診療等・オンライン診療等」が表示されるようになります。</p>`,
        ok: '同意する',
        cancel: '同意しない',
      });
      return agreed ? terms.version : null;
    }

    async function choose(item, value) {
      const before = st.draft[item.id];
      st.draft[item.id] = value;
      if (st.errors[item.id]) delete st.errors[item.id];
      st.done = false;
      ctx.update();
      if (item.needs_terms && value === 'use' && before !== 'use' && !st.data.terms.agreed && !st.agreeing) {
        const version = await askTerms(item);
        if (version) {
          st.agreeing = version; // the version agreed, recorded with the change
        } else {
          st.draft[item.id] = before; // not agreed: the function stays as it was
          st.notice = `利用規約に同意しなかったため、${item.label}は「${shown(item, before)}」のままです。`;
        }
        ctx.update();
      }
    }

    function focusSummary() {
      document.querySelector('main .error-summary')?.focus();
    }

    async function update(e) {
      e.preventDefault();
      st.message = '';
      st.notice = '';
      st.errors = {};
      st.done = false;
      ctx.flash(''); // an earlier completion message is not this change's
      const diff = changes();
      if (Object.keys(diff).length === 0) st.notice = '変更された項目はありません。内容を変更してから「更新」を押してください。';
      ctx.update();
      if (Object.keys(diff).length === 0) return;
      const turningOn = Object.entries(diff).filter(([id, [, a]]) => byId(id).needs_terms && a === 'use');
      if (turningOn.length && !st.data.terms.agreed && !st.agreeing) {
        // Not agreed yet (or the terms changed since): the agreement comes before the change.
        st.agreeing = await askTerms(byId(turningOn[0][0]));
        if (!st.agreeing) {
          st.notice = '利用規約に同意しなかったため、更新しませんでした。';
          ctx.update();
          return;
        }
      }
      const ok = await confirmDialog({
        title: '環境設定情報更新',
        body: html`<p>環境設定情報の次の項目を変更します。よろしいですか？</p>${changeTable(diff)}
          ${st.agreeing && turningOn.length ? html`<p>オンライン資格確認等システム利用規約（版 ${st.agreeing}）への同意も記録します。</p>` : nothing}
          <p class="warning">システム全体に係る設定です。利用中の一般利用者・医療情報閲覧者は、設定を反映するために再度ログインする必要があります。
            顔認証付きカードリーダーの電源が入っている場合は、電源を入れ直してください。</p>`,
        ok: '更新する',
      });
      if (!ok) return;
      st.busy = true;
      ctx.update();
      const values = Object.fromEntries(Object.entries(diff).map(([id, [, a]]) => [id, a]));
      const body = { values, version: st.data.version };
      if (st.agreeing) body.terms_agreed = true;
      try {
        st.data = await api('PUT', '/settings', body);
        st.draft = { ...st.data.values };
        st.agreeing = false;
        st.conflict = null;
        st.busy = false;
        st.done = true;
        ctx.flash('環境設定情報を更新しました。');
        await ctx.reloadSession(); // the menu follows 訪問診療等・オンライン診療等
        ctx.update();
        document.getElementById('done-heading')?.focus();
      } catch (err) {
        st.busy = false;
        if (err.code === 'settings.version_conflict') {
          await load();
          // What the person chose against what is stored now, for the items they changed.
          st.conflict = Object.fromEntries(Object.keys(values).map((id) => [id, [values[id], st.data.values[id]]]));
          ctx.update();
          document.getElementById('conflict')?.focus();
          return;
        }
        // Every problem under its item: error.details lists them all.
        const known = new Set(items().map((i) => i.id));
        for (const d of err.details || []) if (known.has(d.item) && !st.errors[d.item]) st.errors[d.item] = d.code;
        if (err.code === 'settings.terms_required') {
          // The terms changed since this page was drawn: agree to the current version again.
          st.agreeing = false;
          try {
            const t = await api('GET', '/terms');
            st.data.terms = { version: t.version, agreed: t.agreed };
          } catch { st.data.terms.agreed = false; }
          st.notice = `利用規約が改定されています（版 ${st.data.terms.version}）。「更新」を押すと、改定後の利用規約への同意を確認します。`;
        }
        if (!Object.keys(st.errors).length) st.message = err.message;
        ctx.update();
        focusSummary();
      }
    }

    function field(item) {
      const id = `f-${item.id}`;
      const error = st.errors[item.id];
      const open = selectable(item, st.draft);
      const c = item.condition;
      const r = item.restriction;
      const lines = [];
      if (r) lines.push(html`<p class="support condition blocked" id="${id}-restriction"><strong>選択できません：</strong>${r.text}</p>`);
      if (c) lines.push(html`<p class="support condition ${open ? '' : 'blocked'}" id="${id}-condition">${open ? '' : html`<strong>選択できません：</strong>`}${c.text}</p>`);
      for (const [n, note] of item.notes.entries()) lines.push(html`<p class="support" id="${id}-note${n}">${note}</p>`);
      if (item.choices) lines.push(html`<p class="support" id="${id}-default">初期値：${shown(item, item.default)}</p>`);
      else lines.push(html`<p class="support" id="${id}-default">未入力のときの表示：${s.institution.name}</p>`);
      const described = [r ? `${id}-restriction` : '', c ? `${id}-condition` : '', ...item.notes.map((_, n) => `${id}-note${n}`),
        `${id}-default`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
      const control = item.choices
        ? html`<select id=${id} name=${item.id} ?disabled=${!open || st.busy} ?required=${item.required}
            aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described || nothing}
            @change=${(e) => choose(item, e.target.value)}>
            ${item.choices.map((o) => html`<option value=${o.id} .selected=${live(o.id === st.draft[item.id])}>${o.label}</option>`)}
          </select>`
        : html`<input id=${id} name=${item.id} type="text" .value=${live(st.draft[item.id] ?? '')}
            maxlength=${item.max_length || nothing} autocomplete="off" ?disabled=${st.busy}
            aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described || nothing}
            @input=${(e) => { st.draft[item.id] = e.target.value; st.done = false; }}>`;
      const changed = st.draft[item.id] !== st.data.values[item.id];
      return html`<div class="field ${error ? 'has-error' : ''} ${open ? '' : 'is-disabled'}">
        <label for=${id}>${item.label}${item.required ? required : nothing}${changed ? html`<span class="badge">変更あり</span>` : nothing}</label>
        ${lines}
        ${control}
        ${error ? html`<p class="field-error" id="${id}-error">${errorMessage(error)}</p>` : nothing}
      </div>`;
    }

    function sectionsView() {
      return st.data.sections.map((sec, n) => html`<section class="settings-section" aria-labelledby="sec-${n}">
        <h2 id="sec-${n}">${sec.label}</h2>
        ${sec.notes.length ? html`<div class="notice">${sec.notes.map((t) => html`<p>${t}</p>`)}</div>` : nothing}
        <div class="settings-fields">${items().filter((i) => i.section === sec.label).map(field)}</div>
      </section>`);
    }

    function conflictView() {
      if (!st.conflict) return nothing;
      return html`<div class="warning" id="conflict" role="alert" tabindex="-1">
        <h2>他の管理者が環境設定情報を更新しました</h2>
        <p>更新している間に${st.data.updated_by ? `、${st.data.updated_by} が` : '、他の管理者が'}${st.data.updated_at ? `${formatDateTime(st.data.updated_at)} に` : ''}変更したため、更新しませんでした。
          画面には現在の値を表示しています。必要であれば、もう一度選択して「更新」を押してください。</p>
        ${changeTable(st.conflict, ['あなたが選んだ値', '現在の値'])}
      </div>`;
    }

    function relatedView() {
      const rows = st.data.related_institutions;
      return html`<section aria-labelledby="related-heading">
        <h2 id="related-heading">関連医療機関情報</h2>
        <p class="support">事業承継や医科歯科併用などにより、内部医療機関コードで紐づく医療機関です（変更はできません）。</p>
        ${rows.length === 0 ? html`<p class="empty">関連医療機関はありません。</p>` : html`<div class="table-scroll" role="region" aria-label="関連医療機関情報の一覧" tabindex="0">
          <table class="data related">
            <thead><tr><th scope="col">医療機関コード</th><th scope="col">医療機関名</th><th scope="col">新設年月日</th><th scope="col">廃止年月日</th></tr></thead>
            <tbody>${rows.map((r) => html`<tr><td>${r.institution_code}</td><td>${r.name}</td>
              <td>${r.established_on ? formatDate(r.established_on) : 'なし'}</td><td>${r.abolished_on ? formatDate(r.abolished_on) : 'なし'}</td></tr>`)}</tbody>
          </table></div>`}
      </section>`;
    }

    async function showTerms() {
      try {
        const terms = await api('GET', '/terms');
        await confirmDialog({ title: 'オンライン資格確認等システム利用規約', body: html`${termsText(terms)}
          <p>${terms.agreed ? 'この医療機関等は、この版の利用規約に同意しています。' : 'この版の利用規約にはまだ同意していません。訪問診療等機能・オンライン診療等機能を「利用する」にするときに同意します。'}</p>`,
          ok: '閉じる', cancel: null });
      } catch (err) {
        st.message = err.message;
        ctx.update();
      }
    }

    function formView() {
      const d = st.data;
      return html`
        ${conflictView()}
        ${st.message ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.message}</p></div>` : errorSummary(st.errors, labels())}
        ${st.notice ? html`<p class="notice" role="status">${st.notice}</p>` : nothing}
        ${st.done ? html`<div class="done notice" role="status"><h2 id="done-heading" tabindex="-1">環境設定情報を更新しました</h2>
          <p>設定した内容を反映するために、システムからログアウトし、ログインし直してください。</p></div>` : nothing}
        <dl class="summary">
          <dt>医療機関コード</dt><dd>${s.institution.institution_code}</dd>
          <dt>医療機関名</dt><dd>${s.institution.name}${INSTITUTION_KIND_LABELS[s.institution.kind] ? `（${INSTITUTION_KIND_LABELS[s.institution.kind]}）` : ''}</dd>
          <dt>最終更新</dt><dd>${d.updated_at ? `${formatDateTime(d.updated_at)}（${d.updated_by}）` : 'まだ変更されていません（初期値のままです）'}</dd>
          <dt>利用規約</dt><dd>版 ${d.terms.version}：${d.terms.agreed ? '同意済み' : '未同意'}
            <button type="button" class="button secondary small" @click=${showTerms}>表示する</button>
            <a href="#/terms">利用規約の画面を開く</a></dd>
        </dl>
        <p class="support">※医療機関内の共通情報です。${required} の項目は必須です。システム全体に係る設定のため、一般利用者・医療情報閲覧者が利用していないときに変更してください。</p>
        <form class="form" novalidate @submit=${update} aria-label="環境設定情報">
          ${sectionsView()}
          <div class="actions">
            <button class="button primary" ?disabled=${st.busy}>更新</button>
            <a class="button secondary" href="#/menu">メニューへ戻る</a>
          </div>
        </form>
        ${relatedView()}`;
    }

    load();
    return {
      view: () => html`
        <h1>環境設定情報更新</h1>
        ${st.loadError ? html`<p class="warning" role="alert">${st.loadError}</p>`
          : !st.data ? html`<p role="status">読み込んでいます…</p>` : formView()}`,
    };
  },
};

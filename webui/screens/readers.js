// 顔認証付きカードリーダー操作 (manual ch. 1 §2 ⑨): the institution's readers with their state
// and the last card they read, live from the event stream (a card put in shows at once, from
// whichever onshid bridges the readers); a banner while the PC/SC service is down. Per reader:
// 運転モード 無人運転 / 暗証番号認証固定, 目視確認モード with the time left before the server
// switches it off, and the 顔認証付きカードリーダー用 account it checks qualifications as.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { live } from '../vendor/lit-html/directives/live.js';
import { api, errorMessage, query } from '../js/api.js';
import { formatDateTimeSeconds, formatDateTime } from '../js/format.js';
import { listen } from '../js/events.js';
import { confirmDialog } from '../js/widgets/dialog.js';
import { MODE_HELP, MODE_LABELS, STATE_LABELS, resultText, timeLeft } from '../js/reader-labels.js';

const POLL_MS = 60000;

export default {
  title: '顔認証付きカードリーダー操作',
  capability: 'readers',
  unavailable: (s) => (s.account.role === 'admin' ? 'reader.none' : null),
  create(ctx) {
    const st = { data: null, accounts: [], error: '', live: 'down', drafts: {}, errors: {}, busy: '', asOf: null };
    let disposed = false;
    let drawn = false;
    let pollTimer = 0;
    let tick = 0;
    const update = () => { if (drawn && !disposed) ctx.update(); };

    // The countdown of 目視確認モード: redrawn every second while a reader is in it; once it
    // has run out the server has switched it off, so read the list again.
    function countdown() {
      clearInterval(tick);
      tick = 0;
      if (!st.data?.items.some((r) => r.visual_confirmation_until)) return;
      tick = setInterval(() => {
        if (st.data.items.some((r) => r.visual_confirmation_until && !timeLeft(r.visual_confirmation_until))) load();
        else update();
      }, 1000);
    }

    async function load() {
      try {
        const [readers, accounts] = await Promise.all([
          api('GET', '/readers'),
          api('GET', `/accounts${query({ role: 'face_reader', per_page: 100, sort: 'user_id' })}`),
        ]);
        st.data = readers;
        st.accounts = accounts.items;
        st.error = '';
        st.asOf = new Date();
      } catch (err) {
        st.error = err.message;
      }
      countdown();
      update();
    }

    function applyReader(item) {
      if (!st.data) return;
      const i = st.data.items.findIndex((r) => r.name === item.name);
      if (i < 0) st.data.items = [...st.data.items, item].sort((a, b) => (a.name < b.name ? -1 : 1));
      else st.data.items[i] = item;
      st.asOf = new Date();
      countdown();
      update();
    }

    const stop = listen({
      reader: applyReader,
      reader_service(s) {
        if (!st.data) return;
        st.data.service = s;
        if (!s.up) for (const r of st.data.items) r.state = 'unavailable';
        else load(); // the readers' states come back with the service
        update();
      },
      resync: load,
      state(s) {
        st.live = s;
        clearInterval(pollTimer);
        pollTimer = s === 'live' ? 0 : setInterval(load, POLL_MS);
        update();
      },
    });
    load();

    // The form of one reader: its own choices, or the saved values.
    const draftOf = (r) => st.drafts[r.name] || {
      mode: r.mode, visual: r.visual_confirmation, account: r.account_user_id || '', version: r.version,
    };
    const setDraft = (r, patch) => {
      st.drafts[r.name] = { ...draftOf(r), ...patch };
      delete st.errors[r.name];
      update();
    };
    const dirty = (r) => {
      const d = st.drafts[r.name];
      return Boolean(d) && (d.mode !== r.mode || d.visual !== r.visual_confirmation || d.account !== (r.account_user_id || ''));
    };
    const accountLabel = (id) => {
      if (!id) return '設定しない（資格確認しない）';
      const a = st.accounts.find((x) => x.user_id === id);
      return a ? `${a.user_id}（${a.name}）` : id;
    };

    async function save(r, e) {
      e.preventDefault();
      ctx.flash('');
      const d = draftOf(r);
      const lines = [];
      if (d.mode !== r.mode) lines.push(html`<li>運転モード：${MODE_LABELS[r.mode]} → <strong>${MODE_LABELS[d.mode]}</strong></li>`);
      if (d.visual !== r.visual_confirmation) {
        lines.push(html`<li>目視確認モード：${d.visual ? html`<strong>開始する</strong>（次のカードを読み取るか、時間が経つと自動的に解除されます）` : html`<strong>解除する</strong>`}</li>`);
      }
      if (d.account !== (r.account_user_id || '')) lines.push(html`<li>資格確認に使うアカウント：${accountLabel(r.account_user_id)} → <strong>${accountLabel(d.account)}</strong></li>`);
      if (lines.length === 0) {
        st.errors[r.name] = '変更された項目がありません。';
        update();
        return;
      }
      const ok = await confirmDialog({
        title: '顔認証付きカードリーダー操作',
        body: html`<p>カードリーダー「${r.name}」の設定を次のとおり変更します。</p><ul>${lines}</ul>
          <p>変更はすぐにカードリーダーに反映されます。よろしいですか？</p>`,
        ok: '変更する',
      });
      if (!ok) return;
      st.busy = r.name;
      update();
      try {
        const res = await api('PUT', `/readers/${encodeURIComponent(r.name)}`, {
          mode: d.mode, visual_confirmation: d.visual, account_user_id: d.account || null, version: d.version,
        });
        delete st.drafts[r.name];
        st.data = res;
        st.asOf = new Date();
        countdown();
        ctx.flash(`カードリーダー「${r.name}」の設定を変更しました。`);
      } catch (err) {
        if (err.code === 'reader.version_conflict') {
          delete st.drafts[r.name];
          st.errors[r.name] = `${err.message}（カードの読み取りなどで設定が変わりました。現在の設定を表示しています。）`;
          await load();
        } else {
          st.errors[r.name] = err.message;
        }
      }
      st.busy = '';
      update();
    }

    function visualNote(r) {
      if (!r.visual_confirmation) return nothing;
      const left = r.visual_confirmation_until ? timeLeft(r.visual_confirmation_until) : '';
      return html`<p class="notice visual-left" data-until=${r.visual_confirmation_until || ''}>
        目視確認モードです。${left ? html`あと <strong class="num">${left}</strong>（${formatDateTime(r.visual_confirmation_until)}）で自動的に解除されます。` : '間もなく解除されます。'}
        次のカードを読み取ったときにも解除されます。</p>`;
    }

    function readerCard(r, n) {
      const d = draftOf(r);
      const id = `reader-${n}`;
      const err = st.errors[r.name];
      const usable = st.accounts.filter((a) => a.enabled || a.user_id === d.account);
      return html`<section class="reader-card" aria-labelledby="${id}-h" data-reader=${r.name} data-state=${r.state}>
        <h2 id="${id}-h">${r.name}</h2>
        <dl class="summary reader-state">
          <dt>状態</dt><dd><span class="state state-${r.state}">${STATE_LABELS[r.state] || r.state}</span>
            ${r.last_event_at ? html`<span class="support nowrap">（${formatDateTimeSeconds(r.last_event_at)} から）</span>` : nothing}</dd>
          <dt>最後の読み取り</dt><dd class="last-result">${r.last_result?.read_at ? html`<span class="nowrap">${formatDateTimeSeconds(r.last_result.read_at)}</span><br>` : nothing}${resultText(r.last_result)}
            ${r.last_result?.serial_number ? html`<br><span class="support">カードのシリアル番号：<span class="num">${r.last_result.serial_number}</span></span>` : nothing}</dd>
          <dt>運転モード</dt><dd>${MODE_LABELS[r.mode]}${r.visual_confirmation ? '（目視確認モード）' : ''}</dd>
          <dt>資格確認に使うアカウント</dt><dd>${accountLabel(r.account_user_id)}</dd>
        </dl>
        ${visualNote(r)}
        <h3 id="${id}-form">設定の変更</h3>
        <form class="form reader-form" novalidate @submit=${(e) => save(r, e)} aria-labelledby="${id}-form">
          ${err ? html`<div class="error-summary" role="alert"><p>${err}</p></div>` : nothing}
          <fieldset>
            <legend>運転モード</legend>
            ${Object.entries(MODE_LABELS).map(([m, label]) => html`<div class="choice">
              <label class="checkbox"><input type="radio" name="${id}-mode" value=${m} .checked=${live(d.mode === m)}
                aria-describedby="${id}-${m}-help" @change=${() => setDraft(r, { mode: m })}>${label}</label>
              <p class="support" id="${id}-${m}-help">${MODE_HELP[m]}</p></div>`)}
          </fieldset>
          <div class="field">
            <label class="checkbox"><input type="checkbox" .checked=${live(d.visual)} aria-describedby="${id}-visual-help"
              @change=${(e) => setDraft(r, { visual: e.target.checked })}>目視確認モードにする</label>
            <p class="support" id="${id}-visual-help">顔認証で照合エラーとなる患者を、職員が目視で本人確認します。次のカードを読み取るか、一定時間が経つと自動的に無人運転の設定に戻ります。</p>
          </div>
          <div class="field">
            <label for="${id}-account">資格確認に使うアカウント</label>
            <p class="support" id="${id}-account-help">このカードリーダーで読み取ったマイナンバーカードを、どの「顔認証付きカードリーダー用」アカウントで資格確認するかを選びます。${st.accounts.length === 0 ? html` <a href="#/accounts/new">顔認証付きカードリーダー用アカウントを登録する</a>` : nothing}</p>
            <select id="${id}-account" aria-describedby="${id}-account-help" @change=${(e) => setDraft(r, { account: e.target.value })}>
              <option value="" .selected=${live(d.account === '')}>設定しない（資格確認しない）</option>
              ${usable.map((a) => html`<option value=${a.user_id} .selected=${live(d.account === a.user_id)}>${a.user_id}（${a.name}）${a.enabled ? '' : '［利用停止中］'}</option>`)}
            </select>
          </div>
          <div class="actions">
            <button class="button primary" ?disabled=${st.busy === r.name}>設定を変更する</button>
            ${dirty(r) ? html`<button type="button" class="button secondary" @click=${() => { delete st.drafts[r.name]; update(); }}>元に戻す</button>` : nothing}
          </div>
        </form>
      </section>`;
    }

    function banner() {
      const s = st.data.service;
      if (s.up) return nothing;
      return html`<div class="warning service-down" role="alert">
        <h2>カードリーダーのサービス（PC/SC）が停止しています</h2>
        <p>カードリーダーを制御するサービスと通信できないため、カードを読み取れません。カードリーダーのパソコンの電源とケーブル、サービスの状態を確認してください。復旧すると、この画面は自動的に更新されます。</p>
        ${s.seen_at ? html`<p class="support">最後にサービスから応答があった日時：${formatDateTimeSeconds(s.seen_at)}</p>` : nothing}
      </div>`;
    }

    function liveNote() {
      const asOf = st.asOf ? html`<span class="as-of">${formatDateTimeSeconds(st.asOf.toISOString())} 時点</span>` : nothing;
      return st.live === 'live'
        ? html`<p class="live-note notice" data-live="live"><span role="status">カードリーダーの状態は自動的に最新の状態に更新されます。</span>${asOf}</p>`
        : html`<p class="live-note warning" data-live="down"><span role="status">自動更新の接続が切れているため、1分ごとに更新しています。最新の状態は「更新」を押してください。</span>${asOf}</p>`;
    }

    function body() {
      if (st.error && !st.data) return html`<p class="warning" role="alert">${st.error}</p>`;
      if (!st.data) return html`<p role="status">読み込んでいます…</p>`;
      const items = st.data.items;
      return html`
        ${banner()}
        ${liveNote()}
        ${st.error ? html`<div class="error-summary" role="alert"><p>${st.error}</p></div>` : nothing}
        <div class="actions"><button type="button" class="button secondary" id="refresh" @click=${load}>更新</button>
          <a class="button secondary" href="#/readers/display">顔認証付きカードリーダー環境設定</a></div>
        ${items.length === 0
          ? html`<p class="empty">${errorMessage('reader.none')}</p>`
          : html`<div class="reader-list">${items.map(readerCard)}</div>`}`;
    }

    return {
      view: () => { drawn = true; return html`
        <h1>顔認証付きカードリーダー操作</h1>
        <p>この医療機関等の顔認証付きカードリーダーの状態と、最後に読み取ったカードの結果を表示します。運転モードを「無人運転」か「暗証番号認証固定」に切り替え、顔認証で照合エラーとなる場合は目視確認モードに切り替えます。</p>
        ${body()}
        <p><a href="#/menu">メニューへ戻る</a></p>`; },
      dispose() {
        disposed = true;
        stop();
        clearInterval(pollTimer);
        clearInterval(tick);
      },
    };
  },
};

// 顔認証付きカードリーダー環境設定 (manual ch. 1 §2 ⑨): which service screens the readers show
// during a qualification check (the consent screens, the prescription-form choice). A screen the
// environment settings do not allow cannot be shown: it is disabled, says which setting allows
// it and links to that item of 環境設定情報更新. Labels and rules come from the server. A reader
// asks the patient only the screens shown (the bridge lists them as the card's questions).
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { live } from '../vendor/lit-html/directives/live.js';
import { api } from '../js/api.js';
import { formatDateTime } from '../js/format.js';
import { confirmDialog } from '../js/widgets/dialog.js';

const SHOWN = (on) => (on ? '表示する' : '表示しない');

export default {
  title: '顔認証付きカードリーダー環境設定',
  capability: 'readers',
  unavailable: (s) => (s.account.role === 'admin' ? 'reader.none' : null),
  create(ctx) {
    const st = { data: null, draft: {}, loadError: '', error: '', busy: false, conflict: false };

    async function load() {
      try {
        st.data = await api('GET', '/readers/display-settings');
        st.draft = Object.fromEntries(st.data.screens.map((s) => [s.id, s.shown]));
        st.loadError = '';
      } catch (err) {
        st.loadError = err.message;
      }
      ctx.update();
    }
    load();

    const changed = () => st.data.screens.filter((s) => s.allowed && st.draft[s.id] !== s.shown);

    async function save(e) {
      e.preventDefault();
      ctx.flash('');
      st.error = '';
      st.conflict = false;
      const list = changed();
      if (list.length === 0) {
        st.error = '変更された項目がありません。';
        ctx.update();
        return;
      }
      const ok = await confirmDialog({
        title: '顔認証付きカードリーダー環境設定',
        body: html`<p>資格確認のときにカードリーダーに表示する画面を、次のとおり変更します。</p>
          <ul>${list.map((s) => html`<li>${s.label}：${SHOWN(s.shown)} → <strong>${SHOWN(st.draft[s.id])}</strong></li>`)}</ul>
          <p>この医療機関等のすべての顔認証付きカードリーダーに、次の資格確認から反映されます。よろしいですか？</p>`,
        ok: '更新する',
      });
      if (!ok) return;
      st.busy = true;
      ctx.update();
      try {
        st.data = await api('PUT', '/readers/display-settings', {
          screens: Object.fromEntries(list.map((s) => [s.id, st.draft[s.id]])), version: st.data.version,
        });
        st.draft = Object.fromEntries(st.data.screens.map((s) => [s.id, s.shown]));
        ctx.flash('顔認証付きカードリーダー環境設定を更新しました。');
      } catch (err) {
        st.error = err.message;
        if (err.code === 'reader.version_conflict' || err.code === 'reader.screen_not_allowed') {
          st.conflict = true; // the settings or another admin changed it: show what is in force
          await load();
        }
      }
      st.busy = false;
      ctx.update();
      if (st.error) document.querySelector('main .error-summary')?.focus();
    }

    function row(s) {
      const id = `screen-${s.id}`;
      const why = `${id}-why`;
      const settingLink = html`<a href=${`#/settings?item=${encodeURIComponent(s.setting.id)}`}>環境設定情報更新の「${s.setting.label}」</a>`;
      return html`<tr data-screen=${s.id} class=${s.allowed ? '' : 'is-disabled'}>
        <th scope="row" id="${id}-label">${s.label}</th>
        <td>${s.allowed
          ? html`<div class="choice-row" role="radiogroup" aria-labelledby="${id}-label">
              ${[true, false].map((on) => html`<label class="checkbox"><input type="radio" id="${id}-${on}" name=${id}
                  .checked=${live(st.draft[s.id] === on)} ?disabled=${st.busy}
                  @change=${() => { st.draft[s.id] = on; st.error = ''; ctx.update(); }}>${SHOWN(on)}</label>`)}
              ${st.draft[s.id] !== s.shown ? html`<span class="badge">変更あり</span>` : nothing}
            </div>`
          : html`<p class="support" id=${why}><strong>表示できません：</strong>環境設定情報の「${s.setting.section}」で${s.requirement}
              ${settingLink}</p>`}</td>
      </tr>`;
    }

    function form() {
      const d = st.data;
      return html`
        ${st.error ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.error}</p>
          ${st.conflict ? html`<p>画面には現在の設定を表示しています。必要であれば、もう一度選択して「更新」を押してください。</p>` : nothing}</div>` : nothing}
        <dl class="summary"><dt>最終更新</dt><dd>${d.updated_at ? `${formatDateTime(d.updated_at)}（${d.updated_by}）` : 'まだ変更されていません（利用できる画面はすべて表示します）'}</dd></dl>
        <form class="form" novalidate @submit=${save} aria-label="顔認証付きカードリーダー環境設定">
          <table class="data reader-screens">
            <caption>資格確認のときにカードリーダーに表示する画面</caption>
            <thead><tr><th scope="col">画面</th><th scope="col">表示有無</th></tr></thead>
            <tbody>${d.screens.map(row)}</tbody>
          </table>
          <div class="actions">
            <button class="button primary" ?disabled=${st.busy}>更新</button>
            <a class="button secondary" href="#/readers">顔認証付きカードリーダー操作</a>
          </div>
        </form>`;
    }

    return {
      view: () => html`
        <h1>顔認証付きカードリーダー環境設定</h1>
        <p>資格確認のときに、顔認証付きカードリーダーに各サービスの画面（閲覧への同意、処方箋の発行形態の選択）を表示するかどうかを設定します。
          表示しない画面は患者に質問されないため、その項目の同意や選択は記録されません。</p>
        ${st.loadError ? html`<p class="warning" role="alert">${st.loadError}</p>`
          : !st.data ? html`<p role="status">読み込んでいます…</p>` : form()}
        <p><a href="#/menu">メニューへ戻る</a></p>`,
    };
  },
};

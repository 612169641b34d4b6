// 医療機関別URL取得・変更 (manual ch. 5): for 訪問診療等 and オンライン診療等 the URL patients use
// to reach マイナ在宅受付Web, the name they see there, its 二次元バーコード (PNG, PDF), and the
// manual's three changes: URLを変更する, URLを変更前に戻す, 最初のURLに戻す. Each change is asked
// for twice as the manual does it (the □ brings up the 注意喚起メッセージ, the button the
// confirmation naming the URL that stops working and the one that takes its place) and ends with
// a completion message and the new URL and code. Everything comes from GET /visit-urls; the QR
// image is the API's URL (the CSP forbids blob: images).
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { live } from '../vendor/lit-html/directives/live.js';
import { api, download, errorMessage } from '../js/api.js';
import { session } from '../js/session.js';
import { confirmDialog } from '../js/widgets/dialog.js';

const SETTING_LABELS = { home_visit: '訪問診療等機能', online_care: 'オンライン診療等機能' };
const DISPLAY_NAME_LABEL = '訪問診療等・オンライン診療等の医療機関名称等情報';
const STOPS = '現在のURLは使用できなくなります。';

// The manual's three operations: the label of the □ and the button, the API's verb, and what
// the URL becomes.
export const OPERATIONS = [
  { id: 'change', label: 'URLを変更する', done: '変更しました', after: '変更後のURL' },
  { id: 'revert', label: 'URLを変更前に戻す', done: '変更前のURLに戻しました', after: '変更前のURL' },
  { id: 'reset', label: '最初のURLに戻す', done: '最初のURLに戻しました', after: '最初のURL' },
];

// Why an operation cannot apply to this URL now (a registry code), or null.
export function refusal(op, item) {
  if (op === 'revert' && !item.can_revert) return 'visit_url.no_previous';
  if (op === 'reset' && item.is_initial) return 'visit_url.already_initial';
  return null;
}

// The URL an operation brings: null for 変更する (a new one, not known before).
export function urlAfter(op, item) {
  if (op === 'revert') return item.previous_url;
  if (op === 'reset') return item.initial_url;
  return null;
}

const qrSrc = (item) => `/api/v1/visit-urls/${item.kind}/qr.png?generation=${item.generation}`;

export default {
  title: '医療機関別URL取得・変更',
  capability: 'visit',
  // Why an administrator lacks the capability: both functions are off in the settings.
  unavailable: (s) => (s.account.role === 'admin' && !s.account.password_change_required ? 'visit_url.functions_off' : null),
  create(ctx) {
    const s = session();
    const st = {
      items: null, loadError: '', busy: false,
      checked: {}, // `${kind}-${op}` → true while its □ is ticked
      copied: {}, // kind → the copy's status message
      errors: {}, // kind → a refusal of the last operation
      qrBroken: {}, // kind → the image did not load
    };

    async function load() {
      try {
        st.items = (await api('GET', '/visit-urls')).items;
        st.loadError = '';
      } catch (err) {
        st.loadError = err.message;
      }
      ctx.update();
    }
    load();

    const clearMessages = () => {
      ctx.flash(''); // the last completion is not this action's
      st.errors = {};
      st.copied = {};
    };

    async function copy(item) {
      clearMessages();
      try {
        await navigator.clipboard.writeText(item.url);
        st.copied[item.kind] = `${item.label}の医療機関別URLをコピーしました。メモ帳などのアプリケーションに貼り付けられます。`;
      } catch {
        st.copied[item.kind] = 'URLをコピーできませんでした。表示されているURLを選択してコピーしてください。';
      }
      ctx.update();
    }

    // 《PNG形式でダウンロード》《PDF形式でダウンロード》: the manual's confirmation, then its completion.
    async function save(item, format) {
      clearMessages();
      ctx.update();
      const name = `医療機関別URL_${item.label}_${s.institution.institution_code}.${format.toLowerCase()}`;
      const ok = await confirmDialog({
        title: `${format}形式でダウンロード`,
        body: html`<p>${item.label}の二次元バーコードを${format}形式でダウンロードします。よろしいですか？</p>
          <p class="support">${format === 'PDF' ? 'A4の用紙に、二次元バーコード、URL、医療機関名が印刷できます。' : '二次元バーコードの画像です。'}現在のURL（${item.url}）の二次元バーコードです。</p>`,
        ok: 'ダウンロードする',
      });
      if (!ok) return;
      try {
        await download('GET', `/visit-urls/${item.kind}/qr.${format.toLowerCase()}`, undefined, name);
        ctx.flash(`${item.label}の二次元バーコードを${format}形式でダウンロードしました（${name}）。ダウンロードフォルダを確認してください。`);
      } catch (err) {
        st.errors[item.kind] = err.message;
        ctx.update();
      }
    }

    // The □: the manual's 注意喚起メッセージ; only OK leaves it ticked.
    async function tick(item, op, e) {
      const key = `${item.kind}-${op.id}`;
      const box = e.target;
      clearMessages();
      if (!box.checked) { st.checked[key] = false; ctx.update(); return; }
      const ok = await confirmDialog({
        title: `注意：${op.label}`,
        body: html`<p><strong>${STOPS}</strong></p>
          <p>${item.label}の現在のURL及び二次元バーコードから、患者は閲覧同意情報を登録できなくなります。続ける場合は、《${op.label}》をクリックしてください。</p>`,
        ok: 'OK',
      });
      st.checked[key] = ok;
      box.checked = ok;
      ctx.update();
    }

    // The button: the confirmation says which URL stops working and which takes its place.
    async function operate(item, op) {
      clearMessages();
      ctx.update();
      const next = urlAfter(op.id, item);
      const ok = await confirmDialog({
        title: `${item.label}：${op.label}`,
        body: html`<p>${item.label}の医療機関別URLを${{ change: '新しいURLに変更します', revert: '変更前のURLに戻します', reset: '最初のURLに戻します' }[op.id]}。</p>
          <dl class="summary visit-confirm">
            <dt>現在のURL</dt><dd><code class="visit-url">${item.url}</code><br><strong>使用できなくなります</strong></dd>
            <dt>${op.after}</dt><dd>${next ? html`<code class="visit-url">${next}</code>` : '新しいURLが発行されます'}</dd>
          </dl>
          <div class="warning"><p>印刷して掲示・配布した二次元バーコードや、患者にお知らせしたURL（メール、ホームページなど）からは、すぐに閲覧同意情報を登録できなくなります。${op.after}と二次元バーコードを、改めて患者にお知らせしてください。</p></div>
          <p>${{ change: '変更した後、《URLを変更前に戻す》で現在のURLに戻すことができます。',
            revert: '現在のURLには、戻した後に再び戻すことはできません。',
            reset: '現在のURL及びこれまでに変更したURLには、戻すことはできなくなります。' }[op.id]}</p>
          <p>よろしいですか？</p>`,
        ok: op.label, danger: true,
      });
      if (!ok) return;
      st.busy = true;
      ctx.update();
      try {
        st.items = (await api('POST', `/visit-urls/${item.kind}/${op.id}`, { confirm: true })).items;
        st.checked = {};
        st.qrBroken = {};
        ctx.flash(`${item.label}の医療機関別URLを${op.done}。表示している${op.after}と二次元バーコードを、患者にお知らせしてください。`);
        st.busy = false;
        ctx.update();
        // The clicked button is disabled now: the new URL has focus (a screen reader reads it).
        document.getElementById(`u-${item.kind}`)?.focus();
      } catch (err) {
        // Another administrator may have changed it meanwhile: say why, show what is current.
        st.errors[item.kind] = err.status === 409
          ? `${err.message}ほかの管理者又はほかの画面でURLが操作されたため、最新の状態を表示しています。`
          : err.message;
        st.checked = {};
        st.busy = false;
        await load();
        document.querySelector(`#visit-${item.kind} .error-summary`)?.focus();
      }
    }

    function operationRow(item, op) {
      const key = `${item.kind}-${op.id}`;
      const why = refusal(op.id, item);
      const checked = !why && !!st.checked[key];
      const next = urlAfter(op.id, item);
      const supportId = `s-${key}`;
      return html`<div class="visit-op ${why ? 'is-disabled' : ''}">
        <label class="checkbox"><input type="checkbox" id=${`c-${key}`} aria-describedby=${supportId}
          ?disabled=${!!why || st.busy} .checked=${live(checked)} @change=${(e) => tick(item, op, e)}>${op.label}</label>
        <button type="button" class="button danger" id=${`b-${key}`} aria-describedby=${supportId}
          ?disabled=${!checked || st.busy} @click=${() => operate(item, op)}>${op.label}</button>
        <p class="support" id=${supportId}>${why
          ? html`<strong>${errorMessage(why)}</strong>${op.id === 'revert' ? 'URLを変更すると、直前のURLに1回だけ戻すことができます。' : 'URLは変更されていません。'}`
          : html`${{ change: '新しいURLを発行します。', revert: html`直前のURL（<code class="visit-url">${next}</code>）に戻します。`,
            reset: html`最初のURL（<code class="visit-url">${next}</code>）に戻します。` }[op.id]}${STOPS}`}</p>
      </div>`;
    }

    function kindSection(item) {
      const settingLink = (id, label) => html`<a href=${`#/settings?item=${id}`}>環境設定情報更新の「${label}」</a>`;
      return html`<section class="visit-kind" id=${`visit-${item.kind}`} aria-labelledby=${`h-${item.kind}`}>
        <h2 id=${`h-${item.kind}`}>${item.label}</h2>
        ${item.active ? nothing : html`<div class="notice visit-off" role="note">
          <p><strong>${SETTING_LABELS[item.kind]}は「利用しない」に設定されています。</strong>このURL及び二次元バーコードから、患者は閲覧同意情報を登録できません（患者には「${errorMessage('visit.unavailable')}」と表示されます）。</p>
          <p>利用するには、${settingLink(item.kind, SETTING_LABELS[item.kind])}を「利用する」にしてください。</p></div>`}
        ${st.errors[item.kind] ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.errors[item.kind]}</p></div>` : nothing}
        <dl class="visit-info">
          <div><dt>医療機関名</dt><dd><span class="visit-name">${item.display_name}</span>
            <p class="support">患者の画面と二次元バーコード（PDF形式）に表示される名称です。${item.display_name_source === 'settings'
              ? html`${settingLink('visit_display_name', DISPLAY_NAME_LABEL)}で設定されています。`
              : html`${settingLink('visit_display_name', DISPLAY_NAME_LABEL)}が未入力のため、医療機関名を表示しています。`}</p></dd></div>
          <div><dt>医療機関別URL</dt><dd>
            <p class="visit-url-line" id=${`u-${item.kind}`} tabindex="-1"><code class="visit-url">${item.url}</code>
              <span class="badge visit-generation">${item.is_initial ? '最初のURL' : '変更したURL'}</span></p>
            <div class="actions tight"><button type="button" class="button secondary small" aria-label=${`${item.label}の医療機関別URLをコピー`}
              @click=${() => copy(item)}>コピー</button>
              <span class="copy-status" role="status">${st.copied[item.kind] || ''}</span></div></dd></div>
          <div><dt>二次元バーコード</dt><dd>
            ${st.qrBroken[item.kind]
              ? html`<p class="field-error">二次元バーコードを表示できませんでした。画面を再読み込みしてください。</p>`
              : html`<img class="visit-qr" src=${qrSrc(item)} width="200" height="200"
                  alt=${`${item.label}の医療機関別URL（${item.url}）の二次元バーコード`}
                  @error=${() => { st.qrBroken[item.kind] = true; ctx.update(); }}>`}
            <div class="actions tight">
              <button type="button" class="button secondary" ?disabled=${st.busy} @click=${() => save(item, 'PNG')}>PNG形式でダウンロード</button>
              <button type="button" class="button secondary" ?disabled=${st.busy} @click=${() => save(item, 'PDF')}>PDF形式でダウンロード</button>
            </div></dd></div>
        </dl>
        <h3>URLの変更</h3>
        <p class="support">行う操作の□にチェックを付け、表示されるメッセージを確認してから、そのボタンをクリックします。URLを変更すると、現在のURL及び二次元バーコードは使用できなくなります。変更した場合は、新しいURL又は二次元バーコードを患者にお知らせしてください。</p>
        <div class="visit-ops">${OPERATIONS.map((op) => operationRow(item, op))}</div>
      </section>`;
    }

    return {
      view: () => html`
        <h1>医療機関別URL取得・変更</h1>
        <p>マイナ在宅受付Webにアクセスするための医療機関別URLや二次元バーコードを取得・変更します。訪問診療等・オンライン診療等では、患者がこのURL又は二次元バーコードからマイナ在宅受付Webにアクセスし、閲覧同意情報を登録します。</p>
        <div class="warning" role="note">
          <p><strong>URL／二次元バーコードの変更について</strong></p>
          <p>URL又は二次元バーコードを変更すると、古いURLや二次元バーコードは利用不可となり、患者は閲覧同意情報を登録することができなくなります。閲覧同意情報を登録する場合は、変更後のURLにて閲覧同意情報を登録する必要があります。URL又は二次元バーコードを変更する場合は、ご注意ください。</p>
        </div>
        <dl class="summary institution-code"><dt>医療機関コード</dt><dd>${s.institution.institution_code}</dd></dl>
        ${st.loadError ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.loadError}</p></div>
            <div class="actions"><button type="button" class="button secondary" @click=${load}>再読み込み</button></div>`
          : !st.items ? html`<p role="status">読み込んでいます…</p>`
          : html`<div class="visit-kinds">${st.items.map(kindSection)}</div>`}
        <div class="actions"><a class="button secondary" href="#/menu">メニューへ戻る</a></div>`,
    };
  },
};

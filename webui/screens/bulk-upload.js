// アカウント一括登録 (manual ch. 2 §4): choose or drop the アカウント一括登録用ファイル, see its
// name, size and encoding, have the server check it (POST /bulk-checks registers nothing) and
// read every problem by row before anything is sent; then 登録 with the manual's confirmation,
// the 受付番号 and 受付日時, and the way to アカウント一括登録結果. bulk.busy says to wait a minute,
// with a button to try again.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { ApiError, download, errorMessage } from '../js/api.js';
import { formatDateTime, formatNumber } from '../js/format.js';
import { session, clearSession } from '../js/session.js';
import { confirmDialog } from '../js/widgets/dialog.js';
import { detectEncoding, fileDrop, formatSize } from '../js/widgets/file-drop.js';
import { pager } from '../js/widgets/table.js';

const MAX_BYTES = 5 * 1024 * 1024;
const PER_PAGE = 50;
const ENCODINGS = { 'utf-8': 'UTF-8', cp932: 'Shift_JIS（CP932）' };

// The file as the part `file` of multipart/form-data, with the CSRF header api.js sends.
async function upload(path, file) {
  const body = new FormData();
  body.append('file', file, file.name);
  const headers = { Accept: 'application/json' };
  const csrf = sessionStorage.getItem('onshi.csrf');
  if (csrf) headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { method: 'POST', headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, { code: 'server.unavailable' });
  }
  let data = null;
  try { data = await res.json(); } catch { /* not JSON: a proxy's page */ }
  if (!res.ok) {
    const err = new ApiError(res.status, data?.error);
    if (res.status === 401 && err.code === 'auth.required') clearSession('expired');
    throw err;
  }
  return data;
}

export default {
  title: 'アカウント一括登録',
  capability: 'bulk',
  create(ctx) {
    const s = session();
    const registers = s.account.role === 'master' ? '管理者' : '一般利用者・医療情報閲覧・WebAPI用・連携アプリケーション用・顔認証付きカードリーダー用';
    const st = { file: null, encoding: '', fileError: '', checking: false, verdict: null, checkError: '',
      page: 1, sending: false, busy: false, sendError: '', done: null };
    let seq = 0;

    async function choose(file) {
      const mine = ++seq;
      Object.assign(st, { file, encoding: '', fileError: '', verdict: null, checkError: '', page: 1, busy: false, sendError: '', done: null });
      if (file.size > MAX_BYTES) {
        st.fileError = errorMessage('bulk.file_too_large');
        ctx.update();
        return;
      }
      st.checking = true;
      ctx.update();
      st.encoding = detectEncoding(new Uint8Array(await file.arrayBuffer()));
      ctx.update();
      try {
        const v = await upload('/bulk-checks', file);
        if (mine !== seq) return;
        st.verdict = v;
      } catch (err) {
        if (mine !== seq) return;
        st.checkError = err.message;
      }
      st.checking = false;
      ctx.update();
      document.getElementById('check-heading')?.focus();
    }

    async function register() {
      const v = st.verdict;
      const ok = await confirmDialog({
        title: 'アカウント一括登録',
        body: html`<p>アカウント一括登録用ファイル「${st.file.name}」（${formatNumber(v.rows)}件）を登録します。よろしいですか？</p>
          ${v.errors > 0 ? html`<p class="warning"><strong>入力チェックエラーが${formatNumber(v.errors)}件あります。</strong>このまま登録すると「登録失敗(入力チェックエラー)」となり、エラーのないデータも登録されません。</p>`
            : v.duplicates > 0 ? html`<p>ID重複の${formatNumber(v.duplicates)}件は登録されず、それ以外の${formatNumber(v.registrable)}件が登録されます。</p>` : nothing}
          <p>登録は受付後に順に処理されます。結果は「アカウント一括登録結果」で確認できます。</p>`,
        ok: '登録する',
      });
      if (!ok) return;
      await send();
    }

    async function send() {
      Object.assign(st, { sending: true, busy: false, sendError: '' });
      ctx.update();
      try {
        const job = await upload('/bulk-jobs', st.file);
        st.sending = false;
        st.done = job;
        ctx.update();
        // The manual's completion message with the 受付番号 and 受付日時, acknowledged with OK.
        await confirmDialog({
          title: 'アカウント一括登録',
          body: html`<p>アカウント一括登録の受付が完了しました。</p>
            <dl class="summary"><dt>受付番号</dt><dd>${job.reception_number}</dd>
            <dt>受付日時</dt><dd>${formatDateTime(job.received_at)}</dd></dl>`,
          cancel: null,
        });
        document.getElementById('done-heading')?.focus();
      } catch (err) {
        st.sending = false;
        st.busy = err.code === 'bulk.busy';
        st.sendError = err.message;
        ctx.update();
        document.getElementById('send-error')?.focus();
      }
    }

    function problemsTable(v) {
      const total = v.problems.length;
      const from = (st.page - 1) * PER_PAGE;
      const shown = v.problems.slice(from, from + PER_PAGE);
      const rowsWith = new Set(v.problems.map((p) => p.row)).size;
      return html`
        <h3>エラー・ID重複のある行</h3>
        <p class="result-summary">${formatNumber(rowsWith)}行に${formatNumber(v.problems_total)}件の問題があります
          ${total > PER_PAGE ? html`（${formatNumber(from + 1)}〜${formatNumber(Math.min(total, from + PER_PAGE))}件目を表示）` : nothing}
          ${v.problems_total > total ? html`<br>問題が多いため、最初の${formatNumber(total)}件のみ表示しています。ファイルを修正して選び直すと、残りも確認できます。` : nothing}</p>
        <table class="data bulk-problems">
          <caption class="visually-hidden">ファイルの問題の一覧（行番号順）</caption>
          <thead><tr><th scope="col">行番号</th><th scope="col">項目</th><th scope="col">種別</th><th scope="col">内容</th></tr></thead>
          <tbody>${shown.map((p) => html`<tr>
            <td class="num-cell">${formatNumber(p.row)}</td><td>${p.column}</td>
            <td>${p.code === 'account.user_id.taken' ? 'ID重複' : '入力チェックエラー'}</td><td>${p.message}</td></tr>`)}</tbody>
        </table>
        ${pager({ total, page: st.page, per_page: PER_PAGE }, (n) => { st.page = n; ctx.update(); document.querySelector('table.bulk-problems')?.scrollIntoView(); })}
        <p class="support">行番号は見出し行を除いたデータの行の番号です（空行は数えません）。</p>`;
    }

    function verdictView() {
      if (st.checking) return html`<p role="status">ファイルを確認しています…</p>`;
      if (st.checkError) return html`<div class="error-summary" role="alert"><p>${st.checkError}</p></div>`;
      const v = st.verdict;
      if (!v) return nothing;
      const structure = v.status === 'failed_structure';
      const sayings = {
        completed: 'すべての行を登録できます。',
        completed_with_duplicates: 'ID重複の行は登録されず、それ以外の行が登録されます。',
        failed_validation: '入力チェックエラーがあるため、このまま登録するとエラーのないデータも登録されません。下の一覧の行を修正して、ファイルを選び直してください。',
        failed_structure: 'ファイルの形式に誤りがあるため登録できません。ファイルを修正して選び直してください。',
      };
      return html`<section class="bulk-check" aria-labelledby="check-heading">
        <h2 id="check-heading" tabindex="-1">ファイルの確認結果</h2>
        <div class=${v.status === 'completed' ? 'notice' : 'warning'} role="status">
          <p>このまま登録した場合の登録状況：<strong>${v.status_label}</strong></p>
          <p>${sayings[v.status]}</p>
          ${structure ? html`<p>理由：${v.failure}${v.failure_row ? `（${formatNumber(v.failure_row)}行目）` : ''}</p>` : nothing}
          <p>まだ登録はしていません。</p>
        </div>
        ${structure ? nothing : html`<dl class="summary bulk-counts">
          <dt>行数</dt><dd>${formatNumber(v.rows)}件</dd>
          <dt>エラー</dt><dd>${formatNumber(v.errors)}件</dd>
          <dt>重複</dt><dd>${formatNumber(v.duplicates)}件</dd>
          <dt>登録可能</dt><dd>${formatNumber(v.registrable)}件</dd>
        </dl>
        ${v.problems.length ? problemsTable(v) : nothing}`}
      </section>`;
    }

    function sendView() {
      const v = st.verdict;
      const can = v && v.status !== 'failed_structure' && v.rows > 0 && !st.sending;
      return html`
        ${st.sendError ? html`<div class="error-summary" role="alert" id="send-error" tabindex="-1">
          <p>${st.sendError}</p>
          ${st.busy ? html`<p>先に受け付けた一括登録（登録待ち・登録中）が終わると登録できます。その状況は<a href="#/bulk/results">アカウント一括登録結果</a>で確認できます。選んだファイルはそのままです。</p>
            <button type="button" class="button primary" @click=${send}>再度登録する</button>` : nothing}
        </div>` : nothing}
        <div class="actions">
          <button type="button" class="button primary" ?disabled=${!can} @click=${register}>${st.sending ? '登録しています…' : '登録'}</button>
          <a class="button secondary" href="#/menu">メニューへ戻る</a>
        </div>
        ${v ? nothing : html`<p class="support">「登録」はファイルを選んで確認した後に押せます。</p>`}`;
    }

    function doneView() {
      const j = st.done;
      const failed = j.status === 'failed_structure';
      return html`<section class="done" aria-labelledby="done-heading">
        <div role="status"><h2 id="done-heading" tabindex="-1">アカウント一括登録の受付が完了しました</h2>
          <dl class="summary"><dt>受付番号</dt><dd>${j.reception_number}</dd>
            <dt>受付日時</dt><dd>${formatDateTime(j.received_at)}</dd>
            <dt>登録状況</dt><dd>${j.status_label}</dd></dl>
          ${failed ? html`<p>理由：${j.failure}</p>` : html`<p>登録の進み具合と結果は「アカウント一括登録結果」で確認できます。</p>`}</div>
        <div class="actions">
          <a class="button primary" href="#/bulk/results">アカウント一括登録結果を表示</a>
          <button type="button" class="button secondary" @click=${() => { seq++; Object.assign(st, { file: null, verdict: null, done: null, encoding: '' }); ctx.update(); document.getElementById('f-file')?.focus(); }}>別のファイルを登録する</button>
        </div>
      </section>`;
    }

    return {
      view: () => html`
        <h1>アカウント一括登録</h1>
        <p>アカウント一括登録用ファイル（CSV）を選ぶと、登録する前に内容を確認します。このアカウントで登録できる権限区分：${registers}</p>
        <p><button type="button" class="button secondary" @click=${() => download('GET', '/bulk-template.csv', undefined, 'アカウント一括登録用ファイル.csv').catch((e) => ctx.flash(e.message))}>ひな形ファイル（CSV）をダウンロード</button></p>
        ${st.done ? doneView() : html`
          ${fileDrop({ id: 'file', label: 'アカウント一括登録用ファイル', accept: '.csv,text/csv', onFile: choose, error: st.fileError, file: st.file,
            support: 'ファイルをここにドラッグ＆ドロップするか、ボタンを押して選んでください。CSV形式、5MB・10,000行まで。文字コードは UTF-8 または Shift_JIS。ファイル名は自由です。' })}
          ${st.file ? html`<dl class="summary file-facts">
            <dt>ファイル名</dt><dd>${st.file.name}</dd>
            <dt>サイズ</dt><dd>${formatSize(st.file.size)}</dd>
            <dt>文字コード</dt><dd>${st.verdict?.encoding ? ENCODINGS[st.verdict.encoding] : st.encoding || '確認しています…'}</dd>
          </dl>` : nothing}
          ${verdictView()}
          ${sendView()}`}`,
    };
  },
};

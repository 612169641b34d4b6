// アカウント一括登録結果 (manual ch. 2 §5–6): the newest three jobs of this account's tier with
// 受付番号, 登録状況, 受付日時, 完了日時, 処理件数 and 結果. Live from the event stream (a job
// run by any onshid), with a progress bar while 登録中; when the stream is down, the manual's
// one-minute refresh and 「更新」, and the page says which is in force and how old the list is.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { api, download } from '../js/api.js';
import { formatDateTime, formatNumber } from '../js/format.js';
import { listen } from '../js/events.js';
import { confirmDialog } from '../js/widgets/dialog.js';

const POLL_MS = 60000;
const RUNNING = ['waiting', 'processing'];

// The manual's table of 登録状況 (§6), with what to do next.
const EXPLAINED = [
  ['登録待ち', '登録処理待ちの状態です。まだ登録されていません。'],
  ['登録中', '登録処理中です。処理件数は確認が済んだ行の数です。'],
  ['登録完了', '登録処理が正常に終了しています。「ダウンロード」で各アカウントの初期パスワードを確認できます。'],
  ['登録完了(一部ID重複あり)', 'IDが重複しているアカウント情報以外は、登録処理が正常に終了しています。重複した行は登録結果のエラー詳細で確認できます。'],
  ['登録失敗(入力チェックエラー)', '入力内容にエラーがあるアカウント情報があります。エラーの無いデータも登録されていません。「ダウンロード」で登録結果を開き、エラー詳細欄の内容を確認・修正して、再度登録してください。エラー詳細欄が「【入力チェックエラーなし:未登録】」の行は問題のないデータです（エラーのある行と一緒にファイルにあったため、登録されていません）。'],
  ['登録失敗(ファイル構造エラー)', '登録処理が失敗しています。ファイルの形式（見出し行、列の数、文字コード、行数など）に誤りがあります。表示された理由を確認し、ファイルを修正して再度登録してください。'],
  ['登録失敗(システムエラー)', 'システムの問題で登録処理が失敗しました。アカウントは登録されていません。時間を置いて再度登録し、解決しない場合はシステム管理者に連絡してください。'],
];

const time = (d) => `${formatDateTime(d.toISOString())}:${String(d.getSeconds()).padStart(2, '0')}`;

export default {
  title: 'アカウント一括登録結果',
  capability: 'bulk',
  create(ctx) {
    const st = { items: null, error: '', loading: false, asOf: null, live: 'down', message: '' };
    let pollTimer = 0;
    let disposed = false;
    let drawn = false; // the router draws after create(): no update before that
    const update = () => { if (drawn && !disposed) ctx.update(); };

    async function load() {
      st.loading = true;
      update();
      try {
        const res = await api('GET', '/bulk-jobs');
        st.items = res.items;
        st.error = '';
        st.asOf = new Date();
      } catch (err) {
        st.error = err.message;
      }
      st.loading = false;
      update();
    }

    function poll(on) {
      clearInterval(pollTimer);
      pollTimer = on ? setInterval(load, POLL_MS) : 0;
    }

    // One job's event: the same object as GET /bulk-jobs/{n}; newest three, newest first.
    function applyJob(job) {
      if (!st.items) return;
      const rest = st.items.filter((j) => j.reception_number !== job.reception_number);
      st.items = [job, ...rest].sort((a, b) => (a.received_at < b.received_at ? 1 : -1)).slice(0, 3);
      st.asOf = new Date();
      update();
    }

    const stop = listen({
      bulk_job: applyJob,
      resync: load,
      state(s) {
        st.live = s;
        poll(s !== 'live');
        update();
      },
    });
    load();

    async function getResult(job) {
      const ok = await confirmDialog({
        title: '登録結果のダウンロード',
        body: html`<p>受付番号 ${job.reception_number} の登録結果をダウンロードします。</p>
          <p class="warning"><strong>登録結果ファイルには、登録したアカウントの初期パスワードが含まれています。</strong>
          共用のパソコンに保存しない、メールで送らないなど取り扱いに注意し、利用者に伝えた後は削除してください。</p>
          <p>よろしいですか？</p>`,
        ok: 'ダウンロードする',
      });
      if (!ok) return;
      try {
        await download('GET', `/bulk-jobs/${encodeURIComponent(job.reception_number)}/result.csv`, undefined,
          `アカウント一括登録結果_${job.reception_number}.csv`);
        ctx.flash(`受付番号 ${job.reception_number} の登録結果をダウンロードしました。`);
      } catch (err) {
        ctx.flash(err.message);
      }
    }

    function statusCell(j) {
      if (j.status === 'processing' && j.rows > 0) {
        const done = j.processed ?? 0;
        return html`${j.status_label}
          <progress class="bulk-progress" max=${j.rows} value=${done} aria-label=${`受付番号 ${j.reception_number} の処理状況`}></progress>
          <span class="progress-text">${formatNumber(done)} / ${formatNumber(j.rows)}件（${Math.floor((done * 100) / j.rows)}%）</span>`;
      }
      return html`${j.status_label}
        ${j.failure ? html`<p class="failure">理由：${j.failure}</p>` : nothing}`;
    }

    function table() {
      if (!st.items) return st.loading ? html`<p role="status">読み込んでいます…</p>` : nothing;
      if (st.items.length === 0) return html`<p class="empty">登録結果はまだありません。<a href="#/bulk">アカウント一括登録</a>から登録できます。</p>`;
      return html`<table class="data bulk-jobs">
        <caption class="visually-hidden">アカウント一括登録結果（新しい順に最大3件）</caption>
        <thead><tr><th scope="col">受付番号</th><th scope="col">登録状況</th><th scope="col">受付日時</th>
          <th scope="col">完了日時</th><th scope="col">処理件数</th><th scope="col">結果</th></tr></thead>
        <tbody>${st.items.map((j) => html`<tr data-reception=${j.reception_number} data-status=${j.status}>
          <td class="nowrap">${j.reception_number}</td>
          <td class="status">${statusCell(j)}</td>
          <td class="nowrap">${formatDateTime(j.received_at)}</td>
          <td class="nowrap">${formatDateTime(j.finished_at)}</td>
          <td class="num-cell">${j.processed === null || j.processed === undefined ? '' : `${formatNumber(j.processed)}件`}</td>
          <td>${j.downloadable ? html`<button type="button" class="button secondary small" @click=${() => getResult(j)}
              aria-label=${`受付番号 ${j.reception_number} の登録結果をダウンロード`}>ダウンロード</button>` : nothing}</td>
        </tr>`)}</tbody>
      </table>`;
    }

    function liveNote() {
      const running = st.items?.some((j) => RUNNING.includes(j.status));
      const asOf = st.asOf ? html`<span class="as-of">${time(st.asOf)} 時点</span>` : nothing;
      if (st.live === 'live') {
        return html`<p class="live-note notice" data-live="live"><span role="status">登録状況は自動的に最新の状態に更新されます${running ? '（処理中の登録があります）' : ''}。</span>${asOf}</p>`;
      }
      return html`<p class="live-note warning" data-live="down"><span role="status">自動更新の接続が切れているため、一覧は1分ごとに更新しています。最新の状況は「更新」を押してください。</span>${asOf}</p>`;
    }

    return {
      view: () => { drawn = true; return html`
        <h1>アカウント一括登録結果</h1>
        <p>新しい登録結果から順に最大3件まで表示します。このアカウントの権限（マスタアカウント／管理者）で登録したものだけが表示されます。</p>
        ${liveNote()}
        ${st.error ? html`<div class="error-summary" role="alert"><p>${st.error}</p></div>` : nothing}
        <div class="actions">
          <button type="button" class="button secondary" id="refresh" ?disabled=${st.loading} @click=${load}>更新</button>
          <a class="button secondary" href="#/bulk">アカウント一括登録</a>
        </div>
        ${table()}
        <h2>登録状況の説明</h2>
        <dl class="bulk-status-help">${EXPLAINED.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>
        <p class="support">「ダウンロード」は、登録状況が「登録完了」「登録完了(一部ID重複あり)」「登録失敗(入力チェックエラー)」の明細のみ表示されます（初期パスワードの有効期限が過ぎると削除されます）。</p>
        <p><a href="#/menu">メニューへ戻る</a></p>`; },
      dispose() {
        disposed = true;
        stop();
        poll(false);
      },
    };
  },
};

// テスト用データセットアップ (manual ch. 3 §2, §3): the connection verification environment only.
// The manual's five operations: ① 紐付登録 (a test card's serial number with a test qualification),
// ② 紐付けテストデータ全件削除, ③ データカテゴリ別テストデータ登録, ④ its 全件削除, ⑤ 閲覧同意情報初期化.
// Each asks for confirmation saying what will happen and ends with a completion message. The
// synthetic persons' numbers are listed with copy buttons, since they are what a tester types in
// 資格確認 next. The types, the categories and the limits come from GET /test-data.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { live } from '../vendor/lit-html/directives/live.js';
import { api } from '../js/api.js';
import { formatDate, formatDateTime, formatNumber } from '../js/format.js';
import { confirmDialog } from '../js/widgets/dialog.js';
import { errorSummary, selectField, textField } from '../js/widgets/form.js';
import { pager } from '../js/widgets/table.js';
import { normaliseSerial } from '../js/validate.js';

const PER_PAGE = 50;
const LINK_LABELS = { serial_number: 'シリアル番号', link_type: 'テスト用資格情報' };
const RECORD_LABELS = { category: 'データカテゴリ', record_type: 'テスト用資格情報' };
const SEX = { 1: '男', 2: '女' };

// The numbers a tester types to check a qualification, in the order of the insurance card.
export function personNumbers(p) {
  const out = [];
  const add = (label, value) => { if (value) out.push({ label, value }); };
  if (p?.insurance) {
    add('保険者番号', p.insurance.insurer_number);
    add('被保険者証記号', p.insurance.insured_card_symbol);
    // 後期高齢者医療 has no 記号: its card says 被保険者番号.
    add(p.category === 'late_elderly' ? '被保険者番号' : '被保険者証番号', p.insurance.insured_number);
    add('枝番', p.insurance.insured_branch_number);
  }
  if (p?.medical_assistance) {
    add('公費負担者番号', p.medical_assistance.public_payer_number);
    add('受給者番号', p.medical_assistance.recipient_number);
  }
  return out;
}

export default {
  title: 'テスト用データセットアップ',
  capability: 'test_data',
  // Why the capability is missing, when the reason is not the role: the production environment.
  unavailable: (s) => (s.institution.environment === 'production' ? 'test_data.unavailable' : null),
  create(ctx) {
    const page = Math.max(1, Number(ctx.query.get('page')) || 1);
    const st = {
      data: null, loadError: '', busy: false,
      link: { serial: '', type: '', registered: false, errors: {}, message: '' },
      record: { category: '', type: '', errors: {}, message: '' },
      links: { message: '' }, records: { message: '' }, consents: { message: '' },
      copied: { links: '', records: '' },
    };

    async function load() {
      try {
        st.data = await api('GET', '/test-data');
        st.loadError = '';
      } catch (err) {
        st.loadError = err.message;
      }
      ctx.update();
    }
    load();

    const typeOf = (id) => st.data.qualification_types.find((t) => t.id === id);
    const categoryOf = (id) => st.data.categories.find((c) => c.id === id);
    const focusIn = (id) => document.querySelector(`#${id} .error-summary`)?.focus();
    const clearMessages = () => {
      ctx.flash(''); // the last completion is not this action's
      for (const k of ['link', 'record', 'links', 'records', 'consents']) st[k].message = '';
      st.link.errors = {};
      st.record.errors = {};
      st.copied = { links: '', records: '' };
    };

    // Runs one change after its confirmation: a refusal goes under its field or to the section
    // (`where`), the completion to the status message. A change of the record list shows page 1,
    // where the newest record is.
    async function change(where, section, confirm, call, done, { fields = {}, firstPage = false } = {}) {
      clearMessages();
      ctx.update();
      if (!(await confirmDialog(confirm))) return;
      st.busy = true;
      ctx.update();
      try {
        const r = await call();
        st.busy = false;
        const message = done(r);
        if (firstPage && page !== 1) {
          ctx.flash(message, { keep: true });
          ctx.navigate('/test-data', {});
          return;
        }
        await load();
        ctx.flash(message);
      } catch (err) {
        st.busy = false;
        const field = fields[err.field];
        if (field) where.errors = { [field]: err.code };
        else where.message = err.message;
        ctx.update();
        focusIn(section);
      }
    }

    // ① テスト用データ紐付登録
    function linkSubmit(e) {
      e.preventDefault();
      clearMessages();
      const l = st.link;
      const serial = normaliseSerial(l.serial);
      if (!l.serial.trim()) l.errors.serial_number = 'request.field_missing';
      else if (!serial) l.errors.serial_number = 'test_data.serial_number_invalid';
      if (!typeOf(l.type)) l.errors.link_type = 'test_data.qualification_type_unknown';
      if (Object.keys(l.errors).length) { ctx.update(); focusIn('card-links'); return; }
      const t = typeOf(l.type);
      const old = st.data.card_links.find((c) => c.serial_number === serial);
      change(l, 'card-links', {
        title: 'テスト用データ紐付登録',
        body: html`<p>シリアル番号 <strong class="num">${serial}</strong> のマイナンバーカードに、テスト用資格情報「${t.label}」を紐付けます。</p>
          <ul>
            <li>${t.description}</li>
            <li>${l.registered ? '保険証登録済みとして紐付けます。顔認証付きカードリーダーでの保険証登録は不要です。'
              : '保険証登録は未登録のまま紐付けます。最初の資格確認のときに、顔認証付きカードリーダーで保険証登録を行ってください。'}</li>
            ${old ? html`<li><strong>このカードには「${old.qualification_type_label}」が紐付いています。新しいテスト用データに置き換わり、以前のテスト用データは使えなくなります。</strong></li>` : nothing}
          </ul>
          <p>よろしいですか？</p>`,
        ok: '紐付登録する',
      }, () => api('POST', '/test-data/card-links', { serial_number: serial, qualification_type: t.id, register_as_insurance_card: l.registered }),
      (r) => {
        l.serial = ''; // the next card is another one; the type often stays
        l.registered = false;
        return `シリアル番号 ${r.card_link.serial_number} のマイナンバーカードに「${r.card_link.qualification_type_label}」を紐付けました${r.replaced ? '（以前の紐付けは置き換えました）' : ''}。`;
      },
      { fields: { serial_number: 'serial_number', qualification_type: 'link_type' } });
    }

    // ② 紐付けテストデータ削除
    function deleteLinks() {
      const n = st.data.card_links.length;
      change(st.links, 'card-links', {
        title: '紐付けテストデータ削除',
        body: html`<p>マイナンバーカードに紐付けたテスト用データを<strong>すべて（${formatNumber(n)}件）</strong>削除します。</p>
          <p class="warning">削除したテスト用データは元に戻せません。紐付けたカードで資格確認を行うと、テスト用資格情報は見つからなくなります。カードの閲覧同意情報も削除されます。</p>
          <p>よろしいですか？</p>`,
        ok: '全件削除する', danger: true,
      }, () => api('DELETE', '/test-data/card-links'), (r) => `紐付けテストデータを${formatNumber(r.deleted)}件削除しました。`);
    }

    // ③ データカテゴリ別テストデータ登録
    function recordSubmit(e) {
      e.preventDefault();
      clearMessages();
      const r = st.record;
      const c = categoryOf(r.category);
      if (!c) r.errors.category = 'test_data.category_unknown';
      else if (!c.qualification_types.includes(r.type)) r.errors.record_type = 'test_data.qualification_type_unknown';
      if (Object.keys(r.errors).length) { ctx.update(); focusIn('category-records'); return; }
      const t = typeOf(r.type);
      change(r, 'category-records', {
        title: 'データカテゴリ別テストデータ登録',
        body: html`<p>データカテゴリ「${c.label}」に、テスト用資格情報「${t.label}」のテストデータを1件登録します。</p>
          <ul><li>${t.description}</li><li>保険者番号などの番号は自動で割り当てられ、登録後に一覧に表示されます。</li></ul>
          <p>よろしいですか？</p>`,
        ok: '登録する',
      }, () => api('POST', '/test-data/category-records', { category: c.id, qualification_type: t.id }),
      (res) => {
        const nums = personNumbers(res.category_record.person).map((x) => `${x.label} ${x.value}`).join('、');
        return `データカテゴリ「${c.label}」に「${t.label}」のテストデータを登録しました（${nums}）。`;
      }, { fields: { category: 'category', qualification_type: 'record_type' }, firstPage: true });
    }

    // ④ データカテゴリ別テストデータ削除
    function deleteRecords() {
      const n = st.data.category_records.length;
      change(st.records, 'category-records', {
        title: 'データカテゴリ別テストデータ削除',
        body: html`<p>データカテゴリ別に登録したテストデータを<strong>すべて（${formatNumber(n)}件）</strong>削除します。</p>
          <p class="warning">削除したテストデータは元に戻せません。その被保険者番号などで資格確認を行うと、資格情報は見つからなくなります。</p>
          <p>よろしいですか？</p>`,
        ok: '全件削除する', danger: true,
      }, () => api('DELETE', '/test-data/category-records'),
      (r) => `データカテゴリ別テストデータを${formatNumber(r.deleted)}件削除しました。`, { firstPage: true });
    }

    // ⑤ 閲覧同意情報初期化
    function resetConsents() {
      const n = st.data.consents.revoked;
      change(st.consents, 'consents', {
        title: '閲覧同意情報初期化',
        body: html`<p>同意取消照会で取り消した閲覧同意情報（現在${formatNumber(n)}件）を初期化し、取り消す前の同意した状態に戻します。</p>
          <p>訪問診療等・オンライン診療等（マイナ在宅受付Web）で取得した同意は対象外です。</p>
          <p>よろしいですか？</p>`,
        ok: '初期化する',
      }, () => api('POST', '/test-data/consents/reset'), (r) => `閲覧同意情報を初期化しました（${formatNumber(r.restored)}件を同意した状態に戻しました）。`);
    }

    async function copy(which, label, value) {
      try {
        await navigator.clipboard.writeText(value);
        st.copied[which] = `${label}（${value}）をコピーしました。`;
      } catch {
        st.copied[which] = `${label}をコピーできませんでした。表示されている番号を書き写してください。`;
      }
      ctx.update();
    }

    const copyButton = (which, label, value) => html`<button type="button" class="button secondary small"
      aria-label=${`${label} ${value} をコピー`} @click=${() => copy(which, label, value)}>コピー</button>`;

    const numbersCell = (which, person) => {
      const nums = personNumbers(person);
      if (!nums.length) return html`<span class="muted">—</span>`;
      return html`<dl class="numbers">${nums.map((x) => html`<div><dt>${x.label}</dt>
        <dd><span class="num">${x.value}</span>${copyButton(which, x.label, x.value)}</dd></div>`)}</dl>`;
    };

    const personCell = (p) => html`<span class="kana">${p.name_kana}</span><br>${p.name}`;
    const birthCell = (p) => html`${formatDate(p.birthdate)}${SEX[p.sex] ? html`<br><span class="muted">${SEX[p.sex]}</span>` : nothing}`;

    const alert = (msg) => (msg ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${msg}</p></div>` : nothing);
    const countLine = (n, max, what) => html`<p class="count-line"><strong>${what}：${formatNumber(n)}件</strong>／上限${formatNumber(max)}件</p>`;

    const typeOptions = (ids) => [{ value: '', label: '選択してください' },
      ...ids.map((id) => typeOf(id)).filter(Boolean).map((t) => ({ value: t.id, label: t.label }))];

    function linkSection() {
      const d = st.data;
      const l = st.link;
      const links = [...d.card_links].reverse(); // newest first
      const max = d.limits.card_links;
      const full = links.length >= max;
      return html`<section class="test-data-section" id="card-links" aria-labelledby="h-card-links">
        <h2 id="h-card-links">マイナンバーカードによる資格確認向け：テスト用データ紐付登録</h2>
        <p>テストで使用するマイナンバーカードと、テスト用の資格情報を紐付けます。顔認証付きカードリーダーを使って資格確認の流れを確認できます。</p>
        ${l.message ? alert(l.message) : errorSummary(l.errors, LINK_LABELS)}
        ${full ? html`<div class="notice" role="note"><p>紐付けできる件数の上限（${formatNumber(max)}件）に達しています。新しいカードを紐付けるには、下の《全件削除》で紐付けテストデータを削除してください。</p>
          <p>紐付け済みのカード（同じシリアル番号）は、テスト用資格情報を選び直して紐付け直せます。</p></div>` : nothing}
        <form class="form narrow" novalidate @submit=${linkSubmit} aria-label="テスト用データ紐付登録">
          ${textField({ id: 'serial_number', label: LINK_LABELS.serial_number, isRequired: true, value: l.serial, size: 'code',
            inputmode: 'numeric', maxlength: 60, error: l.errors.serial_number,
            support: 'テストで使用するマイナンバーカードのシリアル番号を10進数で入力してください（49桁以内）。',
            onInput: (v) => { l.serial = v; } })}
          ${selectField({ id: 'link_type', label: LINK_LABELS.link_type, isRequired: true, value: l.type, error: l.errors.link_type,
            options: typeOptions(d.qualification_types.map((t) => t.id)),
            support: typeOf(l.type)?.description || 'マイナンバーカードに紐付ける資格情報の種類を選択してください。',
            onInput: (v) => { l.type = v; ctx.update(); } })}
          <div class="field">
            <label class="checkbox"><input type="checkbox" id="f-register" aria-describedby="f-register-support" .checked=${live(l.registered)}
              @change=${(e) => { l.registered = e.target.checked; }}>保険証登録する</label>
            <p class="support" id="f-register-support">顔認証付きカードリーダーがない場合にチェックします。チェックしない場合は、最初の資格確認のときに顔認証付きカードリーダーで保険証登録を行います。</p>
          </div>
          <div class="actions"><button class="button primary" ?disabled=${st.busy}>紐付登録</button></div>
        </form>
        <h3>紐付けたマイナンバーカード</h3>
        ${countLine(links.length, max, '紐付け件数')}
        <div class="delete-all">
          <button type="button" class="button secondary" ?disabled=${st.busy || !links.length} @click=${deleteLinks}>全件削除</button>
          <p class="support">${links.length ? '紐付けテストデータ削除：マイナンバーカードに紐付けたテスト用データを全て削除します。' : '削除する紐付けテストデータはありません。'}</p>
        </div>
        ${alert(st.links.message)}
        <p class="copy-status" role="status">${st.copied.links}</p>
        ${links.length ? html`<div class="table-scroll tall"><table class="data test-data">
          <caption class="visually-hidden">紐付けたマイナンバーカード（新しい順）</caption>
          <thead><tr><th scope="col">シリアル番号</th><th scope="col">テスト用資格情報</th><th scope="col">保険証登録</th>
            <th scope="col">氏名</th><th scope="col">生年月日</th><th scope="col">番号</th><th scope="col">登録日時</th></tr></thead>
          <tbody>${links.map((c) => html`<tr>
            <td><span class="num">${c.serial_number}</span>${copyButton('links', 'シリアル番号', c.serial_number)}</td>
            <td>${c.qualification_type_label}</td>
            <td>${c.card_registered ? '登録済み' : '未登録'}</td>
            <td>${personCell(c.person)}</td>
            <td class="nowrap">${birthCell(c.person)}</td>
            <td>${numbersCell('links', c.person)}</td>
            <td class="nowrap">${formatDateTime(c.created_at)}<br><span class="muted">${c.created_by}</span></td></tr>`)}</tbody>
        </table></div>` : html`<p class="empty">紐付けたマイナンバーカードはありません。上のフォームでシリアル番号とテスト用資格情報を入力し、《紐付登録》を押してください。</p>`}
      </section>`;
    }

    function recordSection() {
      const d = st.data;
      const r = st.record;
      const records = [...d.category_records].reverse(); // newest first
      const max = d.limits.category_records;
      const full = records.length >= max;
      const c = categoryOf(r.category);
      const paging = { total: records.length, page, per_page: PER_PAGE };
      const shown = records.slice((page - 1) * PER_PAGE, page * PER_PAGE);
      const catLabel = (id) => categoryOf(id)?.label || id;
      return html`<section class="test-data-section" id="category-records" aria-labelledby="h-category-records">
        <h2 id="h-category-records">被保険者番号による資格確認向け：データカテゴリ別テストデータ登録／削除</h2>
        <p>被保険者番号・受給者番号による資格確認をテストするためのテストデータを登録します。</p>
        ${r.message ? alert(r.message) : errorSummary(r.errors, RECORD_LABELS)}
        ${full ? html`<div class="notice" role="note"><p>登録できる件数の上限（${formatNumber(max)}件）に達しています。新しく登録するには、下の《全件削除》でテストデータを削除してください。</p></div>` : nothing}
        <form class="form narrow" novalidate @submit=${recordSubmit} aria-label="データカテゴリ別テストデータ登録">
          ${selectField({ id: 'category', label: RECORD_LABELS.category, isRequired: true, value: r.category, error: r.errors.category,
            options: [{ value: '', label: '選択してください' }, ...d.categories.map((x) => ({ value: x.id, label: x.label }))],
            support: 'テストの種類を選択してください。',
            onInput: (v) => { r.category = v; if (!categoryOf(v)?.qualification_types.includes(r.type)) r.type = ''; ctx.update(); } })}
          ${selectField({ id: 'record_type', label: RECORD_LABELS.record_type, isRequired: true, value: r.type, error: r.errors.record_type,
            options: c ? typeOptions(c.qualification_types) : [{ value: '', label: '先にデータカテゴリを選択してください' }],
            support: typeOf(r.type)?.description || 'テストで使用する資格情報を選択してください。選べる種類はデータカテゴリによって変わります。',
            onInput: (v) => { r.type = v; ctx.update(); } })}
          <div class="actions"><button class="button primary" ?disabled=${st.busy}>登録</button></div>
        </form>
        <h3>データカテゴリごとの登録件数</h3>
        <table class="data category-counts">
          <thead><tr><th scope="col">データカテゴリ</th><th scope="col">登録件数</th></tr></thead>
          <tbody>${d.categories.map((x) => html`<tr><th scope="row">${x.label}</th><td>${formatNumber(x.count)}件</td></tr>`)}</tbody>
        </table>
        <h3>登録したテストデータ</h3>
        ${countLine(records.length, max, '登録件数')}
        <div class="delete-all">
          <button type="button" class="button secondary" ?disabled=${st.busy || !records.length} @click=${deleteRecords}>全件削除</button>
          <p class="support">${records.length ? 'データカテゴリ別テストデータ削除：登録したテストデータを全て削除します。' : '削除するテストデータはありません。'}</p>
        </div>
        ${alert(st.records.message)}
        <p class="copy-status" role="status">${st.copied.records}</p>
        ${records.length ? html`${paging.total > PER_PAGE ? html`<p class="muted">新しい順に${formatNumber((page - 1) * PER_PAGE + 1)}〜${formatNumber(Math.min(records.length, page * PER_PAGE))}件を表示しています。</p>` : nothing}
          <div class="table-scroll tall"><table class="data test-data">
          <caption class="visually-hidden">登録したテストデータ（新しい順）</caption>
          <thead><tr><th scope="col">データカテゴリ</th><th scope="col">テスト用資格情報</th><th scope="col">氏名</th>
            <th scope="col">生年月日</th><th scope="col">番号</th><th scope="col">登録日時</th></tr></thead>
          <tbody>${shown.map((x) => html`<tr>
            <td>${catLabel(x.category)}</td>
            <td>${x.qualification_type_label}</td>
            <td>${personCell(x.person)}</td>
            <td class="nowrap">${birthCell(x.person)}</td>
            <td>${numbersCell('records', x.person)}</td>
            <td class="nowrap">${formatDateTime(x.created_at)}<br><span class="muted">${x.created_by}</span></td></tr>`)}</tbody>
        </table></div>
        ${pager(paging, (p) => ctx.navigate('/test-data', { page: p }))}`
          : html`<p class="empty">登録したテストデータはありません。上のフォームでデータカテゴリとテスト用資格情報を選択し、《登録》を押してください。</p>`}
      </section>`;
    }

    function consentSection() {
      const n = st.data.consents.revoked;
      return html`<section class="test-data-section" id="consents" aria-labelledby="h-consents">
        <h2 id="h-consents">閲覧同意情報初期化</h2>
        <p>運用テストで、同意取消照会により取り消した閲覧同意情報を初期化します。訪問診療等・オンライン診療等（マイナ在宅受付Web）で取得した同意は対象外です。</p>
        ${alert(st.consents.message)}
        <p class="count-line"><strong>取り消された閲覧同意情報：${formatNumber(n)}件</strong></p>
        <div class="actions"><button type="button" class="button primary" ?disabled=${st.busy} @click=${resetConsents}>初期化</button>
          ${n ? nothing : html`<span class="muted">いま取り消されている閲覧同意情報はありません。</span>`}</div>
      </section>`;
    }

    return {
      view: () => html`
        <h1>テスト用データセットアップ</h1>
        <p>接続検証環境でのみ利用できる機能です。テスト用データで、オンライン資格確認等システムの操作の流れを確認できます。ここで登録するのは架空の人物のデータです。</p>
        ${st.loadError ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.loadError}</p></div>
            <div class="actions"><button type="button" class="button secondary" @click=${load}>再読み込み</button></div>`
          : !st.data ? html`<p role="status">読み込んでいます…</p>`
          : html`${linkSection()}${recordSection()}${consentSection()}`}
        <div class="actions"><a class="button secondary" href="#/menu">メニューへ戻る</a></div>`,
    };
  },
};

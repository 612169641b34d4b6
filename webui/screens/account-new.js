// アカウント管理（登録） (manual ch. 2 §2): the kinds this account may register, the ユーザID
// prefilled with its kind's prefix, names shown as they will be stored, a confirmation of
// everything, then the ユーザID and initial password to hand over (with its PDF sheet).
import { html } from '../vendor/lit-html/lit-html.js';
import { api } from '../js/api.js';
import { formatDate, ROLE_LABELS, todayJst } from '../js/format.js';
import { session } from '../js/session.js';
import { checkUserId, userIdPrefix } from '../js/validate.js';
import { confirmDialog } from '../js/widgets/dialog.js';
import { errorSummary, selectField, serverErrors, textField } from '../js/widgets/form.js';
import { initialPassword } from '../js/widgets/initial-password.js';
import { checkNamesAndDates, dateFields, focusSummary, FOREVER, nameFields, userIdRule } from '../js/widgets/account-fields.js';

const LABELS = { role: '権限区分', user_id: 'ユーザID', name: 'ユーザ名', name_kana: 'ユーザ名（カナ）',
  start_date: '利用開始年月日', end_date: '利用終了年月日' };

export default {
  title: 'アカウント管理（登録）',
  capability: 'accounts',
  create(ctx) {
    const s = session();
    const kinds = s.account.registers_roles || [];
    const instKind = s.institution.kind;
    let st;
    // A fresh form; the kind is kept for 《続けて登録》.
    function fresh(role = kinds.length === 1 ? kinds[0] : '') {
      st = { role, user_id: userIdPrefix(role, instKind), name: '', name_kana: '',
        start_date: formatDate(todayJst()), end_date: '', errors: {}, message: '', busy: false, done: null };
    }
    fresh();

    function chooseRole(role) {
      // The prefix replaces the field only while it holds nothing the user typed.
      const oldPrefix = userIdPrefix(st.role, instKind);
      if (!st.user_id || st.user_id === oldPrefix) st.user_id = userIdPrefix(role, instKind);
      st.role = role;
      ctx.update();
    }

    async function submit(e) {
      e.preventDefault();
      const errors = {};
      st.message = '';
      if (!st.role) errors.role = 'request.field_missing';
      const userId = st.user_id.trim();
      if (!userId) errors.user_id = 'request.field_missing';
      else if (st.role && checkUserId(userId, st.role, instKind)) errors.user_id = checkUserId(userId, st.role, instKind);
      const v = checkNamesAndDates(st, errors);
      st.errors = errors;
      if (Object.keys(errors).length) { ctx.update(); focusSummary(); return; }
      ctx.update();
      const ok = await confirmDialog({
        title: 'アカウント登録',
        body: html`<p>次の内容で登録します。よろしいですか？</p>
          <dl class="summary">
            <dt>権限区分</dt><dd>${ROLE_LABELS[st.role]}</dd>
            <dt>ユーザID</dt><dd>${userId}</dd>
            <dt>ユーザ名</dt><dd>${v.name}</dd>
            <dt>ユーザ名（カナ）</dt><dd>${v.name_kana}</dd>
            <dt>利用開始年月日</dt><dd>${formatDate(v.start_date)}</dd>
            <dt>利用終了年月日</dt><dd>${formatDate(v.end_date)}${v.end_date === FOREVER ? '（期限なし）' : ''}</dd>
          </dl>
          <p>登録後、ユーザIDと権限区分は変更できません。</p>`,
        ok: '登録する',
      });
      if (!ok) return;
      st.busy = true;
      ctx.update();
      try {
        const body = { role: st.role, user_id: userId, name: v.name, name_kana: v.name_kana, start_date: v.start_date };
        if (v.end_date !== FOREVER) body.end_date = v.end_date;
        const res = await api('POST', '/accounts', body);
        st.busy = false;
        st.done = { account: res.account, secret: initialPassword({ user_id: res.account.user_id,
          initial_password: res.initial_password, expires_at: res.account.password_expires_at }, ctx.update) };
        ctx.update();
        document.getElementById('done-heading')?.focus();
      } catch (err) {
        st.busy = false;
        st.errors = serverErrors(err, Object.keys(LABELS));
        if (!Object.keys(st.errors).length) st.message = err.message;
        ctx.update();
        focusSummary();
      }
    }

    const institution = html`<dl class="summary">
      <dt>機関コード</dt><dd>${s.institution.institution_code}</dd>
      <dt>機関名</dt><dd>${s.institution.name}</dd>
    </dl>`;

    function doneView() {
      const a = st.done.account;
      return html`
        <section class="done" aria-labelledby="done-heading">
          <div role="status"><h2 id="done-heading" tabindex="-1">登録しました</h2>
            <p>${a.role_label}「${a.name}」のアカウントを登録しました。</p></div>
          ${st.done.secret.view()}
          <div class="actions">
            <button type="button" class="button primary" @click=${() => { fresh(a.role); ctx.update(); document.getElementById('f-user_id')?.focus(); }}>続けて登録</button>
            <a class="button secondary" href=${`#/accounts/${encodeURIComponent(a.user_id)}`}>登録したアカウントを表示</a>
            <a class="button secondary" href="#/menu">メニューへ</a>
          </div>
        </section>`;
    }

    function formView() {
      if (kinds.length === 0) return html`<p class="notice">このアカウントで登録できる権限区分はありません。</p>`;
      const options = [...(kinds.length > 1 ? [{ value: '', label: '選択してください' }] : []),
        ...kinds.map((k) => ({ value: k, label: ROLE_LABELS[k] }))];
      return html`
        <p>各項目を入力し、「登録」を押してください。<span class="required">※必須</span> の項目は必ず入力してください。</p>
        ${st.message ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.message}</p></div>` : errorSummary(st.errors, LABELS)}
        <form class="form" novalidate @submit=${submit}>
          ${selectField({ id: 'role', label: LABELS.role, isRequired: true, value: st.role, options, error: st.errors.role,
            onInput: chooseRole })}
          ${textField({ id: 'user_id', label: LABELS.user_id, isRequired: true, value: st.user_id, size: 'code',
            maxlength: 16, autocomplete: 'off', error: st.errors.user_id, support: userIdRule(st.role, s.institution.kind),
            onInput: (val) => { st.user_id = val; } })}
          ${nameFields(st, st.errors, ctx.update)}
          ${dateFields(st, st.errors)}
          <div class="actions">
            <button class="button primary" ?disabled=${st.busy}>${st.busy ? '登録しています…' : '登録'}</button>
            <a class="button secondary" href="#/menu">メニューへ戻る</a>
          </div>
        </form>`;
    }

    return {
      view: () => html`
        <h1>アカウント管理（登録）</h1>
        ${institution}
        ${st.done ? doneView() : formView()}`,
    };
  },
};


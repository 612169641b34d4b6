// 資格情報照会（被保険者証） (manual ch. 1 §2 ② 保険証／処方箋で確認): the numbers of the
// patient's insurance card (or of a prescription) and the birth date, checked by the server
// field by field (POST /qualifications/insurance); the answer as the receptionist reads it and,
// for an account that may view it, the medical information the patient consented to (at an
// earlier card check) by the same numbers. The numbers stay in the page, never in the URL.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { api } from '../js/api.js';
import { parseDateInput } from '../js/format.js';
import { readAnswer } from '../js/qualification-answer.js';
import { dateField, errorSummary, textField } from '../js/widgets/form.js';
import { qualificationResult } from '../js/widgets/qualification-result.js';
import { medicalInfoPanel } from './qualification-medical.js';

const FIELDS = ['insurer_number', 'insured_card_symbol', 'insured_number', 'insured_branch_number', 'birthdate'];
const LABELS = { insurer_number: '保険者番号', insured_card_symbol: '被保険者証記号', insured_number: '被保険者証番号',
  insured_branch_number: '枝番', birthdate: '生年月日' };
const REQUIRED = ['insurer_number', 'insured_number', 'birthdate'];
// Digits as the card prints them; an IME may type them full-width.
const halfWidth = (s) => String(s ?? '').trim().replace(/[０-９Ａ-Ｚａ-ｚ－]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0));

export default {
  title: '資格情報照会（被保険者証）',
  capability: 'qualification',
  create(ctx) {
    const st = { v: Object.fromEntries(FIELDS.map((f) => [f, ''])), errors: {}, message: '', busy: false, answer: null };
    // The patient of the answer as GET /medical-info names them: the numbers the answer gives
    // (a zero-padded 国民健康保険 number comes back as its 6 digits).
    const info = medicalInfoPanel(ctx, () => {
      const e = st.answer.entries[0];
      return { insurer_number: e.insurerNumber, insured_number: e.number, insured_card_symbol: e.symbol, insured_branch_number: e.branch };
    });

    async function submit(e) {
      e.preventDefault();
      ctx.flash('');
      st.errors = {};
      st.message = '';
      for (const f of REQUIRED) if (!st.v[f].trim()) st.errors[f] = 'request.field_missing';
      const birth = st.v.birthdate.trim() ? parseDateInput(st.v.birthdate) : null;
      if (st.v.birthdate.trim() && !birth) st.errors.birthdate = 'qualification.birthdate_invalid';
      if (Object.keys(st.errors).length) {
        ctx.update();
        document.querySelector('main .error-summary')?.focus();
        return;
      }
      const body = {};
      for (const f of FIELDS) {
        const v = f === 'birthdate' ? birth : halfWidth(st.v[f]);
        if (v) body[f] = v;
      }
      st.busy = true;
      st.answer = null;
      info.reset();
      ctx.update();
      try {
        st.answer = readAnswer(await api('POST', '/qualifications/insurance', body));
      } catch (err) {
        // Every problem the server found goes under its field.
        const details = err.details?.filter((d) => FIELDS.includes(d.field)) || [];
        if (details.length) for (const d of details) st.errors[d.field] = d.code;
        else if (FIELDS.includes(err.field)) st.errors[err.field] = err.code;
        else st.message = err.message;
      }
      st.busy = false;
      ctx.update();
      if (Object.keys(st.errors).length || st.message) document.querySelector('main .error-summary')?.focus();
      else document.getElementById('q-result-h')?.focus();
    }

    function clear() {
      st.v = Object.fromEntries(FIELDS.map((f) => [f, '']));
      st.errors = {};
      st.message = '';
      st.answer = null;
      info.reset();
      ctx.update();
      document.getElementById('f-insurer_number')?.focus();
    }

    const input = (f, extra = {}) => textField({ id: f, label: LABELS[f], value: st.v[f], error: st.errors[f], isRequired: REQUIRED.includes(f),
      onInput: (v) => { st.v[f] = v; }, ...extra });

    return {
      view: () => html`
        <h1>資格情報照会（被保険者証）</h1>
        <p>健康保険証又は処方箋に記載の番号と、患者の生年月日を入力して資格確認を行います。${html`<span class="required">※必須</span>`} の項目は必須です。</p>
        ${st.message ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.message}</p></div>` : errorSummary(st.errors, LABELS)}
        <form class="form qual-form" novalidate @submit=${submit} aria-label="被保険者証の番号">
          <div class="grid">
            ${input('insurer_number', { inputmode: 'numeric', maxlength: 8, size: 'code', support: '半角数字8桁（国民健康保険は6桁）' })}
            ${input('insured_card_symbol', { maxlength: 40, support: '保険証に記載のとおり（ない場合は空欄）' })}
            ${input('insured_number', { maxlength: 40, support: '保険証に記載のとおり' })}
            ${input('insured_branch_number', { inputmode: 'numeric', maxlength: 2, size: 'code', support: '半角数字2桁（例：01。ない場合は空欄）' })}
            ${dateField({ id: 'birthdate', label: LABELS.birthdate, value: st.v.birthdate, error: st.errors.birthdate, isRequired: true,
              support: '西暦（例：1980/04/01）', onInput: (v) => { st.v.birthdate = v; } })}
          </div>
          <div class="actions">
            <button class="button primary" ?disabled=${st.busy}>${st.busy ? '照会中…' : '照会'}</button>
            <button type="button" class="button secondary" @click=${clear}>クリア</button>
          </div>
        </form>
        ${st.answer ? qualificationResult(st.answer) : nothing}
        ${info.view(st.answer)}
        <p><a href="#/menu">メニューへ戻る</a></p>`,
    };
  },
};

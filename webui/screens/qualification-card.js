// 資格情報照会（マイナンバーカード） (manual ch. 1 §2 ① マイナンバーカードで確認). A real card is
// read by the 顔認証付きカードリーダー; in the connection verification environment this screen
// stands in for it: the serial number of a test card (テスト用データセットアップ) and the
// patient's answers to the consent questions the settings offer (GET /qualifications/consents),
// and 処方箋の発行 (電子処方箋 / 紙の処方箋) only where the settings offer the choice at the check.
// A patient may also withdraw a consent given before (同意取消, withdrawn_consents).
// The answer as the receptionist reads it; then, for an account that may view medical
// information, the consented categories (GET /medical-info).
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { live } from '../vendor/lit-html/directives/live.js';
import { api, errorMessage } from '../js/api.js';
import { session } from '../js/session.js';
import { readAnswer } from '../js/qualification-answer.js';
import { normaliseSerial } from '../js/validate.js';
import { errorSummary, textField } from '../js/widgets/form.js';
import { qualificationResult } from '../js/widgets/qualification-result.js';
import { medicalInfoPanel } from './qualification-medical.js';

const LABELS = { serial_number: 'シリアル番号', consents: '閲覧同意', withdrawn_consents: '同意取消', prescription_form: '処方箋の発行' };
export default {
  title: '資格情報照会（マイナンバーカード）',
  capability: 'qualification',
  create(ctx) {
    const verification = session().institution.environment === 'verification';
    const st = { offered: null, loadError: '', serial: '', given: {}, withdrawn: {}, form: '', errors: {}, message: '', busy: false,
      answer: null, checkedSerial: '' };
    const info = medicalInfoPanel(ctx, () => ({ serial_number: st.checkedSerial }));

    async function load() {
      try {
        st.offered = await api('GET', '/qualifications/consents');
        st.loadError = '';
      } catch (err) {
        st.loadError = err.message;
      }
      ctx.update();
    }
    if (verification) load();

    async function submit(e) {
      e.preventDefault();
      ctx.flash('');
      st.errors = {};
      st.message = '';
      st.formsChanged = false;
      const serial = normaliseSerial(st.serial);
      if (!st.serial.trim()) st.errors.serial_number = 'request.field_missing';
      else if (!serial) st.errors.serial_number = 'qualification.serial_number_invalid';
      const chosen = (answers) => st.offered.consents.filter((c) => answers[c.id]).map((c) => c.id);
      const consents = chosen(st.given);
      const withdrawn = chosen(st.withdrawn);
      if (withdrawn.some((id) => consents.includes(id))) st.errors.withdrawn_consents = 'qualification.consent_both';
      if (Object.keys(st.errors).length) {
        ctx.update();
        document.querySelector('main .error-summary')?.focus();
        return;
      }
      st.busy = true;
      st.answer = null;
      info.reset();
      ctx.update();
      try {
        const body = { serial_number: serial, consents };
        if (withdrawn.length) body.withdrawn_consents = withdrawn;
        if (st.offered.prescription_form.offered && st.form) body.prescription_form = st.form;
        st.answer = readAnswer(await api('POST', '/qualifications/card', body));
        st.checkedSerial = serial;
      } catch (err) {
        if (['serial_number', 'prescription_form', 'withdrawn_consents'].includes(err.field)) st.errors[err.field] = err.code;
        else st.message = err.message;
        if (err.field === 'prescription_form') {
          // The settings changed since the page was drawn: ask again with what they offer now.
          await load();
          if (!st.offered?.prescription_form.choices.some((c) => c.id === st.form)) st.form = '';
          st.formsChanged = true;
        }
      }
      st.busy = false;
      ctx.update();
      if (Object.keys(st.errors).length || st.message) document.querySelector('main .error-summary')?.focus();
      else document.getElementById('q-result-h')?.focus();
    }

    // 処方箋の発行 (manual ch. 3 §3 ④): asked only where the settings offer it; a pharmacy is told
    // what its 電子処方箋 and リフィル処方箋 items allow instead.
    function prescriptionView(o) {
      const p = o.prescription_form;
      if (o.pharmacy_prescriptions) {
        const ph = o.pharmacy_prescriptions;
        return html`<p class="support prescription-note">電子処方箋：${ph.eprescription
          ? `利用する（電子処方箋管理サービスから処方箋情報を取得できます${ph.refill ? '。リフィル処方箋を含みます' : '。リフィル処方箋は利用しない設定です'}）`
          : '利用しない設定です'}。</p>`;
      }
      if (!p.offered) return nothing;
      const error = st.errors.prescription_form;
      const choices = [...p.choices, { id: '', label: '選択しない' }];
      return html`<fieldset class="prescription-form ${error ? 'has-error' : ''}" aria-describedby="pf-support${error ? ' pf-error' : ''}">
        <legend>${p.label}（患者の選択）</legend>
        <p class="support" id="pf-support">環境設定情報の「発行形態選択タイミング：資格確認時に確認する」により表示されます。患者が希望する処方箋の発行形態を選択します。</p>
        ${choices.map((c, i) => html`<label class="checkbox"><input type="radio" name="prescription_form" value=${c.id} id=${i === 0 ? 'f-prescription_form' : nothing}
          .checked=${live(st.form === c.id)} @change=${() => { st.form = c.id; }}>${c.label}</label>`)}
        ${error ? html`<p class="field-error" id="pf-error">${errorMessage(error)}${st.formsChanged ? '環境設定情報が変更されたため、選択肢を現在の設定に合わせました。もう一度選択してください。' : ''}</p>` : nothing}
      </fieldset>`;
    }

    // 同意取消: the patient takes back a consent given before (at a card check or on the patient
    // page); the server refuses one that is not in force and changes nothing.
    function withdrawalView(o) {
      if (o.consents.length === 0) return nothing;
      const error = st.errors.withdrawn_consents;
      return html`<fieldset class="consent-withdrawals ${error ? 'has-error' : ''}" aria-describedby="cw-support${error ? ' cw-error' : ''}">
        <legend>同意取消（患者の申し出）</legend>
        <p class="support" id="cw-support">患者が以前に同意した閲覧同意を取り消す場合にチェックを付けます。取り消した情報は、再び同意されるまで閲覧できません。</p>
        ${o.consents.map((c, i) => html`<label class="checkbox"><input type="checkbox" name="withdrawn_consent" value=${c.id} id=${i === 0 ? 'f-withdrawn_consents' : nothing}
          .checked=${live(Boolean(st.withdrawn[c.id]))} @change=${(e) => { st.withdrawn[c.id] = e.target.checked; }}>${c.label}の閲覧同意を取り消す</label>`)}
        ${error ? html`<p class="field-error" id="cw-error">${errorMessage(error)}</p>` : nothing}
      </fieldset>`;
    }

    function form() {
      const o = st.offered;
      return html`
        ${st.message ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${st.message}</p></div>` : errorSummary(st.errors, LABELS)}
        <form class="form qual-form" novalidate @submit=${submit} aria-label="マイナンバーカードでの照会">
          ${textField({ id: 'serial_number', label: 'シリアル番号', value: st.serial, error: st.errors.serial_number, isRequired: true,
            inputmode: 'numeric', maxlength: 60, support: 'テスト用データセットアップで紐付けたマイナンバーカードのシリアル番号（10進数）',
            onInput: (v) => { st.serial = v; } })}
          <fieldset class="consents">
            <legend>閲覧同意（患者の回答）</legend>
            ${o.consents.length === 0 ? html`<p class="support">環境設定情報で閲覧同意を利用する項目がないため、同意は確認しません。</p>`
              : html`<p class="support">顔認証付きカードリーダーで患者に表示される質問です。患者が同意した項目にチェックを付けます。</p>
              ${o.consents.map((c) => html`<label class="checkbox"><input type="checkbox" name="consent" value=${c.id}
                .checked=${live(Boolean(st.given[c.id]))} @change=${(e) => { st.given[c.id] = e.target.checked; }}>${c.question}</label>`)}`}
          </fieldset>
          ${withdrawalView(o)}
          ${prescriptionView(o)}
          <div class="actions"><button class="button primary" ?disabled=${st.busy}>${st.busy ? '照会中…' : '照会'}</button></div>
        </form>
        ${st.answer ? qualificationResult(st.answer) : nothing}
        ${info.view(st.answer)}`;
    }

    return {
      view: () => html`
        <h1>資格情報照会（マイナンバーカード）</h1>
        ${!verification ? html`<p class="notice">マイナンバーカードでの資格確認は、顔認証付きカードリーダーで患者がカードを置いて行います。結果は<a href="#/history/checks">資格確認履歴照会</a>で確認できます。</p>`
          : html`<p class="notice">接続検証環境では、顔認証付きカードリーダーの代わりに、テスト用マイナンバーカードのシリアル番号と、カードリーダーで患者が答える内容（閲覧同意など）を入力して照会できます。</p>
            ${st.loadError ? html`<p class="warning" role="alert">${st.loadError}</p>` : !st.offered ? html`<p role="status">読み込んでいます…</p>` : form()}`}
        <p><a href="#/menu">メニューへ戻る</a></p>`,
    };
  },
};

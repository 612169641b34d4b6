// 医療情報閲覧 under a qualification answer, shared by both 資格情報照会 screens: for an account
// that may view medical information (capability medical_info), one button per category the
// answer says the patient consented to; each press is one GET /medical-info (one row of the
// 医療情報閲覧履歴), so nothing is fetched before someone asks for it.
import { html, nothing } from '../vendor/lit-html/lit-html.js';
import { api, query } from '../js/api.js';
import { formatDate } from '../js/format.js';
import { consentedCategories } from '../js/qualification-answer.js';
import { hasCapability } from '../js/session.js';

// The columns of each category's records (GET /medical-info `records`); dates end in _on.
const RECORD_COLUMNS = {
  drug: [['dispensed_on', '調剤日'], ['drug', '薬剤名'], ['dose_per_day', '用量（1日）'], ['days', '日数'], ['dispensed_by', '調剤した薬局']],
  medical: [['treated_on', '診療日'], ['diagnosis', '傷病名'], ['procedure', '診療行為'], ['treated_by', '医療機関']],
  surgery: [['operated_on', '手術日'], ['operation', '手術'], ['operated_by', '医療機関']],
  checkup: [['examined_on', '健診日'], ['height_cm', '身長(cm)'], ['weight_kg', '体重(kg)'], ['bmi', 'BMI'], ['systolic_mmhg', '収縮期血圧'],
    ['diastolic_mmhg', '拡張期血圧'], ['hba1c_percent', 'HbA1c(%)'], ['ldl_mg_dl', 'LDL(mg/dL)']],
};
const cell = (key, value) => (key.endsWith('_on') ? formatDate(value) : String(value ?? ''));

// patient(): the query that names the patient of the last answer ({serial_number} or the
// insurance card's numbers). reset() when a new answer comes.
export function medicalInfoPanel(ctx, patient) {
  let info = {};
  let busy = '';

  async function open(c) {
    busy = c.id;
    ctx.update();
    try {
      info[c.id] = { data: await api('GET', `/medical-info${query({ ...patient(), category: c.id })}`) };
    } catch (err) {
      info[c.id] = { error: err.message };
    }
    busy = '';
    ctx.update();
    document.getElementById(`info-${c.id}-h`)?.focus();
  }

  function records(c, r) {
    const cols = RECORD_COLUMNS[c.id];
    return html`<section class="records" aria-labelledby="info-${c.id}-h">
      <h3 id="info-${c.id}-h" tabindex="-1">${c.label}</h3>
      ${r.error ? html`<p class="warning" role="alert">${r.error}</p>`
        : r.data.records.length === 0 ? html`<p class="empty">${c.label}はありません。</p>`
        : html`<div class="table-scroll" tabindex="0" role="region" aria-label=${`${c.label}の一覧`}><table class="data">
          <thead><tr>${cols.map(([, l]) => html`<th scope="col">${l}</th>`)}</tr></thead>
          <tbody>${r.data.records.map((rec) => html`<tr>${cols.map(([k]) => html`<td>${cell(k, rec[k])}</td>`)}</tr>`)}</tbody>
        </table></div>`}
    </section>`;
  }

  return {
    reset() { info = {}; busy = ''; },
    view(answer) {
      if (!answer?.ran || answer.warning || !answer.entries.length || !hasCapability('medical_info')) return nothing;
      const items = consentedCategories(answer);
      return html`<section class="medical-info" aria-labelledby="info-h">
        <h2 id="info-h">医療情報閲覧</h2>
        ${items.length === 0 ? html`<p class="empty">閲覧に同意された医療情報はありません。同意はマイナンバーカードでの資格確認のときに患者が行います。</p>` : html`
          <p>患者が閲覧に同意した医療情報を表示します。閲覧した記録は医療情報閲覧履歴に残ります。</p>
          <div class="actions">${items.map((c) => html`<button type="button" class="button secondary" ?disabled=${busy === c.id}
            @click=${() => open(c)}>${c.label}を閲覧</button>`)}</div>
          ${items.filter((c) => info[c.id]).map((c) => records(c, info[c.id]))}`}
      </section>`;
    },
  };
}

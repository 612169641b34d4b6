// The answer of a qualification check on the page: first what the receptionist must act on
// (valid or not, and why; a warning; a check that did not run), then each qualification found.
import { html, nothing } from '../../vendor/lit-html/lit-html.js';

const row = (label, value) => (value ? html`<dt>${label}</dt><dd>${value}</dd>` : nothing);

function entryView(e, n) {
  const id = `q-entry-${n}`;
  return html`<section class="qual-entry" aria-labelledby=${id} data-kind=${e.assistance ? 'assistance' : 'insurance'}>
    <h3 id=${id}>${e.kind}<span class="badge ${e.valid ? 'ok' : 'warn'}">${e.validity}</span></h3>
    <dl class="summary">
      ${row('氏名', e.name)}${row('氏名（カナ）', e.kana)}${row('性別', e.sex)}${row('生年月日', e.birthdate)}
      ${e.address !== null ? row('住所', `${e.postcode ? `〒${e.postcode} ` : ''}${e.address}`) : html`<dt>住所</dt><dd>（表示されません）</dd>`}
      ${row(e.assistance ? '公費負担者番号' : '保険者番号', e.insurerNumber)}${row(e.assistance ? '福祉事務所' : '保険者名称', e.insurerName)}
      ${row('被保険者証記号', e.symbol)}${row(e.assistance ? '受給者番号' : '被保険者証番号', e.number)}${row('枝番', e.branch)}
      ${row('資格の種類', e.cardKind)}${row('本人・家族', e.family)}
      ${row('有効期間', e.from || e.until ? `${e.from || '―'} ～ ${e.until || '（期限なし）'}` : '')}
      ${e.ticket ? row(e.ticket.name, `番号 ${e.ticket.number}（${e.ticket.from} ～ ${e.ticket.until}）`) : nothing}
      ${e.subsidy ? html`<dt>医療費助成</dt><dd><ul class="plain"><li>${e.subsidy.name}（${e.subsidy.validity}）</li>
        <li>公費負担者番号 ${e.subsidy.payer}</li><li>受給者番号 ${e.subsidy.recipient}</li>
        <li>有効期間 ${e.subsidy.from || '―'} ～ ${e.subsidy.until || '（期限なし）'}</li></ul></dd>` : nothing}
      ${row('処方箋の発行', e.prescription)}
      ${e.consents.length ? html`<dt>閲覧同意</dt><dd><ul class="plain">${e.consents.map((c) => html`<li>${c.label}：${c.given ? `同意あり（${c.at}）` : '同意なし'}</li>`)}</ul></dd>` : nothing}
    </dl>
  </section>`;
}

// a: readAnswer(...) result.
export function qualificationResult(a) {
  let head;
  if (!a.ran) {
    head = html`<div class="warning qual-outcome" data-outcome="error" role="alert"><p><strong>資格確認を実行できませんでした。</strong>${a.error.message}${a.error.code ? `（${a.error.code}）` : ''}</p></div>`;
  } else if (a.warning) {
    head = html`<div class="warning qual-outcome" data-outcome="warning" role="status"><p><strong>${a.warning.message}</strong>${a.warning.code ? `（${a.warning.code}）` : ''}</p></div>`;
  } else {
    head = html`<div class="${a.valid ? 'notice' : 'warning'} qual-outcome" data-outcome=${a.valid ? 'valid' : 'invalid'} role="status">
      <p><strong>資格有効性：${a.validity || '不明'}</strong>${a.message && !a.entries.length ? html`　${a.message}` : nothing}</p>
      ${a.valid ? nothing : html`<p>${a.entries.length ? '資格が無効です。患者に新しい保険証等の提示を求めるか、保険者に確認してください。' : '入力した内容に誤りがないか確認してください。'}</p>`}
    </div>`;
  }
  return html`<section class="qual-result" aria-labelledby="q-result-h">
    <h2 id="q-result-h" tabindex="-1">照会結果</h2>
    ${a.checkedAt ? html`<p class="support">照会日時：${a.checkedAt}（${a.byCard ? 'マイナンバーカード' : '被保険者証'}）</p>` : nothing}
    ${head}
    ${a.entries.map(entryView)}
  </section>`;
}

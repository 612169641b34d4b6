// Form pieces every screen uses, after the Digital Agency's guidance: the label above the
// field, 「※必須」, support text, the error under the field, and an error summary at the top
// that links to each field. Templates only: the screen owns the state.
import { html, nothing } from '../../vendor/lit-html/lit-html.js';
import { live } from '../../vendor/lit-html/directives/live.js';
import { errorMessage } from '../api.js';

const required = html`<span class="required">※必須</span>`;

// errors: { field: code } → the summary (role=alert so it is read out at once).
export function errorSummary(errors, labels) {
  const entries = Object.entries(errors).filter(([, code]) => code);
  if (entries.length === 0) return nothing;
  return html`<div class="error-summary" role="alert" tabindex="-1">
    <h2>入力内容を確認してください</h2>
    <ul>${entries.map(([field, code]) => html`<li><a href="#f-${field}" @click=${focusField(field)}>${labels[field] ? `${labels[field]}：` : ''}${errorMessage(code)}</a></li>`)}</ul>
  </div>`;
}

// Summary links move focus to the field without touching the hash route.
function focusField(field) {
  return (e) => {
    e.preventDefault();
    document.getElementById(`f-${field}`)?.focus();
  };
}

function describedBy(id, support, error) {
  return [support ? `${id}-support` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || nothing;
}

function fieldFrame({ id, label, isRequired, support, error }, control) {
  return html`<div class="field ${error ? 'has-error' : ''}">
    <label for="f-${id}">${label}${isRequired ? required : nothing}</label>
    ${support ? html`<p class="support" id="f-${id}-support">${support}</p>` : nothing}
    ${control}
    ${error ? html`<p class="field-error" id="f-${id}-error">${errorMessage(error)}</p>` : nothing}
  </div>`;
}

// A text input. onInput gets the new value.
export function textField(o) {
  const id = `f-${o.id}`;
  return fieldFrame(o, html`<input id=${id} name=${o.id} type=${o.type || 'text'}
    .value=${live(o.value ?? '')} autocomplete=${o.autocomplete || 'off'}
    inputmode=${o.inputmode || nothing} maxlength=${o.maxlength || nothing}
    class=${o.size ? `size-${o.size}` : nothing}
    aria-invalid=${o.error ? 'true' : 'false'} aria-describedby=${describedBy(id, o.support, o.error)}
    ?required=${o.isRequired} ?readonly=${o.readonly}
    @input=${(e) => o.onInput?.(e.target.value)} @keyup=${o.onKeyup || nothing}>
    ${o.after || nothing}`);
}

// A date typed as 西暦 (YYYY/MM/DD), with the example as support text.
export function dateField(o) {
  return textField({ ...o, inputmode: 'numeric', maxlength: 10, size: 'date',
    support: o.support || '西暦で入力してください（例：2026/12/01）' });
}

// options: [{value, label}]
export function selectField(o) {
  const id = `f-${o.id}`;
  return fieldFrame(o, html`<select id=${id} name=${o.id}
    aria-invalid=${o.error ? 'true' : 'false'} aria-describedby=${describedBy(id, o.support, o.error)}
    ?required=${o.isRequired} @change=${(e) => o.onInput?.(e.target.value)}>
    ${o.options.map((opt) => html`<option value=${opt.value} ?selected=${String(opt.value) === String(o.value ?? '')}>${opt.label}</option>`)}
  </select>`);
}

// The field and message of a server refusal, so it shows under its field.
export function serverErrors(err, knownFields) {
  if (err.field && knownFields.includes(err.field)) return { [err.field]: err.code };
  return {};
}

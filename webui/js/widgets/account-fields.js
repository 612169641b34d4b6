// What the three account screens share: who may do what (from the session), the name fields
// with the full-width form they will be stored as, the date checks, and the ID rule of each
// kind in words.
import { html, nothing } from '../../vendor/lit-html/lit-html.js';
import { formatDate, parseDateInput } from '../format.js';
import { checkDateOrder, checkName, checkNameKana, normaliseName, userIdPrefix } from '../validate.js';
import { dateField, textField } from './form.js';
import { session } from '../session.js';

// Who may do what comes from the server (GET /session: registers_roles, initialises_roles,
// lists_roles); the console only offers what it says.
const rolesOf = (key) => session()?.account?.[key] || [];
export const canManage = (role) => rolesOf('registers_roles').includes(role);
export const canReset = (role) => rolesOf('initialises_roles').includes(role);
export const findsRoles = () => rolesOf('lists_roles');

export const FOREVER = '9999-12-31';

// The ID rule of a kind, in the manual's words, for the support text under ユーザID.
export function userIdRule(role, institutionKind) {
  if (!role) return '権限区分を選ぶと、ユーザIDの決まりを表示します。';
  const prefix = userIdPrefix(role, institutionKind);
  const tail = '登録済み・削除済みのユーザIDは使えません。登録後は変更できません。';
  if (prefix) return `「${prefix}」で始まる半角英数字3〜8文字。${tail}`;
  return `半角英数字2〜8文字。先頭にR0〜R9、A0〜A9、F0〜F9は使えません。${tail}`;
}

// 'X' → the line saying how X will be stored, when that differs from what was typed.
function storedAs(id, typed) {
  const stored = normaliseName(typed);
  return typed && stored !== typed
    ? html`<p class="stored-as" id=${`f-${id}-stored`}>登録される表記：<span lang="ja">${stored}</span></p>` : nothing;
}

export function nameFields(st, errors, update) {
  return html`
    ${textField({ id: 'name', label: 'ユーザ名', isRequired: true, value: st.name, error: errors.name, maxlength: 40,
      support: '全角かな、カタカナ、漢字、英数字20文字以内（半角の英数字・カタカナは全角で登録されます）',
      onInput: (v) => { st.name = v; update(); }, after: storedAs('name', st.name) })}
    ${textField({ id: 'name_kana', label: 'ユーザ名（カナ）', isRequired: true, value: st.name_kana, error: errors.name_kana,
      maxlength: 80, support: '全角カタカナ、英数字40文字以内（半角は全角で登録されます）',
      onInput: (v) => { st.name_kana = v; update(); }, after: storedAs('name_kana', st.name_kana) })}`;
}

export function dateFields(st, errors) {
  return html`<div class="grid dates">
    ${dateField({ id: 'start_date', label: '利用開始年月日', isRequired: true, value: st.start_date, error: errors.start_date,
      onInput: (v) => { st.start_date = v; } })}
    ${dateField({ id: 'end_date', label: '利用終了年月日', value: st.end_date, error: errors.end_date,
      support: '西暦で入力してください（例：2026/12/01）。入力しない場合は 9999/12/31（期限なし）になります。',
      onInput: (v) => { st.end_date = v; } })}
  </div>`;
}

// Checks the names and dates of st; fills errors; returns the values as the API takes them.
export function checkNamesAndDates(st, errors) {
  const out = { name: normaliseName(st.name.trim()), name_kana: normaliseName(st.name_kana.trim()) };
  if (!out.name) errors.name = 'request.field_missing';
  else if (checkName(out.name)) errors.name = checkName(out.name);
  if (!out.name_kana) errors.name_kana = 'request.field_missing';
  else if (checkNameKana(out.name_kana)) errors.name_kana = checkNameKana(out.name_kana);
  out.start_date = parseDateInput(st.start_date);
  if (!st.start_date.trim()) errors.start_date = 'request.field_missing';
  else if (!out.start_date) errors.start_date = 'request.field_date';
  out.end_date = st.end_date.trim() ? parseDateInput(st.end_date) : FOREVER;
  if (!out.end_date) errors.end_date = 'request.field_date';
  else if (out.start_date && checkDateOrder(out.start_date, out.end_date)) errors.end_date = checkDateOrder(out.start_date, out.end_date);
  return out;
}

export const showDate = (iso) => formatDate(iso) || '';

// At once, not in requestAnimationFrame: lit-html has rendered synchronously, and a deferred
// focus could take the focus from the field the user has already moved on to.
export function focusSummary() {
  document.querySelector('.error-summary')?.focus();
}

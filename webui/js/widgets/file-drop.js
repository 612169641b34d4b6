// A file chosen with the browser's own file input (so the keyboard and screen readers work as
// everywhere; only its look is ours, since its button speaks the browser's language, not the
// page's) inside a zone a file can also be dropped on; and what a file's bytes look like
// (UTF-8 or Shift_JIS/CP932), for display only: the server's check decides.
import { html, nothing } from '../../vendor/lit-html/lit-html.js';
import { formatNumber } from '../format.js';

// o: { id, label, support, accept, file, onFile(file), error }
export function fileDrop(o) {
  const id = `f-${o.id}`;
  const over = (e) => { e.preventDefault(); e.currentTarget.classList.add('is-over'); };
  const leave = (e) => e.currentTarget.classList.remove('is-over');
  const drop = (e) => {
    e.preventDefault();
    e.currentTarget.classList.remove('is-over');
    const f = e.dataTransfer?.files?.[0];
    if (f) o.onFile(f);
  };
  const described = [`${id}-support`, o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field file-drop ${o.error ? 'has-error' : ''}" @dragover=${over} @dragenter=${over} @dragleave=${leave} @drop=${drop}>
    <label for=${id}>${o.label}</label>
    <p class="support" id="${id}-support">${o.support}</p>
    <div class="file-drop-row">
      <input id=${id} class="file-input" type="file" accept=${o.accept || nothing} aria-describedby=${described}
        aria-invalid=${o.error ? 'true' : 'false'}
        @change=${(e) => { const f = e.target.files?.[0]; if (f) o.onFile(f); }}>
      <label for=${id} class="button secondary" aria-hidden="true">ファイルを選択</label>
      <span class="file-name">${o.file ? o.file.name : '選択されていません'}</span>
    </div>
    ${o.error ? html`<p class="field-error" id="${id}-error">${o.error}</p>` : nothing}
  </div>`;
}

export function formatSize(bytes) {
  if (bytes < 1024) return `${formatNumber(bytes)} バイト`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB（${formatNumber(bytes)} バイト）`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB（${formatNumber(bytes)} バイト）`;
}

// bytes: Uint8Array → the encoding it reads as, in words for the office.
export function detectEncoding(bytes) {
  const bom = bytes.length >= 3 && bytes[0] === 0xEF && bytes[1] === 0xBB && bytes[2] === 0xBF;
  if (bom) return 'UTF-8（BOM付き）';
  if (bytes.every((b) => b < 0x80)) return '半角英数字のみ（UTF-8・Shift_JIS のどちらとしても読めます）';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'UTF-8';
  } catch { /* not UTF-8: try CP932 */ }
  try {
    new TextDecoder('shift_jis', { fatal: true }).decode(bytes);
    return 'Shift_JIS（CP932）';
  } catch {
    return '判定できません（UTF-8 でも Shift_JIS でもない可能性があります）';
  }
}

// The confirmation dialog (<dialog> in index.html): says what will happen, resolves true
// for OK (cancel: null for a notice with OK only). Focus returns to where it was.
import { render } from '../../vendor/lit-html/lit-html.js';

export function confirmDialog({ title, body, ok = 'OK', cancel = 'キャンセル', danger = false }) {
  const dlg = document.getElementById('confirm-dialog');
  const back = document.activeElement;
  document.getElementById('confirm-title').textContent = title;
  render(body, document.getElementById('confirm-body'));
  const okButton = document.getElementById('confirm-ok');
  okButton.textContent = ok;
  okButton.classList.toggle('danger', danger);
  const cancelButton = document.getElementById('confirm-cancel');
  cancelButton.textContent = cancel || '';
  cancelButton.hidden = !cancel; // a notice to acknowledge has OK only
  dlg.returnValue = '';
  dlg.showModal();
  // The safe choice has focus first when the action cannot be undone.
  (danger ? cancelButton : okButton).focus();
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => {
      back?.focus?.();
      resolve(dlg.returnValue === 'ok');
    }, { once: true });
  });
}

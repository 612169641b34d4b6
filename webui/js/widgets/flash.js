// Completion messages (role=status in index.html): shown after a change, cleared on the
// next route change unless `keep` carries them over one navigation.
let carried = null;

export function flash(message, { keep = false } = {}) {
  const el = document.getElementById('flash');
  if (keep) carried = message;
  el.textContent = message;
  el.hidden = !message;
}

// Called by the router on every route change.
export function routeChanged() {
  const el = document.getElementById('flash');
  el.textContent = carried || '';
  el.hidden = !carried;
  carried = null;
}

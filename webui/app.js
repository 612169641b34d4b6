// Boot: ask the server who is signed in, draw the header and navigation from its answer,
// then hand the page to the router. Screens never guess what the account may do.
import { html, render } from './vendor/lit-html/lit-html.js';
import { confirmDialog } from './js/widgets/dialog.js';
import { flash } from './js/widgets/flash.js';
import { hashFor, navigate, parseHash, startRouter } from './js/router.js';
import { hasCapability, loadSession, onSessionChange, session, signOut } from './js/session.js';
import { navigation } from './js/menu.js';
import { errorMessage } from './js/errors.js';
// Screens load when first shown, so the first visit carries only the sign-in screen.
const routes = [
  { path: '/login', load: () => import('./screens/login.js') },
  { path: '/password', load: () => import('./screens/password.js') },
  { path: '/menu', load: () => import('./screens/menu.js') },
  { path: '/accounts/new', load: () => import('./screens/account-new.js') },
  { path: '/accounts', load: () => import('./screens/accounts-search.js') },
  { path: '/accounts/:user_id', load: () => import('./screens/account-edit.js') },
  { path: '/audit', load: () => import('./screens/audit.js') },
  { path: '/settings', load: () => import('./screens/settings.js') },
  { path: '/terms', load: () => import('./screens/terms.js') },
  { path: '/bulk', load: () => import('./screens/bulk-upload.js') },
  { path: '/bulk/results', load: () => import('./screens/bulk-results.js') },
  { path: '/test-data', load: () => import('./screens/test-data.js') },
  { path: '/history/checks', load: () => import('./screens/history-checks.js') },
  { path: '/history/views', load: () => import('./screens/history-views.js') },
  { path: '/qualifications/card', load: () => import('./screens/qualification-card.js') },
  { path: '/qualifications/insurance', load: () => import('./screens/qualification-insurance.js') },
  { path: '/readers', load: () => import('./screens/readers.js') },
  { path: '/readers/display', load: () => import('./screens/reader-display.js') },
  { path: '/visit-urls', load: () => import('./screens/visit-urls.js') },
];
const notFound = {
  title: 'ページが見つかりません', create: () => ({
    view: () => html`<h1>ページが見つかりません</h1><p>${errorMessage('request.not_found')}</p><p><a href="#/menu">メニューへ戻る</a></p>`,
  }),
};

function drawHeader(s) {
  const who = document.getElementById('who');
  who.hidden = !s;
  document.getElementById('env-banner').hidden = s?.institution?.environment !== 'verification';
  if (s) {
    document.getElementById('who-institution').textContent = s.institution.name;
    document.getElementById('who-user').textContent = s.account.name || s.account.user_id;
    document.getElementById('who-role').textContent = s.account.role_label;
  }
  const nav = document.getElementById('nav');
  nav.hidden = !s || s.account.password_change_required;
  render(s ? navigation(s) : html``, nav);
}

// Before a screen is drawn: sign-in first, the forced password change, then the capability.
function guard(screen, path, query) {
  const s = session();
  if (screen.public) {
    if (s && path === '/login') { navigate('/menu', {}, { replace: true }); return false; }
    return null;
  }
  if (!s) {
    navigate('/login', { next: hashFor(path, Object.fromEntries(query)) }, { replace: true });
    return false;
  }
  if (s.account.password_change_required && path !== '/password') {
    navigate('/password', {}, { replace: true });
    return false;
  }
  if (screen.capability && !hasCapability(screen.capability)) {
    const code = s.institution.not_started
      ? 'institution.not_started'
      : screen.unavailable?.(s) || 'auth.forbidden';
    return { title: 'この画面は利用できません', body: html`<p class="notice">${errorMessage(code)}</p><p><a href="#/menu">メニューへ戻る</a></p>` };
  }
  return null;
}

const MESSAGES = {
  expired: 'ログインの有効期限が切れました。再度ログインしてください。',
  'timed-out': '一定時間操作がなかったため、ログアウトしました。再度ログインしてください。',
  'signed-out-elsewhere': '別の画面でログアウトしたため、ログアウトしました。',
  'signed-out': 'ログアウトしました。',
};

onSessionChange((s, reason) => {
  drawHeader(s);
  if (!s && MESSAGES[reason]) {
    flash(MESSAGES[reason], { keep: true });
    const { path, query } = parseHash(location.hash);
    const next = reason === 'signed-out' || path === '/login' ? undefined : hashFor(path, Object.fromEntries(query));
    navigate('/login', { next }, { replace: true });
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  const ok = await confirmDialog({ title: 'ログアウト', body: html`<p>ログアウトします。よろしいですか？</p>` });
  if (ok) await signOut();
});

window.addEventListener('hashchange', () => drawHeader(session()));

async function boot() {
  const main = document.getElementById('main');
  try {
    await loadSession();
  } catch (e) {
    render(html`<h1 tabindex="-1">現在システムを利用できません</h1><p>${e.message}</p>`, main);
    return;
  }
  drawHeader(session());
  // Resolve the bare address before the router sees it, or '/' would count as a deep link
  // and the sign-in page would offer to come back to it.
  if (!location.hash || location.hash === '#/') history.replaceState(null, '', session() ? '#/menu' : '#/login');
  startRouter({
    routes, host: main, guard, fallback: notFound,
    context: { navigate, flash, reloadSession: async () => { await loadSession(); drawHeader(session()); } },
  });
}

boot();

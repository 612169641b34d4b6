// Hash routes (#/accounts?role=general&page=2) → screen modules. Every screen's state is
// in the URL, so reload and back work; on every change the page title names the screen and
// focus moves to its heading.
import { html, render } from '../vendor/lit-html/lit-html.js';
import { routeChanged } from './widgets/flash.js';

// '/accounts/:user_id' against '/accounts/A0123' → { user_id: 'A0123' } or null.
export function matchPath(pattern, path) {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      if (!s[i]) return null;
      params[p[i].slice(1)] = decodeURIComponent(s[i]);
    } else if (p[i] !== s[i]) return null;
  }
  return params;
}

// '#/accounts?x=1' → { path: '/accounts', query: URLSearchParams }
export function parseHash(hash) {
  const h = (hash || '').replace(/^#/, '') || '/';
  const i = h.indexOf('?');
  return { path: i < 0 ? h : h.slice(0, i), query: new URLSearchParams(i < 0 ? '' : h.slice(i + 1)) };
}

export function hashFor(path, query = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(path, query, { replace = false } = {}) {
  const target = hashFor(path, query);
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

const SYSTEM = 'オンライン資格確認等システム';

// screens: [{ path, title, create(ctx) → { view() } }]; guard(screen) → null or a template
// shown instead (forbidden, sign-in needed).
export function startRouter({ screens, host, guard, fallback, context }) {
  let current = null;
  function show() {
    const { path, query } = parseHash(location.hash);
    let screen = null;
    let params = null;
    for (const s of screens) {
      params = matchPath(s.path, path);
      if (params) { screen = s; break; }
    }
    current?.instance?.dispose?.();
    routeChanged();
    if (!screen) { screen = fallback; params = {}; }
    const blocked = guard(screen, path, query);
    if (blocked === false) return; // the guard navigated elsewhere
    const title = blocked ? blocked.title : screen.title;
    document.title = `${title} | ${SYSTEM}`;
    if (blocked) {
      current = null;
      render(html`<h1 tabindex="-1">${blocked.title}</h1>${blocked.body}`, host);
    } else {
      const me = { screen, instance: null };
      current = me;
      const ctx = {
        ...context, params, query,
        update: () => { if (current === me) render(me.instance.view(), host); },
      };
      me.instance = screen.create(ctx);
      render(me.instance.view(), host);
    }
    host.querySelector('h1')?.setAttribute('tabindex', '-1');
    host.querySelector('h1')?.focus();
  }
  window.addEventListener('hashchange', show);
  show();
  return { refresh: show };
}

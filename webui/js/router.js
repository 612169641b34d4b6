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

// routes: [{ path, load: () => import(screen module) }], so a first visit loads only the
// screen it shows. A screen module's default export: { title, capability?, public?,
// unavailable?(session) → error code, create(ctx) → { view(), dispose?() } }. guard(screen) → null, a { title, body } shown
// instead (forbidden), or false when it navigated elsewhere.
export function startRouter({ routes, host, guard, fallback, context }) {
  let current = null;
  let seq = 0;
  async function show() {
    const mine = ++seq;
    // Busy from the moment the route changes until the new screen is drawn: assistive
    // technology (and the browser tests) then never take the old screen for the new one.
    host.setAttribute('aria-busy', 'true');
    const { path, query } = parseHash(location.hash);
    let screen = fallback;
    let params = {};
    for (const r of routes) {
      const m = matchPath(r.path, path);
      if (m) {
        params = m;
        screen = (await r.load()).default;
        break;
      }
    }
    if (mine !== seq) return; // another navigation overtook this one while it loaded
    current?.instance?.dispose?.();
    current = null;
    routeChanged();
    const blocked = guard(screen, path, query);
    if (blocked === false) return; // the redirect's own show() clears aria-busy
    document.title = `${blocked ? blocked.title : screen.title} | ${SYSTEM}`;
    if (blocked) {
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
    host.removeAttribute('aria-busy');
    host.querySelector('h1')?.setAttribute('tabindex', '-1');
    host.querySelector('h1')?.focus();
  }
  window.addEventListener('hashchange', show);
  show();
  return { refresh: show };
}

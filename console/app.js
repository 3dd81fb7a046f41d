// The console's entry point: sign-in, hash routes, the current view. Every view is a function
// (params, main) that renders into `main` and may return a cleanup (stop a live stream).
import { clearToken, getJson, setToken, token, whenUnauthorized } from './api.js';
import { clear, field, h } from './dom.js';
import { renderRecord, renderRecords } from './views/records.js';
import { renderVm } from './views/vm.js';
import { renderVms } from './views/vms.js';
import { renderInjection } from './views/injection.js';
import { renderErstRecord } from './views/erst.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let cleanup;

const ROUTES = [
  [/^#\/vms\/?$/, () => renderVms],
  [/^#\/vms\/([^/]+)\/errors\/([^/]+)$/, () => renderInjection],
  [/^#\/vms\/([^/]+)\/erst\/([^/]+)$/, () => renderErstRecord],
  [/^#\/vms\/([^/]+)(?:\/([a-z-]+))?$/, () => renderVm],
  [/^#\/records\/([^/]+)\/([0-9]+)$/, () => renderRecord],
  [/^#\/records\/?(?:\?.*)?$/, () => renderRecords],
];

function signIn(message) {
  nav.hidden = true;
  clear(main);
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const err = h('p', { class: 'error', role: 'alert', id: 'signin-error' }, message ?? '');
  input.setAttribute('aria-describedby', 'signin-error');
  const form = h(
    'form',
    { class: 'card signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to the rasgw gateway'),
    h('p', {}, 'Paste the bearer token: RASGW_TOKEN, or the token file in the data directory (rasgw serve prints where). It stays in this tab only (sessionStorage).'),
    field('Bearer token', input),
    err,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    const t = input.value.trim();
    try {
      await getJson('/vms', { auth: t });
      setToken(t);
      if (!location.hash || location.hash === '#/signin') location.hash = '#/vms'; // hashchange routes
      else route();
    } catch (e) {
      err.textContent = e.status === 401 ? `The gateway refused this token: ${e.problem?.detail ?? 'unauthorized'}.` : e.message;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  });
  main.append(form);
  input.focus();
}

whenUnauthorized((problem) => {
  clearToken();
  cleanup?.();
  cleanup = undefined;
  signIn(`Signed out: the gateway refused the token (${problem?.detail ?? 'unauthorized'}).`);
});

document.getElementById('signout').addEventListener('click', () => {
  clearToken();
  cleanup?.();
  cleanup = undefined;
  signIn('Signed out.');
});

async function route() {
  cleanup?.();
  cleanup = undefined;
  if (!token()) return signIn();
  nav.hidden = false;
  const hash = location.hash || '#/vms';
  for (const a of nav.querySelectorAll('a')) {
    if (hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  for (const [re, view] of ROUTES) {
    const m = re.exec(hash);
    if (!m) continue;
    // each route renders into its own element: a slower, older render that finishes later
    // writes into a detached element instead of the page
    const target = h('div', { class: 'view' });
    clear(main).append(target);
    const params = m.slice(1).map((x) => (x === undefined ? undefined : decodeURIComponent(x)));
    try {
      const c = await view()(params, target);
      // keyboard and screen-reader users start at the new content, not at a removed element
      if (target.isConnected && (document.activeElement === document.body || !document.activeElement)) main.focus({ preventScroll: true });
      if (typeof c === 'function') {
        if (target.isConnected) cleanup = c;
        else c();
      }
    } catch (e) {
      if (e.status === 401 || !target.isConnected) return;
      target.append(h('div', { class: 'card error', role: 'alert' }, h('h1', {}, e.problem?.title ?? 'Something went wrong'), h('p', {}, e.message)));
    }
    return;
  }
  location.hash = '#/vms';
}

window.addEventListener('hashchange', route);
route();

// Terminus PWA entry: boot, router, sign-in, the outbox screen and settings.
import { init as initI18n, t, setLang, LANGS, lang, fmtDay } from './i18n.js';
import { loadSession, session, login, logout, ApiError, errorText, getJSON } from './api.js';
import * as outbox from './outbox.js';
import { h, field, select } from './ui.js';
import { restoreBusiness, refreshBusiness } from './clock.js';

const main = document.getElementById('main');
const tabs = document.getElementById('tabs');
const badge = document.getElementById('outbox-badge');
const net = document.getElementById('net');

const isRep = () => session.user && session.user.role === 'rep';

const REP_TABS = [
  ['#/today', 'tab.today'],
  ['#/stores', 'tab.stores'],
  ['#/nearby', 'tab.nearby'],
  ['#/outbox', 'tab.outbox'],
  ['#/more', 'tab.more'],
];
const LEAD_TABS = [
  ['#/team', 'tab.team'],
  ['#/exceptions', 'tab.exceptions'],
  ['#/photos', 'tab.photos'],
  ['#/reports', 'tab.reports'],
  ['#/more', 'tab.more'],
];

function renderTabs(hash) {
  const list = isRep() ? REP_TABS : LEAD_TABS;
  tabs.hidden = !session.user;
  tabs.replaceChildren(
    ...list.map(([href, key]) =>
      h(
        'a',
        {
          href,
          'aria-current': hash.startsWith(href) ? 'page' : null,
        },
        t(key),
      ),
    ),
  );
  tabs.setAttribute('aria-label', t('tab.label'));
}

export function setTitle(text) {
  document.getElementById('title').textContent = text;
  document.title = `${text} · Terminus`;
}

function renderNet() {
  net.textContent = navigator.onLine ? t('net.online') : t('net.offline');
  net.classList.toggle('off', !navigator.onLine);
}

export async function refreshBadge() {
  const c = await outbox.counts();
  const waiting = c.pending + c.sending;
  badge.hidden = !(waiting || c.failed);
  badge.textContent = c.failed
    ? t('outbox.badgeFailed', { n: waiting, f: c.failed })
    : t('outbox.badge', { n: waiting });
  badge.setAttribute('aria-label', t('outbox.title'));
}

// ---- router -------------------------------------------------------------------------
const routes = [];
export function route(pattern, view) {
  routes.push([pattern, view]);
}

let rendering = 0;
export async function render() {
  const hash = location.hash || (session.user ? (isRep() ? '#/today' : '#/team') : '#/login');
  if (!session.user && hash !== '#/login') {
    location.hash = '#/login';
    return;
  }
  renderTabs(hash);
  renderNet();
  const n = (rendering += 1);
  for (const [pattern, view] of routes) {
    const m = hash.match(pattern);
    if (!m) continue;
    try {
      const node = await view(...m.slice(1));
      if (n !== rendering) return; // a newer navigation won
      if (node) main.replaceChildren(node);
    } catch (err) {
      if (n !== rendering) return;
      main.replaceChildren(
        h('div', { class: 'card bad', role: 'alert' }, t('error.load'), ' ', String(err.message || err)),
      );
      if (err instanceof ApiError && err.status === 401) await signOut();
    }
    main.focus({ preventScroll: true });
    return;
  }
  location.hash = session.user ? (isRep() ? '#/today' : '#/team') : '#/login';
}

async function signOut() {
  const c = await outbox.counts();
  if ((c.pending || c.failed) && !confirm(t('more.logoutPending', { n: c.pending + c.failed }))) return;
  await logout();
  location.hash = '#/login';
  render();
}

// ---- sign-in --------------------------------------------------------------------------
route(/^#\/login$/, () => {
  setTitle('Terminus');
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const err = h('p', { class: 'bad', role: 'alert' });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (e) => {
        e.preventDefault();
        err.textContent = '';
        try {
          await login(user.value.trim(), pass.value);
          location.hash = isRep() ? '#/today' : '#/team';
          afterSignIn();
        } catch (ex) {
          err.textContent =
            ex instanceof ApiError ? (ex.status === 401 ? t('login.bad') : errorText(ex.body)) : t('login.offline');
        }
      },
    },
    h('h2', {}, t('login.title')),
    field(t('login.username'), user),
    field(t('login.password'), pass),
    err,
    h('button', { class: 'primary block', type: 'submit' }, t('login.submit')),
  );
  return h('div', {}, form, langSwitch());
});

function langSwitch() {
  const sel = select(Object.entries(LANGS), { class: 'lang' });
  sel.value = lang;
  sel.addEventListener('change', async () => {
    await setLang(sel.value);
    render();
    refreshBadge();
  });
  return field(t('more.language'), sel);
}

// ---- settings ---------------------------------------------------------------------------
route(/^#\/more$/, async () => {
  setTitle(t('tab.more'));
  let storage = '';
  if (navigator.storage && navigator.storage.estimate) {
    const e = await navigator.storage.estimate();
    const persisted = navigator.storage.persisted ? await navigator.storage.persisted() : false;
    storage = t('more.storage', {
      used: Math.round((e.usage || 0) / 1048576),
      persisted: persisted ? t('yes') : t('no'),
    });
  }
  // A rep's feedback on their photos this week (the supervisor's verdicts), when online.
  let feedback = null;
  if (isRep()) {
    try {
      const items = (await getJSON('/api/reports/photos?period=week&per_page=30')).data.items.filter(
        (p) => p.status !== 'pending',
      );
      feedback = h(
        'div',
        { class: 'card', id: 'photo-feedback' },
        h('h3', {}, t('more.feedback')),
        items.length
          ? h(
              'ul',
              {},
              items.map((p) =>
                h(
                  'li',
                  { class: p.status === 'rejected' ? 'bad' : 'ok' },
                  `${fmtDay(p.visit_date)} ${p.store_name}: ${t(`photos.${p.status}`)}${p.comment ? ` “${p.comment}”` : ''}`,
                ),
              ),
            )
          : h('p', { class: 'muted' }, t('more.noFeedback')),
      );
    } catch {
      /* offline or no reports API */
    }
  }
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'card' },
      h('strong', {}, session.user.full_name),
      h('div', { class: 'muted' }, `${session.user.username} · ${t(`role.${session.user.role}`)}`),
    ),
    feedback,
    langSwitch(),
    h('p', { class: 'muted' }, storage),
    h('button', { class: 'danger block', onclick: signOut }, t('more.logout')),
  );
});

// ---- boot -------------------------------------------------------------------------------
let rep = null;
let lead = null;
async function afterSignIn() {
  await refreshBusiness(getJSON).catch(() => {});
  if (isRep()) {
    rep = rep || (await import('./rep.js'));
    rep.prefetch().catch(() => {});
  }
  outbox.flush().then(refreshBadge);
  render();
}

async function boot() {
  await Promise.all([initI18n(), loadSession(), restoreBusiness()]);
  if (session.user)
    await refreshBusiness(getJSON).catch(() => {
      /* offline: the kept settings */
    });
  // The rep views (and visit flow) and the outbox register their routes; the team screens
  // load on demand.
  [rep] = await Promise.all([import('./rep.js'), import('./stores-view.js'), import('./outbox-view.js')]);
  route(/^#\/(team|exceptions|photos|reports|visit-detail)(?:\/(.+))?$/, async (...args) => {
    lead = lead || (await import('./lead.js'));
    return lead.view(...args);
  });
  outbox.onChange(() => {
    refreshBadge();
  });
  addEventListener('hashchange', render);
  addEventListener('online', () => {
    renderNet();
    outbox.flush({ force: true }).then(refreshBadge);
  });
  addEventListener('offline', renderNet);
  badge.addEventListener('click', () => {
    location.hash = '#/outbox';
  });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/', type: 'module' }).catch((e) => console.warn('SW', e));
    navigator.serviceWorker.addEventListener('message', (e) => {
      if (e.data && e.data.type === 'outbox') refreshBadge();
    });
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  await render();
  refreshBadge();
  if (session.user) {
    if (isRep()) rep.prefetch().catch(() => {});
    outbox.prune().catch(() => {});
    outbox.flush().then(refreshBadge);
  }
  // Backoff timer: look again every 15 s while something waits (cheap: one IndexedDB read).
  setInterval(async () => {
    const c = await outbox.counts();
    if (c.pending && navigator.onLine) outbox.flush().then(refreshBadge);
  }, 15000);
}

boot();

// What surrounds every screen: the tabs, the network state, the outbox badge, the language
// switch, signing in and out. Screens import it; it imports no screen.
import { t, setLang, LANGS, lang } from './i18n.js';
import { session, logout, getJSON } from './api.js';
import { refreshBusiness } from './clock.js';
import { prefetch } from './data.js';
import * as outbox from './outbox.js';
import { render } from './router.js';
import { h, field, select } from './ui.js';

const tabs = document.getElementById('tabs');
const badge = document.getElementById('outbox-badge');
const net = document.getElementById('net');

export const isRep = () => Boolean(session.user && session.user.role === 'rep');

// Where a signed-in user starts, and everyone else.
export const home = () => (session.user ? (isRep() ? '#/today' : '#/team') : '#/login');

const REP_TABS = [
  ['#/today', 'tab.today'],
  ['#/stores', 'tab.stores'],
  ['#/nearby', 'tab.nearby'],
  ['#/outbox', 'tab.outbox'],
  ['#/more', 'tab.more'],
];
const LEAD_TABS = [
  ['#/team', 'tab.team'],
  ['#/plans', 'tab.plans', ['supervisor', 'admin']],
  ['#/exceptions', 'tab.exceptions'],
  ['#/photos', 'tab.photos'],
  ['#/reports', 'tab.reports'],
  ['#/more', 'tab.more'],
];

// The tabs (the current one marked) and the network state, drawn before each screen.
export function frame(hash) {
  const role = session.user && session.user.role;
  const list = isRep() ? REP_TABS : LEAD_TABS.filter(([, , roles]) => !roles || roles.includes(role));
  tabs.hidden = !session.user;
  tabs.replaceChildren(
    ...list.map(([href, key]) => h('a', { href, 'aria-current': hash.startsWith(href) ? 'page' : null }, t(key))),
  );
  tabs.setAttribute('aria-label', t('tab.label'));
  renderNet();
}

export function renderNet() {
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

// What a signed-in user needs offline: a rep's day's data; for everyone else the lead/
// screens, which the service worker keeps in its own cache once asked.
export function prepareOffline() {
  if (isRep()) {
    prefetch().catch(() => {});
    return;
  }
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready.then((reg) => reg.active && reg.active.postMessage('cache-lead')).catch(() => {});
}

// The business settings, the offline data and the outbox, once someone is signed in.
export async function afterSignIn() {
  await refreshBusiness(getJSON).catch(() => {});
  prepareOffline();
  outbox.flush().then(refreshBadge);
  render();
}

// Signing out keeps the outbox, but asks first when something still waits in it.
export async function signOut() {
  const c = await outbox.counts();
  if ((c.pending || c.failed) && !confirm(t('more.logoutPending', { n: c.pending + c.failed }))) return;
  await logout();
  location.hash = '#/login';
  render();
}

export function langSwitch() {
  const sel = select(Object.entries(LANGS), { class: 'lang' });
  sel.value = lang;
  sel.addEventListener('change', async () => {
    await setLang(sel.value);
    render();
    refreshBadge();
  });
  return field(t('more.language'), sel);
}

// What surrounds every screen: the tabs, the network state, the outbox badge, the language
// switch, signing in and out. Screens import it; it imports no screen.
import { t, setLang, LANGS, lang } from './i18n.js';
import { session, logout, getJSON, ApiError, errorText } from './api.js';
import { refreshBusiness } from './clock.js';
import { prefetch } from './data.js';
import * as outbox from './outbox.js';
import { render } from './router.js';
import { h, field, select, ask, toast } from './ui.js';

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
  ['#/returns', 'lead.tabCases', null, ['#/complaints']],
  ['#/reports', 'tab.reports'],
  ['#/more', 'tab.more'],
];

// The tabs (the current one marked) and the network state, drawn before each screen.
export function frame(hash) {
  const role = session.user && session.user.role;
  const list = isRep() ? REP_TABS : LEAD_TABS.filter(([, , roles]) => !roles || roles.includes(role));
  tabs.hidden = !session.user;
  tabs.replaceChildren(
    ...list.map(([href, key, , also = []]) =>
      h('a', { href, 'aria-current': [href, ...also].some((x) => hash.startsWith(x)) ? 'page' : null }, t(key)),
    ),
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

// Signing out (here, or `everywhere`) keeps the user's unsent items on the phone, set aside
// for their next sign-in here, but warns first. Then the page starts afresh, so nothing of
// this user's stays in memory for the next one. Answers whether the user was signed out.
export async function signOut({ everywhere = false } = {}) {
  const c = await outbox.counts();
  const unsent = c.pending + c.sending + c.failed;
  const go = ['out', t(everywhere ? 'account.everywhere' : 'more.logout'), 'danger'];
  const stay = ['stay', t('phone.stay'), 'primary'];
  if (unsent && (await ask(t('phone.unsentAtSignOut', { n: unsent }), [stay, go], 'unsent-warning')) !== 'out')
    return false;
  try {
    await logout({ everywhere });
  } catch (err) {
    toast(err instanceof ApiError ? errorText(err.body) : t('account.offline'));
    return false;
  }
  location.hash = '#/login';
  location.reload();
  return true;
}

// Another user's unsent work on this phone (said at sign-in): it stays set aside for them,
// unless this user discards it after a second warning.
export async function warnOthers() {
  const n = await outbox.othersUnsent();
  if (!n) return;
  const keep = ['keep', t('phone.keep'), 'primary'];
  const answer = await ask(
    t('phone.othersAtSignIn', { n }),
    [keep, ['discard', t('phone.discard'), 'danger']],
    'others-warning',
  );
  if (answer === 'discard') await discardOthers();
}

export async function discardOthers() {
  const n = await outbox.othersUnsent();
  const keep = ['keep', t('phone.keep'), 'primary'];
  const sure = await ask(
    t('phone.discardSure', { n }),
    [keep, ['discard', t('phone.discardNow'), 'danger']],
    'discard-warning',
  );
  if (sure !== 'discard') return false;
  await outbox.discardOthers();
  toast(t('phone.discarded', { n }));
  return true;
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

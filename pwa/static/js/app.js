// Terminus PWA entry: the route table (each screen a module, loaded when first shown and then
// kept; the rep's screens precached by the service worker, the lead/ ones once a supervisor,
// manager or admin signs in) and the boot.
import { init as initI18n } from './i18n.js';
import { loadSession, session, ApiError, getJSON } from './api.js';
import { restoreBusiness, refreshBusiness } from './clock.js';
import * as outbox from './outbox.js';
import { configure, render, route } from './router.js';
import { frame, home, prepareOffline, refreshBadge, renderNet, signOut } from './shell.js';
import { watchIdle, wipeIfIdle } from './wipe.js';

const SCREENS = [
  [/^#\/login$/, () => import('./login-view.js')],
  [/^#\/more$/, () => import('./more-view.js')],
  // The rep's screens.
  [/^#\/today(?:\/(tomorrow))?$/, () => import('./today-view.js')],
  [/^#\/stores$/, () => import('./stores-view.js')],
  [/^#\/store\/(\d+)$/, () => import('./store-view.js')],
  [/^#\/nearby$/, () => import('./nearby-view.js')],
  [/^#\/visit\/([0-9a-f-]{36})$/, () => import('./visit-view.js')],
  [/^#\/outbox$/, () => import('./outbox-view.js')],
  // The supervisor's and area manager's screens.
  [/^#\/team$/, () => import('./lead/team-view.js')],
  [/^#\/exceptions$/, () => import('./lead/exceptions-view.js')],
  [/^#\/photos$/, () => import('./lead/photos-view.js')],
  [/^#\/reports(?:\/([a-z-]+))?$/, () => import('./lead/reports-view.js')],
  [/^#\/returns$/, () => import('./lead/returns-view.js')],
  [/^#\/complaints$/, () => import('./lead/complaints-view.js')],
  [/^#\/visit-detail\/(\d+)$/, () => import('./lead/visit-detail-view.js')],
  // The planning workbench (supervisors, admins).
  [/^#\/plans$/, () => import('./lead/plans-view.js')],
  [/^#\/plans\/(\d+)\/history$/, () => import('./lead/plan-history.js')],
  // The back office (admins; supervisors for their team).
  [/^#\/office$/, () => import('./lead/office-view.js')],
  [/^#\/office\/stores$/, () => import('./lead/office-stores-view.js')],
  [/^#\/office\/store\/(\d+|new)$/, () => import('./lead/office-store-edit-view.js')],
  [/^#\/office\/import$/, () => import('./lead/office-import-view.js')],
  [/^#\/office\/territory$/, () => import('./lead/office-territory-view.js')],
  [/^#\/office\/users$/, () => import('./lead/office-users-view.js')],
  [/^#\/office\/products$/, () => import('./lead/office-products-view.js')],
  [/^#\/office\/prices$/, () => import('./lead/office-prices-view.js')],
  [/^#\/office\/uplifts$/, () => import('./lead/office-uplifts-view.js')],
  [/^#\/office\/audit$/, () => import('./lead/audit-view.js')],
];

for (const [pattern, load] of SCREENS) route(pattern, async (...args) => (await load()).view(...args));

configure({
  home,
  // Signed out, every route leads to the sign-in screen; signed in, not there (another user
  // signs in only after this one signs out).
  redirect: (hash) => {
    if (!session.user) return hash === '#/login' ? null : '#/login';
    return hash === '#/login' ? home() : null;
  },
  frame,
  failed: async (err) => {
    if (err instanceof ApiError && err.status === 401) await signOut();
  },
});

async function boot() {
  // Before the session is read: a phone that has not reached the server for too long starts
  // wiped, on the sign-in screen, which says why (wipe.js); checked again on each resume.
  await wipeIfIdle().catch(() => false);
  watchIdle();
  await Promise.all([initI18n(), loadSession(), restoreBusiness()]);
  if (session.user) {
    await refreshBusiness(getJSON).catch(() => {
      /* offline: the kept settings */
    });
  }
  outbox.onChange(() => {
    refreshBadge();
  });
  addEventListener('hashchange', render);
  addEventListener('online', () => {
    renderNet();
    outbox.flush({ force: true }).then(refreshBadge);
  });
  addEventListener('offline', renderNet);
  document.getElementById('outbox-badge').addEventListener('click', () => {
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
    prepareOffline();
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

// Terminus service worker (a module worker, served at /sw.js with scope /).
// - install: precache the rep's shell into a versioned cache; install fails if any file fails.
//   The supervisor's, manager's and admin's screens (js/lead/) go into a second versioned
//   cache when a signed-in non-rep page asks ('cache-lead'), and again at each new version on
//   a device that had them.
// - activate: delete the caches of older versions.
// - fetch: shell and lead files cache-first; navigations fall back to the cached shell offline;
//   /api/* is never cached here (the app keeps API answers in IndexedDB, per user).
// - sync: Background Sync ('outbox') sends the queued visits, photos and records.
import { flush } from '/app/js/outbox.js';

// The server appends a digest of the shell files (backend/routes/pwa.py).
const VERSION = 'v1';
const CACHE = `terminus-shell-${VERSION}`;
const LEAD_CACHE = `terminus-lead-${VERSION}`;
// The server lists every file of js/lead/ here (backend/routes/pwa.py): no hand-kept list.
const LEAD = [];
const SHELL = [
  '/',
  '/manifest.webmanifest',
  '/app/app.css',
  '/app/js/api.js',
  '/app/js/app.js',
  '/app/js/clock.js',
  '/app/js/data.js',
  '/app/js/db.js',
  '/app/js/http.js',
  '/app/js/i18n.js',
  '/app/js/login-view.js',
  '/app/js/map.js',
  '/app/js/more-view.js',
  '/app/js/navigate.js',
  '/app/js/nearby-view.js',
  '/app/js/outbox-view.js',
  '/app/js/outbox.js',
  '/app/js/photo.js',
  '/app/js/polyline.js',
  '/app/js/router.js',
  '/app/js/shell.js',
  '/app/js/store-view.js',
  '/app/js/stores-view.js',
  '/app/js/today-view.js',
  '/app/js/ui.js',
  '/app/js/visit-view.js',
  '/app/js/wipe.js',
  '/app/js/visit/common.js',
  '/app/js/visit/competitors.js',
  '/app/js/visit/complaint.js',
  '/app/js/visit/display.js',
  '/app/js/visit/expiry.js',
  '/app/js/visit/followups.js',
  '/app/js/visit/note.js',
  '/app/js/visit/order.js',
  '/app/js/visit/photos.js',
  '/app/js/visit/returns.js',
  '/app/js/visit/shelf.js',
  '/app/js/visit/stock.js',
  '/app/i18n/en.json',
  '/app/i18n/zh-Hans.json',
  '/app/icons/icon-192.png',
  '/app/icons/icon-512.png',
  '/app/vendor/leaflet/leaflet.js',
  '/app/vendor/leaflet/leaflet.css',
];

// cache: 'reload' skips the HTTP cache, so a new version never precaches stale files.
const fresh = (url) => new Request(url, { cache: 'reload' });

// The lead screens this version lacks, fetched into their cache (all or none, like the shell).
async function cacheLead() {
  const cache = await caches.open(LEAD_CACHE);
  const have = new Set((await cache.keys()).map((r) => new URL(r.url).pathname));
  await cache.addAll(LEAD.filter((url) => !have.has(url)).map(fresh));
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(SHELL.map(fresh));
      const names = await caches.keys();
      if (names.some((n) => n.startsWith('terminus-lead-'))) await cacheLead();
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((n) => /^terminus-(shell|lead)-/.test(n) && n !== CACHE && n !== LEAD_CACHE)
          .map((n) => caches.delete(n)),
      );
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  if (req.mode === 'navigate') {
    event.respondWith(
      (async () => {
        try {
          const res = await fetch(req);
          if (res.ok && url.pathname === '/') (await caches.open(CACHE)).put('/', res.clone());
          return res;
        } catch {
          return (await caches.match('/', { cacheName: CACHE })) || Response.error();
        }
      })(),
    );
    return;
  }
  event.respondWith(
    (async () => {
      const name = url.pathname.startsWith('/app/js/lead/') ? LEAD_CACHE : CACHE;
      const hit = await caches.match(req, { cacheName: name, ignoreSearch: true });
      return hit || fetch(req);
    })(),
  );
});

async function tellClients(data) {
  for (const c of await self.clients.matchAll({ includeUncontrolled: true })) c.postMessage(data);
}

self.addEventListener('sync', (event) => {
  if (event.tag !== 'outbox') return;
  event.waitUntil(
    (async () => {
      const r = await flush({ force: true });
      await tellClients({ type: 'outbox', result: r });
      // Rejecting asks the browser to try this sync again later (with its own backoff).
      if (r.retry) throw new Error('outbox: some items wait for the network');
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'cache-lead') event.waitUntil(cacheLead());
  if (event.data === 'flush') event.waitUntil(flush().then((r) => tellClients({ type: 'outbox', result: r })));
});

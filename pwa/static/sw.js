// Terminus service worker (a module worker, served at /sw.js with scope /).
// - install: precache the app shell into a versioned cache; install fails if any file fails.
// - activate: delete the caches of older versions.
// - fetch: shell files cache-first; navigations fall back to the cached shell offline;
//   /api/* is never cached here (the app keeps API answers in IndexedDB, per user).
// - sync: Background Sync ('outbox') sends the queued visits, photos and records.
import { flush } from '/app/js/outbox.js';

// The server appends a digest of the shell files (backend/routes/pwa.py).
const VERSION = 'v1';
const CACHE = `terminus-shell-${VERSION}`;
const SHELL = [
  '/',
  '/manifest.webmanifest',
  '/app/app.css',
  '/app/js/api.js',
  '/app/js/app.js',
  '/app/js/clock.js',
  '/app/js/data.js',
  '/app/js/db.js',
  '/app/js/exceptions-view.js',
  '/app/js/http.js',
  '/app/js/i18n.js',
  '/app/js/lead-ui.js',
  '/app/js/login-view.js',
  '/app/js/map.js',
  '/app/js/more-view.js',
  '/app/js/nearby-view.js',
  '/app/js/outbox-view.js',
  '/app/js/outbox.js',
  '/app/js/photo.js',
  '/app/js/photos-view.js',
  '/app/js/reports-view.js',
  '/app/js/router.js',
  '/app/js/shell.js',
  '/app/js/store-view.js',
  '/app/js/stores-view.js',
  '/app/js/team-view.js',
  '/app/js/today-view.js',
  '/app/js/ui.js',
  '/app/js/visit-detail-view.js',
  '/app/js/visit-view.js',
  '/app/i18n/en.json',
  '/app/i18n/zh-Hans.json',
  '/app/icons/icon-192.png',
  '/app/icons/icon-512.png',
  '/app/vendor/leaflet/leaflet.js',
  '/app/vendor/leaflet/leaflet.css',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // cache: 'reload' skips the HTTP cache, so a new version never precaches stale files.
      await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith('terminus-shell-') && n !== CACHE).map((n) => caches.delete(n)),
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
      const hit = await caches.match(req, { cacheName: CACHE, ignoreSearch: true });
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
  if (event.data === 'flush') event.waitUntil(flush().then((r) => tellClients({ type: 'outbox', result: r })));
});

// IndexedDB, raw API in small promise helpers. Shared by the page and the service worker.
// Rule: a transaction only ever holds IndexedDB requests; network calls happen between
// transactions, never inside one (a transaction auto-commits once it has nothing to do).

const NAME = 'terminus';
// 2: outbox items and local visits carry their owner (`user`, the user's id).
const VERSION = 2;
let opening = null;

export function openDb() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = (e) => {
      const db = req.result;
      // meta: token, user, language, last sync time...
      if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
      // cache: the last good answer of each API GET (network-first, this is the offline copy)
      if (!db.objectStoreNames.contains('cache')) db.createObjectStore('cache');
      // outbox: every write, in order (seq), with its idempotency key
      if (!db.objectStoreNames.contains('outbox')) {
        const s = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
        s.createIndex('status', 'status');
        s.createIndex('key', 'key', { unique: true });
      }
      // visits: the rep's visits as the device knows them (uuid), before and after sync
      if (!db.objectStoreNames.contains('visits')) {
        const v = db.createObjectStore('visits', { keyPath: 'uuid' });
        v.createIndex('day', 'day');
      }
      if (e.oldVersion >= 1 && e.oldVersion < 2) tagOwners(req.transaction);
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    req.onerror = () => {
      opening = null;
      reject(req.error);
    };
    req.onblocked = () => reject(new Error('IndexedDB upgrade blocked by another tab'));
  });
  return opening;
}

// Items queued before they carried an owner were queued by whoever is signed in now, if anyone;
// with nobody signed in their owner is unknown and they stay set aside like another user's.
function tagOwners(t) {
  const signedIn = t.objectStore('meta').get('user');
  signedIn.onsuccess = () => {
    const user = signedIn.result ? signedIn.result.id : null;
    for (const name of ['outbox', 'visits']) {
      t.objectStore(name).openCursor().onsuccess = (c) => {
        const cursor = c.target.result;
        if (!cursor) return;
        if (cursor.value.user === undefined) cursor.update({ ...cursor.value, user });
        cursor.continue();
      };
    }
  };
}

export function done(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function finished(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = transaction.onerror = () => reject(transaction.error || new Error('transaction aborted'));
  });
}

// Run fn(stores...) in one transaction; resolves with fn's result once the transaction commits.
export async function tx(names, mode, fn) {
  const db = await openDb();
  const t = db.transaction(names, mode);
  const list = Array.isArray(names) ? names : [names];
  const result = await fn(...list.map((n) => t.objectStore(n)), t);
  await finished(t);
  return result;
}

export const get = (store, key) => tx(store, 'readonly', (s) => done(s.get(key)));
export const put = (store, value, key) =>
  tx(store, 'readwrite', (s) => done(key === undefined ? s.put(value) : s.put(value, key)));
export const del = (store, key) => tx(store, 'readwrite', (s) => done(s.delete(key)));
export const all = (store) => tx(store, 'readonly', (s) => done(s.getAll()));
export const clear = (store) => tx(store, 'readwrite', (s) => done(s.clear()));

export const meta = {
  get: (key) => get('meta', key),
  set: (key, value) => put('meta', value, key),
  del: (key) => del('meta', key),
};

// The signed-in session, token and user always written, cleared and read together (one
// transaction): a sender never pairs one user's token with another user's id.
export const signedIn = {
  read: () =>
    tx('meta', 'readonly', async (s) => {
      const [token, user] = [s.get('token'), s.get('user')];
      return { token: (await done(token)) || null, user: (await done(user)) || null };
    }),
  save: (token, user) =>
    tx('meta', 'readwrite', (s) => {
      s.put(token, 'token');
      s.put(user, 'user');
    }),
  clear: () =>
    tx('meta', 'readwrite', (s) => {
      s.delete('token');
      s.delete('user');
    }),
};

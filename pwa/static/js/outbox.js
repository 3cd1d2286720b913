// The outbox: every write of a visit (check-in, photo, records, order, check-out) is stored in
// IndexedDB first, with its idempotency key, then sent strictly in order through
// POST /api/sync/multipart (photos as binary parts). Used by the page and the service worker.
//
// Item: {seq, key, user, op, visit, method, url, body, blob, created, attempts, error,
//        status: pending|sending|sent|failed, nextAt, sentAt, httpStatus, response}
// - `user` is the id of the user who queued it: only that user's session ever sees, sends,
//   retries or removes it. Another user's items (a shared phone) are set aside and wait for
//   their owner's next sign-in here; they can only be discarded, all together, after a warning.
// - network error, 5xx, 429: stays pending, retried with exponential backoff (2 s … 10 min)
// - 4xx for an item: status failed, kept and shown with the server's reason (never dropped)
// - 401: stays pending; the rep is asked to sign in again
// `error` is {kind: network|server|auth|refused, status, body}: the screen words it in its own
// language when it shows it (the service worker, which also sends, has no texts).
// Every change is announced to this context's listeners and, through a BroadcastChannel, to
// the other contexts (the service worker's sends reach the open outbox screen as they happen).
import { tx, done, all, signedIn } from './db.js';
import { businessDay, addDays } from './clock.js';
import { authorisedFetch } from './http.js';

const BATCH_OPS = 25;
const BATCH_BYTES = 8 * 1024 * 1024;
const BACKOFF_MIN = 2000;
const BACKOFF_MAX = 10 * 60 * 1000;
const listeners = new Set();
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('terminus-outbox') : null;

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
function notify(detail) {
  for (const fn of listeners) {
    try {
      fn(detail);
    } catch {
      /* UI */
    }
  }
}
function changed(detail) {
  notify(detail);
  if (channel) channel.postMessage(detail);
}
if (channel) channel.onmessage = (e) => notify(e.data);

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const PATHS = {
  check_in: ['POST', '/api/visits'],
  check_out: ['POST', '/api/visits/{visit}/checkout'],
  photo: ['POST', '/api/visits/{visit}/photos'],
  display_checks: ['PUT', '/api/visits/{visit}/display-checks'],
  stock_counts: ['PUT', '/api/visits/{visit}/stock'],
  near_expiry_items: ['PUT', '/api/visits/{visit}/near-expiry'],
  return_requests: ['PUT', '/api/visits/{visit}/returns'],
  competitor_observations: ['PUT', '/api/visits/{visit}/competitors'],
  order: ['PUT', '/api/visits/{visit}/order'],
  shelf_facings: ['PUT', '/api/visits/{visit}/shelf-facings'],
  expiry_followups: ['PUT', '/api/visits/{visit}/expiry-followups'],
  complaint: ['POST', '/api/visits/{visit}/complaints'],
};

// Queue one operation of the signed-in user; `visit` is the visit's client uuid (check_in: none).
export async function enqueue({ op, visit, body, blob }) {
  const [method, path] = PATHS[op];
  const { user } = await signedIn.read();
  if (!user) throw new Error('outbox: nobody is signed in');
  const item = {
    key: uuid(),
    user: user.id,
    op,
    visit: visit || undefined,
    method,
    url: path.replace('{visit}', visit || ''),
    body: body || {},
    blob: blob || null,
    created: new Date().toISOString(),
    attempts: 0,
    error: null,
    status: 'pending',
    nextAt: 0,
    sentAt: null,
    httpStatus: null,
    response: null,
  };
  item.seq = await tx('outbox', 'readwrite', (s) => done(s.add(item)));
  changed({ type: 'queued', seq: item.seq });
  requestBackgroundSync();
  return item;
}

// The owner's items in order (by default the signed-in user's; nobody signed in: none).
async function itemsOf(owner) {
  if (!owner) return [];
  return (await all('outbox')).filter((i) => i.user === owner.id).sort((a, b) => a.seq - b.seq);
}

export async function items() {
  return itemsOf((await signedIn.read()).user);
}

export async function counts() {
  const list = await items();
  const c = { pending: 0, sending: 0, sent: 0, failed: 0 };
  for (const i of list) c[i.status] = (c[i.status] || 0) + 1;
  return c;
}

// How many unsent items of other users (or of an unknown one) this phone holds.
export async function othersUnsent() {
  const { user } = await signedIn.read();
  return (await all('outbox')).filter((i) => i.status !== 'sent' && (!user || i.user !== user.id)).length;
}

// Discard every item and local visit of the other users (the screen has warned, twice):
// their unsent work never reaches the server.
export async function discardOthers() {
  const { user } = await signedIn.read();
  if (!user) return;
  await tx(['outbox', 'visits'], 'readwrite', async (o, v) => {
    for (const i of await done(o.getAll())) if (i.user !== user.id) o.delete(i.seq);
    for (const x of await done(v.getAll())) if (x.user !== user.id) v.delete(x.uuid);
  });
  changed({ type: 'discarded' });
}

// Change the items `seqs` with fn; given an `owner`, only that user's (a screen's seq may be stale).
async function update(seqs, fn, owner) {
  await tx('outbox', 'readwrite', async (s) => {
    for (const seq of seqs) {
      const item = await done(s.get(seq));
      if (item && (!owner || item.user === owner.id)) {
        fn(item);
        s.put(item);
      }
    }
  });
}

async function requestBackgroundSync() {
  try {
    const reg = self.registration || (await self.navigator.serviceWorker?.ready);
    if (reg && reg.sync) await reg.sync.register('outbox');
  } catch {
    /* not supported, or not allowed: the other triggers remain */
  }
}

function backoff(attempts) {
  const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

// Take the owner's next due batch: consecutive pending items from the oldest; if the oldest
// pending item is not due yet (backoff), nothing is sent (order is never broken).
async function nextBatch(owner, force) {
  const list = (await itemsOf(owner)).filter((i) => i.status === 'pending' || i.status === 'sending');
  if (!list.length) return [];
  if (!force && list[0].nextAt > Date.now()) return [];
  const batch = [];
  let bytes = 0;
  for (const item of list) {
    const size = item.blob ? item.blob.size : 0;
    if (batch.length && (batch.length >= BATCH_OPS || bytes + size > BATCH_BYTES)) break;
    // A check-out always opens a new batch: it goes only once everything before it has an
    // answer, so a photo that met a 5xx is never stranded behind a closed visit (409).
    if (batch.length && item.op === 'check_out') break;
    batch.push(item);
    bytes += size;
  }
  return batch;
}

let running = null;
let singleMode = false;

// Send everything that is due, in order. Safe to call at any time from the page or the
// service worker: a Web Lock (where there is one) keeps two senders from interleaving.
export function flush({ force = false } = {}) {
  if (running) return running;
  const job = async () => {
    const sent = { ok: 0, failed: 0, retry: false, auth: false, offline: false };
    // Known offline: wait for the `online` event (which forces a send) instead of burning
    // attempts; a forced send (the `online` event itself, a retry) still tries.
    if (!force && self.navigator.onLine === false) return { ...sent, retry: true, offline: true };
    for (let round = 0; round < 200; round += 1) {
      // Read each round: a sign-out or another user's sign-in meanwhile changes whose items go.
      const { token, user } = await signedIn.read();
      if (!token || !user) {
        sent.auth = true;
        break;
      }
      const batch = await nextBatch(user, force);
      if (!batch.length) break;
      const r = await sendBatch(singleMode ? batch.slice(0, 1) : batch, token);
      changed({ type: 'answered', seqs: batch.map((i) => i.seq) });
      sent.ok += r.ok;
      sent.failed += r.failed;
      if (r.stop) {
        sent.retry = !r.auth;
        sent.auth = Boolean(r.auth);
        sent.offline = Boolean(r.offline);
        break;
      }
    }
    singleMode = false;
    changed({ type: 'flushed', result: sent });
    return sent;
  };
  const locked = self.navigator.locks ? self.navigator.locks.request('terminus-outbox', job) : job();
  running = locked.finally(() => {
    running = null;
  });
  return running;
}

// Send the batch (items of the user whose token it is: flush picks both from one session).
async function sendBatch(batch, token) {
  const seqs = batch.map((i) => i.seq);
  await update(seqs, (i) => {
    i.status = 'sending';
    i.attempts += 1;
  });
  changed({ type: 'sending', seqs });
  const form = new FormData();
  const operations = batch.map((i) => {
    const op = { key: i.key, op: i.op, body: i.body };
    if (i.visit) op.visit = i.visit;
    if (i.blob) {
      op.file = `f${i.seq}`;
      form.append(op.file, i.blob, `photo-${i.seq}.jpg`);
    }
    return op;
  });
  form.append('batch', JSON.stringify({ sent_at: new Date().toISOString(), operations }));
  let res;
  let body;
  try {
    res = await authorisedFetch('/api/sync/multipart', {
      token,
      method: 'POST',
      body: form,
      headers: { 'X-Device-Time': new Date().toISOString() },
    });
    body = await res.json().catch(() => null);
  } catch {
    await retryLater(seqs, { kind: 'network' });
    return { ok: 0, failed: 0, stop: true, offline: true };
  }
  if (res.status === 401) {
    await update(seqs, (i) => {
      i.status = 'pending';
      i.error = { kind: 'auth', status: 401 };
    });
    return { ok: 0, failed: 0, stop: true, auth: true };
  }
  if (res.status >= 500 || res.status === 429 || res.status === 408) {
    await retryLater(seqs, { kind: 'server', status: res.status, body });
    return { ok: 0, failed: 0, stop: true };
  }
  if (!res.ok) {
    // The batch as a whole was refused (e.g. 413, or an operation the server cannot parse):
    // send one by one, so that only the guilty item is marked failed.
    if (batch.length > 1) {
      await update(seqs, (i) => {
        i.status = 'pending';
        i.attempts -= 1;
      });
      singleMode = true;
      return { ok: 0, failed: 0, stop: false };
    }
    await markFailed(batch[0].seq, res.status, body);
    return { ok: 0, failed: 1, stop: false };
  }
  return applyResults(batch, body);
}

async function retryLater(seqs, error) {
  await update(seqs, (i) => {
    i.status = 'pending';
    i.error = error;
    i.nextAt = Date.now() + backoff(i.attempts);
  });
}

async function markFailed(seq, status, body) {
  await update([seq], (i) => {
    i.status = 'failed';
    i.httpStatus = status;
    i.error = { kind: 'refused', status, body };
    i.response = body;
  });
}

async function applyResults(batch, body) {
  const bySeq = new Map();
  (body.results || []).forEach((r, n) => bySeq.set(batch[n].seq, r));
  let ok = 0;
  let failed = 0;
  let stop = false;
  const visitIds = {};
  await update(
    batch.map((i) => i.seq),
    (i) => {
      const r = bySeq.get(i.seq);
      if (!r) {
        i.status = 'pending';
        return;
      }
      i.httpStatus = r.status;
      if (r.status < 400) {
        i.status = 'sent';
        i.sentAt = new Date().toISOString();
        i.error = null;
        i.response = r.body;
        if (i.op === 'check_in' && r.body && r.body.id) visitIds[i.visit || r.body.uuid] = r.body.id;
        ok += 1;
      } else if (r.status >= 500 || r.status === 429 || stop) {
        // A 5xx, or any refusal after one in the same batch (it may only be the consequence,
        // e.g. records of a visit whose check-in failed): try again later, never mark failed.
        const kind = r.status >= 500 || r.status === 429 ? 'server' : 'held';
        i.status = 'pending';
        i.error = { kind, status: r.status, body: r.body };
        i.nextAt = Date.now() + backoff(i.attempts);
        stop = true;
      } else {
        i.status = 'failed';
        i.error = { kind: 'refused', status: r.status, body: r.body };
        i.response = r.body;
        failed += 1;
      }
    },
  );
  // Remember the server's id of visits checked in, for links and for the supervisor.
  for (const [vuuid, id] of Object.entries(visitIds)) {
    await tx('visits', 'readwrite', async (s) => {
      const v = await done(s.get(vuuid));
      if (v) {
        v.serverId = id;
        s.put(v);
      }
    });
  }
  return { ok, failed, stop };
}

// "Retry" on a failed item: it goes back in the queue with the same key.
export async function retry(seq) {
  const { user } = await signedIn.read();
  if (!user) return flush();
  await update(
    [seq],
    (i) => {
      i.status = 'pending';
      i.nextAt = 0;
    },
    user,
  );
  changed({ type: 'retry', seq });
  return flush({ force: true });
}

// Remove one of the rep's own items on their explicit request only (the UI asks first).
export async function discard(seq) {
  const { user } = await signedIn.read();
  await tx('outbox', 'readwrite', async (s) => {
    const item = await done(s.get(seq));
    if (item && user && item.user === user.id) s.delete(seq);
  });
  changed({ type: 'discarded', seq });
}

// "Send now": everything pending is due at once. Without a network nothing is tried (no
// attempt is spent): the answer says so, and the `online` event sends it all.
export async function sendNow() {
  if (self.navigator.onLine === false) return flush();
  const list = await items();
  await update(
    list.filter((i) => i.status === 'pending').map((i) => i.seq),
    (i) => {
      i.nextAt = 0;
    },
  );
  return flush({ force: true });
}

// Send again what was already sent (same keys): the server answers from its idempotency
// records, so nothing is created twice. For support and for the tests.
export async function resendAll() {
  const list = await items();
  const again = list.filter((i) => i.status === 'sent');
  await update(
    again.map((i) => i.seq),
    (i) => {
      i.status = 'pending';
      i.nextAt = 0;
    },
  );
  return flush({ force: true });
}

// Forget sent items after two days (photos are kept that long in case the server lost them);
// pending and failed ones stay until they are sent or the rep removes them.
export async function prune(days = 2) {
  const cutoff = Date.now() - days * 86400000;
  await tx('outbox', 'readwrite', async (s) => {
    const list = await done(s.getAll());
    for (const i of list) if (i.status === 'sent' && Date.parse(i.sentAt) < cutoff) s.delete(i.seq);
  });
  // The phone's own copy of visits: a week is enough for the route and store screens.
  const oldest = addDays(businessDay(), -7);
  await tx('visits', 'readwrite', async (s) => {
    for (const v of await done(s.getAll())) if (v.day < oldest) s.delete(v.uuid);
  });
}

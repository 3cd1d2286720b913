// What the phone forgets of its users: everything at each sign-out, and the same on start or
// resume once it has not reached the server for the organisation's offline_wipe_days
// (GET /api/settings, kept with the business settings; 0 = never).
// Gone: the session, every offline answer (plans, stores, contacts, catalogue, lead screens'
// data), the outbox's sent items (their bodies and photos) and the local visits with nothing
// unsent. Kept: every unsent item (pending, sending, failed) and the visits they belong to, set
// aside for their owner's next sign-in here — a wipe never loses a check-in (the user is warned
// at sign-out, shell.js). Cache Storage holds only the app's code (sw.js never caches /api/),
// so it has nothing of a user's to wipe.
import { tx, done, meta } from './db.js';

const DAY = 86400000;
// The server's default, for a phone that kept settings from before the setting existed.
const DEFAULT_DAYS = 14;
const CONTACT = 'lastContact';
const NOTICE = 'wipedWhy';

// Forget the signed-in session and the users' data, in one transaction.
export function wipeLocal() {
  return tx(['meta', 'cache', 'outbox', 'visits'], 'readwrite', async (m, c, o, v) => {
    m.delete('token');
    m.delete('user');
    c.clear();
    const waiting = new Set();
    for (const i of await done(o.getAll())) {
      if (i.status === 'sent') o.delete(i.seq);
      // A check-in names its visit in its body (it has no server visit yet).
      else waiting.add(i.visit || (i.body && i.body.uuid));
    }
    for (const x of await done(v.getAll())) if (!waiting.has(x.uuid)) v.delete(x.uuid);
  });
}

let noted = 0;

// A successful answer of the server: the clock of the offline wipe starts again (written at
// most once a minute: every screen asks the API several times).
export function reached(now = Date.now()) {
  if (now - noted < 60000) return;
  noted = now;
  meta.set(CONTACT, new Date(now).toISOString()).catch(() => {});
}

// Wipe when a user is signed in and the last server answer is older than the setting's days;
// the sign-in screen then says why. Answers whether it wiped. A phone with no last contact
// yet (updated from a version without it) starts its clock now.
export async function wipeIfIdle(now = Date.now()) {
  const [user, settings, last] = await Promise.all([meta.get('user'), meta.get('business'), meta.get(CONTACT)]);
  if (!user) return false;
  if (!last) {
    await meta.set(CONTACT, new Date(now).toISOString());
    return false;
  }
  const setting = settings && settings.offline_wipe_days;
  const days = Number.isInteger(setting) && setting >= 0 ? setting : DEFAULT_DAYS;
  if (!days || now - Date.parse(last) <= days * DAY) return false;
  await wipeLocal();
  await meta.set(NOTICE, { reason: 'idle', days, last });
  return true;
}

// On the page: the same check each time the app comes back to the screen; a wipe reloads it,
// so nothing of the user's stays in memory either.
export function watchIdle() {
  document.addEventListener('visibilitychange', async () => {
    if (document.visibilityState !== 'visible') return;
    if (await wipeIfIdle().catch(() => false)) {
      location.hash = '#/login';
      location.reload();
    }
  });
}

// Why the last wipe signed the user out ({reason, days, last}), until someone signs in.
export const notice = {
  read: () => meta.get(NOTICE),
  clear: () => meta.del(NOTICE),
};

// The rep's data, network-first and kept in IndexedDB for offline days: today's plan, the
// rep's stores, products and brands, the visits as the phone knows them, and the position.
// The screens read it; it imports no screen.
import { t } from './i18n.js';
import { getJSON, getAllPages, session } from './api.js';
import { all, get, put } from './db.js';
import { businessDay, addDays } from './clock.js';
import { enqueue, uuid, flush } from './outbox.js';

export const today = () => businessDay();

// The day's data, network-first, kept in IndexedDB for the day offline.
export async function prefetch() {
  const [{ plan }] = await Promise.all([todayPlan(), stores(), products(), brands()]);
  const ids = [...new Set((plan?.stops || []).map((s) => s.store_id))];
  // One store's answer missing (offline, refused) leaves the others cached.
  await Promise.all(ids.flatMap((id) => storeFileUrls(id).map((url) => getJSON(url).catch(() => null))));
}

// What a visit to the store reads besides the catalogue: open near-expiry items of earlier
// visits, today's suggested order, the contacts. Prefetched for today's stops (offline).
const storeFileUrls = (id) => [followUpsUrl(id), suggestedOrderUrl(id), contactsUrl(id)];
const followUpsUrl = (id) => `/api/stores/${id}/expiry-followups`;
const suggestedOrderUrl = (id) => `/api/stores/${id}/suggested-order?date=${today()}`;
const contactsUrl = (id) => `/api/stores/${id}/contacts`;

// The store's open near-expiry items from earlier visits (network-first, cached offline).
export async function expiryFollowUps(storeId) {
  return (await getJSON(followUpsUrl(storeId))).data;
}
// Today's suggested order of the store, per own product.
export async function suggestedOrder(storeId) {
  return (await getJSON(suggestedOrderUrl(storeId))).data;
}
export async function storeContacts(storeId) {
  return (await getJSON(contactsUrl(storeId))).data;
}

// Today's plan, or tomorrow's (`day`): one answer holds both, so both are there offline.
export async function todayPlan(day = today()) {
  const d = today();
  const r = await getJSON(`/api/plans?date_from=${addDays(d, -1)}&date_to=${addDays(d, 1)}&status=published`);
  const plans = r.data.items || [];
  const plan = plans.find((p) => p.plan_date === day) || null;
  return { plan, fromCache: r.fromCache, at: r.at };
}

let storeCache = null;
export async function stores() {
  const r = await getAllPages(`/api/stores?active=true${session.user ? `&rep_id=${session.user.id}` : ''}`);
  storeCache = new Map(r.items.map((s) => [s.id, s]));
  return storeCache;
}
export async function store(id) {
  if (!storeCache) {
    try {
      await stores();
    } catch {
      storeCache = new Map();
    }
  }
  if (storeCache.has(id)) return storeCache.get(id);
  const r = await getJSON(`/api/stores/${id}`);
  storeCache.set(id, r.data);
  return r.data;
}
export async function products() {
  return (await getAllPages('/api/products?active=true')).items;
}
export async function brands() {
  return (await getJSON('/api/brands')).data;
}

// The signed-in rep's visit `vuuid` on this phone, or null (another user's is never shown).
export async function localVisit(vuuid) {
  const v = await get('visits', vuuid);
  return v && session.user && v.user === session.user.id ? v : null;
}

// The signed-in rep's visits of the day on this phone (another user's stay set aside).
export async function localVisits(day = today()) {
  const mine = (v) => session.user && v.user === session.user.id && v.day === day;
  return (await all('visits')).filter(mine).sort((a, b) => a.checkedInAt.localeCompare(b.checkedInAt));
}

// Stores the screens met elsewhere (nearby search), so that a store's screen opens offline.
export function remember(list) {
  storeCache = storeCache || new Map();
  for (const s of list) storeCache.set(s.id, s);
}

// A fresh fix by default (maximumAge 0): a cached one may be from the previous store.
export function position({ timeout = 15000, maximumAge = 0 } = {}) {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error(t('geo.none')));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) =>
        resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy_m: Math.round(p.coords.accuracy || 0) }),
      (e) => reject(new Error(e.code === 1 ? t('geo.denied') : t('geo.failed'))),
      { enableHighAccuracy: true, timeout, maximumAge },
    );
  });
}

// Check in: the visit is kept on the phone and its check-in queued in the outbox.
export async function startVisit({ id: storeId, name: storeName }, here) {
  const v = {
    uuid: uuid(),
    user: session.user.id,
    day: today(),
    storeId,
    storeName,
    checkedInAt: new Date().toISOString(),
    lat: here.lat,
    lng: here.lng,
    accuracy: here.accuracy_m,
    checkedOutAt: null,
    serverId: null,
    photos: [],
    records: {},
    saved: {},
  };
  await put('visits', v);
  await enqueue({
    op: 'check_in',
    body: {
      uuid: v.uuid,
      store_id: storeId,
      lat: here.lat,
      lng: here.lng,
      accuracy_m: here.accuracy_m,
      device_time: v.checkedInAt,
    },
  });
  flush();
  return v;
}

// The rep's screens: today's route, a store, nearby stores, re-plan; the visit flow is visit.js,
// the list of the rep's stores stores-view.js.
import { route, setTitle, render } from './app.js';
import { t, fmtDateTime, fmtDay, fmtMinutes, flagText } from './i18n.js';
import { getJSON, getAllPages, request, ApiError, errorText, session } from './api.js';
import { all } from './db.js';
import { renderMap } from './map.js';
import { h, toast, tierBadge, hm, distance } from './ui.js';
import { businessDay, addDays, weekdayOf } from './clock.js';
import { startVisit, openVisit } from './visit.js';

export const today = () => businessDay();

// The day's data, network-first, kept in IndexedDB for the day offline.
export async function prefetch() {
  await Promise.all([todayPlan(), stores(), products(), brands()]);
}

export async function todayPlan() {
  const d = today();
  const r = await getJSON(`/api/plans?date_from=${addDays(d, -1)}&date_to=${addDays(d, 1)}&status=published`);
  const plans = r.data.items || [];
  const plan = plans.find((p) => p.plan_date === d) || null;
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

export async function localVisits(day = today()) {
  return (await all('visits')).filter((v) => v.day === day).sort((a, b) => a.checkedInAt.localeCompare(b.checkedInAt));
}

// A store's opening hours on the business day's weekday (not the phone's).
export function hoursToday(s) {
  const wd = weekdayOf(today());
  const spans = (s.hours || []).filter((x) => x.weekday === wd);
  return spans.length ? spans.map((x) => `${hm(x.opens)}–${hm(x.closes)}`).join(', ') : t('store.closedToday');
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

// ---- today --------------------------------------------------------------------------
route(/^#\/today$/, async () => {
  setTitle(t('today.title'));
  let planR;
  try {
    planR = await todayPlan();
  } catch (err) {
    return h('div', { class: 'card bad', role: 'alert' }, t('today.noData'), ' ', String(err.message));
  }
  const { plan } = planR;
  const visits = await localVisits();
  const doneStores = new Set(visits.map((v) => v.storeId));
  let storeMap = new Map();
  try {
    storeMap = await stores();
  } catch {
    /* the plan has names and coordinates */
  }
  const wrap = h('div', {});
  if (planR.fromCache)
    wrap.append(h('p', { class: 'warn', role: 'status' }, t('today.cached', { at: fmtDateTime(planR.at) })));
  const open = visits.find((v) => !v.checkedOutAt);
  if (open) {
    wrap.append(
      h(
        'a',
        { class: 'btn primary block', href: `#/visit/${open.uuid}`, style: 'width:100%;margin-bottom:10px' },
        t('today.continue', { store: open.storeName }),
      ),
    );
  }
  if (!plan) {
    wrap.append(
      h(
        'div',
        { class: 'card' },
        h('p', {}, t('today.noPlan')),
        h('a', { class: 'btn', href: '#/nearby' }, t('tab.nearby')),
      ),
    );
    return wrap;
  }
  const stops = plan.stops.slice().sort((a, b) => a.sequence - b.sequence);
  const doneCount = stops.filter((s) => s.done_at || doneStores.has(s.store_id)).length;
  wrap.append(
    h(
      'p',
      { id: 'day-summary' },
      h('strong', { id: 'business-day' }, fmtDay(plan.plan_date)),
      ' · ',
      t('today.summary', { done: doneCount, total: stops.length, km: (plan.distance_m / 1000).toFixed(1) }),
    ),
  );
  const mapEl = h('div', { id: 'route-map' });
  wrap.append(mapEl);
  const list = h('ol', { class: 'stops', 'aria-label': t('today.stops') });
  for (const s of stops) {
    const done = Boolean(s.done_at || doneStores.has(s.store_id));
    const st = storeMap.get(s.store_id);
    list.append(
      h(
        'li',
        {},
        h(
          'a',
          { class: `stop${done ? ' done' : ''}`, href: `#/store/${s.store_id}`, dataset: { storeId: s.store_id } },
          h('span', { class: 'seq', 'aria-hidden': 'true' }, done ? '✓' : s.sequence),
          h(
            'span',
            { class: 'grow' },
            h('span', { class: 'name' }, s.store_name),
            ' ',
            tierBadge(s.tier),
            h(
              'div',
              { class: 'muted' },
              st ? `${t('store.open')} ${hoursToday(st)}` : s.store_code,
              done ? ` · ${t('today.done')}` : '',
            ),
          ),
          h(
            'span',
            { class: 'eta' },
            s.arrival ? hm(s.arrival) : t('today.unscheduled'),
            h('div', { class: 'muted' }, t('today.eta')),
          ),
        ),
      ),
    );
  }
  wrap.append(list);
  const replan = h(
    'button',
    {
      class: 'block',
      id: 'replan',
      onclick: async () => {
        replan.disabled = true;
        try {
          const here = await position();
          // No `at`: the server plans from its own clock in the organisation's time zone.
          const body = { lat: here.lat, lng: here.lng, done_store_ids: [...doneStores] };
          await request('POST', `/api/plans/${plan.id}/replan`, { json: body });
          toast(t('today.replanned'));
          render();
        } catch (err) {
          toast(
            err instanceof ApiError ? errorText(err.body) : navigator.onLine ? err.message : t('today.replanOffline'),
          );
          replan.disabled = false;
        }
      },
    },
    t('today.replan'),
  );
  wrap.append(replan);
  renderMap(
    mapEl,
    stops.map((s) => ({
      lat: s.lat,
      lng: s.lng,
      label: `${s.sequence}. ${s.store_name}`,
      done: doneStores.has(s.store_id) || Boolean(s.done_at),
      short: String(s.sequence),
    })),
    { title: t('today.mapLabel', { n: stops.length }) },
  );
  return wrap;
});

// ---- a store --------------------------------------------------------------------------
route(/^#\/store\/(\d+)$/, async (idText) => {
  const id = Number(idText);
  const s = await store(id);
  setTitle(s.name);
  const wrap = h(
    'div',
    {},
    h(
      'div',
      { class: 'card' },
      h('h2', {}, s.name, ' ', tierBadge(s.tier)),
      h('div', { class: 'muted' }, [s.code, t(`channel.${s.channel}`), s.address].filter(Boolean).join(' · ')),
      h('div', {}, `${t('stores.tier')}: ${t(`tier.${s.tier}`)}`),
      h('div', {}, `${t('store.open')}: ${hoursToday(s)}`),
      s.contact_name ? h('div', {}, `${t('store.contact')}: ${s.contact_name} ${s.contact_phone || ''}`) : null,
      s.notes ? h('p', {}, s.notes) : null,
    ),
  );
  const visits = await localVisits();
  const open = visits.find((v) => !v.checkedOutAt);
  if (open && open.storeId === id) {
    wrap.append(
      h('a', { class: 'btn primary block', href: `#/visit/${open.uuid}`, style: 'width:100%' }, t('store.continue')),
    );
  } else {
    const err = h('p', { class: 'bad', role: 'alert' });
    const btn = h(
      'button',
      {
        class: 'primary block',
        id: 'check-in',
        onclick: async () => {
          if (open) {
            err.textContent = t('store.otherOpen', { store: open.storeName });
            return;
          }
          btn.disabled = true;
          btn.textContent = t('checkin.locating');
          try {
            const here = await position();
            const v = await startVisit(s, here);
            location.hash = `#/visit/${v.uuid}`;
          } catch (e) {
            err.textContent = e.message;
            btn.disabled = false;
            btn.textContent = t('store.checkIn');
          }
        },
      },
      t('store.checkIn'),
    );
    wrap.append(btn, err);
  }
  const last = h(
    'div',
    { class: 'card', id: 'last-visit' },
    h('h3', {}, t('store.lastVisit')),
    h('p', { class: 'muted' }, t('loading')),
  );
  wrap.append(last);
  lastVisit(id, last).catch(() =>
    last.replaceChildren(h('h3', {}, t('store.lastVisit')), h('p', { class: 'muted' }, t('store.lastUnknown'))),
  );
  const mapEl = h('div', {});
  wrap.append(mapEl);
  renderMap(mapEl, [{ lat: s.lat, lng: s.lng, label: s.name, short: s.tier }], { route: false, title: s.name });
  return wrap;
});

async function lastVisit(storeId, el) {
  const r = await getJSON(`/api/visits?store_id=${storeId}&per_page=1`);
  const v = r.data.items[0];
  const body = [h('h3', {}, t('store.lastVisit'))];
  if (!v) {
    body.push(h('p', { class: 'muted' }, t('store.never')));
    el.replaceChildren(...body);
    return;
  }
  body.push(
    h(
      'p',
      {},
      `${fmtDateTime(v.checked_in_at)} · ${v.successful ? t('visit.withOrder') : t('visit.noOrder')}`,
      v.duration_minutes != null ? ` · ${fmtMinutes(v.duration_minutes)}` : '',
    ),
  );
  const d = (await getJSON(`/api/visits/${v.id}`)).data;
  const issues = [];
  for (const c of d.display_checks || []) {
    // Neither on the shelf nor out of stock is "not stocked here": not an issue of the visit.
    if (c.out_of_stock) issues.push(t('issue.oos', { p: `#${c.product_id}` }));
    if (c.price_tag_present === false || c.price_tag_correct === false)
      issues.push(t('issue.priceTag', { p: `#${c.product_id}` }));
    if (c.fifo_ok === false) issues.push(t('issue.fifo', { p: `#${c.product_id}` }));
  }
  for (const n of d.near_expiry_items || []) {
    if (n.expiry_date >= today())
      issues.push(t('issue.expiry', { p: `#${n.product_id}`, q: n.quantity, d: n.expiry_date }));
  }
  for (const f of d.flags || []) issues.push(flagText(f));
  const names = new Map((await products().catch(() => [])).map((p) => [`#${p.id}`, `${p.name} ${p.pack_size || ''}`]));
  body.push(h('h3', {}, t('store.openIssues')));
  body.push(
    issues.length
      ? h(
          'ul',
          { id: 'open-issues' },
          issues.map((x) =>
            h(
              'li',
              {},
              x.replace(/#\d+/, (m) => names.get(m) || m),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('store.noIssues')),
  );
  el.replaceChildren(...body);
}

// ---- nearby (unplanned visits) ------------------------------------------------------
route(/^#\/nearby$/, async () => {
  setTitle(t('nearby.title'));
  const out = h('div', { id: 'nearby-list' }, h('p', { class: 'muted' }, t('checkin.locating')));
  const radius = 1500;
  (async () => {
    let here;
    try {
      here = await position();
    } catch (e) {
      out.replaceChildren(h('p', { class: 'bad', role: 'alert' }, e.message));
      return;
    }
    let list;
    try {
      const r = await getJSON(`/api/stores?near_lat=${here.lat}&near_lng=${here.lng}&radius_m=${radius}&per_page=30`);
      list = r.data.items;
    } catch {
      // Offline: the stores kept on the phone, by distance.
      const m = await stores().catch(() => new Map());
      list = [...m.values()].filter((s) => distance(here, s) <= radius);
    }
    list = list.map((s) => ({ ...s, d: distance(here, s) })).sort((a, b) => a.d - b.d);
    if (!list.length) {
      out.replaceChildren(h('p', { class: 'muted' }, t('nearby.none')));
      return;
    }
    const mapEl = h('div', {});
    out.replaceChildren(
      mapEl,
      h(
        'ul',
        { class: 'stops' },
        list.map((s) =>
          h(
            'li',
            {},
            h(
              'a',
              { class: 'stop', href: `#/store/${s.id}` },
              h(
                'span',
                { class: 'grow' },
                h('span', { class: 'name' }, s.name),
                ' ',
                tierBadge(s.tier),
                h('div', { class: 'muted' }, s.address || s.code),
              ),
              h('span', { class: 'eta' }, `${Math.round(s.d)} m`),
            ),
          ),
        ),
      ),
    );
    storeCache = storeCache || new Map();
    for (const s of list) storeCache.set(s.id, s);
    renderMap(
      mapEl,
      list.map((s) => ({ lat: s.lat, lng: s.lng, label: s.name, short: s.tier })),
      { here, route: false, title: t('nearby.title') },
    );
  })();
  return out;
});

route(/^#\/visit\/([0-9a-f-]{36})$/, (uuid) => openVisit(uuid));

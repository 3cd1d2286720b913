// Today: the rep's published route in order, with arrival times, the map and re-planning;
// #/today/tomorrow shows tomorrow's published route (read only, offline too).
import { t, fmtDateTime, fmtDay } from './i18n.js';
import { request, ApiError, errorText } from './api.js';
import { localVisits, position, stores, today, todayPlan } from './data.js';
import { addDays } from './clock.js';
import { renderMap } from './map.js';
import { navigateLink } from './navigate.js';
import { render, setTitle } from './router.js';
import { h, hoursToday, toast, tierBadge, hm } from './ui.js';

export async function view(which) {
  const tomorrow = which === 'tomorrow';
  setTitle(t(tomorrow ? 'today.tomorrowTitle' : 'today.title'));
  let planR;
  try {
    planR = await todayPlan(tomorrow ? addDays(today(), 1) : today());
  } catch (err) {
    return h('div', { class: 'card bad', role: 'alert' }, t('today.noData'), ' ', String(err.message));
  }
  const { plan } = planR;
  const visits = tomorrow ? [] : await localVisits();
  const doneStores = new Set(visits.map((v) => v.storeId));
  let storeMap = new Map();
  try {
    storeMap = await stores();
  } catch {
    /* the plan has names and coordinates */
  }
  const wrap = h(
    'div',
    { dataset: { day: tomorrow ? 'tomorrow' : 'today' } },
    h(
      'a',
      { class: 'btn day-switch', id: 'day-switch', href: tomorrow ? '#/today' : '#/today/tomorrow' },
      t(tomorrow ? 'today.showToday' : 'today.showTomorrow'),
    ),
  );
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
        h('p', {}, t(tomorrow ? 'today.noPlanTomorrow' : 'today.noPlan')),
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
  const next = tomorrow ? null : stops.find((s) => !(s.done_at || doneStores.has(s.store_id)));
  if (next) {
    const label = t('nav.toStop', { n: next.sequence, store: next.store_name });
    wrap.append(h('p', { class: 'next-stop' }, navigateLink(next, plan.travel_mode, label)));
  }
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
            h('div', { class: 'muted' }, hoursLine(s, st, tomorrow), done ? ` · ${t('today.done')}` : ''),
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
  if (!tomorrow) wrap.append(replan);
  renderMap(
    mapEl,
    stops.map((s) => ({
      lat: s.lat,
      lng: s.lng,
      label: `${s.sequence}. ${s.store_name}`,
      done: doneStores.has(s.store_id) || Boolean(s.done_at),
      short: String(s.sequence),
      geometry: s.geometry,
      access: s.access,
    })),
    { back: plan.return_geometry, title: t('today.mapLabel', { n: stops.length }) },
  );
  return wrap;
}

// The store's hours today; tomorrow, the opening window the plan keeps for the stop.
function hoursLine(stop, store, tomorrow) {
  if (tomorrow)
    return stop.window_open ? `${t('store.open')} ${hm(stop.window_open)}–${hm(stop.window_close)}` : stop.store_code;
  return store ? `${t('store.open')} ${hoursToday(store)}` : stop.store_code;
}

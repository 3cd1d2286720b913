// Nearby: stores around the rep (the server's when online, the kept copy when not), for an
// unplanned visit.
import { t } from './i18n.js';
import { getJSON } from './api.js';
import { position, remember, stores } from './data.js';
import { renderMap } from './map.js';
import { setTitle } from './router.js';
import { h, tierBadge, distance } from './ui.js';

export async function view() {
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
    remember(list);
    renderMap(
      mapEl,
      list.map((s) => ({ lat: s.lat, lng: s.lng, label: s.name, short: s.tier })),
      { here, route: false, title: t('nearby.title') },
    );
  })();
  return out;
}

// A store: its facts and today's hours, its contacts (tap to call), check-in (or back to the
// open visit) and navigate, the last visit and its open issues, the map.
import { t, fmtDateTime, fmtMinutes, flagText } from './i18n.js';
import { getJSON, session } from './api.js';
import { localVisits, position, products, startVisit, store, storeContacts, today, todayPlan } from './data.js';
import { renderMap } from './map.js';
import { navigateLink } from './navigate.js';
import { setTitle } from './router.js';
import { h, hoursToday, tierBadge } from './ui.js';

export async function view(idText) {
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
      s.notes ? h('p', {}, s.notes) : null,
    ),
    contactsCard(s),
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
    wrap.append(btn, err, navigateTo(s));
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
}

// The store's people, the primary first, each phone a tel: link; read network-first (cached
// for today's stops), else as the store list gave them.
function contactsCard(s) {
  const card = h('div', { class: 'card', id: 'store-contacts' }, h('h3', {}, t('contact.title')));
  const show = (list) => {
    card.replaceChildren(
      h('h3', {}, t('contact.title')),
      list.length
        ? h('ul', { class: 'contacts' }, list.map(contactItem))
        : h('p', { class: 'muted' }, t('contact.none')),
    );
  };
  storeContacts(s.id)
    .then((list) => show(list))
    .catch(() => show(s.contacts || []));
  return card;
}

function contactItem(c) {
  const who = [t(`contact.role.${c.role}`), c.is_primary ? t('contact.primary') : null].filter(Boolean).join(' · ');
  return h(
    'li',
    { dataset: { contactId: c.id } },
    h('div', {}, h('strong', {}, c.name), ' ', h('span', { class: 'muted' }, who)),
    c.phone
      ? h(
          'a',
          {
            class: 'btn call',
            href: `tel:${c.phone.replace(/[^\d+]/g, '')}`,
            'aria-label': t('contact.call', { name: c.name }),
          },
          `☎ ${c.phone}`,
        )
      : null,
    c.email ? h('div', {}, h('a', { class: 'email', href: `mailto:${c.email}` }, c.email)) : null,
    c.note ? h('div', { class: 'muted' }, c.note) : null,
  );
}

// Navigate to the store by the rep's mode; once today's plan is read (offline too), by its mode
// and the road point it reaches the store by, when the store is on it.
function navigateTo(s) {
  const slot = h('p', { class: 'next-stop' }, navigateLink(s, session.user?.travel_mode, t('nav.toStore')));
  todayPlan()
    .then(({ plan }) => {
      const stop = plan?.stops.find((x) => x.store_id === s.id);
      if (stop) slot.replaceChildren(navigateLink(stop, plan.travel_mode, t('nav.toStore')));
    })
    .catch(() => {});
  return slot;
}

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

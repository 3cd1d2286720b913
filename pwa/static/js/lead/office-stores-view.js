// The store master: search by name or code, filter by tier, channel, rep and status, a page at
// a time (a table on a desktop, cards on a phone); edit, deactivate and reactivate.
import { t, plural } from '../i18n.js';
import { getJSON } from '../api.js';
import { h, field, select, tierBadge } from '../ui.js';
import { table } from './lead-ui.js';
import { canMaintain, officeScreen, pager, reps, storeFilterFields, toggleStore } from './office-ui.js';

const PER_PAGE = 25;
const filters = { q: '', tier: '', channel: '', rep_id: '', active: 'true', page: 1 }; // kept on return

function query() {
  const args = new URLSearchParams({ per_page: PER_PAGE, page: filters.page });
  for (const k of ['q', 'tier', 'channel', 'rep_id', 'active']) if (String(filters[k]).trim()) args.set(k, filters[k]);
  return args;
}

function storeRow(s, repName, redraw) {
  const cell = (key, content) => ({ content, label: t(key) });
  return h(
    'tr',
    { dataset: { storeId: s.id }, class: s.active ? null : 'inactive' },
    [
      cell('office.code', s.code),
      cell('office.name', h('a', { href: `#/office/store/${s.id}` }, s.name)),
      cell('office.tier', tierBadge(s.tier)),
      cell('office.channel', t(`channel.${s.channel}`)),
      cell('office.rep', repName(s.rep_id)),
      cell('office.status', t(s.active ? 'office.active' : 'office.inactive')),
      cell(
        'office.actions',
        h(
          'button',
          { type: 'button', class: s.active ? 'danger' : null, onclick: () => toggleStore(s, redraw) },
          t(s.active ? 'office.deactivate' : 'office.reactivate'),
        ),
      ),
    ].map((c) => h('td', { 'data-label': c.label }, c.content)),
  );
}

function filterForm(repList, redraw) {
  const q = h('input', { type: 'search', name: 'q', value: filters.q, autocomplete: 'off', id: 'office-q' });
  const status = select(
    [
      ['', t('office.anyStatus')],
      ['true', t('office.active')],
      ['false', t('office.inactive')],
    ],
    { name: 'active', id: 'office-active' },
  );
  const controls = [
    field(t('office.search'), q),
    ...storeFilterFields(repList, 'office', t('office.rep')),
    field(t('office.status'), status),
  ];
  const form = h('form', { class: 'controls office-filters', role: 'search' }, controls);
  for (const c of form.elements) if (c.name) c.value = filters[c.name];
  let timer = null;
  const apply = () => {
    for (const c of form.elements) if (c.name) filters[c.name] = c.value;
    filters.page = 1;
    redraw();
  };
  form.addEventListener('change', apply);
  q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(apply, 300);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    apply();
  });
  return form;
}

export function view() {
  return officeScreen('office.stores', canMaintain(), async () => {
    const repList = await reps();
    const names = new Map(repList.map((r) => [r.id, r.username]));
    const repName = (id) => (id == null ? t('office.noRep') : names.get(id) || `#${id}`);
    const results = h('div', { id: 'office-stores', 'aria-live': 'polite' });
    let asked = 0;
    const redraw = async () => {
      const n = (asked += 1);
      const { data } = await getJSON(`/api/stores?${query()}`);
      if (n !== asked) return; // a newer search was typed meanwhile
      results.replaceChildren(
        h('p', { class: 'muted', id: 'office-stores-total' }, plural('stores.count', data.meta.total)),
        table(
          { class: 'stack', id: 'office-store-table' },
          ['code', 'name', 'tier', 'channel', 'rep', 'status', 'actions'].map((k) => t(`office.${k}`)),
          data.items.map((s) => storeRow(s, repName, redraw)),
        ),
        pager(data.meta, (page) => {
          filters.page = page;
          redraw();
        }),
      );
    };
    await redraw();
    return [
      h(
        'div',
        { class: 'row' },
        h('a', { class: 'btn primary', href: '#/office/store/new', id: 'office-new-store' }, t('office.newStore')),
        h('a', { class: 'btn', href: '#/office/import' }, t('office.import')),
        h('a', { class: 'btn', href: '#/office/territory' }, t('office.territory')),
      ),
      filterForm(repList, redraw),
      results,
    ];
  });
}

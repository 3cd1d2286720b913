// One store of the master: its fields in a form (the API's refusals shown at the fields they
// name), its rep, its opening hours in the import's notation, its contacts (office-contacts.js),
// and deactivate / reactivate.
// `new` creates a store.
import { t } from '../i18n.js';
import { getJSON, request } from '../api.js';
import { render } from '../router.js';
import { h, hm, toast } from '../ui.js';
import { contactsCard } from './office-contacts.js';
import {
  CHANNELS,
  TIERS,
  apiForm,
  canMaintain,
  changes,
  isAdmin,
  officeScreen,
  options,
  reps,
  teams,
  toggleStore,
} from './office-ui.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const number = { type: 'number', step: 'any' };

// Opening hours in the import's notation, e.g. "mon-fri 08:00-12:00 13:00-18:00; sat 09:00-12:00":
// runs of days with the same windows merge.
function formatHours(hours) {
  const spans = DAYS.map((_, d) =>
    hours
      .filter((x) => x.weekday === d)
      .map((x) => `${hm(x.opens)}-${hm(x.closes)}`)
      .sort()
      .join(' '),
  );
  const parts = [];
  for (let d = 0; d < DAYS.length; d += 1) {
    let last = d;
    while (last + 1 < DAYS.length && spans[d] && spans[last + 1] === spans[d]) last += 1;
    if (spans[d]) parts.push(`${DAYS[d]}${last > d ? `-${DAYS[last]}` : ''} ${spans[d]}`);
    d = last;
  }
  return parts.join('; ');
}

// The notation read back as windows; the server checks their order and overlaps.
function parseHours(text) {
  const hours = [];
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [label, ...spans] = part.split(/\s+/);
    const [first, last = first] = label.toLowerCase().split('-');
    const from = DAYS.indexOf(first);
    const to = DAYS.indexOf(last);
    const windows = spans.map((span) => span.match(/^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/));
    if (from < 0 || to < from || !spans.length || windows.some((m) => !m))
      throw new Error(t('office.badHours', { part }));
    for (let d = from; d <= to; d += 1)
      for (const [, opens, closes] of windows) hours.push({ weekday: d, opens, closes });
  }
  return hours;
}
const text = { nullable: true };

async function specs() {
  const [repList, teamList] = await Promise.all([reps(), isAdmin() ? teams() : []]);
  return [
    ['code', t('office.code')],
    ['name', t('office.name')],
    ['channel', t('office.channel'), { options: CHANNELS.map((x) => [x, t(`channel.${x}`)]) }],
    ['tier', t('office.tier'), { options: TIERS.map((x) => [x, t(`tier.${x}`)]) }],
    ['address', t('office.address')],
    ['lat', t('office.lat'), number],
    ['lng', t('office.lng'), number],
    ['visit_minutes', t('office.visitMinutes'), { type: 'number', step: 1 }],
    ['visit_frequency_days', t('office.frequency'), { type: 'number', step: 1 }],
    ['rep_id', t('office.rep'), { number: true, options: options(repList, (r) => r.username, t('office.noRep')) }],
    ...(isAdmin()
      ? [['team_id', t('office.team'), { number: true, options: options(teamList, (x) => x.name, t('office.noTeam')) }]]
      : []),
    ['hours', t('office.hours'), { format: formatHours, parse: parseHours }],
    ['notes', t('office.notes'), { ...text, type: 'textarea' }],
  ];
}

function activeCard(store) {
  const toggle = () =>
    toggleStore(store, () => {
      location.hash = '#/office/stores';
    });
  return h(
    'div',
    { class: 'card row', id: 'office-store-status' },
    h('span', { class: 'grow' }, t(store.active ? 'office.active' : 'office.inactive')),
    h(
      'button',
      { type: 'button', id: 'office-store-toggle', class: store.active ? 'danger' : null, onclick: toggle },
      t(store.active ? 'office.deactivate' : 'office.reactivate'),
    ),
  );
}

export function view(id) {
  const creating = id === 'new';
  return officeScreen(creating ? 'office.newStore' : 'office.editStore', canMaintain(), async () => {
    const [fields, store] = await Promise.all([
      specs(),
      creating
        ? { channel: 'traditional', tier: 'B', visit_minutes: 15 }
        : getJSON(`/api/stores/${id}`).then((r) => r.data),
    ]);
    const save = async (data) => {
      const saved = creating
        ? await request('POST', '/api/stores', { json: data })
        : await request('PATCH', `/api/stores/${id}`, { json: changes(data, store) });
      toast(t('office.saved', { name: saved.name }));
      location.hash = '#/office/stores';
    };
    const form = apiForm(fields, store, save, t('office.save'), { id: 'office-store-form' });
    return [
      creating ? null : h('h2', {}, store.name, ' ', h('span', { class: 'muted' }, store.code)),
      form,
      creating ? null : contactsCard(store, render),
      creating ? null : activeCard(store),
    ];
  });
}

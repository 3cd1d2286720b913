// "My stores": the rep's own stores, searched by name, code or address and filtered by tier and
// channel; the server searches when online, the copy kept on the phone when not.
import { t, plural } from './i18n.js';
import { request, session } from './api.js';
import { stores } from './data.js';
import { setTitle } from './router.js';
import { h, field, select, hoursToday, tierBadge } from './ui.js';

const TIERS = ['A', 'B', 'C'];
const CHANNELS = ['traditional', 'modern', 'special'];
const SHOWN = 100;
const filters = { q: '', tier: '', channel: '' }; // kept while the rep opens a store and comes back

const norm = (x) => String(x || '').toLowerCase();

function matches(s, { q, tier, channel }) {
  if ((tier && s.tier !== tier) || (channel && s.channel !== channel)) return false;
  const text = norm(q).trim();
  return !text || [s.name, s.code, s.address].some((f) => norm(f).includes(text));
}

// The server's answer for these filters, or null when it cannot be asked (then the kept copy).
async function search(f) {
  if (!navigator.onLine || !(f.q.trim() || f.tier || f.channel)) return null;
  const args = new URLSearchParams({ active: 'true', rep_id: session.user.id, per_page: SHOWN });
  for (const k of ['q', 'tier', 'channel']) if (f[k].trim()) args.set(k, f[k].trim());
  try {
    const data = await request('GET', `/api/stores?${args}`, { signal: AbortSignal.timeout(6000) });
    return { items: data.items, total: data.meta.total };
  } catch {
    return null;
  }
}

function storeRow(s) {
  return h(
    'li',
    {},
    h(
      'a',
      { class: 'stop', href: `#/store/${s.id}`, dataset: { storeId: s.id } },
      h(
        'span',
        { class: 'grow' },
        h('span', { class: 'name' }, s.name),
        ' ',
        tierBadge(s.tier),
        h('div', { class: 'muted' }, `${s.code} · ${t(`channel.${s.channel}`)}${s.address ? ` · ${s.address}` : ''}`),
        h('div', { class: 'hours' }, `${t('store.open')}: ${hoursToday(s)}`),
      ),
    ),
  );
}

export async function view() {
  setTitle(t('stores.title'));
  let kept = new Map();
  try {
    kept = await stores();
  } catch {
    /* never loaded on this phone: only the server can say */
  }
  const q = h('input', {
    type: 'search',
    id: 'store-q',
    value: filters.q,
    autocomplete: 'off',
    enterkeyhint: 'search',
  });
  const tier = select([['', t('stores.allTiers')], ...TIERS.map((x) => [x, t(`tier.${x}`)])], { id: 'store-tier' });
  const channel = select([['', t('stores.allChannels')], ...CHANNELS.map((x) => [x, t(`channel.${x}`)])], {
    id: 'store-channel',
  });
  tier.value = filters.tier;
  channel.value = filters.channel;
  const status = h('p', { id: 'stores-summary', class: 'muted', role: 'status' });
  const list = h('ul', { class: 'stops', id: 'store-list', 'aria-label': t('stores.title') });
  let asked = 0;
  const show = async () => {
    Object.assign(filters, { q: q.value, tier: tier.value, channel: channel.value });
    const n = (asked += 1);
    const found = await search(filters);
    if (n !== asked) return; // a newer search was typed meanwhile
    const items = found ? found.items : [...kept.values()].filter((s) => matches(s, filters));
    const total = found ? found.total : items.length;
    const words = [plural('stores.count', total)];
    if (items.length < total) words.push(t('stores.first', { n: items.length }));
    if (!found && !navigator.onLine) words.push(t('stores.kept'));
    status.textContent = words.join(' · ');
    list.replaceChildren(...items.slice(0, SHOWN).map(storeRow));
  };
  let timer = null;
  q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(show, 250);
  });
  tier.addEventListener('change', show);
  channel.addEventListener('change', show);
  await show();
  return h(
    'div',
    {},
    h(
      'form',
      {
        class: 'card',
        role: 'search',
        onsubmit: (e) => {
          e.preventDefault();
          clearTimeout(timer);
          show();
        },
      },
      field(t('stores.search'), q),
      h('div', { class: 'grid2' }, field(t('stores.tier'), tier), field(t('stores.channel'), channel)),
    ),
    status,
    list,
  );
}

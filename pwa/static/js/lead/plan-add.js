// "Add a store" to a plan: the stores the server offers for it (due and overdue first, then the
// nearest to the route), searchable, in a modal dialog; choosing one hands it to `onAdd`.
import { t } from '../i18n.js';
import { field, h, tierBadge } from '../ui.js';
import { failure } from './plan-job.js';
import { candidates } from './plans-data.js';

const SEARCH_DELAY_MS = 250;

export function addStoreDialog(plan, onAdd) {
  const q = h('input', { type: 'search', id: 'candidate-q', autocomplete: 'off' });
  const list = h('ul', { class: 'candidates', id: 'candidates', 'aria-live': 'polite' });
  const close = h('button', { type: 'button', class: 'close' }, t('plans.close'));
  const dialog = h(
    'dialog',
    { class: 'add-store', 'aria-label': t('plans.add') },
    h('div', { class: 'row' }, h('strong', { class: 'grow' }, t('plans.add')), close),
    field(t('plans.search'), q),
    list,
  );
  const choose = (store) => {
    dialog.close();
    onAdd(store);
  };
  let timer = null;
  const load = async () => {
    list.replaceChildren(h('li', { class: 'muted' }, t('loading')));
    try {
      const items = await candidates(plan, q.value.trim());
      list.replaceChildren(...(items.length ? items.map((c) => candidate(c, choose)) : [none()]));
    } catch (err) {
      list.replaceChildren(h('li', { class: 'bad', role: 'alert' }, failure(err)));
    }
  };
  q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(load, SEARCH_DELAY_MS);
  });
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  load();
}

const none = () => h('li', { class: 'muted' }, t('plans.noCandidates'));

function candidate(c, choose) {
  const s = c.store;
  const due = c.overdue_days
    ? h('span', { class: 'pill bad' }, t('plans.overdue', { n: c.overdue_days }))
    : c.due
      ? h('span', { class: 'pill warn' }, t('plans.due'))
      : null;
  return h(
    'li',
    { class: 'candidate', dataset: { storeId: s.id } },
    h(
      'div',
      { class: 'grow' },
      h('span', { class: 'name' }, s.name),
      ' ',
      tierBadge(s.tier),
      ' ',
      due,
      h('div', { class: 'muted' }, `${s.code} · ${t('plans.km', { n: (c.distance_m / 1000).toFixed(1) })}`),
    ),
    h('button', { type: 'button', class: 'primary', onclick: () => choose(s) }, t('plans.addThis')),
  );
}

// A rep's day as a timeline: leaving home, each stop (arrival, the store's window, service,
// travel from the previous stop), the break after `break_after` stops, back home. Editable rows
// are dragged to reorder on a desktop (HTML5 drag and drop) or moved with ▲ ▼ on a phone, and
// can be locked, moved to another rep or removed; `act` receives what the supervisor asked.
import { fmtMinutes, t } from '../i18n.js';
import { h, hm, select, tierBadge } from '../ui.js';

const km = (m) => t('plans.km', { n: ((m || 0) / 1000).toFixed(1) });

export const ordered = (plan) => plan.stops.slice().sort((a, b) => a.sequence - b.sequence);

// others: [{id, name}] — the other reps' plans that day, for "move to".
export function timeline(plan, colour, { editable, others, act }) {
  const stops = ordered(plan);
  const list = h('ol', { class: 'timeline', 'aria-label': t('plans.timeline') });
  list.append(h('li', { class: 'tl-home' }, t('plans.leaves', { at: hm(plan.start_time) })));
  stops.forEach((s, i) => {
    list.append(stopRow(s, i, stops, colour, { editable, others, act }));
    if (plan.break_after && i + 1 === plan.break_after) list.append(h('li', { class: 'tl-break' }, t('plans.break')));
  });
  list.append(h('li', { class: 'tl-home' }, t('plans.back', { at: hm(plan.end_time) })));
  if (editable) dragToReorder(list, stops, act);
  return list;
}

function stopRow(s, i, stops, colour, { editable, others, act }) {
  const window = s.window_open ? `${hm(s.window_open)}–${hm(s.window_close)}` : t('plans.noWindow');
  const facts = [
    [t('plans.arrival'), s.arrival ? hm(s.arrival) : t('plans.noFit')],
    [t('plans.window'), window],
    [t('plans.service'), s.service_minutes != null ? fmtMinutes(s.service_minutes) : '—'],
    [t('plans.travel'), `${fmtMinutes((s.travel_seconds || 0) / 60)} · ${km(s.distance_m)}`],
  ];
  const seq = h('span', { class: 'seq', 'aria-hidden': 'true' }, s.sequence);
  seq.style.background = colour;
  return h(
    'li',
    {
      class: `tl-stop${s.locked ? ' locked' : ''}${s.arrival ? '' : ' late'}`,
      draggable: editable ? 'true' : null,
      dataset: { storeId: s.store_id, index: i },
    },
    seq,
    h(
      'div',
      { class: 'grow' },
      h('span', { class: 'name' }, s.store_name),
      ' ',
      tierBadge(s.tier),
      s.locked ? h('span', { class: 'pill', title: t('plans.locked') }, '🔒') : null,
      h('div', { class: 'muted' }, s.address || s.store_code),
      h(
        'dl',
        { class: 'tl-facts' },
        facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
      ),
      editable ? rowControls(s, i, stops, others, act) : null,
    ),
  );
}

function rowControls(s, i, stops, others, act) {
  const btn = (label, cls, onclick, { text = label, ...extra } = {}) =>
    h('button', { type: 'button', class: cls, 'aria-label': `${label}: ${s.store_name}`, onclick, ...extra }, text);
  const move = others.length
    ? select([['', t('plans.moveTo')], ...others.map((o) => [String(o.id), o.name])], {
        class: 'move-to',
        'aria-label': `${t('plans.moveTo')}: ${s.store_name}`,
      })
    : null;
  if (move) move.addEventListener('change', () => move.value && act({ kind: 'move', stop: s, to: Number(move.value) }));
  return h(
    'div',
    { class: 'tl-actions' },
    btn(t('plans.up'), 'up', () => act({ kind: 'order', stops: swap(stops, i, i - 1) }), {
      text: '▲',
      disabled: i === 0,
    }),
    btn(t('plans.down'), 'down', () => act({ kind: 'order', stops: swap(stops, i, i + 1) }), {
      text: '▼',
      disabled: i === stops.length - 1,
    }),
    btn(s.locked ? t('plans.unlock') : t('plans.lock'), 'lock', () =>
      act({ kind: 'order', stops: stops.map((x) => (x === s ? { ...x, locked: !x.locked } : x)) }),
    ),
    move,
    btn(t('plans.remove'), 'remove', () => act({ kind: 'order', stops: stops.filter((x) => x !== s) })),
  );
}

function swap(stops, i, j) {
  const out = stops.slice();
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

// Drag a row onto another: it takes that row's place.
function dragToReorder(list, stops, act) {
  let from = null;
  list.addEventListener('dragstart', (e) => {
    const row = e.target.closest('li.tl-stop');
    if (!row) return;
    from = Number(row.dataset.index);
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', row.dataset.storeId);
    row.classList.add('dragging');
  });
  list.addEventListener('dragover', (e) => {
    if (from !== null && e.target.closest('li.tl-stop')) e.preventDefault();
  });
  list.addEventListener('dragend', () => {
    from = null;
    list.querySelector('.dragging')?.classList.remove('dragging');
  });
  list.addEventListener('drop', (e) => {
    const row = e.target.closest('li.tl-stop');
    if (from === null || !row) return;
    e.preventDefault();
    const to = Number(row.dataset.index);
    if (to === from) return;
    const out = stops.slice();
    out.splice(to, 0, ...out.splice(from, 1));
    act({ kind: 'order', stops: out });
  });
}

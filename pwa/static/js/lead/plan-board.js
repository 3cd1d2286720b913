// One day of the team: the map of every rep's route beside (on a phone: above) a card per rep
// with the plan's status, totals, violations, dropped stores, timeline and actions. A change
// redraws only the cards it touched and the map, from the plans the server answers.
import { fmtMinutes, plural, t } from '../i18n.js';
import { h, hm, toast } from '../ui.js';
import { drawPlans, upgradeToTiles, COLOURS } from './plan-map.js';
import { ordered, timeline } from './plan-stops.js';
import { addStoreDialog } from './plan-add.js';
import { failure } from './plan-job.js';
import { canPlan, editPlan, moveStop, optimisePlan, publishPlan } from './plans-data.js';

export const statusOf = (p) => (p.status === 'published' ? (p.amended ? 'revised' : 'published') : 'draft');
const km = (m) => t('plans.km', { n: ((m || 0) / 1000).toFixed(1) });

export function dayBoard(day, reps, plans) {
  const board = {
    day,
    reps,
    plans: new Map(plans.map((p) => [p.rep_id, p])),
    colour: new Map(reps.map((r, i) => [r.id, COLOURS[i % COLOURS.length]])),
    cards: new Map(),
    mapEl: h('div', { id: 'plans-map' }),
    changes: new Map(),
    // The reps whose timelines are open: the first at the start, then as the user leaves them.
    open: new Set(reps.slice(0, 1).map((r) => r.id)),
  };
  const cards = h('div', { class: 'plan-cards', id: 'plan-cards' });
  for (const rep of reps) {
    const card = repCard(board, rep);
    board.cards.set(rep.id, card);
    cards.append(card);
  }
  redrawMap(board);
  const { routes, dropped } = mapData(board);
  upgradeToTiles(board.mapEl, routes, dropped, (repId, id) => pick(board, repId, id));
  return h('div', { class: 'plan-split' }, h('section', { class: 'plan-map-wrap' }, board.mapEl, legend(board)), cards);
}

function mapData(board) {
  const routes = [];
  const dropped = [];
  for (const rep of board.reps) {
    const p = board.plans.get(rep.id);
    if (!p) continue;
    const stops = ordered(p);
    routes.push({
      key: rep.id,
      color: board.colour.get(rep.id),
      back: p.return_geometry,
      stops: stops.map((s) => ({
        ...s,
        id: s.store_id,
        short: String(s.sequence),
        label: `${rep.full_name} ${s.sequence}. ${s.store_name} ${hm(s.arrival)}`,
      })),
    });
    for (const d of p.dropped || []) {
      dropped.push({ ...d, label: `${d.store_name}: ${t(`plans.dropped.${d.reason}`)} (${rep.full_name})` });
    }
  }
  return { routes, dropped };
}

// Draws every route anew; the time it took is kept on the map (data-draw-ms) for measuring.
function redrawMap(board) {
  const start = performance.now();
  const { routes, dropped } = mapData(board);
  drawPlans(board.mapEl, routes, dropped, {
    onPick: (repId, id) => pick(board, repId, id),
    title: t('plans.mapLabel', { n: routes.length }),
  });
  board.mapEl.dataset.drawMs = (performance.now() - start).toFixed(1);
}

function stopsPanel(board, rep, list) {
  const n = list.querySelectorAll('li.tl-stop').length;
  const panel = h(
    'details',
    { class: 'stops-panel', open: board.open.has(rep.id) },
    h('summary', {}, t('plans.timelineOf', { n })),
    list,
  );
  panel.addEventListener('toggle', () => (panel.open ? board.open.add(rep.id) : board.open.delete(rep.id)));
  return panel;
}

function pick(board, repId, storeId) {
  const panel = board.cards.get(repId)?.querySelector('details.stops-panel');
  if (panel) panel.open = true;
  const row = board.cards.get(repId)?.querySelector(`li.tl-stop[data-store-id='${storeId}']`);
  if (!row) return;
  row.scrollIntoView({ block: 'center', behavior: 'smooth' });
  row.classList.add('picked');
  setTimeout(() => row.classList.remove('picked'), 1500);
}

function legend(board) {
  return h(
    'ul',
    { class: 'legend' },
    board.reps.map((r) => {
      const swatch = h('span', { class: 'swatch' });
      swatch.style.background = board.colour.get(r.id);
      return h('li', {}, swatch, r.full_name);
    }),
    h('li', {}, h('span', { class: 'swatch cross' }, '×'), t('plans.droppedLegend')),
  );
}

// The plans the server answered (one, or both of a move) replace the shown ones.
function apply(board, ...outcomes) {
  for (const p of outcomes) {
    board.plans.set(p.rep_id, p);
    if (p.change) board.changes.set(p.rep_id, p.change);
    const rep = board.reps.find((r) => r.id === p.rep_id);
    const fresh = repCard(board, rep);
    board.cards.get(p.rep_id).replaceWith(fresh);
    board.cards.set(p.rep_id, fresh);
  }
  redrawMap(board);
}

async function run(board, card, work) {
  card.setAttribute('aria-busy', 'true');
  try {
    const answer = await work();
    if (answer.from) apply(board, answer.from, answer.to);
    else apply(board, answer);
  } catch (err) {
    const alert = card.querySelector('.plan-error');
    alert.textContent = failure(err);
    alert.hidden = false;
    toast(failure(err));
  } finally {
    card.removeAttribute('aria-busy');
  }
}

function repCard(board, rep) {
  const plan = board.plans.get(rep.id);
  const swatch = h('span', { class: 'swatch' });
  swatch.style.background = board.colour.get(rep.id);
  const head = h('h3', {}, swatch, rep.full_name, ' ', plan ? chip(plan) : null);
  const alert = h('p', { class: 'bad plan-error', role: 'alert', hidden: true });
  const card = h('section', { class: 'card plan-card', dataset: { repId: rep.id, planId: plan?.id } }, head, alert);
  if (!plan) {
    card.append(h('p', { class: 'muted' }, t('plans.noPlan')));
    return card;
  }
  const editable = canPlan() && !plan.frozen;
  const others = [...board.plans.values()]
    .filter((p) => p.id !== plan.id && !p.frozen)
    .map((p) => ({ id: p.id, name: board.reps.find((r) => r.id === p.rep_id)?.full_name || `#${p.rep_id}` }));
  const act = (a) =>
    run(board, card, () => (a.kind === 'move' ? moveStop(plan, a.stop.store_id, a.to) : editPlan(plan, a.stops)));
  const parts = [
    totals(plan),
    board.changes.has(rep.id) ? changeLine(board.changes.get(rep.id)) : null,
    plan.frozen ? h('p', { class: 'warn frozen' }, t('plans.frozen', { day: board.day })) : null,
    problems(plan),
    stopsPanel(board, rep, timeline(plan, board.colour.get(rep.id), { editable, others, act })),
    editable ? actions(board, card, plan, act) : null,
    h('a', { class: 'btn history', href: `#/plans/${plan.id}/history` }, t('plans.history')),
  ];
  card.append(...parts.filter(Boolean));
  return card;
}

const chip = (plan) => {
  const status = statusOf(plan);
  return h('span', { class: `pill chip-${status}`, dataset: { status } }, t(`plans.status.${status}`));
};

function totals(plan) {
  const shift = plan.shift_end ? t('plans.shiftEnd', { at: hm(plan.shift_end) }) : '';
  const over = plan.over_shift_minutes > 0;
  const figures = [
    plural('plans.stops', plan.stops.length),
    t('plans.travelTotal', { time: fmtMinutes((plan.travel_seconds || 0) / 60), km: km(plan.distance_m) }),
    travelWay(plan),
    `${t('plans.dayEnd', { at: hm(plan.end_time) })}${shift ? ` (${shift})` : ''}`,
    t('plans.droppedCount', { n: (plan.dropped || []).length }),
  ].filter(Boolean);
  return h(
    'p',
    { class: `plan-totals${over ? ' bad' : ''}` },
    figures.join(' · '),
    over ? ` · ${t('plans.overShift', { n: plan.over_shift_minutes })}` : '',
  );
}

// How the plan's travel was reckoned: the rep's mode, along the streets or on straight lines.
function travelWay(plan) {
  if (!plan.travel_source) return null;
  const source = t(`plans.source.${plan.travel_source}`);
  return plan.travel_mode ? `${t(`travel.${plan.travel_mode}`)}, ${source}` : source;
}

// After an optimise (or any change): the minutes and km saved (a negative change) or lost.
function changeLine(change) {
  const minutes = Math.round((change.travel_seconds || 0) / 60);
  const metres = change.distance_m || 0;
  const time = t(minutes <= 0 ? 'plans.minSaved' : 'plans.minLost', { n: Math.abs(minutes) });
  const dist = t(metres <= 0 ? 'plans.kmSaved' : 'plans.kmLost', { n: (Math.abs(metres) / 1000).toFixed(1) });
  const better = minutes <= 0 && metres <= 0;
  return h('p', { class: `plan-change ${better ? 'ok' : 'warn'}`, role: 'status' }, t('plans.change', { time, dist }));
}

function problems(plan) {
  const violations = plan.violations || [];
  const dropped = plan.dropped || [];
  if (!violations.length && !dropped.length) return null;
  return h(
    'div',
    { class: 'plan-problems' },
    violations.length
      ? h(
          'ul',
          { class: 'violations bad' },
          violations.map((v) => h('li', {}, v)),
        )
      : null,
    dropped.length
      ? h(
          'ul',
          { class: 'dropped-list' },
          dropped.map((d) =>
            h('li', { dataset: { storeId: d.store_id } }, `× ${d.store_name} — ${t(`plans.dropped.${d.reason}`)}`),
          ),
        )
      : null,
  );
}

function actions(board, card, plan, act) {
  const optimise = () => run(board, card, () => optimisePlan(plan));
  const publish = () => {
    const v = plan.violations || [];
    if (v.length && !confirm(t('plans.confirmViolations', { list: v.join('\n') }))) return;
    run(board, card, () => publishPlan(plan));
  };
  const add = () =>
    addStoreDialog(plan, (store) => act({ kind: 'order', stops: [...ordered(plan), { store_id: store.id }] }));
  return h(
    'div',
    { class: 'row plan-actions' },
    h('button', { type: 'button', class: 'optimise', onclick: optimise }, t('plans.optimise')),
    h('button', { type: 'button', class: 'add', onclick: add }, t('plans.add')),
    plan.status === 'published'
      ? null
      : h('button', { type: 'button', class: 'primary publish', onclick: publish }, t('plans.publish')),
  );
}

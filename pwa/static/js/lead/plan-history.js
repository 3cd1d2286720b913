// A plan's revision history (#/plans/<id>/history): who changed it, when, how (created,
// edited, optimised, moved in or out, published, replanned), what changed, why, and the totals
// after each change; changes made once the plan's day had begun are marked.
import { fmtDateTime, fmtDay, fmtMinutes, plural, t } from '../i18n.js';
import { getJSON } from '../api.js';
import { setTitle } from '../router.js';
import { h } from '../ui.js';
import { table } from './lead-ui.js';

// Names of the stores a revision touched, the first few; the rest counted.
const NAMES_SHOWN = 3;

export async function view(id) {
  const [plan, revisions] = await Promise.all([
    getJSON(`/api/plans/${id}`).then((r) => r.data),
    getJSON(`/api/plans/${id}/revisions`).then((r) => r.data.items),
  ]);
  const names = new Map(plan.stops.map((s) => [s.store_id, s.store_name]));
  const who = plan.rep ? plan.rep.name : `#${plan.rep_id}`;
  setTitle(t('history.title', { who, day: fmtDay(plan.plan_date) }));
  const rows = revisions
    .slice()
    .reverse()
    .map((r) => [
      { content: String(r.revision), label: t('history.revision') },
      { content: fmtDateTime(r.at), label: t('history.at') },
      { content: r.by ? r.by.name : '—', label: t('history.by') },
      {
        content: [
          t(`history.kind.${r.kind}`),
          r.during_day ? h('span', { class: 'pill warn' }, t('history.duringDay')) : '',
        ],
        label: t('history.kind'),
      },
      { content: changesText(r.changes || {}, names), label: t('history.changes') },
      {
        content: `${plural('plans.stops', r.stops)} · ${fmtMinutes(r.travel_seconds / 60)} · ${t('plans.km', { n: (r.distance_m / 1000).toFixed(1) })}`,
        label: t('history.after'),
      },
      { content: r.reason || '—', label: t('history.reason') },
    ]);
  return h(
    'div',
    { class: 'lead plan-history', dataset: { planId: plan.id } },
    h('a', { class: 'back', id: 'history-back', href: '#/plans' }, `← ${t('plans.title')}`),
    h('h2', {}, t('history.title', { who, day: fmtDay(plan.plan_date) })),
    revisions.length
      ? table(
          { id: 'plan-revisions', class: 'stack' },
          [
            t('history.revision'),
            t('history.at'),
            t('history.by'),
            t('history.kind'),
            t('history.changes'),
            t('history.after'),
            t('history.reason'),
          ],
          rows,
        )
      : h('p', { class: 'muted' }, t('history.none')),
  );
}

// "added: A, B · removed: C · reordered · locked: D" from the store ids of a revision.
function changesText(c, names) {
  const stores = (ids) => {
    const shown = ids.slice(0, NAMES_SHOWN).map((id) => names.get(id) || `#${id}`);
    if (ids.length > NAMES_SHOWN) shown.push(t('history.more', { n: ids.length - NAMES_SHOWN }));
    return shown.join(', ');
  };
  const parts = ['added', 'removed', 'locked', 'unlocked']
    .filter((k) => (c[k] || []).length)
    .map((k) => `${t(`history.${k}`)}: ${stores(c[k])}`);
  if (c.reordered) parts.push(t('history.reordered'));
  return parts.length ? parts.join(' · ') : '—';
}

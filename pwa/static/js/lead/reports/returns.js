// Returns requested in the period: count, quantity and value by status, reason, product,
// store or team, and how long those still waiting for a decision have waited.
import { fmtMoney, t } from '../../i18n.js';
import { getJSON } from '../../api.js';
import { chart, exportRow, kpiTile, periodQ, scopeQ, table } from '../lead-ui.js';
import { h } from '../../ui.js';
import { count, groupPicker, largest } from './common.js';

const GROUPS = ['status', 'reason', 'product', 'store', 'team'];
const days = (x) => (x == null ? '—' : t('lead.ageDays', { n: x }));

export async function section() {
  const group = groupPicker(
    'returns',
    GROUPS.map((g) => [g, t(`report.by.${g}`)]),
  );
  const query = `${periodQ()}&group_by=${group.value}`;
  const r = (await getJSON(`/api/reports/returns?${query}${scopeQ()}`)).data;
  const name = (g) =>
    r.group_by === 'status'
      ? t(`rep.ret.status.${g.name}`)
      : r.group_by === 'reason'
        ? t(`rep.ret.reason.${g.name}`)
        : g.name;
  const tot = r.total;
  const [shown, note] = largest(r.groups, (g) => g.quantity);
  return h(
    'section',
    { id: 'report-returns' },
    h('h3', {}, t('report.returns')),
    h(
      'div',
      { class: 'kpis', id: 'return-kpis' },
      kpiTile(t('report.returnCount'), count(tot.count), t('report.units', { n: count(tot.quantity) })),
      kpiTile(t('report.value'), fmtMoney(tot.value)),
      kpiTile(t('report.pending'), count(tot.pending.count), t('report.units', { n: count(tot.pending.quantity) })),
      kpiTile(
        t('report.oldestPending'),
        days(tot.pending.oldest_days),
        t('report.meanPending', { d: days(tot.pending.mean_days) }),
      ),
    ),
    h('div', { class: 'controls' }, group.field),
    r.groups.length
      ? [
          chart(
            t('report.returnsBy'),
            shown.map((g) => ({ label: name(g), value: g.quantity, text: count(g.quantity), color: '#8a5300' })),
            { id: 'returns-chart', max: Math.max(1, ...shown.map((g) => g.quantity)) },
          ),
          note,
          table(
            { class: 'stack', id: 'return-groups' },
            [
              t(`report.by.${r.group_by}`),
              t('report.returnCount'),
              t('report.unitsHead'),
              t('report.value'),
              t('report.pending'),
              t('report.oldestPending'),
            ],
            shown.map((g) => [
              h('span', { class: 'strong' }, name(g)),
              { content: count(g.count), label: t('report.returnCount') },
              { content: count(g.quantity), label: t('report.unitsHead') },
              { content: fmtMoney(g.value), label: t('report.value') },
              { content: count(g.pending.count), label: t('report.pending') },
              { content: days(g.pending.oldest_days), label: t('report.oldestPending') },
            ]),
            { num: [1, 2, 3, 4, 5] },
          ),
        ]
      : h('p', { class: 'muted' }, t('rep.none')),
    exportRow('returns', query),
  );
}

// Complaints: how many were opened and resolved in the period, how long resolving took (mean
// and median hours) by category or team, and those still open with their age.
import { fmtDateTime, t } from '../../i18n.js';
import { getJSON } from '../../api.js';
import { exportRow, kpiTile, periodQ, scopeQ, table } from '../lead-ui.js';
import { h } from '../../ui.js';
import { groupPicker, hours } from './common.js';

export async function section() {
  const group = groupPicker('complaints', [
    ['category', t('report.byCategory')],
    ['team', t('rep.byTeam')],
  ]);
  const query = `${periodQ()}&group_by=${group.value}`;
  const r = (await getJSON(`/api/reports/complaints?${query}${scopeQ()}`)).data;
  const name = (g) => (r.group_by === 'category' ? t(`rep.cmp.cat.${g.key}`) : g.name);
  return h(
    'section',
    { id: 'report-complaints' },
    h('h3', {}, t('report.complaints')),
    h(
      'div',
      { class: 'kpis', id: 'complaint-kpis' },
      kpiTile(t('report.opened'), String(r.total.opened)),
      kpiTile(t('report.resolved'), String(r.total.resolved)),
      kpiTile(t('report.openNow'), String(r.total.open_now)),
      kpiTile(
        t('report.medianHours'),
        hours(r.total.median_hours_to_resolve),
        t('report.meanHours', { h: hours(r.total.mean_hours_to_resolve) }),
      ),
    ),
    h('div', { class: 'controls' }, group.field),
    r.groups.length
      ? table(
          { class: 'stack', id: 'complaint-groups' },
          [
            t(r.group_by === 'category' ? 'lead.category' : 'team.team'),
            t('report.opened'),
            t('report.resolved'),
            t('report.openNow'),
            t('report.medianHours'),
            t('report.meanHoursHead'),
          ],
          r.groups.map((g) => [
            name(g),
            { content: String(g.opened), label: t('report.opened') },
            { content: String(g.resolved), label: t('report.resolved') },
            { content: String(g.open_now), label: t('report.openNow') },
            { content: hours(g.median_hours_to_resolve), label: t('report.medianHours') },
            { content: hours(g.mean_hours_to_resolve), label: t('report.meanHoursHead') },
          ]),
          { num: [1, 2, 3, 4, 5] },
        )
      : h('p', { class: 'muted' }, t('rep.none')),
    h('h3', {}, t('report.openComplaints')),
    r.open.length
      ? table(
          { class: 'stack', id: 'open-complaints' },
          [t('lead.store'), t('lead.category'), t('lead.complaintText'), t('report.openedAt'), t('report.ageDays')],
          r.open.map((c) => [
            h('span', { class: 'strong' }, c.store_name),
            { content: t(`rep.cmp.cat.${c.category}`), label: t('lead.category') },
            { content: c.text, label: t('lead.complaintText') },
            { content: fmtDateTime(c.opened_at), label: t('report.openedAt') },
            { content: String(c.age_days), label: t('report.ageDays') },
          ]),
          { num: [4] },
        )
      : h('p', { class: 'muted' }, t('report.noneOpen')),
    exportRow('complaints', query),
  );
}

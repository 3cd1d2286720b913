// Team: the day's, week's or four weeks' completion and success per rep (from the KPI report:
// the server is the one definition), the visits on a map and in a list, the exports.
import { fmtDay, fmtMinutes, pct, t } from '../i18n.js';
import { getJSON } from '../api.js';
import {
  chart,
  controls,
  exportButton,
  flagLine,
  kpiTile,
  leadScreen,
  periodQ,
  rateTile,
  scopeQ,
  shownOf,
  state,
  table,
  visitsIn,
  when,
} from './lead-ui.js';
import { renderMap } from '../map.js';
import { setTitle } from '../router.js';
import { h } from '../ui.js';

export async function view() {
  state.back = 'team';
  setTitle(t('team.title'));
  const [list, report] = await Promise.all([
    visitsIn(),
    getJSON(`/api/reports/kpis?${periodQ()}&group_by=rep${scopeQ()}`).then((r) => r.data),
  ]);
  const visits = list.items;
  const tot = report.total;
  const byRep = (key, color) =>
    report.groups.map((g) => ({ label: g.name, value: g[key].rate || 0, text: pct(g[key].rate), color }));
  const figures = h(
    'section',
    {},
    h(
      'div',
      { class: 'kpis' },
      rateTile(t('kpi.completion'), tot.completion_rate, 'kpi-completion'),
      rateTile(t('kpi.success'), tot.success_rate, 'kpi-success'),
      kpiTile(t('kpi.visits'), String(tot.visits), null, 'kpi-visits'),
      tot.time_in_store.average_seconds != null
        ? kpiTile(t('kpi.timeInStore'), fmtMinutes(tot.time_in_store.average_seconds / 60), null, 'kpi-time')
        : null,
    ),
    report.groups.length ? repRates(report.groups) : null,
  );
  const mapEl = h('div', { id: 'team-map' });
  renderMap(
    mapEl,
    visits.map((v) => ({
      lat: v.checkin_lat,
      lng: v.checkin_lng,
      label: `${v.store_name} (${v.rep_name})`,
      kind: v.flags.length ? 'flag' : '',
      done: !v.flags.length && v.successful,
      short: '',
    })),
    { route: false, title: t('team.visits', { n: list.total }) },
  );
  const charts = [
    report.groups.length ? chart(t('team.byRep'), byRep('completion_rate')) : null,
    report.groups.length ? chart(t('team.successByRep'), byRep('success_rate', '#1b5e20')) : null,
    state.period === 'week' && report.trend.length
      ? chart(
          t('team.trend'),
          report.trend.map((d) => ({
            label: fmtDay(d.date),
            value: d.completion_rate.rate || 0,
            text: pct(d.completion_rate.rate),
          })),
        )
      : null,
  ];
  return leadScreen(
    await controls(),
    h('div', { class: 'split' }, figures, h('section', {}, h('h3', {}, t('team.visits', { n: list.total })), mapEl)),
    h('div', { class: 'charts' }, charts),
    h('h3', {}, t('team.visitList')),
    shownOf(list),
    visitTable(visits),
    exports(),
  );
}

// Completion and success per rep, with the counts they come from (domain.md).
function repRates(groups) {
  const rate = (r, cls) =>
    h('td', { class: `num ${cls}` }, pct(r.rate), h('div', { class: 'muted' }, `${r.numerator}/${r.denominator}`));
  return table(
    { id: 'rep-rates' },
    [t('team.rep'), t('kpi.completion'), t('kpi.success'), t('kpi.visits'), t('team.duration')],
    groups.map((g) =>
      h(
        'tr',
        { dataset: { repId: g.id } },
        h('td', {}, g.name),
        rate(g.completion_rate, 'completion'),
        rate(g.success_rate, 'success'),
        h('td', { class: 'num' }, g.visits),
        h(
          'td',
          { class: 'num' },
          g.time_in_store.average_seconds != null ? fmtMinutes(g.time_in_store.average_seconds / 60) : '—',
        ),
      ),
    ),
    { num: [1, 2, 3, 4] },
  );
}

function visitTable(visits) {
  return table(
    { id: 'team-visits' },
    [t('team.time'), t('team.rep'), t('team.store'), t('team.duration'), ''],
    visits.map((v) =>
      h(
        'tr',
        { dataset: { visitId: v.id } },
        h('td', {}, when(v.checked_in_at)),
        h('td', {}, v.rep_name),
        h(
          'td',
          {},
          h('a', { href: `#/visit-detail/${v.id}` }, v.store_name),
          v.planned ? '' : [' ', h('span', { class: 'pill warn' }, t('team.unplanned'))],
        ),
        h('td', { class: 'num' }, fmtMinutes(v.duration_minutes)),
        h(
          'td',
          {},
          v.flags.length
            ? h('span', { class: 'pill bad', title: v.flags.map(flagLine).join('\n') }, '⚑ ', v.flags.length)
            : '',
          ' ',
          v.successful ? h('span', { class: 'pill ok' }, t('team.order')) : '',
        ),
      ),
    ),
    { num: [3] },
  );
}

function exports() {
  const q = `${periodQ()}${scopeQ()}`;
  return [
    h('h3', {}, t('team.exports')),
    h(
      'div',
      { class: 'row' },
      ['kpis', 'exceptions', 'competitor-prices', 'display-compliance'].map((name) =>
        exportButton(`/api/reports/${name}.csv?${q}`, `${name}.csv`),
      ),
      exportButton(`/api/reports/kpis.xlsx?${q}`, 'kpis.xlsx'),
    ),
  ];
}

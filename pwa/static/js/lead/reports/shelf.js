// Share of shelf: own facings against all facings counted (own and competitor products
// checked, competitor brands' facings per category), overall and at eye level, by team,
// channel, tier or week.
import { pct, t } from '../../i18n.js';
import { getJSON } from '../../api.js';
import { chart, exportRow, periodQ, rateTile, scopeQ } from '../lead-ui.js';
import { h } from '../../ui.js';
import { groupPicker } from './common.js';

export async function section() {
  const group = groupPicker('shelf', [
    ['week', t('report.byWeek')],
    ['team', t('rep.byTeam')],
    ['channel', t('rep.byChannel')],
    ['tier', t('rep.byTier')],
  ]);
  const query = `${periodQ()}&group_by=${group.value}`;
  const r = (await getJSON(`/api/reports/display-compliance?${query}${scopeQ()}`)).data;
  const label = (g) =>
    r.group_by === 'channel' ? t(`channel.${g.group}`) : r.group_by === 'tier' ? t(`tier.${g.group}`) : g.group;
  const bars = (key, color) =>
    r.groups.map((g) => ({ label: label(g), value: g[key].rate || 0, text: pct(g[key].rate), color }));
  return h(
    'section',
    { id: 'report-shelf' },
    h('h3', {}, t('report.shelf')),
    h(
      'div',
      { class: 'kpis', id: 'shelf-kpis' },
      rateTile(t('report.shareOfShelf'), r.total.share_of_shelf, 'shelf-share'),
      rateTile(t('report.eyeShareOfShelf'), r.total.eye_level_share_of_shelf, 'shelf-eye-share'),
    ),
    h('p', { class: 'muted' }, t('report.shelfHow')),
    h('div', { class: 'controls' }, group.field),
    r.groups.length
      ? h(
          'div',
          { class: 'charts' },
          chart(t('report.shareOfShelf'), bars('share_of_shelf', '#0d47a1'), { id: 'shelf-chart' }),
          chart(t('report.eyeShareOfShelf'), bars('eye_level_share_of_shelf', '#1b5e20'), { id: 'shelf-eye-chart' }),
        )
      : h('p', { class: 'muted' }, t('rep.none')),
    exportRow('display-compliance', query),
  );
}

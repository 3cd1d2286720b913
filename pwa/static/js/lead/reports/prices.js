// Own shelf prices off the agreement: counts by kind (below the agreed price, a special price
// no promotion covers) and the amount under the agreed price, by store, channel or week, and
// the newest deviations found.
import { fmtDay, fmtMoney, t } from '../../i18n.js';
import { getJSON } from '../../api.js';
import { chart, exportRow, kpiTile, periodQ, productNames, scopeQ, table } from '../lead-ui.js';
import { h } from '../../ui.js';
import { groupPicker, largest } from './common.js';

const ITEMS = 20;

export async function section() {
  const group = groupPicker('prices', [
    ['store', t('report.byStore')],
    ['channel', t('rep.byChannel')],
    ['week', t('report.byWeek')],
  ]);
  const query = `${periodQ()}&group_by=${group.value}`;
  const [r, products] = await Promise.all([
    getJSON(`/api/reports/price-deviations?${query}&per_page=${ITEMS}${scopeQ()}`).then((x) => x.data),
    productNames(),
  ]);
  const name = (g) => (r.group_by === 'channel' ? t(`channel.${g.key}`) : g.name);
  return h(
    'section',
    { id: 'report-prices' },
    h('h3', {}, t('report.prices')),
    h(
      'div',
      { class: 'kpis', id: 'price-kpis' },
      kpiTile(t('report.deviations'), String(r.total.deviations), t('report.atStores', { n: r.total.stores })),
      kpiTile(t('report.kind.below_agreed'), String(r.total.below_agreed)),
      kpiTile(t('report.kind.unagreed_special'), String(r.total.unagreed_special)),
      kpiTile(t('report.underAgreed'), fmtMoney(r.total.amount)),
    ),
    h('div', { class: 'controls' }, group.field),
    r.groups.length ? deviationChart(r, name) : h('p', { class: 'muted' }, t('rep.none')),
    r.items.length
      ? [
          h('h3', {}, t('report.newestDeviations', { n: r.items.length, total: r.meta.total })),
          table(
            { class: 'stack', id: 'price-deviations' },
            [
              t('report.day'),
              t('lead.store'),
              t('co.product'),
              t('report.kind'),
              t('report.shelfPrice'),
              t('report.agreedPrice'),
              t('report.gap'),
            ],
            r.items.map((d) => [
              fmtDay(d.visit_date),
              {
                content: [h('span', { class: 'strong' }, d.store_name), h('div', { class: 'muted' }, d.rep_name)],
                label: t('lead.store'),
              },
              { content: products.get(d.product_id) || d.product_name, label: t('co.product') },
              {
                content: [
                  t(`report.kind.${d.kind}`),
                  d.promotion_name ? h('div', { class: 'muted' }, d.promotion_name) : null,
                ],
                label: t('report.kind'),
              },
              { content: fmtMoney(d.shelf_price), label: t('report.shelfPrice') },
              { content: fmtMoney(d.agreed_price), label: t('report.agreedPrice') },
              { content: fmtMoney(d.amount), label: t('report.gap') },
            ]),
            { num: [4, 5, 6] },
          ),
        ]
      : null,
    exportRow('price-deviations', query),
  );
}

function deviationChart(r, name) {
  const [shown, note] = largest(r.groups, (g) => g.deviations);
  return [
    chart(
      t('report.deviationsBy'),
      shown.map((g) => ({
        label: name(g),
        value: g.deviations,
        text: `${g.deviations} · ${fmtMoney(g.amount)}`,
        color: '#b71c1c',
      })),
      { max: Math.max(1, ...shown.map((g) => g.deviations)), id: 'price-chart' },
    ),
    note,
  ];
}

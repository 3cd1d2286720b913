// Orders taken at visits: value, units, orders, lines per order and drop size in the period;
// value and units by product, brand, channel, tier, rep or team; the best sellers.
import { fmtMoney, pct, t } from '../../i18n.js';
import { getJSON } from '../../api.js';
import { chart, exportRow, kpiTile, periodQ, productNames, scopeQ, table } from '../lead-ui.js';
import { h } from '../../ui.js';
import { count, groupPicker } from './common.js';

const GROUPS = ['product', 'brand', 'channel', 'tier', 'rep', 'team'];

export async function section() {
  const group = groupPicker(
    'orders',
    GROUPS.map((g) => [g, t(`report.by.${g}`)]),
  );
  const query = `${periodQ()}&group_by=${group.value}`;
  const [r, products] = await Promise.all([
    getJSON(`/api/reports/orders?${query}${scopeQ()}`).then((x) => x.data),
    productNames(),
  ]);
  // A product's name with its pack size: one name comes in several sizes.
  const product = (id, name) => products.get(id) || name;
  const name = (g) => {
    if (r.group_by === 'channel') return t(`channel.${g.key}`);
    if (r.group_by === 'tier') return t(`tier.${g.key}`);
    return r.group_by === 'product' ? product(Number(g.key), g.name) : g.name;
  };
  const tot = r.total;
  return h(
    'section',
    { id: 'report-orders' },
    h('h3', {}, t('report.orders')),
    h(
      'div',
      { class: 'kpis', id: 'order-kpis' },
      kpiTile(t('report.value'), fmtMoney(tot.value)),
      kpiTile(t('report.orderCount'), count(tot.orders), t('report.units', { n: count(tot.units) })),
      kpiTile(t('report.linesPerOrder'), tot.lines_per_order ?? '—'),
      kpiTile(t('report.dropSize'), fmtMoney(tot.drop_size)),
    ),
    h(
      'div',
      { class: 'split' },
      h('div', {}, h('h3', {}, t('report.bestSellers')), bestSellers(r, product)),
      h('div', {}, h('div', { class: 'controls' }, group.field), valueChart(r, name)),
    ),
    groupTable(r, name),
    exportRow('orders', query),
  );
}

function bestSellers(r, product) {
  if (!r.best_sellers.length) return h('p', { class: 'muted' }, t('report.noOrders'));
  return table(
    { class: 'stack', id: 'best-sellers' },
    ['#', t('co.product'), t('report.unitsHead'), t('report.value')],
    r.best_sellers.map((b) => [
      String(b.rank),
      {
        content: [
          h('span', { class: 'strong' }, product(b.product_id, b.product_name)),
          h('div', { class: 'muted' }, b.brand_name),
        ],
        label: t('co.product'),
      },
      { content: count(b.units), label: t('report.unitsHead') },
      { content: fmtMoney(b.value), label: t('report.value') },
    ]),
    { num: [2, 3] },
  );
}

const share = (g) => Number(g.share_of_value || 0);

function valueChart(r, name) {
  if (!r.groups.length) return null;
  return chart(
    t('report.valueBy'),
    r.groups.map((g) => ({ label: name(g), value: share(g), text: fmtMoney(g.value), color: '#1b5e20' })),
    { id: 'orders-chart', max: Math.max(0.0001, ...r.groups.map(share)) },
  );
}

// By product or brand there are no orders to count (an order holds several): value, share and
// units only.
function groupTable(r, name) {
  if (!r.groups.length) return null;
  const perOrder = r.groups.some((g) => g.orders != null);
  const heads = [t(`report.by.${r.group_by}`), t('report.value'), t('report.share'), t('report.unitsHead')];
  if (perOrder) heads.push(t('report.orderCount'), t('report.linesPerOrder'), t('report.dropSize'));
  const cells = (g) => [
    fmtMoney(g.value),
    pct(g.share_of_value == null ? null : share(g)),
    count(g.units),
    ...(perOrder ? [count(g.orders), g.lines_per_order ?? '—', fmtMoney(g.drop_size)] : []),
  ];
  return table(
    { class: 'stack', id: 'order-groups' },
    heads,
    r.groups.map((g) => [
      h('span', { class: 'strong' }, name(g)),
      ...cells(g).map((content, i) => ({ content, label: heads[i + 1] })),
    ]),
    { num: [1, 2, 3, 4, 5, 6] },
  );
}

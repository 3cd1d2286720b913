// The reports' first page: display compliance with share of shelf, competitor prices and
// near-expiry exposure (by product, store, team or the action taken, with what expired on shelf).
import { fmtMoney, pct, t } from '../../i18n.js';
import { getJSON } from '../../api.js';
import { chart, exportRow, kpiTile, periodQ, productNames, scopeQ, state, table } from '../lead-ui.js';
import { render } from '../../router.js';
import { field, h, select } from '../../ui.js';
import { groupPicker, largest } from './common.js';

export async function section() {
  const group = select(
    [
      ['team', t('rep.byTeam')],
      ['channel', t('rep.byChannel')],
      ['tier', t('rep.byTier')],
    ],
    { id: 'report-group' },
  );
  group.value = state.group || 'team';
  group.addEventListener('change', () => {
    state.group = group.value;
    render();
  });
  const expiryGroup = groupPicker(
    'expiry',
    ['product', 'store', 'team', 'action'].map((g) => [g, t(`report.by.${g}`)]),
  );
  const [display, comp, expiry, products] = await Promise.all([
    getJSON(`/api/reports/display-compliance?${periodQ()}&group_by=${group.value}${scopeQ()}`).then((r) => r.data),
    getJSON(`/api/reports/competitor-prices?${periodQ()}${scopeQ()}`).then((r) => r.data),
    getJSON(`/api/reports/near-expiry?group_by=${expiryGroup.value}${scopeQ()}`).then((r) => r.data),
    productNames(),
  ]);
  return [displaySection(display, group), competitorSection(comp), expirySection(expiry, products, expiryGroup)];
}

const groupLabel = (by, value) =>
  by === 'channel' ? t(`channel.${value}`) : by === 'tier' ? t(`tier.${value}`) : value;

function displaySection(display, group) {
  const tot = display.total;
  return h(
    'section',
    {},
    h('h3', {}, t('rep.display')),
    h('div', { class: 'controls' }, field(t('rep.groupBy'), group)),
    h(
      'div',
      { class: 'kpis', id: 'display-kpis' },
      kpiTile(t('rep.oos'), pct(tot.out_of_stock_rate.rate)),
      kpiTile(t('rep.eyeLevel'), pct(tot.eye_level_share.rate)),
      kpiTile(t('rep.perfect'), pct(tot.perfect_store_score.rate)),
      kpiTile(t('rep.checks'), String(tot.checks)),
    ),
    display.groups.length
      ? h(
          'div',
          { class: 'charts' },
          [
            ['perfect_store_score', 'rep.perfect', '#1b5e20'],
            ['out_of_stock_rate', 'rep.oos', '#b71c1c'],
            ['eye_level_share', 'rep.eyeLevel', '#0d47a1'],
          ].map(([key, label, color]) =>
            chart(
              t(label),
              display.groups.map((g) => ({
                label: groupLabel(display.group_by, g.group),
                value: g[key].rate || 0,
                text: pct(g[key].rate),
                color,
              })),
            ),
          ),
        )
      : null,
    exportRow('display-compliance', `${periodQ()}&group_by=${group.value}`),
  );
}

function competitorSection(comp) {
  const product = (p) => [
    h('span', { class: 'strong' }, p.product),
    h('div', { class: 'muted' }, `${p.brand} · ${t(`channel.${p.channel}`)}`),
  ];
  return h(
    'section',
    {},
    h('h3', {}, t('rep.competitors')),
    comp.prices.length ? priceTrend(comp.prices, product) : h('p', { class: 'muted' }, t('rep.none')),
    comp.promotions.length
      ? [
          h('h3', {}, t('rep.promotions')),
          table(
            { id: 'competitor-promotions' },
            [t('co.product'), t('co.promoType'), t('co.lowest'), t('co.stores')],
            comp.promotions.map((p) => [
              product(p),
              t(`promo.${p.promo_type}`),
              fmtMoney(p.lowest_promo_price),
              p.stores,
            ]),
            { num: [2, 3] },
          ),
        ]
      : null,
    exportRow('competitor-prices', periodQ()),
  );
}

// Competitor prices as a trend: a row per product and channel, a column per week, the regular
// median with the promotional one under it; a change from the week before is marked.
function priceTrend(prices, product) {
  const weeks = [...new Set(prices.map((p) => p.week))].sort();
  const rows = new Map();
  for (const p of prices) {
    const key = `${p.brand}|${p.product}|${p.channel}`;
    if (!rows.has(key)) rows.set(key, { head: p, byWeek: new Map() });
    rows.get(key).byWeek.set(p.week, p);
  }
  const cell = (p, before) => {
    if (!p) return { content: '—', label: '' };
    const now = Number(p.regular.median);
    const was = before ? Number(before.regular.median) : null;
    const move =
      p.regular.median != null && was != null && now !== was
        ? h(
            'span',
            { class: now < was ? 'bad' : 'ok', title: t(now < was ? 'rep.priceDown' : 'rep.priceUp') },
            now < was ? ' ▼' : ' ▲',
          )
        : null;
    return {
      label: p.week,
      content: [
        fmtMoney(p.regular.median),
        move,
        p.promo.median != null
          ? h('div', { class: 'warn' }, t('rep.promoAt', { price: fmtMoney(p.promo.median) }))
          : null,
      ],
    };
  };
  return h(
    'div',
    { class: 'scroll-x' },
    table(
      { id: 'competitor-prices', class: 'trend' },
      [t('co.product'), ...weeks.map((w) => w.replace(/^\d{4}-/, ''))],
      [...rows.values()].map(({ head, byWeek }) => [
        product(head),
        ...weeks.map((w, i) => cell(byWeek.get(w), i ? byWeek.get(weeks[i - 1]) : null)),
      ]),
      { num: weeks.map((_, i) => i + 1) },
    ),
  );
}

// Exposure within 7 and 30 days and what expired on the shelf (follow-ups of the last 30
// days), by product, store, team or the action the rep took.
function expirySection(expiry, products, group) {
  const [shown, note] = largest(expiry.groups, (g) => g.within_30_days.value);
  const tile = (label, x) => kpiTile(label, String(x.quantity), fmtMoney(x.value));
  const label = (g) => {
    if (expiry.group_by === 'action') return t(`report.action.${g.name}`);
    return expiry.group_by === 'product' ? products.get(g.id) || g.name : g.name;
  };
  const money = (x) => ({ content: [String(x.quantity), h('div', { class: 'muted' }, fmtMoney(x.value))] });
  const heads = [t(`report.by.${expiry.group_by}`), t('rep.in7'), t('rep.in30'), t('report.expiredOnShelf')];
  return h(
    'section',
    { id: 'report-expiry' },
    h('h3', {}, t('rep.expiry')),
    h(
      'div',
      { class: 'kpis', id: 'expiry-kpis' },
      tile(t('rep.in7'), expiry.total.within_7_days),
      tile(t('rep.in30'), expiry.total.within_30_days),
      tile(t('report.expiredOnShelf'), expiry.total.expired_on_shelf),
    ),
    h('div', { class: 'controls' }, group.field),
    expiry.groups.length
      ? h(
          'div',
          { class: 'split' },
          chart(
            t('rep.value30'),
            shown.map((g) => ({
              label: label(g),
              value: g.within_30_days.value,
              text: fmtMoney(g.within_30_days.value),
              color: '#8a5300',
            })),
            { max: Math.max(1, ...shown.map((g) => g.within_30_days.value)), id: 'expiry-chart' },
          ),
          table(
            { class: 'stack', id: 'expiry-groups' },
            heads,
            shown.map((g) => [
              h('span', { class: 'strong' }, label(g)),
              ...[g.within_7_days, g.within_30_days, g.expired_on_shelf].map((x, n) => ({
                ...money(x),
                label: heads[n + 1],
              })),
            ]),
            { num: [1, 2, 3] },
          ),
        )
      : h('p', { class: 'muted' }, t('rep.none')),
    note,
    exportRow('near-expiry', `group_by=${group.value}`),
  );
}

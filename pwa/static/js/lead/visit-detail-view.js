// One visit in detail: who, when, how long, flags, photos, order and every record.
import { fmtDateTime, fmtDay, fmtMinutes, fmtMoney, fmtTime, t } from '../i18n.js';
import { getJSON } from '../api.js';
import { flagLine, leadScreen, productNames, state, table, thumb } from './lead-ui.js';
import { setTitle } from '../router.js';
import { h } from '../ui.js';
import { isHeld, reviewBox, timeRuleText } from './visit-review.js';

export async function view(id) {
  const [v, products, brands] = await Promise.all([
    getJSON(`/api/visits/${id}`).then((r) => r.data),
    productNames(),
    getJSON('/api/brands').then(
      (r) => new Map(r.data.map((b) => [b.id, b.name])),
      () => new Map(),
    ),
  ]);
  setTitle(v.store_name);
  const pn = (pid) => products.get(pid) || `#${pid}`;
  const section = (title, rows, make) =>
    rows && rows.length ? h('section', {}, h('h3', {}, title), make(rows)) : null;
  const summary = h(
    'section',
    { class: 'card', id: 'visit-summary' },
    h('h2', {}, v.store_name),
    h(
      'dl',
      { class: 'facts' },
      fact(t('team.rep'), v.rep_name, 'visit-rep'),
      fact(t('visit.when'), `${fmtDateTime(v.checked_in_at)} – ${v.checked_out_at ? fmtTime(v.checked_out_at) : '…'}`),
      fact(t('visit.duration'), fmtMinutes(v.duration_minutes), 'visit-duration'),
      fact(t('visit.status'), `${t(`vstatus.${v.status}`)} · ${v.planned ? t('team.planned') : t('team.unplanned')}`),
      fact(t('visit.distance'), v.checkin_distance_m != null ? `${Math.round(v.checkin_distance_m)} m` : '—'),
      fact(t('visit.order'), v.order && v.order.lines.length ? fmtMoney(v.order.total) : t('visit.noOrder')),
    ),
    v.flags.length
      ? h(
          'ul',
          { class: 'flags', id: 'visit-flags' },
          v.flags.map((f) =>
            h('li', { class: 'bad' }, `⚑ ${flagLine(f)}`, f.kind === 'time_travel' ? ` ${timeRuleText(f)}` : ''),
          ),
        )
      : null,
    isHeld(v) ? reviewBox(v) : null,
  );
  return leadScreen(
    h(
      'a',
      { class: 'back', href: `#/${state.back}`, id: 'visit-back' },
      `← ${t('visit.back', { to: t(`tab.${state.back}`) })}`,
    ),
    h(
      'div',
      { class: 'split' },
      summary,
      h(
        'div',
        {},
        section(t('visit.photos'), v.photos, (rows) =>
          h(
            'div',
            { class: 'thumbs' },
            rows.map((p) => thumb(p.id, `${v.store_name} · ${t(`kind.${p.kind}`)}`)),
          ),
        ),
        section(t('visit.order'), v.order && v.order.lines, (rows) => orderTable(v.order, rows, pn)),
      ),
    ),
    h(
      'div',
      { class: 'records' },
      section(t('visit.display'), v.display_checks, (rows) => displayTable(rows, pn)),
      section(t('visit.stock'), v.stock_counts, (rows) =>
        table(
          {},
          [t('co.product'), t('stock.shelf'), t('stock.back'), t('stock.suggested')],
          rows.map((c) => [pn(c.product_id), c.shelf_qty, c.backroom_qty, c.suggested_order_qty ?? '—']),
          { num: [1, 2, 3] },
        ),
      ),
      section(t('visit.expiry'), v.near_expiry_items, (rows) =>
        table(
          {},
          [t('co.product'), t('nx.qty'), t('nx.date')],
          rows.map((c) => [pn(c.product_id), c.quantity, fmtDay(c.expiry_date)]),
          { num: [1] },
        ),
      ),
      section(t('visit.returns'), v.return_requests, (rows) =>
        table(
          {},
          [t('co.product'), t('nx.qty'), t('visit.reason')],
          rows.map((c) => [pn(c.product_id), c.quantity, t(`return.${c.reason}`)]),
          { num: [1] },
        ),
      ),
      section(t('visit.competitors'), v.competitor_observations, (rows) =>
        table(
          { class: 'stack' },
          [t('co.product'), t('co.regular'), t('co.promo'), t('co.promoType')],
          rows.map((c) => [
            h(
              'span',
              { class: 'strong' },
              `${brands.get(c.brand_id) || ''} ${c.product_name || pn(c.product_id)}`.trim(),
              c.new_product ? [' ', h('span', { class: 'pill ok' }, t('co.new'))] : '',
            ),
            { content: fmtMoney(c.regular_price), label: t('co.regular') },
            { content: fmtMoney(c.promo_price), label: t('co.promo') },
            {
              content: [
                c.promo_type ? t(`promo.${c.promo_type}`) : '—',
                c.display_notes ? h('div', { class: 'muted' }, c.display_notes) : '',
              ],
              label: t('co.promoType'),
            },
          ]),
          { num: [1, 2] },
        ),
      ),
    ),
  );
}

const fact = (label, value, id) => h('div', { id }, h('dt', {}, label), h('dd', {}, value));

function orderTable(order, lines, pn) {
  return table(
    { id: 'visit-order' },
    [t('co.product'), t('order.qty'), t('visit.unitPrice'), t('visit.amount')],
    lines.map((l) => [pn(l.product_id), l.quantity, fmtMoney(l.unit_price), fmtMoney(l.amount)]),
    {
      num: [1, 2, 3],
      foot: h(
        'tr',
        {},
        h('th', { colspan: 3 }, t('visit.total')),
        h('td', { class: 'num', id: 'order-total' }, fmtMoney(order.total)),
      ),
    },
  );
}

// Availability (on shelf, out of stock, or not stocked here), facings, shelf height, and
// only the checklist answers that need attention.
function displayTable(rows, pn) {
  const avail = (c) => (c.on_shelf ? t('dc.onShelf') : c.out_of_stock ? t('dc.oos') : t('dc.notStocked'));
  const remarks = (c) =>
    [
      c.fifo_ok === false && t('dc.fifoBad'),
      c.price_tag_present === false && t('dc.noPriceTag'),
      c.price_tag_correct === false && t('dc.priceTagWrong'),
      c.shelf_clean === false && t('dc.notClean'),
      c.pop_present && t('dc.pop'),
      c.promo_display && t('dc.promoDisplay'),
      c.note,
    ]
      .filter(Boolean)
      .join(' · ');
  return table(
    { id: 'visit-display', class: 'stack' },
    [t('co.product'), t('dc.availability'), t('dc.facings'), t('dc.level'), t('dc.notes')],
    rows.map((c) => [
      h('span', { class: 'strong' }, pn(c.product_id)),
      { content: h('span', { class: c.on_shelf ? 'ok' : 'bad' }, avail(c)), label: t('dc.availability') },
      { content: c.on_shelf ? c.facings : '—', label: t('dc.facings') },
      { content: c.shelf_level ? t(`dc.level${c.shelf_level}`) : '—', label: t('dc.level') },
      { content: remarks(c) || '—', label: t('dc.notes') },
    ]),
    { num: [2] },
  );
}

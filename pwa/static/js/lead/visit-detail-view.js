// One visit in detail: who, when, how long, flags, photos, order and every record, with the
// rep's note, the decisions on its returns and what became of earlier near-expiry stock.
import { fmtDateTime, fmtDay, fmtMinutes, fmtMoney, fmtTime, t } from '../i18n.js';
import { getJSON } from '../api.js';
import { flagLine, leadScreen, productNames, state, table } from './lead-ui.js';
import { photoTile } from './photos-view.js';
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
      v.note ? fact(t('vd.note'), v.note, 'visit-note') : null,
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
            rows.map((p) => photoTile(p.id, `${v.store_name} · ${t(`kind.${p.kind}`)}`, p.image_deleted_at)),
          ),
        ),
        section(t('visit.order'), v.order && v.order.lines, (rows) => orderTable(v.order, rows, pn)),
      ),
    ),
    h(
      'div',
      { class: 'records' },
      section(t('visit.display'), v.display_checks, (rows) => displayTable(rows, pn, deviations(v))),
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
          { id: 'visit-expiry' },
          [t('co.product'), t('nx.qty'), t('nx.date'), t('vd.action')],
          rows.map((c) => [pn(c.product_id), c.quantity, fmtDay(c.expiry_date), actionText(c.action)]),
          { num: [1] },
        ),
      ),
      section(t('vd.followups'), v.expiry_followups, (rows) => followUpTable(rows, pn)),
      section(t('visit.returns'), v.return_requests, (rows) => returnsTable(rows, pn)),
      section(t('vd.facings'), v.shelf_facings, facingsTable),
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
      section(t('vd.complaints'), v.complaints, complaintsTable),
    ),
  );
}

const fact = (label, value, id) => h('div', { id }, h('dt', {}, label), h('dd', {}, value));
const pill = (cls, text) => h('span', { class: `pill ${cls}` }, text);
const actionText = (action) => t(`report.action.${action || 'none'}`);
const RETURN_TONE = { requested: 'warn', approved: 'ok', collected: 'ok', credited: 'ok', rejected: 'bad' };
const COMPLAINT_TONE = { open: 'bad', in_progress: 'warn', resolved: 'ok' };

// The price-deviation flag's products by id: what the display table marks.
function deviations(v) {
  const flag = v.flags.find((f) => f.kind === 'price_deviation');
  return new Map(((flag && flag.detail.products) || []).map((p) => [p.product_id, p]));
}

// The shelf price, "special" when the shelf shows one, and the deviation it makes, if any.
function priceCell(c, deviation) {
  if (c.shelf_price == null && !deviation) return '—';
  return [
    fmtMoney(c.shelf_price),
    c.special_price ? [' ', pill('warn', t('vd.special'))] : '',
    deviation
      ? h(
          'div',
          { class: 'bad price-deviation' },
          `⚑ ${t(`vd.dev.${deviation.kind}`, { agreed: fmtMoney(deviation.agreed_price) })}`,
        )
      : '',
  ];
}

function followUpTable(rows, pn) {
  return table(
    { id: 'visit-followups', class: 'stack' },
    [t('co.product'), t('vd.noted'), t('vd.action'), t('vd.outcome'), t('vd.left')],
    rows.map((f) => [
      h('span', { class: 'strong' }, pn(f.product_id)),
      {
        content: t('vd.notedText', { q: f.noted_quantity, date: fmtDay(f.expiry_date) }),
        label: t('vd.noted'),
      },
      { content: actionText(f.action), label: t('vd.action') },
      {
        content: pill(f.outcome === 'sold' ? 'ok' : 'warn', t(`vd.outcome.${f.outcome}`)),
        label: t('vd.outcome'),
      },
      { content: f.quantity ?? '—', label: t('vd.left') },
    ]),
    { num: [4] },
  );
}

// Each return with the lead's decision: status, when, and the note given with it.
function returnsTable(rows, pn) {
  return table(
    { id: 'visit-returns', class: 'stack' },
    [t('co.product'), t('nx.qty'), t('visit.reason'), t('vd.status')],
    rows.map((r) => [
      h('span', { class: 'strong' }, pn(r.product_id), r.note ? h('div', { class: 'muted' }, r.note) : ''),
      { content: r.quantity, label: t('nx.qty') },
      { content: t(`rep.ret.reason.${r.reason}`), label: t('visit.reason') },
      {
        content: [
          pill(RETURN_TONE[r.status] || '', t(`rep.ret.status.${r.status}`)),
          r.decided_at ? [' ', h('span', { class: 'muted' }, fmtDateTime(r.decided_at))] : '',
          r.status_note ? h('div', { class: 'muted' }, r.status_note) : '',
        ],
        label: t('vd.status'),
      },
    ]),
    { num: [1] },
  );
}

function facingsTable(rows) {
  return table(
    { id: 'visit-facings' },
    [t('vd.brand'), t('vd.category'), t('dc.facings'), t('vd.eye')],
    rows.map((f) => [f.brand_name, f.category, f.facings, f.eye_level_facings ?? '—']),
    { num: [2, 3] },
  );
}

function complaintsTable(rows) {
  return table(
    { id: 'visit-complaints', class: 'stack' },
    [t('vd.category'), t('vd.status'), t('vd.complaint')],
    rows.map((c) => [
      h('span', { class: 'strong' }, t(`rep.cmp.cat.${c.category}`)),
      { content: pill(COMPLAINT_TONE[c.status] || '', t(`rep.cmp.status.${c.status}`)), label: t('vd.status') },
      {
        content: [c.text, c.resolution ? h('div', { class: 'muted' }, t('vd.resolution', { text: c.resolution })) : ''],
        label: t('vd.complaint'),
      },
    ]),
  );
}

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

// Availability (on shelf, out of stock, or not stocked here), facings, shelf height, the shelf
// price (and any deviation from the agreed prices), and only the checklist answers that need
// attention.
function displayTable(rows, pn, deviation) {
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
    [t('co.product'), t('dc.availability'), t('dc.facings'), t('dc.level'), t('vd.shelfPrice'), t('dc.notes')],
    rows.map((c) => [
      h('span', { class: 'strong' }, pn(c.product_id)),
      { content: h('span', { class: c.on_shelf ? 'ok' : 'bad' }, avail(c)), label: t('dc.availability') },
      { content: c.on_shelf ? c.facings : '—', label: t('dc.facings') },
      { content: c.shelf_level ? t(`dc.level${c.shelf_level}`) : '—', label: t('dc.level') },
      { content: priceCell(c, deviation.get(c.product_id)), label: t('vd.shelfPrice') },
      { content: remarks(c) || '—', label: t('dc.notes') },
    ]),
    { num: [2] },
  );
}

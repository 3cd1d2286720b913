// Supervisor and area-manager screens: the team's day and week, visits on a map and in a
// list, exceptions, photo review, reports and exports, one visit in detail. Loaded on demand
// (not in the rep shell). Phone first; at a laptop's width panels sit side by side (app.css).
import { setTitle, render } from './app.js';
import { t, pct, fmtTime, fmtDateTime, fmtDay, fmtMoney, fmtMinutes, flagText } from './i18n.js';
import { getJSON, getAllPages, request, session, ApiError } from './api.js';
import { renderMap, barChart } from './map.js';
import { h, field, select, toast, uid } from './ui.js';
import { businessDay, addDays, weekdayOf } from './clock.js';

// `back`: the list a visit was opened from, so that the visit screen leads back to it.
const state = { day: businessDay(), period: 'day', teamId: '', back: 'team', review: 'pending' };

// The chosen day, its week (Monday to Sunday), or the four weeks ending on it.
function rangeOf() {
  if (state.period === 'day') return [state.day, state.day];
  if (state.period === 'weeks4') return [addDays(state.day, -27), state.day];
  const monday = addDays(state.day, -weekdayOf(state.day));
  return [monday, addDays(monday, 6)];
}

// The reports' period parameters for the chosen day or week.
function periodQ() {
  const [from, to] = rangeOf();
  return state.period === 'day' ? `period=day&date=${from}` : `period=custom&date_from=${from}&date_to=${to}`;
}

const scopeQ = () => (state.teamId ? `&team_id=${state.teamId}` : '');

// The period's visits, newest first: all of a day, the newest LIST_MAX of a longer period
// (rates come from the reports; the list is for opening visits). {items, total}.
const LIST_MAX = 200;
async function visitsIn(query = '') {
  const [from, to] = rangeOf();
  const url = `/api/visits?date_from=${from}&date_to=${to}${query}${scopeQ()}`;
  if (state.period === 'day') {
    const { items } = await getAllPages(url);
    return { items, total: items.length };
  }
  const { data } = await getJSON(`${url}&per_page=${LIST_MAX}`);
  return { items: data.items, total: data.meta.total };
}

const shownOf = (list) =>
  list.total > list.items.length
    ? h('p', { class: 'muted' }, t('team.newest', { n: list.items.length, total: list.total }))
    : null;

async function withAuth(url) {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${session.token}` } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return URL.createObjectURL(await res.blob());
}

// An image the API serves only with the token; its blob URL is let go once it is drawn.
function authImg(url, alt, attrs = {}) {
  const img = h('img', { alt, ...attrs });
  img.addEventListener('load', () => URL.revokeObjectURL(img.src), { once: true });
  withAuth(url)
    .then((src) => {
      img.src = src;
    })
    .catch(() => {
      img.alt = `${alt} · ${t('photos.unavailable')}`;
    });
  return img;
}

// The full image in a modal <dialog>: Esc, the close button or a click beside the image
// closes it, and the browser returns focus to the thumbnail that opened it.
function openPhoto(photoId, caption) {
  const close = h('button', { type: 'button', class: 'close' }, t('photos.close'));
  const dialog = h(
    'dialog',
    { class: 'lightbox', 'aria-label': caption },
    h('div', { class: 'row' }, h('strong', { class: 'grow' }, caption), close),
    authImg(`/api/photos/${photoId}/image?size=full`, caption, { id: 'lightbox-image' }),
  );
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) dialog.close();
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

const thumb = (photoId, caption) =>
  h(
    'button',
    {
      type: 'button',
      class: 'thumb',
      'aria-label': t('photos.enlarge', { what: caption }),
      dataset: { photoId },
      onclick: () => openPhoto(photoId, caption),
    },
    authImg(`/api/photos/${photoId}/image?size=thumb`, caption, { loading: 'lazy' }),
  );

// A table; `num`: the indexes of numeric columns (right-aligned). A cell is text, a node, or
// {content, label} where `label` names the column on a phone, where `stack` tables are cards.
function table(attrs, heads, rows, { num = [], foot = null } = {}) {
  const cls = (i) => (num.includes(i) ? 'num' : null);
  const cell = (c, i) =>
    c && c.content !== undefined
      ? h('td', { class: cls(i), 'data-label': c.label }, c.content)
      : h('td', { class: cls(i) }, c);
  return h(
    'table',
    attrs,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        heads.map((x, i) => h('th', { class: cls(i) }, x)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) => (r instanceof Node ? r : h('tr', {}, r.map(cell)))),
    ),
    foot ? h('tfoot', {}, foot) : null,
  );
}

async function teamPicker() {
  if (session.user.role === 'supervisor') return null;
  let teams = [];
  try {
    teams = (await getJSON('/api/teams')).data;
  } catch {
    return null;
  }
  const sel = select([['', t('team.allTeams')], ...teams.map((x) => [String(x.id), x.name])], { id: 'team-pick' });
  sel.value = state.teamId;
  sel.addEventListener('change', () => {
    state.teamId = sel.value;
    render();
  });
  return field(t('team.team'), sel);
}

// Day or period, the team for a manager, and the screen's own choices: every list screen
// starts with them.
async function controls(...extra) {
  const day = h('input', { type: 'date', value: state.day, id: 'team-day' });
  day.addEventListener('change', () => {
    state.day = day.value || businessDay();
    render();
  });
  const per = select(
    [
      ['day', t('team.day')],
      ['week', t('team.week')],
      ['weeks4', t('team.weeks4')],
    ],
    { id: 'team-period' },
  );
  per.value = state.period;
  per.addEventListener('change', () => {
    state.period = per.value;
    render();
  });
  return h(
    'div',
    { class: 'controls' },
    field(t('team.date'), day),
    field(t('team.period'), per),
    await teamPicker(),
    extra,
  );
}

// A screen's root; it names the period it shows, so that a test (or a style) can tell a
// screen drawn for the new choice from the one still shown while it loads.
const leadScreen = (...children) =>
  h('div', { class: 'lead', dataset: { period: state.period, day: state.day } }, children);
const kpiTile = (label, value, sub, id) =>
  h(
    'div',
    { class: 'kpi', id },
    h('span', { class: 'muted' }, label),
    h('b', {}, value),
    sub ? h('span', { class: 'muted' }, sub) : null,
  );
const rateTile = (label, r, id) => kpiTile(label, pct(r.rate), `${r.numerator}/${r.denominator}`, id);
const chart = (title, rows, options = {}) =>
  h('div', { class: 'chart card', id: options.id }, h('h3', {}, title), barChart(rows, { label: title, ...options }));
const when = (iso) => (state.period === 'day' ? fmtTime(iso) : fmtDateTime(iso));
const flagLine = (f) => `${t(`flag.${f.kind}`)}: ${flagText(f)}`;

async function teamView() {
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

const exportButton = (url, name) => h('button', { type: 'button', onclick: () => download(url, name) }, name);

async function download(url, name) {
  try {
    const href = await withAuth(url);
    const a = h('a', { href, download: name });
    document.body.append(a);
    a.click();
    a.remove();
  } catch (e) {
    toast(e.message);
  }
}

async function exceptionsView() {
  setTitle(t('tab.exceptions'));
  const list = await visitsIn('&flagged=true');
  const visits = list.items;
  // Flags by kind from the exceptions report, where the server has it.
  let kinds = null;
  try {
    const counts = Object.entries(
      (await getJSON(`/api/reports/exceptions?${periodQ()}&per_page=1${scopeQ()}`)).data.counts || {},
    );
    if (counts.length) {
      kinds = chart(
        t('exc.byKind'),
        counts.map(([k, n]) => ({ label: t(`flag.${k}`), value: n, text: String(n), color: '#b71c1c' })),
        { max: Math.max(1, ...counts.map(([, n]) => n)), id: 'exception-kinds' },
      );
    }
  } catch {
    /* the list below is enough */
  }
  const rows = visits.length
    ? table(
        { id: 'exceptions', class: 'stack' },
        [t('team.store'), t('team.time'), t('team.rep'), t('tab.exceptions')],
        visits.map((v) => [
          h('a', { href: `#/visit-detail/${v.id}`, class: 'strong' }, v.store_name),
          { content: fmtDateTime(v.checked_in_at), label: t('team.time') },
          { content: v.rep_name, label: t('team.rep') },
          h(
            'ul',
            { class: 'flags' },
            v.flags.map((f) => h('li', { class: 'bad' }, flagLine(f))),
          ),
        ]),
      )
    : h('p', { class: 'muted' }, t('exc.none'));
  return leadScreen(
    await controls(),
    h(
      'div',
      { class: kinds ? 'split narrow-first' : '' },
      kinds,
      h('section', {}, h('h3', {}, t('exc.count', { n: list.total })), shownOf(list), rows),
    ),
  );
}

async function photosView() {
  setTitle(t('tab.photos'));
  const status = select(
    ['pending', 'approved', 'rejected'].map((x) => [x, t(`review.${x}`)]),
    { id: 'review-status' },
  );
  status.value = state.review;
  status.addEventListener('change', () => {
    state.review = status.value;
    render();
  });
  const top = await controls(field(t('photos.show'), status));
  const { items } = (await getJSON(`/api/reports/photos?${periodQ()}&status=${state.review}&per_page=50${scopeQ()}`))
    .data;
  const canReview = ['supervisor', 'admin'].includes(session.user.role);
  const pending = state.review === 'pending';
  return leadScreen(
    top,
    h('h3', {}, t(pending ? 'photos.pending' : 'photos.count', { n: items.length })),
    h(
      'ul',
      { class: 'photo-grid', id: 'photo-review' },
      items.map((p) => {
        const kind = t(`kind.${p.kind}`);
        return h(
          'li',
          { class: 'card photo-item', dataset: { photoId: p.photo_id } },
          thumb(p.photo_id, `${p.store_name} · ${kind}`),
          h(
            'div',
            { class: 'about' },
            h('a', { href: `#/visit-detail/${p.visit_id}`, class: 'visit-link strong' }, p.store_name),
            h('div', { class: 'muted' }, `${p.rep_name} · ${fmtDay(p.visit_date)} · ${kind}`),
            pending
              ? null
              : h(
                  'div',
                  { class: p.status === 'rejected' ? 'bad' : 'ok' },
                  `${t(`review.${p.status}`)} · ${p.reviewer_name}${p.comment ? `: “${p.comment}”` : ''}`,
                ),
          ),
          canReview ? reviewForm(p) : null,
        );
      }),
    ),
    items.length ? null : h('p', { class: 'muted' }, t(pending ? 'photos.none' : 'photos.noneShown')),
  );
}

// Approve, or reject with a reason: the reason is asked for here, before anything is sent.
function reviewForm(p) {
  const hint = h('p', { class: 'bad hint', id: uid('hint'), role: 'alert', hidden: true });
  const comment = h('input', { maxlength: 500, 'aria-describedby': hint.id });
  comment.addEventListener('input', () => {
    hint.hidden = true;
    comment.removeAttribute('aria-invalid');
  });
  const send = async (status) => {
    const text = comment.value.trim();
    if (status === 'rejected' && !text) {
      hint.textContent = t('photos.commentNeeded');
      hint.hidden = false;
      comment.setAttribute('aria-invalid', 'true');
      comment.focus();
      return;
    }
    try {
      await request('PUT', `/api/photos/${p.photo_id}/review`, { json: { status, comment: text || null } });
      toast(t(`photos.${status}`));
      render();
    } catch (e) {
      toast(e instanceof ApiError ? t('photos.reviewFailed') : t('photos.reviewOffline'));
    }
  };
  return h(
    'div',
    { class: 'review' },
    field(t('photos.comment'), comment),
    hint,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'button', class: 'primary', onclick: () => send('approved') }, t('photos.approve')),
      h('button', { type: 'button', class: 'danger', onclick: () => send('rejected') }, t('photos.reject')),
    ),
  );
}

// Product names with their pack size (one name can come in several sizes), by id.
async function productNames() {
  try {
    return new Map(
      (await getAllPages('/api/products')).items.map((p) => [p.id, `${p.name} ${p.pack_size || ''}`.trim()]),
    );
  } catch {
    return new Map();
  }
}

async function visitDetail(id) {
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
          v.flags.map((f) => h('li', { class: 'bad' }, `⚑ ${flagLine(f)}`)),
        )
      : null,
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

// The area manager's reports: display compliance, competitor prices, near-expiry exposure.
async function reportsView() {
  setTitle(t('tab.reports'));
  const top = await controls();
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
  const [display, comp, expiry, products] = await Promise.all([
    getJSON(`/api/reports/display-compliance?${periodQ()}&group_by=${group.value}${scopeQ()}`).then((r) => r.data),
    getJSON(`/api/reports/competitor-prices?${periodQ()}${scopeQ()}`).then((r) => r.data),
    getJSON(`/api/reports/near-expiry?group_by=product${scopeQ()}`).then((r) => r.data),
    productNames(),
  ]);
  return leadScreen(top, displaySection(display, group), competitorSection(comp), expirySection(expiry, products));
}

const exportRow = (name, query) =>
  h(
    'div',
    { class: 'row' },
    ['csv', 'xlsx'].map((fmt) => exportButton(`/api/reports/${name}.${fmt}?${query}${scopeQ()}`, `${name}.${fmt}`)),
  );
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

function expirySection(expiry, products) {
  const tile = (label, x) => kpiTile(label, String(x.quantity), fmtMoney(x.value));
  return h(
    'section',
    {},
    h('h3', {}, t('rep.expiry')),
    h(
      'div',
      { class: 'kpis' },
      tile(t('rep.in7'), expiry.total.within_7_days),
      tile(t('rep.in30'), expiry.total.within_30_days),
    ),
    expiry.groups.length
      ? chart(
          t('rep.value30'),
          expiry.groups.map((g) => ({
            label: products.get(g.id) || g.name,
            value: g.within_30_days.value,
            text: fmtMoney(g.within_30_days.value),
            color: '#8a5300',
          })),
          { max: Math.max(1, ...expiry.groups.map((g) => g.within_30_days.value)), id: 'expiry-chart' },
        )
      : null,
    exportRow('near-expiry', 'group_by=product'),
  );
}

export function view(name, arg) {
  if (name === 'visit-detail') return visitDetail(arg);
  state.back = name;
  if (name === 'team') return teamView();
  if (name === 'reports') return reportsView();
  if (name === 'exceptions') return exceptionsView();
  return photosView();
}

// Supervisor and area-manager screens: the team's day and week, visits on a map and in a
// list, exceptions, photo review, report exports. Loaded on demand (not in the rep shell).
import { setTitle, render } from './app.js';
import { t, pct, fmtTime, fmtDateTime } from './i18n.js';
import { getJSON, getAllPages, request, session, ApiError, errorText } from './api.js';
import { renderMap, barChart } from './map.js';
import { h, field, select, toast } from './ui.js';
import { businessDay, addDays, weekdayOf } from './clock.js';

const state = { day: businessDay(), period: 'day', teamId: '' };

function rangeOf() {
  if (state.period === 'day') return [state.day, state.day];
  const monday = addDays(state.day, -weekdayOf(state.day));
  return [monday, addDays(monday, 6)];
}

const scopeQ = () => (state.teamId ? `&team_id=${state.teamId}` : '');

async function withAuth(url) {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${session.token}` } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return URL.createObjectURL(await res.blob());
}

function authImg(url, alt) {
  const img = h('img', { alt, loading: 'lazy' });
  withAuth(url).then((src) => { img.src = src; }).catch(() => { img.alt = `${alt} (offline)`; });
  return img;
}

// The KPI report (issue 5) when the server has it; otherwise the same definitions computed
// here from plans and visits (domain.md), marked as such.
async function kpis(from, to) {
  try {
    const q = state.period === 'day' ? `period=day&date=${from}` : `period=custom&date_from=${from}&date_to=${to}`;
    const r = await getJSON(`/api/reports/kpis?${q}&group_by=rep${scopeQ()}`);
    return { ...r.data, source: 'api', fromCache: r.fromCache };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  const plans = (await getAllPages(`/api/plans?date_from=${from}&date_to=${to}&status=published${scopeQ()}`)).items;
  const visits = (await getAllPages(`/api/visits?date_from=${from}&date_to=${to}${scopeQ()}`)).items;
  const reps = new Map();
  const g = (id) => {
    if (!reps.has(id)) reps.set(id, { id, name: `#${id}`, planned: 0, visited: new Set(), success: new Set(), visits: 0 });
    return reps.get(id);
  };
  for (const p of plans) g(p.rep_id).planned += p.stops.length;
  for (const v of visits) {
    const r = g(v.rep_id);
    r.visits += 1;
    if (v.planned && v.planned_stop_id) {
      r.visited.add(v.planned_stop_id);
      if (v.successful) r.success.add(v.planned_stop_id);
    }
  }
  const rate = (n, d) => ({ numerator: n, denominator: d, rate: d ? n / d : null });
  const groups = [...reps.values()].map((r) => ({
    id: r.id, name: r.name, visits: r.visits, planned_stops: r.planned,
    completion_rate: rate(r.visited.size, r.planned), success_rate: rate(r.success.size, r.visited.size),
  }));
  const sum = (f) => groups.reduce((a, x) => a + f(x), 0);
  const total = {
    visits: sum((x) => x.visits), planned_stops: sum((x) => x.planned_stops),
    completion_rate: rate(sum((x) => x.completion_rate.numerator), sum((x) => x.planned_stops)),
    success_rate: rate(sum((x) => x.success_rate.numerator), sum((x) => x.completion_rate.numerator)),
  };
  return { groups, total, trend: [], source: 'computed' };
}

async function teamPicker() {
  if (session.user.role === 'supervisor') return null;
  let teams = [];
  try { teams = (await getJSON('/api/teams')).data; } catch { return null; }
  const sel = select([['', t('team.allTeams')], ...teams.map((x) => [String(x.id), x.name])], { id: 'team-pick' });
  sel.value = state.teamId;
  sel.addEventListener('change', () => { state.teamId = sel.value; render(); });
  return field(t('team.team'), sel);
}

function controls() {
  const day = h('input', { type: 'date', value: state.day, id: 'team-day' });
  day.addEventListener('change', () => { state.day = day.value || businessDay(); render(); });
  const per = select([['day', t('team.day')], ['week', t('team.week')]], { id: 'team-period' });
  per.value = state.period;
  per.addEventListener('change', () => { state.period = per.value; render(); });
  return h('div', { class: 'grid2' }, field(t('team.date'), day), field(t('team.period'), per));
}

const kpiTile = (label, value, sub, id) => h('div', { class: 'kpi', id }, h('span', { class: 'muted' }, label), h('b', {}, value), sub ? h('span', { class: 'muted' }, sub) : null);

async function teamView() {
  setTitle(t('team.title'));
  const [from, to] = rangeOf();
  const report = await kpis(from, to);
  const visits = (await getAllPages(`/api/visits?date_from=${from}&date_to=${to}${scopeQ()}`)).items;
  const names = new Map(visits.map((v) => [v.rep_id, null]));
  try {
    for (const u of (await getAllPages(`/api/users?role=rep${scopeQ()}`)).items) names.set(u.id, u.full_name || u.username);
  } catch { /* names stay ids */ }
  const tot = report.total;
  const wrap = h('div', {}, controls());
  const picker = await teamPicker();
  if (picker) wrap.append(picker);
  wrap.append(h('div', { class: 'kpis' },
    kpiTile(t('kpi.completion'), pct(tot.completion_rate.rate), `${tot.completion_rate.numerator}/${tot.completion_rate.denominator}`, 'kpi-completion'),
    kpiTile(t('kpi.success'), pct(tot.success_rate.rate), `${tot.success_rate.numerator}/${tot.success_rate.denominator}`, 'kpi-success'),
    kpiTile(t('kpi.visits'), String(tot.visits ?? visits.length), null, 'kpi-visits'),
    tot.time_in_store && tot.time_in_store.average_seconds != null
      ? kpiTile(t('kpi.timeInStore'), `${Math.round(tot.time_in_store.average_seconds / 60)} min`, null, 'kpi-time') : null));
  if (report.source === 'computed') wrap.append(h('p', { class: 'muted' }, t('team.computed')));
  const groups = report.groups || [];
  if (groups.length) {
    wrap.append(h('h3', {}, t('team.byRep')),
      h('div', { class: 'chart card', 'aria-label': t('kpi.completion') }, barChart(groups.map((g) => ({
        label: names.get(g.id) || g.name, value: g.completion_rate.rate || 0, text: pct(g.completion_rate.rate),
      })))),
      h('h3', {}, t('kpi.success')),
      h('div', { class: 'chart card' }, barChart(groups.map((g) => ({
        label: names.get(g.id) || g.name, value: g.success_rate.rate || 0, text: pct(g.success_rate.rate), color: '#1b5e20',
      })))));
  }
  if (state.period === 'week' && report.trend && report.trend.length) {
    wrap.append(h('h3', {}, t('team.trend')), h('div', { class: 'chart card' }, barChart(report.trend.map((d) => ({
      label: d.date, value: d.completion_rate.rate || 0, text: pct(d.completion_rate.rate),
    })))));
  }
  wrap.append(h('h3', {}, t('team.visits', { n: visits.length })));
  const mapEl = h('div', { id: 'team-map' });
  wrap.append(mapEl);
  renderMap(mapEl, visits.map((v) => ({
    lat: v.checkin_lat, lng: v.checkin_lng, label: `${v.store_name} (${names.get(v.rep_id) || v.rep_id})`,
    kind: v.flags.length ? 'flag' : '', done: !v.flags.length && v.successful, short: '',
  })), { route: false, title: t('team.visits', { n: visits.length }) });
  wrap.append(h('table', { id: 'team-visits' },
    h('thead', {}, h('tr', {}, h('th', {}, t('team.time')), h('th', {}, t('team.rep')), h('th', {}, t('team.store')), h('th', { class: 'num' }, t('team.minutes')), h('th', {}, ''))),
    h('tbody', {}, visits.map((v) => h('tr', { dataset: { visitId: v.id } },
      h('td', {}, state.period === 'day' ? fmtTime(v.checked_in_at) : fmtDateTime(v.checked_in_at)),
      h('td', {}, names.get(v.rep_id) || v.rep_id),
      h('td', {}, h('a', { href: `#/visit-detail/${v.id}` }, v.store_name), v.planned ? '' : h('span', { class: 'pill warn' }, t('team.unplanned'))),
      h('td', { class: 'num' }, v.duration_minutes != null ? Math.round(v.duration_minutes) : '—'),
      h('td', {}, v.flags.length ? h('span', { class: 'pill bad' }, '⚑ ', v.flags.length) : '', v.successful ? h('span', { class: 'pill ok' }, t('team.order')) : ''))))));
  if (report.source === 'api') {
    const q = state.period === 'day' ? `period=day&date=${from}` : `period=custom&date_from=${from}&date_to=${to}`;
    wrap.append(h('h3', {}, t('team.exports')), h('div', { class: 'row' },
      ['kpis', 'exceptions', 'competitor-prices', 'display-compliance'].map((name) => h('button', { type: 'button', onclick: () => download(`/api/reports/${name}.csv?${q}${scopeQ()}`, `${name}.csv`) }, `${name}.csv`)),
      h('button', { type: 'button', onclick: () => download(`/api/reports/kpis.xlsx?${q}${scopeQ()}`, 'kpis.xlsx') }, 'kpis.xlsx')));
  }
  return wrap;
}

async function download(url, name) {
  try {
    const href = await withAuth(url);
    const a = h('a', { href, download: name });
    document.body.append(a); a.click(); a.remove();
  } catch (e) { toast(e.message); }
}

async function exceptionsView() {
  setTitle(t('tab.exceptions'));
  const [from, to] = rangeOf();
  const visits = (await getAllPages(`/api/visits?flagged=true&date_from=${from}&date_to=${to}${scopeQ()}`)).items;
  // Flags by kind from the exceptions report, where the server has it.
  let chart = null;
  try {
    const q = state.period === 'day' ? `period=day&date=${from}` : `period=custom&date_from=${from}&date_to=${to}`;
    const counts = Object.entries((await getJSON(`/api/reports/exceptions?${q}&per_page=1${scopeQ()}`)).data.counts || {});
    const max = Math.max(1, ...counts.map(([, n]) => n));
    if (counts.length) {
      chart = h('div', { class: 'chart card', id: 'exception-kinds' }, barChart(counts.map(([k, n]) => ({
        label: t(`flag.${k}`), value: n, text: String(n), color: '#b71c1c',
      })), { max }));
    }
  } catch { /* the list below is enough */ }
  return h('div', {}, controls(), chart, h('h3', {}, t('exc.count', { n: visits.length })),
    h('ul', { class: 'stops', id: 'exceptions' }, visits.map((v) => h('li', { class: 'card' },
      h('a', { href: `#/visit-detail/${v.id}` }, h('strong', {}, v.store_name)),
      h('div', { class: 'muted' }, fmtDateTime(v.checked_in_at)),
      h('ul', {}, v.flags.map((f) => h('li', { class: 'bad' }, `${t(`flag.${f.kind}`)}: ${f.message}`)))))),
    visits.length ? null : h('p', { class: 'muted' }, t('exc.none')));
}

async function photosView() {
  setTitle(t('tab.photos'));
  const [from, to] = rangeOf();
  const q = state.period === 'day' ? `period=day&date=${from}` : `period=custom&date_from=${from}&date_to=${to}`;
  let items;
  try {
    items = (await getJSON(`/api/reports/photos?${q}&status=pending&per_page=50${scopeQ()}`)).data.items;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return h('div', {}, controls(), h('p', { class: 'muted' }, t('photos.noApi')));
    throw err;
  }
  const canReview = ['supervisor', 'admin'].includes(session.user.role);
  return h('div', {}, controls(), h('h3', {}, t('photos.pending', { n: items.length })),
    h('ul', { class: 'stops', id: 'photo-review' }, items.map((p) => {
      const comment = h('input', { placeholder: t('photos.comment') });
      const act = async (status) => {
        try {
          await request('PUT', `/api/photos/${p.photo_id}/review`, { json: { status, comment: comment.value || null } });
          toast(t(`photos.${status}`)); render();
        } catch (e) { toast(e instanceof ApiError ? errorText(e.body) : e.message); }
      };
      return h('li', { class: 'card' },
        h('div', { class: 'row' }, h('div', { class: 'thumbs' }, authImg(`/api/photos/${p.photo_id}/image?size=thumb`, `${p.store_name} ${p.kind}`)),
          h('div', { class: 'grow' }, h('strong', {}, p.store_name), h('div', { class: 'muted' }, `${p.rep_name} · ${p.visit_date} · ${t(`kind.${p.kind}`)}`))),
        canReview ? h('div', {}, field(t('photos.comment'), comment), h('div', { class: 'row' },
          h('button', { class: 'primary', onclick: () => act('approved') }, t('photos.approve')),
          h('button', { class: 'danger', onclick: () => act('rejected') }, t('photos.reject')))) : null);
    })), items.length ? null : h('p', { class: 'muted' }, t('photos.none')));
}

async function visitDetail(id) {
  const v = (await getJSON(`/api/visits/${id}`)).data;
  setTitle(v.store_name);
  let names = new Map();
  try { names = new Map((await getAllPages('/api/products')).items.map((p) => [p.id, `${p.name} ${p.pack_size || ''}`.trim()])); } catch { /* ids */ }
  const pn = (pid) => names.get(pid) || `#${pid}`;
  const list = (label, rows) => (rows && rows.length ? [h('h3', {}, label), h('ul', {}, rows.map((r) => h('li', {}, r)))] : []);
  return h('div', {}, h('div', { class: 'card' },
    h('strong', {}, v.store_name), h('div', { class: 'muted' }, `${fmtDateTime(v.checked_in_at)} – ${v.checked_out_at ? fmtTime(v.checked_out_at) : '…'} · ${v.planned ? t('team.planned') : t('team.unplanned')}`),
    h('div', {}, `${t('visit.distance')}: ${v.checkin_distance_m ?? '—'} m · ${v.successful ? t('visit.withOrder') : t('visit.noOrder')}`),
    v.flags.map((f) => h('p', { class: 'bad' }, `⚑ ${f.message}`))),
  h('div', { class: 'thumbs' }, v.photos.map((p) => authImg(p.thumbnail_url, t(`kind.${p.kind}`)))),
  ...list(t('visit.display'), v.display_checks.map((c) => `${pn(c.product_id)}: ${c.on_shelf ? `${c.facings} ${t('dc.facings')}` : t('dc.oos')}`)),
  ...list(t('visit.stock'), v.stock_counts.map((c) => `${pn(c.product_id)}: ${c.shelf_qty} + ${c.backroom_qty} → ${c.suggested_order_qty ?? '—'}`)),
  ...list(t('visit.expiry'), v.near_expiry_items.map((c) => `${pn(c.product_id)}: ${c.quantity} · ${c.expiry_date}`)),
  ...list(t('visit.competitors'), v.competitor_observations.map((c) => `${c.product_name || pn(c.product_id)}: ${c.regular_price ?? '—'} / ${c.promo_price ?? '—'} ${c.promo_type || ''}`)),
  ...list(t('visit.order'), v.order ? v.order.lines.map((l) => `${pn(l.product_id)} × ${l.quantity} = ${l.amount}`) : []));
}

// The area manager's reports: display compliance, competitor prices, near-expiry exposure.
async function reportsView() {
  setTitle(t('tab.reports'));
  const [from, to] = rangeOf();
  const q = state.period === 'day' ? `period=day&date=${from}` : `period=custom&date_from=${from}&date_to=${to}`;
  const group = select([['team', t('rep.byTeam')], ['channel', t('rep.byChannel')], ['tier', t('rep.byTier')]], { id: 'report-group' });
  group.value = state.group || 'team';
  group.addEventListener('change', () => { state.group = group.value; render(); });
  const wrap = h('div', {}, controls());
  const picker = await teamPicker();
  if (picker) wrap.append(picker);
  let display;
  try {
    display = (await getJSON(`/api/reports/display-compliance?${q}&group_by=${group.value}${scopeQ()}`)).data;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return h('div', {}, wrap, h('p', { class: 'muted' }, t('rep.noApi')));
    throw err;
  }
  const exportRow = (name, extra = '') => h('div', { class: 'row' }, ['csv', 'xlsx'].map((fmt) => h('button', {
    type: 'button', onclick: () => download(`/api/reports/${name}.${fmt}?${q}${extra}${scopeQ()}`, `${name}.${fmt}`),
  }, `${name}.${fmt}`)));
  const groups = display.groups || [];
  wrap.append(h('h3', {}, t('rep.display')), field(t('rep.groupBy'), group),
    h('div', { class: 'kpis', id: 'display-kpis' },
      kpiTile(t('rep.oos'), pct(display.total.out_of_stock_rate.rate)),
      kpiTile(t('rep.eyeLevel'), pct(display.total.eye_level_share.rate)),
      kpiTile(t('rep.perfect'), pct(display.total.perfect_store_score.rate)),
      kpiTile(t('rep.checks'), String(display.total.checks))));
  if (groups.length) {
    for (const [key, label, color] of [['perfect_store_score', 'rep.perfect', '#1b5e20'], ['out_of_stock_rate', 'rep.oos', '#b71c1c'], ['eye_level_share', 'rep.eyeLevel', '#0d47a1']]) {
      wrap.append(h('div', { class: 'chart card' }, h('div', { class: 'muted' }, t(label)),
        barChart(groups.map((g) => ({ label: g.group, value: g[key].rate || 0, text: pct(g[key].rate), color })))));
    }
  }
  wrap.append(exportRow('display-compliance', `&group_by=${group.value}`));

  const comp = (await getJSON(`/api/reports/competitor-prices?${q}${scopeQ()}`)).data;
  wrap.append(h('h3', {}, t('rep.competitors')));
  wrap.append(comp.prices.length ? h('table', { id: 'competitor-prices' },
    h('thead', {}, h('tr', {}, h('th', {}, t('co.product')), h('th', {}, t('rep.week')), h('th', { class: 'num' }, t('co.regular')), h('th', { class: 'num' }, t('co.promo')))),
    h('tbody', {}, comp.prices.map((p) => h('tr', {},
      h('td', {}, `${p.brand} ${p.product}`, h('div', { class: 'muted' }, t(`channel.${p.channel}`))), h('td', {}, p.week),
      h('td', { class: 'num' }, p.regular.median ?? '—'), h('td', { class: 'num' }, p.promo.median ?? '—')))))
    : h('p', { class: 'muted' }, t('rep.none')));
  if (comp.promotions.length) {
    wrap.append(h('ul', {}, comp.promotions.map((p) => h('li', {}, `${p.brand} ${p.product}: ${t(`promo.${p.promo_type}`)} ${p.lowest_promo_price ?? ''} · ${t('rep.stores', { n: p.stores })}`))));
  }
  wrap.append(exportRow('competitor-prices'));

  const expiry = (await getJSON(`/api/reports/near-expiry?group_by=product${scopeQ()}`)).data;
  wrap.append(h('h3', {}, t('rep.expiry')),
    h('div', { class: 'kpis' },
      kpiTile(t('rep.in7'), String(expiry.total.within_7_days.quantity), `¥${Math.round(expiry.total.within_7_days.value)}`),
      kpiTile(t('rep.in30'), String(expiry.total.within_30_days.quantity), `¥${Math.round(expiry.total.within_30_days.value)}`)));
  const maxValue = Math.max(1, ...expiry.groups.map((g) => g.within_30_days.value));
  if (expiry.groups.length) {
    wrap.append(h('div', { class: 'chart card' }, barChart(expiry.groups.map((g) => ({
      label: g.name, value: g.within_30_days.value, text: `¥${Math.round(g.within_30_days.value)}`, color: '#8a5300',
    })), { max: maxValue })));
  }
  wrap.append(h('div', { class: 'row' }, ['csv', 'xlsx'].map((fmt) => h('button', {
    type: 'button', onclick: () => download(`/api/reports/near-expiry.${fmt}?group_by=product${scopeQ()}`, `near-expiry.${fmt}`),
  }, `near-expiry.${fmt}`))));
  return wrap;
}

export function view(name, arg) {
  if (name === 'team') return teamView();
  if (name === 'reports') return reportsView();
  if (name === 'exceptions') return exceptionsView();
  if (name === 'photos') return photosView();
  return visitDetail(arg);
}

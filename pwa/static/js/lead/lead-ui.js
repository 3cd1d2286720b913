// What the supervisor's and area manager's screens share: the chosen day, period and team,
// their query parameters, the period's visits, tables, tiles, charts, photos and exports.
// Phone first; at a laptop's width panels sit side by side (app.css).
import { t, pct, fmtTime, fmtDateTime, flagText } from '../i18n.js';
import { getJSON, getAllPages, session, blobURL } from '../api.js';
import { render } from '../router.js';
import { h, field, select, toast } from '../ui.js';
import { businessDay, addDays, weekdayOf } from '../clock.js';

// `back`: the list a visit was opened from, so that the visit screen leads back to it. Until a
// day is chosen, `day` is the business today when read: this module may load before the
// business settings (the time zone) have arrived after a first sign-in.
export const state = {
  chosenDay: null,
  get day() {
    return this.chosenDay || businessDay();
  },
  set day(day) {
    this.chosenDay = day;
  },
  period: 'day',
  teamId: '',
  back: 'team',
  review: 'pending',
};

// The chosen day, its week (Monday to Sunday), or the four weeks ending on it.
function rangeOf() {
  if (state.period === 'day') return [state.day, state.day];
  if (state.period === 'weeks4') return [addDays(state.day, -27), state.day];
  const monday = addDays(state.day, -weekdayOf(state.day));
  return [monday, addDays(monday, 6)];
}

// The reports' period parameters for the chosen day or week.
export function periodQ() {
  const [from, to] = rangeOf();
  return state.period === 'day' ? `period=day&date=${from}` : `period=custom&date_from=${from}&date_to=${to}`;
}

export const scopeQ = () => (state.teamId ? `&team_id=${state.teamId}` : '');

// The period's visits, newest first: all of a day, the newest LIST_MAX of a longer period
// (rates come from the reports; the list is for opening visits). {items, total}.
const LIST_MAX = 200;
export async function visitsIn(query = '') {
  const [from, to] = rangeOf();
  const url = `/api/visits?date_from=${from}&date_to=${to}${query}${scopeQ()}`;
  if (state.period === 'day') {
    const { items } = await getAllPages(url);
    return { items, total: items.length };
  }
  const { data } = await getJSON(`${url}&per_page=${LIST_MAX}`);
  return { items: data.items, total: data.meta.total };
}

export const shownOf = (list) =>
  list.total > list.items.length
    ? h('p', { class: 'muted' }, t('team.newest', { n: list.items.length, total: list.total }))
    : null;

// An image the API serves only with the token; its blob URL is let go once it is drawn.
function authImg(url, alt, attrs = {}) {
  const img = h('img', { alt, ...attrs });
  img.addEventListener('load', () => URL.revokeObjectURL(img.src), { once: true });
  blobURL(url)
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

export const thumb = (photoId, caption) =>
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
export function table(attrs, heads, rows, { num = [], foot = null } = {}) {
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

export async function teamPicker() {
  if (session.user.role === 'supervisor') return null;
  let teams;
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
export async function controls(...extra) {
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
export const leadScreen = (...children) =>
  h('div', { class: 'lead', dataset: { period: state.period, day: state.day } }, children);
export const kpiTile = (label, value, sub, id) =>
  h(
    'div',
    { class: 'kpi', id },
    h('span', { class: 'muted' }, label),
    h('b', {}, value),
    sub ? h('span', { class: 'muted' }, sub) : null,
  );
export const rateTile = (label, r, id) => kpiTile(label, pct(r.rate), `${r.numerator}/${r.denominator}`, id);
export const chart = (title, rows, options = {}) =>
  h('div', { class: 'chart card', id: options.id }, h('h3', {}, title), barChart(rows, { label: title, ...options }));
export const when = (iso) => (state.period === 'day' ? fmtTime(iso) : fmtDateTime(iso));
export const flagLine = (f) => `${t(`flag.${f.kind}`)}: ${flagText(f)}`;

export const exportButton = (url, name) => h('button', { type: 'button', onclick: () => download(url, name) }, name);

async function download(url, name) {
  try {
    const href = await blobURL(url);
    const a = h('a', { href, download: name });
    document.body.append(a);
    a.click();
    a.remove();
  } catch (e) {
    toast(e.message);
  }
}

export const exportRow = (name, query) =>
  h(
    'div',
    { class: 'row' },
    ['csv', 'xlsx'].map((fmt) => exportButton(`/api/reports/${name}.${fmt}?${query}${scopeQ()}`, `${name}.${fmt}`)),
  );

// Product names with their pack size (one name can come in several sizes), by id.
export async function productNames() {
  try {
    return new Map(
      (await getAllPages('/api/products')).items.map((p) => [p.id, `${p.name} ${p.pack_size || ''}`.trim()]),
    );
  } catch {
    return new Map();
  }
}

// A bar chart in HTML, so its text keeps the page's font size at any width: rows
// [{label, value (0..max), text, color}]; a label too long for its column wraps, never cut.
export function barChart(rows, { max = 1, label = '' } = {}) {
  return h(
    'ul',
    { class: 'bars', 'aria-label': label || null },
    rows.map((r) => {
      const fill = h('span', { class: 'bar-fill' });
      fill.style.width = `${(Math.max(0, Math.min(1, (r.value || 0) / max)) * 100).toFixed(1)}%`;
      fill.style.background = r.color || '#0d47a1';
      return h(
        'li',
        {},
        h('span', { class: 'bar-label' }, String(r.label)),
        h('span', { class: 'bar-track', 'aria-hidden': 'true' }, fill),
        h('span', { class: 'bar-value' }, r.text),
      );
    }),
  );
}

// The returns queue and the complaints: two lists under one tab, with a way between them.
export const casesNav = (current) =>
  h(
    'nav',
    { class: 'row sub-nav', id: 'cases-nav', 'aria-label': t('lead.cases') },
    [
      ['returns', 'lead.returns'],
      ['complaints', 'lead.complaints'],
    ].map(([name, key]) =>
      h('a', { href: `#/${name}`, class: 'btn', 'aria-current': name === current ? 'page' : null }, t(key)),
    ),
  );

// Whole days from an ISO timestamp to now (a case's age).
export const daysSince = (iso) => Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 86400000));

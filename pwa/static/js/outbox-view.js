// The outbox screen: what waits on the phone, described as the rep would say it, in the
// screen's language, redrawn as items are queued, sent or refused (here or by the service worker).
import { t, plural, fmtDateTime } from './i18n.js';
import { errorText } from './api.js';
import { all } from './db.js';
import * as outbox from './outbox.js';
import { setTitle } from './router.js';
import { refreshBadge } from './shell.js';
import { h, toast } from './ui.js';

// How many things an operation's body carries (lines of an order, products checked...).
const COUNTED = {
  display_checks: (b) => (b.items || []).length,
  stock_counts: (b) => (b.items || []).length,
  near_expiry_items: (b) => (b.items || []).length,
  return_requests: (b) => (b.items || []).length,
  competitor_observations: (b) => (b.items || []).length,
  order: (b) => (b.lines || []).length,
};

// One line per item, except a visit's photos in the same state, which read as one ("3 photos").
function group(list) {
  const rows = [];
  for (const i of list) {
    const last = rows[rows.length - 1];
    const joins =
      last &&
      i.op === 'photo' &&
      last[0].op === 'photo' &&
      i.status !== 'failed' &&
      last[0].visit === i.visit &&
      last[0].status === i.status;
    if (joins) last.push(i);
    else rows.push([i]);
  }
  return rows;
}

function describe(items, storeOf) {
  const [i] = items;
  const store = storeOf(i);
  if (i.op === 'photo') {
    const kind = t(`kind.${i.body.kind || 'other'}`);
    return plural('op.photo', items.length, { store, kind });
  }
  if (COUNTED[i.op]) return plural(`op.${i.op}`, COUNTED[i.op](i.body), { store });
  return t(`op.${i.op}`, { store });
}

// Photos of a group by kind, e.g. "Shelf × 2, Price tag".
function kinds(items) {
  const n = new Map();
  for (const i of items) n.set(i.body.kind || 'other', (n.get(i.body.kind || 'other') || 0) + 1);
  return [...n].map(([k, c]) => `${t(`kind.${k}`)}${c > 1 ? ` × ${c}` : ''}`).join(', ');
}

function problem(i) {
  const e = i.error;
  if (!e) return i.lastError || null; // an item queued by an earlier version of the app
  if (e.kind === 'network') return t('outbox.err.network');
  if (e.kind === 'auth') return t('outbox.signIn');
  if (e.kind === 'held') return t('outbox.err.held');
  if (e.kind === 'server') return t('outbox.err.server', { status: e.status });
  return t('outbox.err.refused', { status: e.status, reason: errorText(e.body) }).trim();
}

function row(items, storeOf, redraw) {
  const [i] = items;
  const bytes = items.reduce((n, x) => n + (x.blob ? x.blob.size : 0), 0);
  const attempts = Math.max(...items.map((x) => x.attempts));
  const error = items.map(problem).find(Boolean);
  return h(
    'li',
    { class: `card outbox-item ${i.status}`, dataset: { status: i.status, op: i.op, count: items.length } },
    h(
      'div',
      { class: 'row' },
      h('strong', { class: 'grow what' }, describe(items, storeOf)),
      h('span', { class: 'pill' }, t(`status.${i.status}`)),
    ),
    h(
      'div',
      { class: 'muted' },
      fmtDateTime(i.created),
      i.op === 'photo' ? ` · ${kinds(items)}` : '',
      attempts ? ` · ${t('outbox.attempts', { n: attempts })}` : '',
      bytes ? ` · ${Math.round(bytes / 1024)} KB` : '',
    ),
    error ? h('p', { class: i.status === 'failed' ? 'bad error' : 'warn' }, error) : null,
    i.status === 'failed'
      ? h(
          'div',
          { class: 'row' },
          h('button', { onclick: () => outbox.retry(i.seq).then(redraw) }, t('outbox.retry')),
          h(
            'button',
            {
              class: 'danger',
              onclick: async () => {
                if (confirm(t('outbox.discardConfirm'))) {
                  await outbox.discard(i.seq);
                  redraw();
                }
              },
            },
            t('outbox.discard'),
          ),
        )
      : null,
  );
}

// The store a queued item is about: its visit as the phone keeps it.
async function storeNames() {
  const byVisit = new Map((await all('visits')).map((v) => [v.uuid, v.storeName]));
  return (i) => byVisit.get(i.op === 'check_in' ? i.body.uuid : i.visit) || `#${i.body.store_id || '?'}`;
}

async function draw(summary, list, redraw) {
  const [items, c, storeOf] = await Promise.all([outbox.items(), outbox.counts(), storeNames()]);
  summary.textContent = t('outbox.summary', { pending: c.pending + c.sending, sent: c.sent, failed: c.failed });
  list.replaceChildren(...group(items.reverse()).map((g) => row(g, storeOf, redraw)));
  if (!items.length) list.append(h('li', { class: 'muted' }, t('outbox.empty')));
}

function sendResult(r, waiting) {
  if (r.auth) return t('outbox.signIn');
  if (r.offline) return t('outbox.noNetwork', { n: waiting });
  if (!r.ok && !r.failed && !waiting) return t('outbox.nothing');
  return t(waiting ? 'outbox.resultWaiting' : 'outbox.result', { ok: r.ok, failed: r.failed, n: waiting });
}

export async function view() {
  setTitle(t('outbox.title'));
  const summary = h('p', { id: 'outbox-summary', role: 'status' });
  const list = h('ul', { class: 'stops', id: 'outbox-list', 'aria-label': t('outbox.title') });
  let timer = null;
  const redraw = () => draw(summary, list, redraw);
  // Redraw on every change while the screen is shown (a burst of changes is drawn once).
  const schedule = () => {
    if (!list.isConnected && location.hash !== '#/outbox') {
      stop();
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(redraw, 60);
  };
  const fromWorker = (e) => {
    if (e.data && e.data.type === 'outbox') schedule();
  };
  const unlisten = outbox.onChange(schedule);
  const sw = navigator.serviceWorker;
  if (sw) sw.addEventListener('message', fromWorker);
  function stop() {
    unlisten();
    if (sw) sw.removeEventListener('message', fromWorker);
  }

  const send = h(
    'button',
    {
      class: 'primary block',
      id: 'send-now',
      onclick: async () => {
        send.disabled = true;
        try {
          const r = await outbox.sendNow();
          const c = await outbox.counts();
          toast(sendResult(r, c.pending + c.sending));
        } finally {
          send.disabled = false;
          refreshBadge();
        }
      },
    },
    t('outbox.sendNow'),
  );
  await redraw();
  return h('div', {}, summary, send, list);
}

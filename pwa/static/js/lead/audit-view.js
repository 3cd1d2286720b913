// The audit log (the admin's): who did what, when and from where, newest first, a page at a
// time, filtered by action, user and dates. Entries are read only: the log is append-only.
import { known, lang, plural, t } from '../i18n.js';
import { ApiError, getAllPages, request } from '../api.js';
import { business } from '../clock.js';
import { h, field, select } from '../ui.js';
import { table } from './lead-ui.js';
import { errorMessage, isAdmin, officeScreen, options, pager } from './office-ui.js';

// GET /api/audit's actions (backend/models/audit.py Action).
const ACTIONS = [
  'sign_in',
  'sign_in_failed',
  'export',
  'import',
  'reassign',
  'user_created',
  'user_changed',
  'role_changed',
  'password_reset',
  'photo_deleted',
  'plan_revised',
];
const PER_PAGE = 50;
const LIST_SHOWN = 20; // of a detail's list (a retention run names every photo it removed)
const filters = { action: '', actor_id: '', since: '', until: '', page: 1 }; // kept on return

function query() {
  const args = new URLSearchParams({ per_page: PER_PAGE, page: filters.page });
  for (const k of ['action', 'actor_id', 'since', 'until']) if (filters[k]) args.set(k, filters[k]);
  return args;
}

// A word for a code where the screen's language has one, else the code itself.
const word = (prefix, code) => (known(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code);

// To the second, with the year, in the business's time zone (the heading names it).
const when = (iso) =>
  new Date(iso).toLocaleString(lang, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone: business.timezone,
  });

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

function valueText(v) {
  if (Array.isArray(v)) {
    const shown = v.slice(0, LIST_SHOWN).map(valueText).join(', ');
    return v.length > LIST_SHOWN ? `${shown} ${t('audit.more', { n: v.length - LIST_SHOWN })}` : shown;
  }
  if (v && typeof v === 'object') {
    return Object.entries(v)
      .map(([k, x]) => `${k}=${valueText(x)}`)
      .join(', ');
  }
  if (typeof v === 'string' && ISO_TIME.test(v)) return when(v);
  return String(v);
}

// The detail, one "key: value" line each; every value is text (h() escapes it).
const detailCell = (detail) => {
  const entries = Object.entries(detail || {});
  if (!entries.length) return '—';
  return entries.map(([k, v]) =>
    h('div', { class: 'audit-detail' }, h('span', { class: 'muted' }, `${word('audit.detail', k)}: `), valueText(v)),
  );
};

// The caller's address, browser and request id; a command or the scheduler has none.
const whereCell = (e) =>
  e.remote_addr || e.user_agent
    ? [
        h('div', {}, e.remote_addr || '—'),
        e.user_agent ? h('div', { class: 'muted audit-agent' }, e.user_agent) : null,
        e.request_id ? h('div', { class: 'muted' }, t('audit.request', { id: e.request_id })) : null,
      ]
    : h('span', { class: 'muted' }, t('audit.noOrigin'));

// A numeric id reads "#12" (a user's with today's username); a name (a report's) as it is.
const subjectText = (e, usernames) => {
  if (!e.subject_type) return '—';
  const id = e.subject_id;
  let ref = '';
  if (id != null && /^\d+$/.test(id)) {
    const name = e.subject_type === 'user' && usernames.get(Number(id));
    ref = name ? `: ${name} (#${id})` : ` #${id}`;
  } else if (id != null) ref = `: ${id}`;
  return `${word('audit.subject', e.subject_type)}${ref}`;
};

// No actor: a refused sign-in (its detail names the account tried) or the system's own work.
const nobody = (e) => (e.action === 'sign_in_failed' ? 'audit.notSignedIn' : 'audit.system');

function entryRow(e, usernames) {
  const cell = (key, content) => h('td', { 'data-label': t(`audit.${key}`) }, content);
  return h(
    'tr',
    { dataset: { entryId: e.id, action: e.action } },
    cell('when', h('time', { datetime: e.at }, when(e.at))),
    cell('who', e.actor ? e.actor.username : h('span', { class: 'muted' }, t(nobody(e)))),
    cell('action', h('strong', {}, word('audit.action', e.action))),
    cell('subject', subjectText(e, usernames)),
    cell('where', whereCell(e)),
    cell('detail', detailCell(e.detail)),
  );
}

function filterForm(users, redraw) {
  const pick = (name, opts) => select(opts, { name, id: `audit-${name}` });
  const day = (name) => h('input', { type: 'date', name, id: `audit-${name}` });
  const form = h(
    'form',
    { class: 'controls office-filters', role: 'search', id: 'audit-filters' },
    field(
      t('audit.action'),
      pick('action', [['', t('audit.anyAction')], ...ACTIONS.map((a) => [a, word('audit.action', a)])]),
    ),
    field(
      t('audit.who'),
      pick(
        'actor_id',
        options(users, (u) => u.username, t('audit.anyone')),
      ),
    ),
    field(t('audit.since'), day('since')),
    field(t('audit.until'), day('until')),
  );
  for (const c of form.elements) if (c.name) c.value = filters[c.name];
  form.addEventListener('change', () => {
    for (const c of form.elements) if (c.name) filters[c.name] = c.value;
    filters.page = 1;
    redraw();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  return form;
}

export function view() {
  return officeScreen('audit.title', isAdmin(), async () => {
    const users = (await getAllPages('/api/users')).items.sort((a, b) => a.username.localeCompare(b.username));
    const usernames = new Map(users.map((u) => [u.id, u.username]));
    const results = h('div', { id: 'audit-results', 'aria-live': 'polite' });
    let asked = 0;
    const redraw = async () => {
      const n = (asked += 1);
      let data;
      try {
        // Not getJSON: the log (addresses, browsers) is never kept for offline use.
        data = await request('GET', `/api/audit?${query()}`);
      } catch (err) {
        if (n !== asked) return;
        const text = err instanceof ApiError ? errorMessage(err) : t('audit.offline');
        results.replaceChildren(h('p', { class: 'card bad', role: 'alert', id: 'audit-error' }, text));
        return;
      }
      if (n !== asked) return; // a newer choice was made meanwhile
      const heads = [
        t('audit.whenZone', { zone: business.timezone }),
        ...['who', 'action', 'subject', 'where', 'detail'].map((k) => t(`audit.${k}`)),
      ];
      results.replaceChildren(
        h('p', { class: 'muted', id: 'audit-total' }, plural('audit.count', data.meta.total)),
        data.items.length
          ? table(
              { class: 'stack audit', id: 'audit-table' },
              heads,
              data.items.map((e) => entryRow(e, usernames)),
            )
          : h('p', { class: 'card', id: 'audit-empty' }, t('audit.none')),
        pager(data.meta, (page) => {
          filters.page = page;
          redraw();
        }),
      );
    };
    await redraw();
    return [h('p', { class: 'muted' }, t('audit.intro')), filterForm(users, redraw), results];
  });
}

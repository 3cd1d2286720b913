// Complaints: those of the stores in scope (newest first, open ones unless asked), taken in hand and
// resolved with what was done; and a complaint a lead records for a store (by phone, say).
import { fmtDateTime, t } from '../i18n.js';
import { getAllPages, getJSON, request } from '../api.js';
import { casesNav, daysSince, leadScreen, scopeQ, state, teamPicker } from './lead-ui.js';
import { apiForm, errorMessage, options } from './office-ui.js';
import { render, setTitle } from '../router.js';
import { field, h, select, toast, uid } from '../ui.js';

export const CATEGORIES = ['product_quality', 'delivery', 'pricing', 'service', 'rep_conduct', 'other'];
const STATUSES = ['open', 'in_progress', 'resolved'];
const SHOWN = 50;

export async function view() {
  setTitle(t('lead.complaints'));
  state.complaints = state.complaints ?? 'open';
  const status = select([...STATUSES.map((x) => [x, t(`rep.cmp.status.${x}`)]), ['', t('lead.all')]], {
    id: 'complaints-status',
  });
  status.value = state.complaints;
  status.addEventListener('change', () => {
    state.complaints = status.value;
    render();
  });
  const filter = state.complaints ? `&status=${state.complaints}` : '';
  const [{ items, meta }, stores] = await Promise.all([
    getJSON(`/api/complaints?per_page=${SHOWN}${filter}${scopeQ()}`).then((r) => r.data),
    getAllPages(`/api/stores?active=true${scopeQ()}`).then((r) => r.items),
  ]);
  return leadScreen(
    casesNav('complaints'),
    h('div', { class: 'controls' }, field(t('lead.show'), status), await teamPicker()),
    h(
      'div',
      { class: 'split office-split' },
      h(
        'div',
        {},
        h('h3', { id: 'complaints-count' }, t('lead.complaintsCount', { n: meta.total })),
        meta.total > items.length
          ? h('p', { class: 'muted' }, t('lead.first', { n: items.length, total: meta.total }))
          : null,
        h('ul', { class: 'case-list', id: 'complaints-list' }, items.map(complaintItem)),
        items.length ? null : h('p', { class: 'muted', id: 'complaints-none' }, t('lead.complaintsNone')),
      ),
      newComplaint(stores),
    ),
  );
}

function complaintItem(c) {
  const resolved = c.status === 'resolved';
  return h(
    'li',
    { class: `card case status-${c.status}`, dataset: { complaintId: c.id, status: c.status } },
    h(
      'div',
      { class: 'row' },
      h('span', { class: 'strong grow' }, c.store_name),
      h('span', { class: 'pill' }, t(`rep.cmp.status.${c.status}`)),
    ),
    h('div', { class: 'muted' }, t(`rep.cmp.cat.${c.category}`)),
    h('p', { class: 'case-text' }, c.text),
    h(
      'div',
      { class: 'muted' },
      t('lead.openedBy', { who: c.created_by_name || '—', when: fmtDateTime(c.opened_at) }),
      resolved ? null : ` · ${t('lead.ageDays', { n: daysSince(c.opened_at) })}`,
    ),
    c.visit_id ? h('a', { href: `#/visit-detail/${c.visit_id}`, class: 'visit-link' }, t('lead.atVisit')) : null,
    resolved
      ? h(
          'div',
          { class: 'ok' },
          t('lead.resolvedBy', { who: c.resolved_by_name || '—', when: fmtDateTime(c.resolved_at) }),
          c.resolution ? `: “${c.resolution}”` : '',
        )
      : resolveForm(c),
  );
}

// Take it in hand, or resolve it saying what was done (asked for before anything is sent).
function resolveForm(c) {
  const hint = h('p', { class: 'bad hint', id: uid('hint'), role: 'alert', hidden: true });
  const text = h('textarea', { rows: 2, maxlength: 1000, class: 'cmp-resolution', 'aria-describedby': hint.id });
  const send = async (status) => {
    const resolution = text.value.trim();
    if (status === 'resolved' && !resolution) {
      hint.textContent = t('lead.resolutionNeeded');
      hint.hidden = false;
      text.setAttribute('aria-invalid', 'true');
      text.focus();
      return;
    }
    try {
      await request('PATCH', `/api/complaints/${c.id}`, { json: { status, resolution: resolution || null } });
      toast(t(`lead.complaintMoved.${status}`, { store: c.store_name }));
      render();
    } catch (e) {
      toast(errorMessage(e));
    }
  };
  return h(
    'div',
    { class: 'review' },
    field(t('lead.resolution'), text),
    hint,
    h(
      'div',
      { class: 'row' },
      c.status === 'open'
        ? h('button', { type: 'button', class: 'cmp-progress', onclick: () => send('in_progress') }, t('lead.inHand'))
        : null,
      h('button', { type: 'button', class: 'primary cmp-resolve', onclick: () => send('resolved') }, t('lead.resolve')),
    ),
  );
}

function newComplaint(stores) {
  const sorted = [...stores].sort((a, b) => a.name.localeCompare(b.name));
  const save = async (data) => {
    await request('POST', '/api/complaints', { json: data });
    toast(t('lead.complaintSaved'));
    render();
  };
  return h(
    'div',
    { class: 'card', id: 'new-complaint' },
    h('h3', {}, t('lead.newComplaint')),
    apiForm(
      [
        ['store_id', t('lead.store'), { number: true, options: options(sorted, (s) => `${s.name} · ${s.code}`, '') }],
        ['category', t('lead.category'), { options: CATEGORIES.map((x) => [x, t(`rep.cmp.cat.${x}`)]) }],
        ['text', t('lead.complaintText'), { type: 'textarea' }],
      ],
      {},
      save,
      t('lead.recordComplaint'),
      { id: 'complaint-form' },
    ),
  );
}

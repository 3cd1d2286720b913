// The returns queue: the returns reps requested at their visits, oldest first, which a lead
// approves or rejects (a rejection says why), then marks collected and credited.
import { fmtDateTime, fmtDay, t } from '../i18n.js';
import { ApiError, errorText, getJSON, request } from '../api.js';
import { casesNav, leadScreen, scopeQ, state, teamPicker } from './lead-ui.js';
import { render, setTitle } from '../router.js';
import { field, h, select, toast, uid } from '../ui.js';

const STATUSES = ['requested', 'approved', 'collected', 'rejected', 'credited'];
// What a lead may do next with a return of each status: [new status, button class].
const NEXT = {
  requested: [
    ['approved', 'primary'],
    ['rejected', 'danger'],
  ],
  approved: [['collected', 'primary']],
  collected: [['credited', 'primary']],
};
const SHOWN = 50;

export async function view() {
  setTitle(t('lead.returns'));
  state.returns = state.returns ?? 'requested';
  const status = select([...STATUSES.map((x) => [x, t(`rep.ret.status.${x}`)]), ['', t('lead.all')]], {
    id: 'returns-status',
  });
  status.value = state.returns;
  status.addEventListener('change', () => {
    state.returns = status.value;
    render();
  });
  const filter = state.returns ? `&status=${state.returns}` : '';
  const { items, meta } = (await getJSON(`/api/returns?per_page=${SHOWN}${filter}${scopeQ()}`)).data;
  return leadScreen(
    casesNav('returns'),
    h('div', { class: 'controls' }, field(t('lead.show'), status), await teamPicker()),
    h('h3', { id: 'returns-count' }, t('lead.returnsCount', { n: meta.total })),
    meta.total > items.length
      ? h('p', { class: 'muted' }, t('lead.first', { n: items.length, total: meta.total }))
      : null,
    h('ul', { class: 'case-list', id: 'returns-queue' }, items.map(returnItem)),
    items.length ? null : h('p', { class: 'muted', id: 'returns-none' }, t('lead.returnsNone')),
  );
}

function returnItem(r) {
  const decided = r.status === 'requested' ? null : decision(r);
  return h(
    'li',
    { class: `card case status-${r.status}`, dataset: { returnId: r.id, status: r.status } },
    h(
      'div',
      { class: 'row' },
      h('a', { href: `#/visit-detail/${r.visit_id}`, class: 'strong grow visit-link' }, r.store_name),
      h('span', { class: 'pill' }, t(`rep.ret.status.${r.status}`)),
    ),
    h('div', {}, `${r.product_name} × ${r.quantity} · ${t(`rep.ret.reason.${r.reason}`)}`),
    r.note ? h('div', { class: 'muted' }, `“${r.note}”`) : null,
    h(
      'div',
      { class: 'muted' },
      t('lead.requestedBy', { rep: r.rep_name, day: fmtDay(r.visit_date) }),
      r.pending_days == null ? null : ` · ${t('lead.ageDays', { n: r.pending_days })}`,
    ),
    decided,
    NEXT[r.status] ? decisionForm(r) : null,
  );
}

const decision = (r) =>
  h(
    'div',
    { class: r.status === 'rejected' ? 'bad' : 'ok' },
    t('lead.decidedBy', { who: r.decided_by_name || '—', when: fmtDateTime(r.status_changed_at) }),
    r.status_note ? `: “${r.status_note}”` : '',
  );

// The next steps as buttons, with a note; a rejection is sent only with its reason.
function decisionForm(r) {
  const hint = h('p', { class: 'bad hint', id: uid('hint'), role: 'alert', hidden: true });
  const note = h('input', { maxlength: 300, class: 'ret-note', 'aria-describedby': hint.id });
  const send = async (status) => {
    const text = note.value.trim();
    if (status === 'rejected' && !text) {
      hint.textContent = t('lead.reasonNeeded');
      hint.hidden = false;
      note.setAttribute('aria-invalid', 'true');
      note.focus();
      return;
    }
    try {
      const moved = await request('PATCH', `/api/returns/${r.id}`, { json: { status, note: text || null } });
      toast(t(`lead.returnMoved.${status}`, { store: r.store_name }));
      // Shown in its new state where it was (with its next step), until the list is drawn again.
      note.closest('li.case').replaceWith(returnItem(moved));
    } catch (e) {
      toast(e instanceof ApiError ? errorText(e.body) || e.message : t('lead.offline'));
    }
  };
  return h(
    'div',
    { class: 'review' },
    field(t('lead.note'), note),
    hint,
    h(
      'div',
      { class: 'row' },
      NEXT[r.status].map(([status, cls]) =>
        h(
          'button',
          { type: 'button', class: `${cls} ret-${status}`, onclick: () => send(status) },
          t(`lead.markReturn.${status}`),
        ),
      ),
    ),
  );
}

// What became of the near-expiry items recorded at earlier visits to this store: one outcome
// per item (buttons), and the quantity left or expired where that is asked.
import { t, fmtDay } from '../i18n.js';
import { h, field } from '../ui.js';
import { num, pname, section } from './common.js';

const OUTCOMES = ['sold', 'still_on_shelf', 'returned', 'removed', 'expired_on_shelf'];
const COUNTED = new Set(['still_on_shelf', 'expired_on_shelf']); // the quantity is asked

// `open`: the store's open items ([{near_expiry_id, product_name, quantity, expiry_date,
// action, recorded_on, last_outcome}]); null when there are none (no section). `own`: the own
// products, for the name with its pack size.
export function followUpsSection(open, rec, own) {
  if (!open.length) return null;
  const answers = new Map((rec.expiry_followups?.items || []).map((a) => [a.near_expiry_id, a]));
  const names = new Map(own.map((p) => [p.id, pname(p)]));
  const rows = open.map((item) =>
    followUp(item, names.get(item.product_id) || item.product_name, answers.get(item.near_expiry_id) || {}),
  );
  const form = () => ({ items: rows.map((r) => r.read()).filter(Boolean) });
  const el = section(
    'expiry_followups',
    t('fu.title', { n: open.length }),
    [h('p', { class: 'muted' }, t('fu.ask')), rows.map((r) => r.el)],
    true,
  );
  return { el, form };
}

function followUp(item, name, prev) {
  let outcome = prev.outcome || null;
  const qty = h('input', { type: 'number', inputmode: 'numeric', min: 0, value: prev.quantity ?? '' });
  const qtyField = field(t('fu.qty'), qty);
  const buttons = OUTCOMES.map((o) =>
    h(
      'button',
      {
        type: 'button',
        class: 'choice',
        dataset: { outcome: o },
        'aria-pressed': String(o === outcome),
        onclick: (e) => {
          outcome = o;
          sync();
          // A click is no `input` event: say so, so that the section counts as changed.
          e.target.dispatchEvent(new Event('input', { bubbles: true }));
        },
      },
      t(`fu.outcome.${o}`),
    ),
  );
  const sync = () => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.outcome === outcome));
    qtyField.hidden = !COUNTED.has(outcome);
  };
  const facts = [
    t('fu.recorded', { date: fmtDay(item.recorded_on), q: item.quantity, d: fmtDay(item.expiry_date) }),
    item.action ? t(`nx.action.${item.action}`) : t('fu.noAction'),
    item.last_outcome ? t('fu.last', { outcome: t(`fu.outcome.${item.last_outcome}`) }) : null,
  ];
  const el = h(
    'div',
    { class: 'prod followup', dataset: { nearExpiryId: item.near_expiry_id } },
    h('strong', {}, name),
    h('div', { class: 'muted' }, facts.filter(Boolean).join(' · ')),
    h('div', { class: 'choices', role: 'group', 'aria-label': t('fu.outcome') }, buttons),
    qtyField,
  );
  sync();
  const read = () =>
    outcome && {
      near_expiry_id: item.near_expiry_id,
      outcome,
      quantity: COUNTED.has(outcome) ? num(qty) : null,
    };
  return { el, read };
}

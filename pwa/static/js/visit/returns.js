// Returns the rep asks for: product, quantity, reason and a note; a lead decides on each.
import { t } from '../i18n.js';
import { h, field, select } from '../ui.js';
import { num, pname, section } from './common.js';

const REASONS = ['damaged', 'expired', 'near_expiry', 'slow_moving', 'recall'];

export function returnsSection(own, rec) {
  const rows = h('div', {});
  const list = [];
  const add = (prev = {}) => {
    const r = {
      product: select([['', '—'], ...own.map((p) => [String(p.id), pname(p)])]),
      qty: h('input', { type: 'number', inputmode: 'numeric', min: 1, value: prev.quantity ?? '' }),
      reason: select([['', '—'], ...REASONS.map((k) => [k, t(`ret.reason.${k}`)])]),
      note: h('input', { maxlength: 300, value: prev.note ?? '' }),
    };
    r.product.value = prev.product_id ? String(prev.product_id) : '';
    r.reason.value = prev.reason || '';
    r.problem = h('p', { class: 'bad', role: 'alert', hidden: true }, t('ret.incomplete'));
    r.el = h(
      'div',
      { class: 'prod return-row' },
      field(t('ret.product'), r.product),
      h('div', { class: 'grid2' }, field(t('ret.qty'), r.qty), field(t('ret.reason'), r.reason)),
      field(t('ret.note'), r.note),
      r.problem,
    );
    list.push(r);
    rows.append(r.el);
  };
  (rec.return_requests || []).forEach(add);
  // A row is a return once product, quantity and reason are given; an empty one is left out
  // and a half-filled one stops the save, marked, rather than being dropped.
  const form = () => {
    const given = (r) => [r.product.value, r.qty.value, r.reason.value].filter(Boolean).length;
    for (const r of list) r.problem.hidden = given(r) % 3 === 0;
    const bad = list.find((r) => !r.problem.hidden);
    if (bad) {
      bad.el.closest('details').open = true;
      bad.el.scrollIntoView({ block: 'center' });
      return null;
    }
    return {
      items: list
        .filter((r) => given(r) === 3)
        .map((r) => ({
          product_id: Number(r.product.value),
          quantity: num(r.qty),
          reason: r.reason.value,
          note: r.note.value.trim() || null,
        })),
    };
  };
  const el = section('return_requests', t('ret.title'), [
    rows,
    h('button', { type: 'button', class: 'block', id: 'return-add', onclick: () => add() }, t('ret.add')),
  ]);
  return { el, form };
}

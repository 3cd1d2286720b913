// Near-expiry items: product, quantity, expiry date and what the rep did about it, as many
// rows as the rep adds (a later visit asks what became of each: followups.js).
import { t } from '../i18n.js';
import { today } from '../data.js';
import { h, field, select } from '../ui.js';
import { num, pname, section } from './common.js';

export const ACTIONS = ['moved_to_front', 'discount_agreed', 'return_requested', 'removed'];

export function expirySection(own, rec) {
  const nxRows = h('div', {});
  const nx = [];
  const addNx = (prev = {}) => {
    const r = {
      product: select([['', '—'], ...own.map((p) => [String(p.id), pname(p)])]),
      qty: h('input', { type: 'number', inputmode: 'numeric', min: 1, value: prev.quantity ?? '' }),
      date: h('input', { type: 'date', min: today(), value: prev.expiry_date ?? '' }),
      action: select([['', '—'], ...ACTIONS.map((k) => [k, t(`nx.action.${k}`)])]),
    };
    r.product.value = prev.product_id ? String(prev.product_id) : '';
    r.action.value = prev.action || '';
    nx.push(r);
    nxRows.append(
      h(
        'div',
        { class: 'prod' },
        field(t('nx.product'), r.product),
        h('div', { class: 'grid2' }, field(t('nx.qty'), r.qty), field(t('nx.date'), r.date)),
        field(t('nx.action'), r.action),
      ),
    );
  };
  (rec.near_expiry_items || []).forEach(addNx);
  const form = () => ({
    items: nx
      .filter((r) => r.product.value && r.qty.value && r.date.value)
      .map((r) => ({
        product_id: Number(r.product.value),
        quantity: num(r.qty),
        expiry_date: r.date.value,
        action: r.action.value || null,
      })),
  });
  const el = section('near_expiry_items', t('visit.expiry'), [
    nxRows,
    h('button', { type: 'button', class: 'block', onclick: () => addNx() }, t('nx.add')),
  ]);
  return { el, form };
}

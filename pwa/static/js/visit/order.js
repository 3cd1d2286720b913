// The order: a quantity per own product (the stock section can fill it with its suggestions).
import { t, fmtMoney } from '../i18n.js';
import { h, field } from '../ui.js';
import { pname, section } from './common.js';

// The inputs, made before the stock section so that "use suggestion" can fill them: [[p, input]]
export function orderInputs(own, rec) {
  return own.map((p) => {
    const prev = ((rec.order || {}).lines || []).find((x) => x.product_id === p.id) || {};
    return [p, h('input', { type: 'number', inputmode: 'numeric', min: 0, value: prev.quantity ?? '' })];
  });
}

export function orderSection(ord) {
  const form = () => ({
    lines: ord
      .filter(([, i]) => i.value !== '' && Number(i.value) !== 0)
      .map(([p, i]) => ({ product_id: p.id, quantity: Number(i.value) })),
  });
  const el = section(
    'order',
    t('visit.order'),
    ord.map(([p, i]) =>
      h(
        'div',
        { class: 'prod row', dataset: { productId: p.id } },
        h('span', { class: 'grow' }, pname(p), h('div', { class: 'muted' }, fmtMoney(p.unit_price))),
        h('div', { style: 'width:110px' }, field(t('order.qty'), i)),
      ),
    ),
  );
  return { el, form };
}

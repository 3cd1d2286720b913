// Competitor observations: brand, product (or a name), prices, promotion, new product, notes.
import { t } from '../i18n.js';
import { h, field, check, select } from '../ui.js';
import { cb, pname, section } from './common.js';

const PROMO_TYPES = ['discount', 'shock_price', 'bundle', 'gift', 'display', 'sampling', 'other'];

const price = (value) => h('input', { type: 'number', inputmode: 'decimal', min: 0, step: '0.01', value: value ?? '' });

// `compBrands`: the competitor brands; `comp`: their products.
export function competitorSection(compBrands, comp, rec) {
  const coRows = h('div', {});
  const co = [];
  const addCo = (prev = {}) => {
    const r = {
      brand: select([['', '—'], ...compBrands.map((b) => [String(b.id), b.name])]),
      product: select([['', t('co.otherProduct')]]),
      name: h('input', { value: prev.product_name ?? '' }),
      regular: price(prev.regular_price),
      promo: price(prev.promo_price),
      type: select([['', '—'], ...PROMO_TYPES.map((k) => [k, t(`promo.${k}`)])]),
      fresh: check(t('co.new'), { checked: prev.new_product }),
      notes: h('textarea', { rows: 2 }),
    };
    r.notes.value = prev.display_notes ?? '';
    const fill = () => {
      r.product.replaceChildren(
        h('option', { value: '' }, t('co.otherProduct')),
        ...comp
          .filter((p) => String(p.brand_id) === r.brand.value)
          .map((p) => h('option', { value: String(p.id) }, pname(p))),
      );
    };
    r.brand.addEventListener('change', fill);
    r.brand.value = prev.brand_id ? String(prev.brand_id) : '';
    fill();
    r.product.value = prev.product_id ? String(prev.product_id) : '';
    r.type.value = prev.promo_type || '';
    co.push(r);
    coRows.append(
      h(
        'div',
        { class: 'prod' },
        field(t('co.brand'), r.brand),
        field(t('co.product'), r.product),
        field(t('co.productName'), r.name),
        h('div', { class: 'grid2' }, field(t('co.regular'), r.regular), field(t('co.promo'), r.promo)),
        field(t('co.promoType'), r.type),
        r.fresh,
        field(t('co.notes'), r.notes),
      ),
    );
  };
  (rec.competitor_observations || []).forEach(addCo);
  const form = () => ({
    items: co
      .filter((r) => r.brand.value)
      .map((r) => ({
        brand_id: Number(r.brand.value),
        product_id: r.product.value ? Number(r.product.value) : null,
        product_name: r.product.value ? null : r.name.value.trim() || null,
        regular_price: r.regular.value === '' ? null : Number(r.regular.value).toFixed(2),
        promo_price: r.promo.value === '' ? null : Number(r.promo.value).toFixed(2),
        promo_type: r.type.value || null,
        new_product: cb(r.fresh),
        display_notes: r.notes.value.trim() || null,
      })),
  });
  const el = section('competitor_observations', t('visit.competitors'), [
    coRows,
    h('button', { type: 'button', class: 'block', onclick: () => addCo() }, t('co.add')),
  ]);
  return { el, form };
}

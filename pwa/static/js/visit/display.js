// The display check of each own product: availability, facings and shelf, the shelf price and
// whether it is a special price, FIFO, price tag, clean shelf, POP.
import { t } from '../i18n.js';
import { h, field, check, select, uid } from '../ui.js';
import { cb, num, pname, section } from './common.js';

// Availability is one answer; facings and the shelf are asked only for a product on the shelf.
const AVAILABILITY = { on_shelf: 'dc.onShelf', out_of_stock: 'dc.oos', not_stocked: 'dc.notStocked' };
const SHELF_LEVELS = [1, 2, 3, 4]; // 2 = eye level (the server's EYE_LEVEL_SHELF)

// A typed price as the API's money string ("158.00"), null when empty, undefined when no price.
function readPrice(text) {
  const s = text.trim().replace(',', '.');
  if (s === '') return null;
  return /^\d{1,8}(\.\d{0,2})?$/.test(s) ? Number(s).toFixed(2) : undefined;
}

function availabilityOf(prev) {
  if (prev.out_of_stock) return 'out_of_stock';
  return prev.on_shelf === false ? 'not_stocked' : 'on_shelf';
}

// The section: {el, form}; form() → the body, or null after opening the product to fix.
export function displaySection(own, rec) {
  const dc = own.map((p) => displayCheck(p, (rec.display_checks || []).find((x) => x.product_id === p.id) || {}));
  const form = () => {
    const items = dc.map((c) => c.read());
    const bad = dc.find((c, i) => !items[i]);
    if (!bad) return { items };
    bad.el.closest('details').open = true;
    bad.el.scrollIntoView({ block: 'center' });
    return null;
  };
  const el = section(
    'display_checks',
    t('visit.display'),
    dc.map((c) => c.el),
  );
  return { el, form };
}

// One product's display check: its element, and read() → the item, or null after showing on
// the product what contradicts (facings typed for a product that is not on the shelf).
function displayCheck(p, prev) {
  const name = uid('avail');
  const r = {
    facings: h('input', { type: 'number', inputmode: 'numeric', min: 0, max: 999, value: prev.facings ?? '' }),
    level: select([['', '—'], ...SHELF_LEVELS.map((n) => [String(n), t(`dc.level${n}`)])]),
    fifo: check(t('dc.fifo'), { checked: prev.fifo_ok ?? true }),
    tag: check(t('dc.priceTag'), { checked: prev.price_tag_present ?? true }),
    tagOk: check(t('dc.priceTagOk'), { checked: prev.price_tag_correct ?? true }),
    clean: check(t('dc.clean'), { checked: prev.shelf_clean ?? true }),
    pop: check(t('dc.pop'), { checked: prev.pop_present }),
    // Text, not number: a decimal comma is read too, and a bad price is said, not dropped.
    price: h('input', { inputmode: 'decimal', autocomplete: 'off', value: prev.shelf_price ?? '', class: 'price' }),
    special: check(t('price.special'), { checked: prev.special_price }),
  };
  r.level.value = prev.shelf_level ? String(prev.shelf_level) : '';
  const choices = Object.entries(AVAILABILITY).map(([value, key]) =>
    h(
      'label',
      { class: 'check' },
      // Sized like a checkbox (app.css sizes text inputs); the label keeps the 44 px tap height.
      h('input', { type: 'radio', name, value, checked: availabilityOf(prev) === value }),
      t(key),
    ),
  );
  // Asked only for a product on the shelf.
  const asked = [
    field(t('dc.facings'), r.facings),
    field(t('dc.level'), r.level),
    field(t('price.shelf'), r.price),
    r.special,
  ];
  const problem = h('p', { class: 'bad', role: 'alert', hidden: true });
  const el = h(
    'div',
    { class: 'prod', dataset: { productId: p.id } },
    h('strong', {}, pname(p)),
    h('div', { class: 'row', role: 'radiogroup', 'aria-label': t('dc.availability') }, choices),
    h('div', { class: 'grid2' }, asked, r.fifo, r.tag, r.tagOk, r.clean, r.pop),
    problem,
  );
  const picked = () => el.querySelector(`input[name=${name}]:checked`).value;
  const sync = () => {
    const onShelf = picked() === 'on_shelf';
    for (const f of asked) f.hidden = !onShelf;
    r.facings.disabled = !onShelf;
    r.level.disabled = !onShelf;
    r.price.disabled = !onShelf;
    if (onShelf) problem.hidden = true;
  };
  el.addEventListener('change', sync);
  sync();
  const clear = () => {
    r.facings.value = '';
    problem.hidden = true;
    r.facings.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const read = () => {
    const availability = picked();
    const onShelf = availability === 'on_shelf';
    const facings = num(r.facings) || 0;
    if (!onShelf && facings > 0) {
      problem.replaceChildren(
        t('dc.facingsOffShelf', { state: t(AVAILABILITY[availability]), n: facings }),
        h('button', { type: 'button', class: 'block', onclick: clear }, t('dc.clearFacings')),
      );
      problem.hidden = false;
      return null;
    }
    const shelfPrice = onShelf ? readPrice(r.price.value) : null;
    if (shelfPrice === undefined) {
      problem.replaceChildren(t('price.invalid', { value: r.price.value }));
      problem.hidden = false;
      return null;
    }
    problem.hidden = true;
    return {
      product_id: p.id,
      on_shelf: onShelf,
      out_of_stock: availability === 'out_of_stock',
      facings,
      shelf_level: onShelf && r.level.value ? Number(r.level.value) : null,
      fifo_ok: cb(r.fifo),
      price_tag_present: cb(r.tag),
      price_tag_correct: cb(r.tag) ? cb(r.tagOk) : false,
      shelf_clean: cb(r.clean),
      pop_present: cb(r.pop),
      shelf_price: shelfPrice,
      special_price: onShelf && shelfPrice != null ? cb(r.special) : null,
    };
  };
  return { el, read };
}

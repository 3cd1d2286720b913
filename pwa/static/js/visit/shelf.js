// Competitor facings on the shelf: per competitor brand and category of ours, a count of its
// facings and how many are at eye level, so that share of shelf counts the whole shelf.
import { t } from '../i18n.js';
import { h, field } from '../ui.js';
import { num, section } from './common.js';

const count = (value) => h('input', { type: 'number', inputmode: 'numeric', min: 0, max: 999, value: value ?? '' });

// The brand × category rows: our categories, each with the competitor brands that sell in it
// (every competitor brand where the catalogue lists none of theirs in our categories).
function pairs(own, comp, compBrands) {
  const categories = [...new Set(own.map((p) => p.category))].sort();
  const sold = new Set(comp.map((p) => `${p.brand_id}|${p.category}`));
  const out = [];
  for (const category of categories) {
    const brands = compBrands.filter((b) => sold.has(`${b.id}|${category}`));
    for (const b of brands.length ? brands : compBrands) out.push({ brand: b, category });
  }
  return out;
}

export function shelfSection(own, comp, compBrands, rec) {
  const prevOf = (b, c) => (rec.shelf_facings?.items || []).find((x) => x.brand_id === b.id && x.category === c) || {};
  const rows = pairs(own, comp, compBrands).map(({ brand, category }) => {
    const prev = prevOf(brand, category);
    const r = { brand, category, facings: count(prev.facings), eye: count(prev.eye_level_facings) };
    r.problem = h('p', { class: 'bad', role: 'alert', hidden: true });
    r.el = h(
      'div',
      { class: 'facing', dataset: { brandId: brand.id, category } },
      h('strong', { class: 'brand' }, brand.name),
      field(t('sh.facings'), r.facings),
      field(t('sh.eye'), r.eye),
      r.problem,
    );
    return r;
  });
  // Grouped by category: a heading, then one line per brand.
  const byCategory = [...new Set(rows.map((r) => r.category))].map((c) =>
    h(
      'div',
      { class: 'prod' },
      h('h4', {}, c),
      rows.filter((r) => r.category === c).map((r) => r.el),
    ),
  );
  // Rows left empty are not counted; eye-level facings above the facings stop the save.
  const form = () => {
    for (const r of rows) {
      const over = num(r.eye) != null && num(r.eye) > (num(r.facings) ?? 0);
      r.problem.textContent = over ? t('sh.eyeOver', { eye: num(r.eye), n: num(r.facings) ?? 0 }) : '';
      r.problem.hidden = !over;
    }
    const bad = rows.find((r) => !r.problem.hidden);
    if (bad) {
      bad.el.closest('details').open = true;
      bad.el.scrollIntoView({ block: 'center' });
      return null;
    }
    return {
      items: rows
        .filter((r) => r.facings.value !== '')
        .map((r) => ({
          brand_id: r.brand.id,
          category: r.category,
          facings: num(r.facings),
          eye_level_facings: num(r.eye),
        })),
    };
  };
  const el = section('shelf_facings', t('sh.title'), [h('p', { class: 'muted' }, t('sh.hint')), byCategory]);
  return { el, form };
}

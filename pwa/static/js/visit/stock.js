// Stock counts (shelf and back room) and the suggested order of each own product: the server's
// target (sell-through × cover days × uplift, suggested-order API) less the stock counted now,
// recomputed live and shown with its reason; the rep may change it.
import { t } from '../i18n.js';
import { h, field, toast } from '../ui.js';
import { num, pname, section } from './common.js';

// The target without the server's answer (offline before any prefetch): the server's default par.
const PAR = 24;

// `ord`: the order's inputs ([[p, input]]), which "use suggestion" fills; `suggested`: the
// suggested-order answer's items by product id (empty when unknown).
export function stockSection(own, rec, ord, suggested) {
  const st = own.map((p) => {
    const prev = (rec.stock_counts || []).find((x) => x.product_id === p.id) || {};
    const basis = suggested.get(p.id);
    const target = basis ? basis.target_units : PAR;
    const r = {
      shelf: h('input', { type: 'number', inputmode: 'numeric', min: 0, value: prev.shelf_qty ?? '' }),
      back: h('input', { type: 'number', inputmode: 'numeric', min: 0, value: prev.backroom_qty ?? '' }),
      sugg: h('input', { type: 'number', inputmode: 'numeric', min: 0, value: prev.suggested_order_qty ?? '' }),
    };
    r.why = h('p', { class: 'muted why' });
    const stock = () => (r.shelf.value === '' ? null : (num(r.shelf) || 0) + (num(r.back) || 0));
    const computed = () => (stock() == null ? '' : String(Math.max(0, target - stock())));
    const suggest = () => {
      r.why.replaceChildren(...why(basis, target, stock()));
      if (!r.sugg.dataset.touched) r.sugg.value = computed();
    };
    // Reopened: a saved quantity other than the computed one is the rep's own; keep it.
    if (r.sugg.value !== computed()) r.sugg.dataset.touched = '1';
    r.why.replaceChildren(...why(basis, target, stock()));
    r.shelf.addEventListener('input', suggest);
    r.back.addEventListener('input', suggest);
    r.sugg.addEventListener('input', () => {
      r.sugg.dataset.touched = '1';
    });
    return [p, r, target];
  });
  const form = () => ({
    items: st
      .filter(([, r]) => r.shelf.value !== '')
      .map(([p, r]) => ({
        product_id: p.id,
        shelf_qty: num(r.shelf),
        backroom_qty: num(r.back) || 0,
        suggested_order_qty: num(r.sugg),
      })),
  });
  const useSuggestion = h(
    'button',
    {
      type: 'button',
      class: 'block',
      onclick: () => {
        for (const [p, r] of st) {
          const q = num(r.sugg);
          const o = ord.find(([op]) => op.id === p.id);
          if (q && o) {
            o[1].value = q;
            o[1].dispatchEvent(new Event('input', { bubbles: true }));
          }
        }
        toast(t('stock.copied'));
      },
    },
    t('stock.useSuggestion'),
  );
  const el = section('stock_counts', t('visit.stock'), [
    ...st.map(([p, r, target]) =>
      h(
        'div',
        { class: 'prod', dataset: { productId: p.id, target } },
        h('strong', {}, pname(p)),
        h(
          'div',
          { class: 'grid2 wide' },
          field(t('stock.shelf'), r.shelf),
          field(t('stock.back'), r.back),
          field(t('stock.suggested'), r.sugg),
        ),
        r.why,
      ),
    ),
    useSuggestion,
  ]);
  return { el, form };
}

// Why this quantity: the rate × the days to cover (× the uplift) gives the target, less the stock.
function why(basis, target, stock) {
  const left =
    stock == null ? ` · ${t('sugg.countFirst')}` : ` ${t('sugg.less', { stock, qty: Math.max(0, target - stock) })}`;
  if (!basis) return [t('sugg.default', { target }), left];
  const uplifted = basis.uplift !== '1.00';
  const { daily_rate: rate, cover_days: days, safety_days: safety, uplift } = basis;
  const vars = { rate, days, uplift, target, visit: days - safety, safety };
  let line = t('sugg.noHistory', vars);
  if (basis.basis === 'history') line = t(uplifted ? 'sugg.historyUplift' : 'sugg.history', vars);
  const reason = uplifted
    ? [h('br'), t('sugg.uplift', { uplift: basis.uplift, reason: basis.uplift_reason || '' })]
    : [];
  return [line, left, ...reason];
}

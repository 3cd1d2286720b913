// What the report pages share: a "group by" choice kept while the screen is redrawn, and
// number formats.
import { t } from '../../i18n.js';
import { render } from '../../router.js';
import { field, h, select } from '../../ui.js';

const chosen = {};

// A select of [value, label] that redraws the screen when changed; its value stays chosen for
// the report `name`. {value, field}
export function groupPicker(name, choices, label = t('rep.groupBy')) {
  const sel = select(choices, { id: `${name}-group` });
  sel.value = chosen[name] || choices[0][0];
  sel.addEventListener('change', () => {
    chosen[name] = sel.value;
    render();
  });
  return { value: sel.value, field: field(label, sel) };
}

export const hours = (x) => (x == null ? '—' : t('report.hours', { n: Math.round(x * 10) / 10 }));
export const count = (x) => (x == null ? '—' : Number(x).toLocaleString());

// A long grouping (by store, say) drawn as its `n` largest by `size`, with a line saying so;
// a short one as it is. [shown groups, the note or null]
export const CHART_MAX = 15;
export function largest(groups, size, n = CHART_MAX) {
  if (groups.length <= n) return [groups, null];
  const shown = [...groups].sort((a, b) => size(b) - size(a)).slice(0, n);
  return [shown, h('p', { class: 'muted' }, t('report.largest', { n, total: groups.length }))];
}

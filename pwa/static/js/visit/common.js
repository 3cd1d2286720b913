// What the visit's sections share: product names, reading inputs, the collapsible section.
import { h, uid } from '../ui.js';

export const pname = (p) => `${p.name}${p.pack_size ? ` ${p.pack_size}` : ''}`;
export const num = (el) => (el.value === '' ? null : Number(el.value));
export const cb = (l) => l.querySelector('input').checked;

// A section of the visit: <details data-section=name>; its body holds the children.
export function section(name, title, children, open = false) {
  return h(
    'details',
    { open, dataset: { section: name }, id: uid('s') },
    h('summary', {}, title),
    h('div', { class: 'body' }, children),
  );
}

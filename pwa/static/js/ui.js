// Tiny DOM helpers: no innerHTML with data (store names come from the server).
import { t } from './i18n.js';
import { businessDay, weekdayOf } from './clock.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let seq = 0;
export const uid = (p = 'f') => `${p}${(seq += 1)}`;

// A labelled input: <label for> + control; returns [label, control] wrapped in a div.
export function field(label, control) {
  if (!control.id) control.id = uid();
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

export function check(label, attrs = {}) {
  const input = h('input', { type: 'checkbox', ...attrs });
  return h('label', { class: 'check' }, input, label);
}

export function select(options, attrs = {}) {
  return h(
    'select',
    attrs,
    options.map(([v, text]) => h('option', { value: v }, text)),
  );
}

// A question in a modal <dialog> drawn in the page (in the screen's language, unlike confirm()):
// resolves with the `value` of the button chosen, or null (Esc). buttons: [[value, text, class]]
export function ask(text, buttons, id) {
  const dialog = h(
    'dialog',
    { class: 'ask', id, role: 'alertdialog' },
    h('p', {}, text),
    h(
      'div',
      { class: 'row' },
      buttons.map(([value, label, cls]) =>
        h(
          'button',
          { type: 'button', class: cls, dataset: { answer: value }, onclick: () => dialog.close(value) },
          label,
        ),
      ),
    ),
  );
  document.body.append(dialog);
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue || null);
    });
  });
}

let toastTimer = null;
export function toast(text, ms = 4000) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, ms);
}

// The tier's letter, its meaning (key, ordinary, potential) as the title.
export function tierBadge(tier) {
  return tier ? h('span', { class: `tier tier-${tier}`, title: t(`tier.${tier}`) }, tier) : '';
}

export function hm(clock) {
  return clock ? String(clock).slice(0, 5) : '';
}

// Metres between two lat/lng points (haversine).
export function distance(a, b) {
  const R = 6371000;
  const r = Math.PI / 180;
  const dLat = (b.lat - a.lat) * r;
  const dLng = (b.lng - a.lng) * r;
  const x = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(x));
}

// A store's opening hours on the business day's weekday (not the phone's).
export function hoursToday(s) {
  const wd = weekdayOf(businessDay());
  const spans = (s.hours || []).filter((x) => x.weekday === wd);
  return spans.length ? spans.map((x) => `${hm(x.opens)}–${hm(x.closes)}`).join(', ') : t('store.closedToday');
}

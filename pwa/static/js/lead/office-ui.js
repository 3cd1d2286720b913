// What the back-office screens share: who may do what, a screen with its way back to the hub,
// forms built from a list of fields that show the API's 422 field errors beside the fields,
// and the reps and teams to choose from.
import { t } from '../i18n.js';
import { ApiError, errorText, getAllPages, getJSON, request, session } from '../api.js';
import { setTitle } from '../router.js';
import { h, field, select, toast } from '../ui.js';

export const TIERS = ['A', 'B', 'C'];
export const CHANNELS = ['traditional', 'modern', 'special'];

export const isAdmin = () => Boolean(session.user && session.user.role === 'admin');
// Supervisors keep their team's stores (the API scopes them); accounts and the catalogue are
// the admin's.
export const canMaintain = () => Boolean(session.user && ['admin', 'supervisor'].includes(session.user.role));

// A back-office screen; someone who may not use it is told so, with nothing to press.
export async function officeScreen(titleKey, allowed, build) {
  setTitle(t(titleKey));
  const back = h('a', { class: 'back', href: '#/office' }, t('office.back'));
  const body = allowed ? await build() : h('p', { class: 'card' }, t('office.notAllowed'));
  return h('div', { class: 'lead office' }, back, body);
}

export const reps = async () => (await getAllPages('/api/users?role=rep&active=true')).items;
export const teams = async () => (await getJSON('/api/teams')).data;
export const options = (items, label, empty) => [
  ...(empty === undefined ? [] : [['', empty]]),
  ...items.map((x) => [String(x.id), label(x)]),
];

// The tier, channel and rep choices that filter stores, named as the store list's query.
export function storeFilterFields(repList, id, repLabel) {
  const pick = (name, opts) => select(opts, { name, id: `${id}-${name}` });
  return [
    field(t('office.tier'), pick('tier', [['', t('stores.allTiers')], ...TIERS.map((x) => [x, t(`tier.${x}`)])])),
    field(
      t('office.channel'),
      pick('channel', [['', t('stores.allChannels')], ...CHANNELS.map((x) => [x, t(`channel.${x}`)])]),
    ),
    field(
      repLabel,
      pick(
        'rep_id',
        options(repList, (r) => r.username, t('office.anyRep')),
      ),
    ),
  ];
}

function control(name, o) {
  if (o.options) return select(o.options, { name });
  if (o.type === 'textarea') return h('textarea', { name, rows: 3 });
  if (o.type === 'checkbox') return h('input', { name, type: 'checkbox' });
  return h('input', { name, type: o.type || 'text', step: o.step || null, autocomplete: o.autocomplete || 'off' });
}

// A value a field's own notation cannot read, told at that field.
class FieldError extends Error {
  constructor(name, message) {
    super(message);
    this.fields = { [name]: [message] };
  }
}

function read(name, c, o) {
  if (o.type === 'checkbox') return c.checked;
  const v = c.value.trim();
  if (o.parse) {
    try {
      return o.parse(v);
    } catch (err) {
      throw new FieldError(name, err.message);
    }
  }
  if (o.type === 'number' || o.number) return v === '' ? null : Number(v);
  return v === '' && o.nullable ? null : v;
}

// A form of `specs` ([name, label, {type, options, step, nullable, number, format, parse}])
// filled from `values` (`format` writes a value as text, `parse` reads it back or throws). `submit(data, form)` sends it; a refusal marks the fields it names and says why.
export function apiForm(specs, values, submit, label, attrs = {}) {
  const controls = specs.map(([name, text, o = {}]) => {
    const c = control(name, o);
    if (o.type === 'checkbox') c.checked = Boolean(values[name]);
    else if (values[name] != null) c.value = o.format ? o.format(values[name]) : String(values[name]);
    return [name, c, o, text];
  });
  const status = h('p', { class: 'bad form-status', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, label);
  const form = h(
    'form',
    { class: 'card office-form', novalidate: true, ...attrs },
    h(
      'div',
      { class: 'form-grid' },
      controls.map(([, c, o, text]) =>
        o.type === 'checkbox' ? h('label', { class: 'check' }, c, text) : field(text, c),
      ),
    ),
    status,
    button,
  );
  form.data = () => Object.fromEntries(controls.map(([name, c, o]) => [name, read(name, c, o)]));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showErrors(form, null);
    button.disabled = true;
    try {
      await submit(form.data(), form);
    } catch (err) {
      showErrors(form, err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

// Mark the fields a 422 names (errors.json), or a field's notation, and say what went wrong.
export function showErrors(form, err) {
  form.querySelectorAll('.field-error').forEach((x) => x.remove());
  form.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
  const status = form.querySelector('.form-status');
  status.textContent = '';
  if (!err) return;
  const named = err.fields || (err instanceof ApiError && err.body && err.body.errors && err.body.errors.json) || {};
  // A list's errors nest by item and field ({0: {closes: [...]}}): all their words.
  const words = (m) => (typeof m === 'string' ? [m] : Object.values(m).flatMap(words));
  for (const [name, messages] of Object.entries(named)) {
    const c = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!c) continue;
    const note = h('p', { class: 'field-error bad', id: `${c.id}-error` }, words(messages).join(' '));
    c.setAttribute('aria-invalid', 'true');
    c.setAttribute('aria-describedby', note.id);
    c.after(note);
  }
  status.textContent = errorMessage(err);
}

// The fields of `data` that differ from `original` (what a PATCH sends).
export const changes = (data, original) =>
  Object.fromEntries(
    Object.entries(data).filter(([k, v]) => JSON.stringify(original[k] ?? null) !== JSON.stringify(v)),
  );

// A refusal told in a toast, in the screen's language where the API gives a reason.
export const errorMessage = (err) =>
  err instanceof ApiError ? errorText(err.body) || err.message : String(err.message || err);
export const failed = (err) => toast(errorMessage(err));

// Deactivate an active store, reactivate an inactive one; then `after()`.
export async function toggleStore(store, after) {
  try {
    await request('PATCH', `/api/stores/${store.id}`, { json: { active: !store.active } });
    toast(t(store.active ? 'office.deactivated' : 'office.reactivated', { name: store.name }));
    after();
  } catch (e) {
    failed(e);
  }
}

// Previous / next with "page p of n"; `go(page)` draws that page.
export function pager(meta, go) {
  return h(
    'div',
    { class: 'row pager' },
    h('button', { type: 'button', disabled: meta.page <= 1, onclick: () => go(meta.page - 1) }, t('office.prev')),
    h('span', { class: 'muted' }, t('office.page', { page: meta.page, pages: Math.max(1, meta.pages) })),
    h(
      'button',
      { type: 'button', disabled: meta.page >= meta.pages, onclick: () => go(meta.page + 1) },
      t('office.next'),
    ),
  );
}

// More: who is signed in, a rep's feedback on their photos, the way to the back office (admins,
// supervisors), another user's unsent work left on the phone, the language, storage, changing
// the own password, signing out (here or everywhere).
import { t, fmtDay } from './i18n.js';
import { ApiError, changePassword, errorText, getJSON, session } from './api.js';
import { othersUnsent } from './outbox.js';
import { render, setTitle } from './router.js';
import { discardOthers, isRep, langSwitch, signOut } from './shell.js';
import { h, field, ask } from './ui.js';

// Current, new and repeated password; the server's refusal in the screen's language.
function passwordForm() {
  const input = (name, autocomplete) => h('input', { name, type: 'password', autocomplete, required: true });
  const current = input('current_password', 'current-password');
  const next = input('new_password', 'new-password');
  const again = input('repeat_password', 'new-password');
  const said = h('p', { id: 'password-said', role: 'status' });
  const say = (cls, text) => {
    said.className = cls;
    said.textContent = text;
  };
  const submit = async (e) => {
    e.preventDefault();
    if (next.value !== again.value) return say('bad', t('account.mismatch'));
    try {
      await changePassword(current.value, next.value);
      e.target.reset();
      say('ok', t('account.changed'));
    } catch (err) {
      say('bad', err instanceof ApiError ? errorText(err.body) : t('account.offline'));
    }
  };
  return h(
    'form',
    { class: 'card', id: 'password-form', onsubmit: submit },
    h('h3', {}, t('account.password')),
    field(t('account.current'), current),
    field(t('account.new'), next),
    field(t('account.repeat'), again),
    said,
    h('button', { class: 'primary block', type: 'submit' }, t('account.change')),
  );
}

async function everywhere() {
  const sure = [
    ['out', t('account.everywhere'), 'danger'],
    ['stay', t('phone.stay'), 'primary'],
  ];
  if ((await ask(t('account.everywhereSure'), sure, 'everywhere-confirm')) === 'out')
    await signOut({ everywhere: true });
}

// Another user's unsent work, set aside on this phone until they sign in here again.
async function othersCard() {
  const n = await othersUnsent();
  if (!n) return null;
  const discard = async () => {
    if (await discardOthers()) render();
  };
  return h(
    'div',
    { class: 'card warn', id: 'others-work' },
    h('p', {}, t('phone.othersHere', { n })),
    h('button', { class: 'danger', type: 'button', onclick: discard }, t('phone.discard')),
  );
}

export async function view() {
  setTitle(t('tab.more'));
  let storage = '';
  if (navigator.storage && navigator.storage.estimate) {
    const e = await navigator.storage.estimate();
    const persisted = navigator.storage.persisted ? await navigator.storage.persisted() : false;
    storage = t('more.storage', {
      used: Math.round((e.usage || 0) / 1048576),
      persisted: persisted ? t('yes') : t('no'),
    });
  }
  // A rep's feedback on their photos this week (the supervisor's verdicts), when online.
  let feedback = null;
  if (isRep()) {
    try {
      const items = (await getJSON('/api/reports/photos?period=week&per_page=30')).data.items.filter(
        (p) => p.status !== 'pending',
      );
      feedback = h(
        'div',
        { class: 'card', id: 'photo-feedback' },
        h('h3', {}, t('more.feedback')),
        items.length
          ? h(
              'ul',
              {},
              items.map((p) =>
                h(
                  'li',
                  { class: p.status === 'rejected' ? 'bad' : 'ok' },
                  `${fmtDay(p.visit_date)} ${p.store_name}: ${t(`photos.${p.status}`)}${p.comment ? ` “${p.comment}”` : ''}`,
                ),
              ),
            )
          : h('p', { class: 'muted' }, t('more.noFeedback')),
      );
    } catch {
      /* offline or no reports API */
    }
  }
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'card' },
      h('strong', {}, session.user.full_name),
      h('div', { class: 'muted' }, `${session.user.username} · ${t(`role.${session.user.role}`)}`),
    ),
    feedback,
    await othersCard(),
    ['admin', 'supervisor'].includes(session.user.role)
      ? h('a', { class: 'btn block', href: '#/office', id: 'office-link' }, t('office.title'))
      : null,
    langSwitch(),
    h('p', { class: 'muted' }, storage),
    passwordForm(),
    h('button', { class: 'danger block', id: 'sign-out', onclick: () => signOut() }, t('more.logout')),
    h('button', { class: 'danger block', id: 'sign-out-everywhere', onclick: everywhere }, t('account.everywhere')),
  );
}

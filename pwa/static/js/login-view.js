// The sign-in screen, with the language switch (before anyone is signed in), and why the phone
// signed its user out if it wiped itself (wipe.js). Signed in, the user hears first of any
// other user's unsent work left on this phone (set aside for them).
import { t } from './i18n.js';
import { notice } from './wipe.js';
import { login, ApiError, errorText } from './api.js';
import { setTitle } from './router.js';
import { afterSignIn, home, langSwitch, warnOthers } from './shell.js';
import { h, field } from './ui.js';

export function view() {
  setTitle('Terminus');
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const err = h('p', { class: 'bad', role: 'alert' });
  const why = h('p', { class: 'card warn', id: 'wiped', role: 'status', hidden: true });
  notice.read().then((n) => {
    if (n && n.reason === 'idle') Object.assign(why, { hidden: false, textContent: t('wipe.idle', { days: n.days }) });
  });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: async (e) => {
        e.preventDefault();
        err.textContent = '';
        try {
          await login(user.value.trim(), pass.value);
          await warnOthers();
          location.hash = home();
          afterSignIn();
        } catch (ex) {
          err.textContent =
            ex instanceof ApiError ? (ex.status === 401 ? t('login.bad') : errorText(ex.body)) : t('login.offline');
        }
      },
    },
    h('h2', {}, t('login.title')),
    field(t('login.username'), user),
    field(t('login.password'), pass),
    err,
    h('button', { class: 'primary block', type: 'submit' }, t('login.submit')),
  );
  return h('div', {}, why, form, langSwitch());
}

// More: who is signed in, a rep's feedback on their photos, the way to the back office (admins,
// supervisors), the language, storage, signing out.
import { t, fmtDay } from './i18n.js';
import { getJSON, session } from './api.js';
import { setTitle } from './router.js';
import { isRep, langSwitch, signOut } from './shell.js';
import { h } from './ui.js';

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
    ['admin', 'supervisor'].includes(session.user.role)
      ? h('a', { class: 'btn block', href: '#/office', id: 'office-link' }, t('office.title'))
      : null,
    langSwitch(),
    h('p', { class: 'muted' }, storage),
    h('button', { class: 'danger block', onclick: signOut }, t('more.logout')),
  );
}

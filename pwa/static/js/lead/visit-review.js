// A visit held for review (flagged time_travel): which rule its time broke, its state, and the
// supervisor's accept / reject buttons (POST /api/visits/<id>/review).
import { t } from '../i18n.js';
import { errorText, request, session } from '../api.js';
import { h, toast } from '../ui.js';

// `review` is null for a visit never held, else pending / accepted / rejected.
export const isHeld = (v) => Boolean(v.review);

// The rule a time-travel flag names, in the screen's language, with the server's figures.
export function timeRuleText(f) {
  const d = f.detail || {};
  const vars = { ...d, event: t(`flagmsg.time_travel.${d.event}`) };
  for (const k of ['minutes', 'hours']) if (typeof d[k] === 'number') vars[k] = Math.abs(Math.round(d[k] * 10) / 10);
  return t(`flagmsg.time_travel.${d.rule}`, vars);
}

// Who decides: the supervisor of the visit's team, or an admin (the server checks the scope).
const canDecide = () => Boolean(session.user && ['admin', 'supervisor'].includes(session.user.role));

// The review state of a held visit and, for those who decide, buttons to decide it.
export function reviewBox(visit) {
  const visitId = visit.id;
  const state = h('span', { class: 'pill', id: `visit-review-${visitId}` });
  const show = (review) => {
    state.textContent = review ? t(`review.visit.${review}`) : '';
    state.className = `pill ${review === 'accepted' ? 'ok' : 'bad'}`;
  };
  show(visit.review);
  const decide = (decision) => async (event) => {
    event.preventDefault();
    try {
      const done = await request('POST', `/api/visits/${visitId}/review`, {
        json: { decision },
        headers: { 'Idempotency-Key': crypto.randomUUID() },
      });
      show(done.review);
      toast(t('review.visit.done'));
    } catch (e) {
      toast(errorText(e.body) || e.message);
    }
  };
  const buttons = canDecide()
    ? [
        h(
          'button',
          { type: 'button', class: 'btn', 'data-decision': 'accepted', onclick: decide('accepted') },
          t('review.visit.accept'),
        ),
        h(
          'button',
          { type: 'button', class: 'btn secondary', 'data-decision': 'rejected', onclick: decide('rejected') },
          t('review.visit.reject'),
        ),
      ]
    : [];
  return h('div', { class: 'review-box' }, state, ...buttons);
}

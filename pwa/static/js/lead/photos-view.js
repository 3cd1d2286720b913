// Photos: the review queue (or the photos approved or rejected), full size on demand, with
// approval or rejection (with a reason) for a supervisor or admin.
import { fmtDateTime, fmtDay, t } from '../i18n.js';
import { ApiError, getJSON, request, session } from '../api.js';
import { controls, leadScreen, periodQ, scopeQ, state, thumb } from './lead-ui.js';
import { render, setTitle } from '../router.js';
import { field, h, select, toast, uid } from '../ui.js';

// A page of the queue (the oldest first): review them, and the next ones come.
const PHOTOS_SHOWN = 50;

export async function view() {
  state.back = 'photos';
  setTitle(t('tab.photos'));
  const status = select(
    ['pending', 'approved', 'rejected'].map((x) => [x, t(`review.${x}`)]),
    { id: 'review-status' },
  );
  status.value = state.review;
  status.addEventListener('change', () => {
    state.review = status.value;
    render();
  });
  const top = await controls(field(t('photos.show'), status));
  const { items, meta } = (
    await getJSON(`/api/reports/photos?${periodQ()}&status=${state.review}&per_page=${PHOTOS_SHOWN}${scopeQ()}`)
  ).data;
  const canReview = ['supervisor', 'admin'].includes(session.user.role);
  const pending = state.review === 'pending';
  return leadScreen(
    top,
    h('h3', { id: 'photos-count' }, t(pending ? 'photos.pending' : 'photos.count', { n: meta.total })),
    meta.total > items.length
      ? h('p', { class: 'muted', id: 'photos-shown' }, t('photos.first', { n: items.length, total: meta.total }))
      : null,
    h(
      'ul',
      { class: 'photo-grid', id: 'photo-review' },
      items.map((p) => {
        const kind = t(`kind.${p.kind}`);
        return h(
          'li',
          { class: 'card photo-item', dataset: { photoId: p.photo_id } },
          photoTile(p.photo_id, `${p.store_name} · ${kind}`, p.image_deleted_at),
          h(
            'div',
            { class: 'about' },
            h('a', { href: `#/visit-detail/${p.visit_id}`, class: 'visit-link strong' }, p.store_name),
            h('div', { class: 'muted' }, `${p.rep_name} · ${fmtDay(p.visit_date)} · ${kind}`),
            pending
              ? null
              : h(
                  'div',
                  { class: p.status === 'rejected' ? 'bad' : 'ok' },
                  `${t(`review.${p.status}`)} · ${p.reviewer_name}${p.comment ? `: “${p.comment}”` : ''}`,
                ),
          ),
          canReview ? reviewForm(p) : null,
        );
      }),
    ),
    items.length ? null : h('p', { class: 'muted' }, t(pending ? 'photos.none' : 'photos.noneShown')),
  );
}

// A photo's thumbnail, or, once retention deleted its image (the row stays), a note saying so
// in its place: there is nothing to enlarge. The visit detail shows its photos the same way.
export const photoTile = (photoId, caption, deletedAt) =>
  deletedAt
    ? h(
        'span',
        { class: 'pill chip-none photo-removed', dataset: { photoId }, title: fmtDateTime(deletedAt) },
        t('photos.removed'),
      )
    : thumb(photoId, caption);

// Approve, or reject with a reason: the reason is asked for here, before anything is sent.
function reviewForm(p) {
  const hint = h('p', { class: 'bad hint', id: uid('hint'), role: 'alert', hidden: true });
  const comment = h('input', { maxlength: 500, 'aria-describedby': hint.id });
  comment.addEventListener('input', () => {
    hint.hidden = true;
    comment.removeAttribute('aria-invalid');
  });
  const send = async (status) => {
    const text = comment.value.trim();
    if (status === 'rejected' && !text) {
      hint.textContent = t('photos.commentNeeded');
      hint.hidden = false;
      comment.setAttribute('aria-invalid', 'true');
      comment.focus();
      return;
    }
    try {
      await request('PUT', `/api/photos/${p.photo_id}/review`, { json: { status, comment: text || null } });
      toast(t(`photos.${status}`));
      render();
    } catch (e) {
      toast(e instanceof ApiError ? t('photos.reviewFailed') : t('photos.reviewOffline'));
    }
  };
  return h(
    'div',
    { class: 'review' },
    field(t('photos.comment'), comment),
    hint,
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'button', class: 'primary', onclick: () => send('approved') }, t('photos.approve')),
      h('button', { type: 'button', class: 'danger', onclick: () => send('rejected') }, t('photos.reject')),
    ),
  );
}

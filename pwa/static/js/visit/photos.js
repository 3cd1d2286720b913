// Photos of the visit: each one downscaled and queued in the outbox as it is taken, with the
// time it was taken (`taken_at`, read from the original: the downscaled copy has no EXIF).
import { t } from '../i18n.js';
import { put } from '../db.js';
import { enqueue, items as outboxItems, flush } from '../outbox.js';
import { captureTime, downscale } from '../photo.js';
import { h, field, select, toast } from '../ui.js';
import { section } from './common.js';

export function photosSection(v, closed) {
  const thumbs = h('div', { class: 'thumbs', id: 'photo-thumbs' });
  const showThumbs = async () => {
    const all = await outboxItems();
    const mine = all.filter((i) => i.op === 'photo' && i.visit === v.uuid && i.blob instanceof Blob);
    thumbs.replaceChildren(
      ...mine.map((i) => h('img', { src: URL.createObjectURL(i.blob), alt: t(`kind.${i.body.kind}`) })),
    );
  };
  const kind = select(['shelf', 'promo_display', 'price_tag', 'competitor', 'other'].map((k) => [k, t(`kind.${k}`)]));
  const fileIn = h('input', {
    type: 'file',
    accept: 'image/*',
    capture: 'environment',
    multiple: true,
    id: 'photo-input',
    disabled: closed,
  });
  fileIn.addEventListener('change', async () => {
    for (const file of fileIn.files) {
      try {
        const takenAt = await captureTime(file);
        const { blob } = await downscale(file);
        const body = { kind: kind.value, ...(takenAt ? { taken_at: takenAt } : {}) };
        const item = await enqueue({ op: 'photo', visit: v.uuid, body, blob });
        v.photos.push(item.seq);
        await put('visits', v);
      } catch (e) {
        toast(t('photo.failed', { msg: e.message }));
      }
    }
    fileIn.value = '';
    showThumbs();
    flush();
  });
  showThumbs();
  return section(
    'photos',
    t('visit.photos'),
    [field(t('photo.kind'), kind), field(t('photo.take'), fileIn), thumbs],
    true,
  );
}

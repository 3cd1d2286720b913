// The visit note: kept on the phone as it is typed and sent with the check-out.
import { t } from '../i18n.js';
import { put } from '../db.js';
import { h, field } from '../ui.js';
import { section } from './common.js';

// {el, read}: read() → the note to send (null when empty).
export function noteSection(v) {
  const text = h('textarea', { rows: 3, maxlength: 2000, id: 'visit-note' });
  text.value = v.note || '';
  const read = () => text.value.trim() || null;
  text.addEventListener('change', () => {
    v.note = read();
    put('visits', v);
  });
  const el = section('note', t('note.title'), [
    field(t('note.label'), text),
    h('p', { class: 'muted' }, t('note.hint')),
  ]);
  return { el, read };
}

// A complaint the store makes to the rep: category and text, queued in the outbox at once under
// its own uuid (the server records it once however often it is sent); a lead follows it up.
import { t } from '../i18n.js';
import { put } from '../db.js';
import { enqueue, flush, uuid } from '../outbox.js';
import { h, field, select, toast } from '../ui.js';
import { section } from './common.js';

const CATEGORIES = ['product_quality', 'delivery', 'pricing', 'service', 'rep_conduct', 'other'];

// {el, send}: send() queues the complaint typed and not yet sent (check-out calls it).
export function complaintSection(v) {
  v.complaints = v.complaints || [];
  const category = select([['', '—'], ...CATEGORIES.map((k) => [k, t(`cmp.cat.${k}`)])], { id: 'complaint-category' });
  const text = h('textarea', { rows: 3, maxlength: 2000, id: 'complaint-text' });
  const problem = h('p', { class: 'bad', role: 'alert', hidden: true }, t('cmp.incomplete'));
  const list = h('ul', { id: 'complaint-list' });
  const show = () =>
    list.replaceChildren(
      ...v.complaints.map((c) => h('li', {}, h('strong', {}, t(`cmp.cat.${c.category}`)), ': ', c.text)),
    );
  // Queues the typed complaint; false when half of it is missing (said on the form).
  const send = async () => {
    const body = { uuid: uuid(), category: category.value, text: text.value.trim() };
    if (!body.category && !body.text) return true;
    problem.hidden = Boolean(body.category && body.text);
    if (!problem.hidden) {
      problem.closest('details').open = true;
      return false;
    }
    await enqueue({ op: 'complaint', visit: v.uuid, body });
    v.complaints.push(body);
    await put('visits', v);
    category.value = '';
    text.value = '';
    show();
    return true;
  };
  const button = h(
    'button',
    {
      type: 'button',
      class: 'primary block',
      id: 'complaint-send',
      onclick: async () => {
        if (await send()) {
          toast(t('cmp.queued'));
          flush();
        }
      },
    },
    t('cmp.send'),
  );
  show();
  const el = section('complaint', t('cmp.title'), [
    field(t('cmp.category'), category),
    field(t('cmp.text'), text),
    problem,
    button,
    list,
  ]);
  return { el, send };
}

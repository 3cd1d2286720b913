// A list the admin keeps by hand (agreed prices, promotions, demand uplifts): a table of its
// rows, each with edit and delete, and a form for a new row or the one being edited. The API's
// refusals show at the fields they name.
import { t } from '../i18n.js';
import { getAllPages, request } from '../api.js';
import { render } from '../router.js';
import { ask, h, toast } from '../ui.js';
import { table } from './lead-ui.js';
import { CHANNELS, apiForm, changes, failed } from './office-ui.js';

// Channel choices where "every channel" is null.
export const channelOptions = () => [
  ['', t('office.price.allChannels')],
  ...CHANNELS.map((x) => [x, t(`channel.${x}`)]),
];
export const channelText = (c) => (c ? t(`channel.${c}`) : t('office.price.allChannels'));
export const nullable = { nullable: true };

// `spec`: {id, title, url, fields (apiForm specs), heads, cells(row) → cells, num, blank (a new
// row's values), name(row)}. Answers the card, its rows read from `url`.
export async function recordCard(spec) {
  const { items } = await getAllPages(spec.url);
  const editor = h('div', { class: 'record-editor' });
  const form = (row = null) => {
    const save = async (data) => {
      if (row) await request('PATCH', `${spec.url}/${row.id}`, { json: changes(data, row) });
      else await request('POST', spec.url, { json: data });
      toast(t('office.saved', { name: spec.name(data) }));
      render();
    };
    editor.replaceChildren(
      ...[
        h('h4', {}, row ? t('office.price.editing', { name: spec.name(row) }) : t('office.price.adding')),
        row ? h('button', { type: 'button', onclick: () => form() }, t('office.cancel')) : null,
        apiForm(spec.fields, row || spec.blank, save, t('office.save'), { id: `${spec.id}-form` }),
      ].filter(Boolean),
    );
  };
  const remove = async (row) => {
    const sure = [
      ['yes', t('office.price.delete'), 'danger'],
      ['no', t('office.cancel'), 'primary'],
    ];
    if ((await ask(t('office.price.deleteSure', { name: spec.name(row) }), sure, 'delete-confirm')) !== 'yes') return;
    try {
      await request('DELETE', `${spec.url}/${row.id}`);
      toast(t('office.price.deleted', { name: spec.name(row) }));
      render();
    } catch (e) {
      failed(e);
    }
  };
  const actions = (row) =>
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        {
          type: 'button',
          class: 'record-edit',
          onclick: () => {
            form(row);
            editor.scrollIntoView({ block: 'nearest' });
          },
        },
        t('office.edit'),
      ),
      h(
        'button',
        { type: 'button', class: 'danger record-delete', onclick: () => remove(row) },
        t('office.price.delete'),
      ),
    );
  form();
  const label = (i) => spec.heads[i];
  return h(
    'section',
    { class: 'card', id: spec.id },
    h('h3', {}, spec.title),
    items.length
      ? table(
          { class: 'stack', id: `${spec.id}-table` },
          [...spec.heads, t('office.actions')],
          items.map((row) =>
            h(
              'tr',
              { dataset: { id: row.id } },
              [...spec.cells(row), actions(row)].map((c, i) =>
                h(
                  'td',
                  { 'data-label': i < spec.heads.length ? label(i) : null, class: spec.num.includes(i) ? 'num' : null },
                  c,
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('office.price.none')),
    editor,
  );
}

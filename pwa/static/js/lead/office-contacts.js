// A store's contacts in the store editor: the people to talk to with their role, the primary
// one (called first) marked; add, edit, make primary, remove. The API keeps one primary.
import { t } from '../i18n.js';
import { request } from '../api.js';
import { ask, h, toast } from '../ui.js';
import { apiForm, changes, failed } from './office-ui.js';

export const ROLES = ['owner', 'buyer', 'decision_maker', 'front_desk', 'other'];
const text = { nullable: true };

// The card for `store` (with its embedded `contacts`); `reload()` draws the screen again.
export function contactsCard(store, reload) {
  const url = `/api/stores/${store.id}/contacts`;
  const editor = h('div', { class: 'contact-editor' });
  const fields = [
    ['name', t('lead.contactName')],
    ['role', t('lead.contactRole'), { options: ROLES.map((x) => [x, t(`lead.contactRole.${x}`)]) }],
    ['phone', t('lead.contactPhone'), { ...text, type: 'tel' }],
    ['email', t('lead.contactEmail'), { ...text, type: 'email' }],
    ['note', t('lead.contactNote'), text],
  ];
  const form = (contact = null) => {
    const save = async (data) => {
      if (contact) await request('PATCH', `${url}/${contact.id}`, { json: changes(data, contact) });
      else await request('POST', url, { json: data });
      toast(t('office.saved', { name: data.name }));
      reload();
    };
    editor.replaceChildren(
      ...[
        h('h4', {}, contact ? t('lead.contactEditing', { name: contact.name }) : t('lead.contactAdding')),
        contact ? h('button', { type: 'button', onclick: () => form() }, t('office.cancel')) : null,
        apiForm(fields, contact || { role: 'owner' }, save, t('office.save'), { id: 'contact-form' }),
      ].filter(Boolean),
    );
  };
  const act = (method, contact, json, said) =>
    request(method, `${url}/${contact.id}`, json ? { json } : {})
      .then(() => {
        toast(t(said, { name: contact.name }));
        reload();
      })
      .catch(failed);
  const removeContact = async (c) => {
    const sure = [
      ['yes', t('lead.removeContact'), 'danger'],
      ['no', t('office.cancel'), 'primary'],
    ];
    if ((await ask(t('lead.removeSure', { name: c.name }), sure, 'delete-confirm')) === 'yes')
      act('DELETE', c, null, 'lead.contactRemoved');
  };
  form();
  const contacts = store.contacts || [];
  return h(
    'div',
    { class: 'card', id: 'store-contacts' },
    h('h3', {}, t('lead.contacts')),
    contacts.length
      ? h(
          'ul',
          { class: 'contact-list' },
          contacts.map((c) =>
            h(
              'li',
              { dataset: { contactId: c.id }, class: c.is_primary ? 'primary-contact' : null },
              h(
                'div',
                { class: 'row' },
                h('span', { class: 'strong grow' }, c.name),
                h('span', { class: 'pill' }, t(`lead.contactRole.${c.role}`)),
                c.is_primary ? h('span', { class: 'pill ok' }, t('lead.primary')) : null,
              ),
              h('div', { class: 'muted' }, [c.phone, c.email, c.note].filter(Boolean).join(' · ')),
              h(
                'div',
                { class: 'row' },
                h('button', { type: 'button', class: 'contact-edit', onclick: () => form(c) }, t('office.edit')),
                c.is_primary
                  ? null
                  : h(
                      'button',
                      {
                        type: 'button',
                        class: 'contact-primary',
                        onclick: () => act('PATCH', c, { is_primary: true }, 'lead.madePrimary'),
                      },
                      t('lead.makePrimary'),
                    ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger contact-delete',
                    onclick: () => removeContact(c),
                  },
                  t('lead.removeContact'),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('lead.noContacts')),
    editor,
  );
}

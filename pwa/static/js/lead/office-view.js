// The back office's hub: the set-up an admin runs (stores, their import and territories, user
// accounts, the catalogue, agreed prices, demand uplifts and the audit log); a supervisor sees
// the parts for their own team's stores.
import { t } from '../i18n.js';
import { setTitle } from '../router.js';
import { h } from '../ui.js';
import { canMaintain, isAdmin } from './office-ui.js';

const SECTIONS = [
  ['#/office/stores', 'office.stores', 'office.storesHint', canMaintain],
  ['#/office/import', 'office.import', 'office.importHint', canMaintain],
  ['#/office/territory', 'office.territory', 'office.territoryHint', canMaintain],
  ['#/office/users', 'office.users', 'office.usersHint', isAdmin],
  ['#/office/products', 'office.products', 'office.productsHint', isAdmin],
  ['#/office/prices', 'office.price.title', 'office.price.hint', isAdmin],
  ['#/office/uplifts', 'office.uplift.title', 'office.uplift.hint', isAdmin],
  ['#/office/audit', 'office.audit', 'office.auditHint', isAdmin],
];

export function view() {
  setTitle(t('office.title'));
  const shown = SECTIONS.filter(([, , , allowed]) => allowed());
  return h(
    'div',
    { class: 'lead office' },
    shown.length
      ? h(
          'ul',
          { class: 'office-hub', id: 'office-hub' },
          shown.map(([href, title, hint]) =>
            h(
              'li',
              {},
              h('a', { class: 'card', href }, h('strong', {}, t(title)), h('span', { class: 'muted' }, t(hint))),
            ),
          ),
        )
      : h('p', { class: 'card' }, t('office.notAllowed')),
  );
}

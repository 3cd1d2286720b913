// The catalogue (the admin's): brands (ours and the competitors') and a new brand; products by
// brand with a new product, an edit form, and retire / reinstate.
import { t } from '../i18n.js';
import { getAllPages, getJSON, request } from '../api.js';
import { render } from '../router.js';
import { h, toast } from '../ui.js';
import { table } from './lead-ui.js';
import { apiForm, changes, failed, isAdmin, officeScreen, options } from './office-ui.js';

function brandCard(brands) {
  const add = async (data) => {
    const brand = await request('POST', '/api/brands', { json: data });
    toast(t('office.saved', { name: brand.name }));
    render();
  };
  return h(
    'div',
    { class: 'card', id: 'brands' },
    h('h3', {}, t('office.brands')),
    h(
      'ul',
      { class: 'legend' },
      brands.map((b) => h('li', {}, b.name, b.is_own ? h('span', { class: 'pill ok' }, t('office.ownBrand')) : null)),
    ),
    apiForm(
      [
        ['name', t('office.brandName')],
        ['is_own', t('office.ownBrand'), { type: 'checkbox' }],
      ],
      {},
      add,
      t('office.addBrand'),
      { id: 'brand-form' },
    ),
  );
}

// The form for `product`, or for a new one when it is null.
function productForm(brands, product = null) {
  const specs = [
    ['sku', t('office.sku')],
    ['name', t('office.name')],
    ['brand_id', t('office.brand'), { number: true, options: options(brands, (b) => b.name) }],
    ['category', t('office.category')],
    ['pack_size', t('office.packSize')],
    ['unit_price', t('office.price'), { nullable: true }],
  ];
  const save = async (data) => {
    const saved = product
      ? await request('PATCH', `/api/products/${product.id}`, { json: changes(data, product) })
      : await request('POST', '/api/products', { json: data });
    toast(t('office.saved', { name: saved.name }));
    render();
  };
  const title = product ? t('office.editProduct', { name: product.name }) : t('office.newProduct');
  return h(
    'div',
    { id: 'product-editor' },
    h('h3', {}, title),
    product ? h('button', { type: 'button', onclick: () => render() }, t('office.cancel')) : null,
    apiForm(specs, product || { brand_id: brands[0] && brands[0].id }, save, t('office.save'), { id: 'product-form' }),
  );
}

function productRow(p, edit) {
  const retire = () =>
    request('PATCH', `/api/products/${p.id}`, { json: { active: !p.active } })
      .then(() => {
        toast(t(p.active ? 'office.retired' : 'office.reinstated', { name: p.name }));
        render();
      })
      .catch(failed);
  const label = (key) => t(`office.${key}`);
  return h(
    'tr',
    { dataset: { sku: p.sku }, class: p.active ? null : 'inactive' },
    [
      ['sku', p.sku],
      ['name', `${p.name} ${p.pack_size}`],
      ['brand', p.brand],
      ['category', p.category],
      ['price', p.unit_price ?? '—'],
      ['status', t(p.active ? 'office.active' : 'office.retiredStatus')],
      [
        'actions',
        h(
          'div',
          { class: 'row' },
          h('button', { type: 'button', onclick: () => edit(p) }, t('office.edit')),
          h(
            'button',
            { type: 'button', class: p.active ? 'danger' : null, onclick: retire },
            t(p.active ? 'office.retire' : 'office.reinstate'),
          ),
        ),
      ],
    ].map(([key, content]) => h('td', { 'data-label': label(key), class: key === 'price' ? 'num' : null }, content)),
  );
}

export function view() {
  return officeScreen('office.products', isAdmin(), async () => {
    const [brands, { items }] = await Promise.all([
      getJSON('/api/brands').then((r) => r.data),
      getAllPages('/api/products', 200),
    ]);
    const editor = h('div', { class: 'card' }, productForm(brands));
    const edit = (p) => {
      editor.replaceChildren(productForm(brands, p));
      editor.scrollIntoView();
    };
    const heads = ['sku', 'name', 'brand', 'category', 'price', 'status', 'actions'].map((k) => t(`office.${k}`));
    return h(
      'div',
      { class: 'split office-split' },
      h(
        'div',
        {},
        table(
          { class: 'stack', id: 'product-table' },
          heads,
          items.map((p) => productRow(p, edit)),
          { num: [4] },
        ),
      ),
      h('div', {}, editor, brandCard(brands)),
    );
  });
}

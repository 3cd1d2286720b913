// Agreed shelf prices and promotions of our own products (the admin's; leads read them through
// the API): a shelf price below the agreed one, or a special price no promotion covers, is a
// deviation.
import { fmtDay, fmtMoney, t } from '../i18n.js';
import { getAllPages } from '../api.js';
import { h } from '../ui.js';
import { isAdmin, officeScreen, options } from './office-ui.js';
import { channelOptions, channelText, nullable, recordCard } from './office-records.js';

const DATE = { type: 'date' };

export function view() {
  return officeScreen('office.price.title', isAdmin(), async () => {
    const [products, stores] = await Promise.all([
      getAllPages('/api/products?own=true&active=true').then((r) => r.items),
      getAllPages('/api/stores?active=true').then((r) => r.items),
    ]);
    const productName = new Map(products.map((p) => [p.id, `${p.name} ${p.pack_size || ''}`.trim()]));
    const storeName = new Map(stores.map((s) => [s.id, s.name]));
    const productChoice = [
      'product_id',
      t('office.price.product'),
      { number: true, options: options(products, (p) => productName.get(p.id)) },
    ];
    const channel = ['channel', t('office.channel'), { options: channelOptions(), nullable: true }];
    const first = products[0] && products[0].id;
    const named = (row) => productName.get(row.product_id) || `#${row.product_id}`;
    const prices = await recordCard({
      id: 'agreed-prices',
      title: t('office.price.agreed'),
      url: '/api/agreed-prices',
      fields: [
        productChoice,
        channel,
        ['price', t('office.price.price')],
        ['valid_from', t('office.price.from'), DATE],
        ['valid_to', t('office.price.to'), { ...DATE, ...nullable }],
      ],
      heads: [t('office.price.product'), t('office.channel'), t('office.price.price'), t('office.price.valid')],
      cells: (p) => [named(p), channelText(p.channel), fmtMoney(p.price), period(p.valid_from, p.valid_to)],
      num: [2],
      blank: { product_id: first },
      name: named,
    });
    const promotions = await recordCard({
      id: 'promotions',
      title: t('office.price.promotions'),
      url: '/api/promotions',
      fields: [
        ['name', t('office.price.promoName')],
        productChoice,
        channel,
        [
          'store_id',
          t('office.price.store'),
          { number: true, options: options(stores, (s) => `${s.name} · ${s.code}`, t('office.price.allStores')) },
        ],
        ['promo_price', t('office.price.promoPrice'), nullable],
        ['starts_on', t('office.price.from'), DATE],
        ['ends_on', t('office.price.to'), DATE],
      ],
      heads: [
        t('office.price.promoName'),
        t('office.price.product'),
        t('office.price.where'),
        t('office.price.promoPrice'),
        t('office.price.valid'),
      ],
      cells: (p) => [
        p.name,
        named(p),
        [
          channelText(p.channel),
          p.store_id ? h('div', { class: 'muted' }, storeName.get(p.store_id) || `#${p.store_id}`) : null,
        ],
        p.promo_price == null ? t('office.price.noFloor') : fmtMoney(p.promo_price),
        period(p.starts_on, p.ends_on),
      ],
      num: [3],
      blank: { product_id: first },
      name: (p) => p.name,
    });
    return h('div', { class: 'records-office' }, prices, promotions);
  });
}

export const period = (from, to) =>
  to ? `${fmtDay(from)} – ${fmtDay(to)}` : t('office.price.since', { day: fmtDay(from) });

// Demand uplifts (the admin's; leads read them through the API): a seasonal or promotion factor
// on the suggested order of a product (or all) in a channel (or all); overlapping ones multiply.
import { t } from '../i18n.js';
import { getAllPages } from '../api.js';
import { isAdmin, officeScreen, options } from './office-ui.js';
import { channelOptions, channelText, recordCard } from './office-records.js';
import { period } from './office-prices-view.js';

const DATE = { type: 'date' };

export function view() {
  return officeScreen('office.uplift.title', isAdmin(), async () => {
    const products = (await getAllPages('/api/products?own=true&active=true')).items;
    const productName = new Map(products.map((p) => [p.id, `${p.name} ${p.pack_size || ''}`.trim()]));
    const productText = (id) => (id == null ? t('office.uplift.allProducts') : productName.get(id) || `#${id}`);
    return recordCard({
      id: 'uplifts',
      title: t('office.uplift.title'),
      url: '/api/demand-uplifts',
      fields: [
        ['reason', t('office.uplift.reason')],
        [
          'product_id',
          t('office.price.product'),
          { number: true, options: options(products, (p) => productName.get(p.id), t('office.uplift.allProducts')) },
        ],
        ['channel', t('office.channel'), { options: channelOptions(), nullable: true }],
        ['factor', t('office.uplift.factor')],
        ['starts_on', t('office.price.from'), DATE],
        ['ends_on', t('office.price.to'), DATE],
      ],
      heads: [
        t('office.uplift.reason'),
        t('office.price.product'),
        t('office.channel'),
        t('office.uplift.factor'),
        t('office.price.valid'),
      ],
      cells: (u) => [
        u.reason,
        productText(u.product_id),
        channelText(u.channel),
        `× ${u.factor}`,
        period(u.starts_on, u.ends_on),
      ],
      num: [3],
      blank: { factor: '1.20' },
      name: (u) => u.reason,
    });
  });
}

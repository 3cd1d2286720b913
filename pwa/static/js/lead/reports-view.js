// The area manager's and supervisor's reports: a page per subject, each with its CSV/XLSX
// export; the first page (display, competitor prices, near-expiry) as before.
import { t } from '../i18n.js';
import { controls, leadScreen, state } from './lead-ui.js';
import { setTitle } from '../router.js';
import { h } from '../ui.js';

// [route name, label key, module]; each module's section() answers the page's sections.
const PAGES = [
  ['overview', 'report.overview', () => import('./reports/overview.js')],
  ['orders', 'report.orders', () => import('./reports/orders.js')],
  ['shelf', 'report.shelf', () => import('./reports/shelf.js')],
  ['prices', 'report.prices', () => import('./reports/prices.js')],
  ['returns', 'report.returns', () => import('./reports/returns.js')],
  ['complaints', 'report.complaints', () => import('./reports/complaints.js')],
  ['tiers', 'report.tiers', () => import('./reports/tiers.js')],
];

export async function view(name = 'overview') {
  state.back = 'reports';
  setTitle(t('tab.reports'));
  const page = PAGES.find(([n]) => n === name) || PAGES[0];
  // Reports tell a trend: the first time they open on a single day, they show four weeks (the
  // period stays as chosen after that, for every screen).
  if (!state.trendShown) {
    state.trendShown = true;
    if (state.period === 'day') state.period = 'weeks4';
  }
  const nav = h(
    'nav',
    { class: 'row sub-nav', id: 'report-nav', 'aria-label': t('report.pages') },
    PAGES.map(([n, key]) =>
      h(
        'a',
        {
          href: n === 'overview' ? '#/reports' : `#/reports/${n}`,
          class: 'btn',
          'aria-current': n === page[0] ? 'page' : null,
        },
        t(key),
      ),
    ),
  );
  const [top, module] = await Promise.all([controls(), page[2]()]);
  const body = await module.section();
  // On a phone the row scrolls: bring the current page's link into view once drawn (the
  // router draws the screen before the next frame).
  requestAnimationFrame(() =>
    nav.querySelector('[aria-current]').scrollIntoView({ block: 'nearest', inline: 'center' }),
  );
  return leadScreen(nav, top, h('div', { class: 'report', dataset: { report: page[0] } }, body));
}

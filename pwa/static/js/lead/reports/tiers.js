// Tier proposals from contribution: each store's order value and orders over the period
// before the chosen day, its tier and the proposed one; the proposals applied in one action
// (admins and area managers); stores that stopped buying (lapsed) and prospects listed apart.
import { fmtDay, fmtMoney, t } from '../../i18n.js';
import { getJSON, request, session } from '../../api.js';
import { exportRow, kpiTile, scopeQ, state, table } from '../lead-ui.js';
import { errorMessage } from '../office-ui.js';
import { render } from '../../router.js';
import { ask, h, tierBadge, toast } from '../../ui.js';

const SHOWN = 100;
let showAll = false;

export async function section() {
  const query = `as_of=${state.day}`;
  const r = (await getJSON(`/api/reports/tier-proposals?${query}${scopeQ()}`)).data;
  const rows = showAll ? r.proposals : r.proposals.filter((p) => p.changed);
  const all = h(
    'button',
    {
      type: 'button',
      id: 'tier-all',
      'aria-pressed': String(showAll),
      onclick: () => {
        showAll = !showAll;
        render();
      },
    },
    t(showAll ? 'report.tierChangesOnly' : 'report.tierAll'),
  );
  const shares = r.shares.map((s) => `${s.tier} ${s.percent}%`).join(' · ');
  return h(
    'section',
    { id: 'report-tiers' },
    h('h3', {}, t('report.tiers')),
    h(
      'p',
      { class: 'muted' },
      t('report.tierRule', { from: fmtDay(r.period.from), to: fmtDay(r.period.to), shares, days: r.lapsed_after_days }),
    ),
    h(
      'div',
      { class: 'kpis', id: 'tier-kpis' },
      kpiTile(
        t('report.ranked'),
        String(r.total.ranked),
        `A ${r.total.proposed.A} · B ${r.total.proposed.B} · C ${r.total.proposed.C}`,
      ),
      kpiTile(t('report.tierChanges'), String(r.total.changes)),
      kpiTile(t('report.lapsed'), String(r.total.lapsed)),
      kpiTile(t('report.prospects'), String(r.total.prospects)),
    ),
    h('div', { class: 'row' }, all, acceptButton(r)),
    rows.length
      ? proposalTable('tier-proposals', rows.slice(0, SHOWN))
      : h('p', { class: 'muted' }, t('report.noChanges')),
    rows.length > SHOWN ? h('p', { class: 'muted' }, t('lead.first', { n: SHOWN, total: rows.length })) : null,
    h('h3', {}, t('report.lapsedStores', { n: r.lapsed.length })),
    r.lapsed.length ? proposalTable('tier-lapsed', r.lapsed.slice(0, SHOWN)) : null,
    h('h3', {}, t('report.prospectStores', { n: r.prospects.length })),
    r.prospects.length
      ? h(
          'p',
          { class: 'muted', id: 'tier-prospects' },
          r.prospects
            .slice(0, SHOWN)
            .map((p) => p.store_name)
            .join(', '),
        )
      : null,
    exportRow('tier-proposals', query),
  );
}

const HEADS = () => [
  t('lead.store'),
  t('report.rank'),
  t('report.orderCount'),
  t('report.value'),
  t('report.lastOrder'),
  t('report.tierNow'),
  t('report.tierProposed'),
];

function proposalTable(id, rows) {
  return table(
    { class: 'stack', id },
    HEADS(),
    rows.map((p) =>
      h(
        'tr',
        { dataset: { storeId: p.store_id }, class: p.changed ? 'changed' : null },
        [
          [
            h('span', { class: 'strong' }, p.store_name),
            h('div', { class: 'muted' }, `${p.store_code} · ${t(`channel.${p.channel}`)}`),
          ],
          p.rank ?? '—',
          String(p.orders),
          fmtMoney(p.order_value),
          fmtDay(p.last_order_on) || '—',
          tierBadge(p.current_tier),
          p.proposed_tier ? tierBadge(p.proposed_tier) : '—',
        ].map((content, i) =>
          h('td', { class: [1, 2, 3].includes(i) ? 'num' : null, 'data-label': i ? HEADS()[i] : null }, content),
        ),
      ),
    ),
    { num: [1, 2, 3] },
  );
}

// Apply every changed proposal in scope, after saying how many stores change.
function acceptButton(r) {
  if (!['admin', 'area_manager'].includes(session.user.role) || !r.total.changes) return null;
  const accept = async () => {
    const sure = await ask(
      t('report.tierAcceptSure', { n: r.total.changes }),
      [
        ['yes', t('report.tierAccept'), 'primary'],
        ['no', t('office.cancel')],
      ],
      'tier-accept-confirm',
    );
    if (sure !== 'yes') return;
    try {
      const body = { as_of: state.day, ...(state.teamId ? { team_id: Number(state.teamId) } : {}) };
      const done = await request('POST', '/api/tier-proposals/accept', { json: body });
      toast(t('report.tierAccepted', { n: done.changed }));
      render();
    } catch (e) {
      toast(errorMessage(e));
    }
  };
  return h(
    'button',
    { type: 'button', class: 'primary', id: 'tier-accept', onclick: accept },
    t('report.tierAcceptN', { n: r.total.changes }),
  );
}

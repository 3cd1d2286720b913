// Exceptions: the period's flagged visits, and the flags by kind from the exceptions report.
import { fmtDateTime, t } from '../i18n.js';
import { getJSON } from '../api.js';
import { chart, controls, flagLine, leadScreen, periodQ, scopeQ, shownOf, state, table, visitsIn } from './lead-ui.js';
import { setTitle } from '../router.js';
import { h } from '../ui.js';
import { isHeld, reviewBox, timeRuleText } from './visit-review.js';

export async function view() {
  state.back = 'exceptions';
  setTitle(t('tab.exceptions'));
  const list = await visitsIn('&flagged=true');
  const visits = list.items;
  // Flags by kind from the exceptions report, where the server has it.
  let kinds = null;
  try {
    const counts = Object.entries(
      (await getJSON(`/api/reports/exceptions?${periodQ()}&per_page=1${scopeQ()}`)).data.counts || {},
    );
    if (counts.length) {
      kinds = chart(
        t('exc.byKind'),
        counts.map(([k, n]) => ({ label: t(`flag.${k}`), value: n, text: String(n), color: '#b71c1c' })),
        { max: Math.max(1, ...counts.map(([, n]) => n)), id: 'exception-kinds' },
      );
    }
  } catch {
    /* the list below is enough */
  }
  const rows = visits.length
    ? table(
        { id: 'exceptions', class: 'stack' },
        [t('team.store'), t('team.time'), t('team.rep'), t('tab.exceptions'), t('review.visit.column')],
        visits.map((v) => [
          h('a', { href: `#/visit-detail/${v.id}`, class: 'strong' }, v.store_name),
          { content: fmtDateTime(v.checked_in_at), label: t('team.time') },
          { content: v.rep_name, label: t('team.rep') },
          h(
            'ul',
            { class: 'flags' },
            v.flags.map((f) =>
              h('li', { class: 'bad' }, f.kind === 'time_travel' ? `${flagLine(f)} ${timeRuleText(f)}` : flagLine(f)),
            ),
          ),
          // Held visits (time travel): their review state and the buttons to decide it.
          { content: isHeld(v) ? reviewBox(v) : '—', label: t('review.visit.column') },
        ]),
      )
    : h('p', { class: 'muted' }, t('exc.none'));
  return leadScreen(
    await controls(),
    h(
      'div',
      { class: kinds ? 'split narrow-first' : '' },
      kinds,
      h('section', {}, h('h3', {}, t('exc.count', { n: list.total })), shownOf(list), rows),
    ),
  );
}

// Plans (#/plans): the team's plans for a day (default tomorrow) or a week. A week is a grid of
// each rep's stops per day (a cell opens that day); a day is the map and the reps' timelines
// (plan-board.js). Supervisors and admins plan the team, adjust and publish; managers read.
import { fmtDay, plural, t } from '../i18n.js';
import { addDays, businessDay } from '../clock.js';
import { render, setTitle } from '../router.js';
import { field, h, select, toast } from '../ui.js';
import { dayBoard, statusOf } from './plan-board.js';
import { failure, jobPanel } from './plan-job.js';
import { canPlan, plansState, publishTeam, rangeOf, teamPlans, teamsInScope } from './plans-data.js';

export async function view() {
  setTitle(t('plans.title'));
  const teams = await teamsInScope();
  if (!teams.length) return h('p', { class: 'muted' }, t('plans.noTeam'));
  if (!teams.some((x) => String(x.id) === plansState.teamId)) plansState.teamId = String(teams[0].id);
  const [from, to] = rangeOf();
  const { reps, plans } = await teamPlans(plansState.teamId, from, to);
  const past = to < businessDay();
  const body = plansState.period === 'week' ? weekGrid(reps, plans, from) : dayBoard(plansState.day, reps, plans);
  return h(
    'div',
    {
      class: 'lead plans',
      dataset: { period: plansState.period, day: plansState.day, team: plansState.teamId },
    },
    controls(teams),
    canPlan() && !past ? teamActions(plans) : null,
    past ? h('p', { class: 'warn', id: 'plans-past' }, t('plans.pastRange')) : null,
    plansState.period === 'day' && !plans.length ? nothingPlanned() : null,
    body,
  );
}

// An empty day (tomorrow, before anyone planned it) points at the living one.
function nothingPlanned() {
  const today = businessDay();
  const button = h('button', { type: 'button', id: 'plans-see-today' }, t('plans.seeToday'));
  button.addEventListener('click', () => choose({ day: today }));
  return h(
    'div',
    { class: 'card', id: 'plans-none' },
    h('p', {}, t('plans.none', { day: fmtDay(plansState.day) })),
    plansState.day === today ? null : button,
  );
}

// Another day, period or team: the last job's outcome was for the previous choice.
function choose(changes) {
  Object.assign(plansState, changes, { job: null });
  render();
}

function controls(teams) {
  const day = h('input', { type: 'date', value: plansState.day, id: 'plans-day' });
  day.addEventListener('change', () => choose({ day: day.value || addDays(businessDay(), 1) }));
  const period = select(
    [
      ['day', t('team.day')],
      ['week', t('team.week')],
    ],
    { id: 'plans-period' },
  );
  period.value = plansState.period;
  period.addEventListener('change', () => choose({ period: period.value }));
  const team = select(
    teams.map((x) => [String(x.id), x.name]),
    { id: 'plans-team' },
  );
  team.value = plansState.teamId;
  team.addEventListener('change', () => choose({ teamId: team.value }));
  return h(
    'div',
    { class: 'controls' },
    field(t('team.date'), day),
    field(t('team.period'), period),
    teams.length > 1 ? field(t('team.team'), team) : null,
  );
}

// Plan the team, publish its drafts that day, and the reason recorded with every change.
function teamActions(plans) {
  const reason = h('input', { id: 'plans-reason', maxlength: 300, value: plansState.reason });
  reason.addEventListener('input', () => {
    plansState.reason = reason.value;
  });
  const drafts = plans.filter((p) => p.status === 'draft' && p.plan_date === plansState.day);
  const publishAll = h(
    'button',
    { type: 'button', id: 'publish-team', disabled: !drafts.length },
    t('plans.publishTeam', { n: drafts.length }),
  );
  publishAll.addEventListener('click', async () => {
    const v = drafts.flatMap((p) => p.violations || []);
    if (v.length && !confirm(t('plans.confirmViolations', { list: v.join('\n') }))) return;
    publishAll.disabled = true;
    try {
      const r = await publishTeam(plansState.teamId, plansState.day);
      toast(t('plans.publishedTeam', { n: r.published.length }));
      render();
    } catch (err) {
      toast(failure(err));
      publishAll.disabled = false;
    }
  });
  const [start, progress] = jobPanel(plansState.teamId);
  return h(
    'div',
    { class: 'plan-team-actions' },
    h('div', { class: 'row' }, start, plansState.period === 'day' ? publishAll : null),
    field(t('plans.reason'), reason),
    progress,
  );
}

// Reps down, Monday to Sunday across: each rep's stops per day, coloured by status.
function weekGrid(reps, plans, monday) {
  const days = [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(monday, i));
  const byKey = new Map(plans.map((p) => [`${p.rep_id}:${p.plan_date}`, p]));
  const open = (day) => choose({ day, period: 'day' });
  const cell = (rep, day) => {
    const p = byKey.get(`${rep.id}:${day}`);
    const label = p ? `${p.stops.length}` : '–';
    const status = p ? statusOf(p) : 'none';
    const aria = `${rep.full_name}, ${fmtDay(day)}: ${p ? plural('plans.stops', p.stops.length) : t('plans.noPlan')}`;
    return h(
      'td',
      { class: 'num' },
      h(
        'button',
        { type: 'button', class: `cell chip-${status}`, 'aria-label': aria, onclick: () => open(day) },
        label,
      ),
    );
  };
  const legend = h(
    'ul',
    { class: 'legend' },
    ['draft', 'published', 'revised', 'none'].map((s) =>
      h('li', {}, h('span', { class: `pill chip-${s}` }, t(`plans.status.${s}`))),
    ),
  );
  return h(
    'div',
    { class: 'week-wrap' },
    legend,
    h(
      'table',
      { id: 'plans-week', class: 'week' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, t('team.rep')),
          days.map((d) => h('th', { class: 'num' }, fmtDay(d))),
        ),
      ),
      h(
        'tbody',
        {},
        reps.map((r) =>
          h(
            'tr',
            { dataset: { repId: r.id } },
            h('td', {}, r.full_name),
            days.map((d) => cell(r, d)),
          ),
        ),
      ),
    ),
  );
}

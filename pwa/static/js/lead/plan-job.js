// "Plan the team": the planning job for the chosen day or week (drafts replanned, published
// plans kept), its stage, percent and time left while it runs, and its cancellation. The job
// is remembered in plansState, so the panel (its outcome, once finished) comes back when the
// screen is drawn again for the same choices.
import { fmtMinutes, t } from '../i18n.js';
import { ApiError, errorText, request } from '../api.js';
import { render } from '../router.js';
import { h, toast } from '../ui.js';
import { plansState, rangeOf, write } from './plans-data.js';

const POLL_MS = 600;
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

export const failure = (err) => (err instanceof ApiError ? errorText(err.body) : String(err.message || err));

// The button and, while a job runs, its progress panel: [button, panel].
export function jobPanel(teamId) {
  const panel = h('div', { id: 'plan-job', class: 'card job', role: 'status', hidden: !plansState.job });
  const start = h('button', { type: 'button', class: 'primary', id: 'plan-team' }, t('plans.planTeam'));
  start.addEventListener('click', async () => {
    start.disabled = true;
    const [from, to] = rangeOf();
    try {
      const body = { team_id: Number(teamId), date_from: from, date_to: to, replace_drafts: true };
      plansState.job = await write('POST', '/api/planning-jobs', body);
      follow(panel, start);
    } catch (err) {
      toast(failure(err));
      start.disabled = false;
    }
  });
  if (plansState.job && FINISHED.has(plansState.job.status)) drawJob(panel, plansState.job);
  else if (plansState.job) {
    start.disabled = true;
    follow(panel, start);
  }
  return [start, panel];
}

let polling = null;

// Polls the job until it finishes, drawing its state each time; done → the plans drawn anew.
function follow(panel, start) {
  clearTimeout(polling);
  const tick = async () => {
    let job = plansState.job;
    try {
      job = await request('GET', `/api/jobs/${job.id}`);
      plansState.job = job;
    } catch (err) {
      if (err instanceof ApiError) plansState.job = null;
      toast(failure(err));
    }
    if (!panel.isConnected || !plansState.job) return;
    drawJob(panel, job);
    if (!FINISHED.has(job.status)) {
      polling = setTimeout(tick, POLL_MS);
      return;
    }
    start.disabled = false;
    toast(t(`job.finished.${job.status}`));
    if (job.status !== 'failed') render();
  };
  drawJob(panel, plansState.job);
  tick();
}

function drawJob(panel, job) {
  panel.hidden = false;
  const stage = job.stage || job.status;
  const left = job.eta_seconds == null ? t('job.etaUnknown') : fmtMinutes(job.eta_seconds / 60);
  const bar = h('progress', { max: 100, value: job.progress || 0, 'aria-label': t('job.progress') });
  const cancel = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      id: 'job-cancel',
      disabled: Boolean(job.cancel_requested),
      hidden: FINISHED.has(job.status),
    },
    t('job.cancel'),
  );
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      plansState.job = await write('POST', `/api/jobs/${job.id}/cancel`);
    } catch (err) {
      toast(failure(err));
      cancel.disabled = false;
    }
  });
  panel.replaceChildren(
    h('div', { class: 'row' }, h('strong', { class: 'grow', id: 'job-stage' }, t(`job.stage.${stage}`)), cancel),
    bar,
    h(
      'p',
      { class: 'muted', id: 'job-figures' },
      t('job.figures', { pct: job.progress || 0, left }),
      job.error ? h('span', { class: 'bad' }, ` · ${job.error}`) : null,
    ),
  );
  panel.dataset.status = job.status;
}

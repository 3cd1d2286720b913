// The planning workbench's choices (day or week, team) and its calls to the plans, jobs, teams
// and users API. Every write carries its own Idempotency-Key, so that a retried request is
// applied once; a refusal comes back as the ApiError of api.js, with the server's message.
import { getAllPages, getJSON, request, session } from '../api.js';
import { addDays, businessDay, weekdayOf } from '../clock.js';
import { uuid } from '../outbox.js';

// `day` defaults to tomorrow: plans are made the day before.
export const plansState = { day: addDays(businessDay(), 1), period: 'day', teamId: '', job: null, reason: '' };

export const canPlan = () => ['supervisor', 'admin'].includes(session.user.role);

// The chosen day, or Monday to Sunday of its week.
export function rangeOf() {
  if (plansState.period === 'day') return [plansState.day, plansState.day];
  const monday = addDays(plansState.day, -weekdayOf(plansState.day));
  return [monday, addDays(monday, 6)];
}

export function write(method, url, json) {
  return request(method, url, { json, headers: { 'Idempotency-Key': uuid() } });
}

// The reason typed for the changes, if any: recorded in each plan's revision history.
export const withReason = (body = {}) =>
  plansState.reason.trim() ? { ...body, reason: plansState.reason.trim() } : body;

export async function teamsInScope() {
  return (await getJSON('/api/teams')).data;
}

// The team's active reps (by name) and their plans in the range.
export async function teamPlans(teamId, from, to) {
  const [reps, plans] = await Promise.all([
    getAllPages(`/api/users?role=rep&active=true&team_id=${teamId}`),
    getAllPages(`/api/plans?team_id=${teamId}&date_from=${from}&date_to=${to}`),
  ]);
  const sorted = reps.items.sort((a, b) => a.full_name.localeCompare(b.full_name));
  return { reps: sorted, plans: plans.items };
}

// The store list a PUT sends back: every stop in order, with its lock.
export const stopsBody = (stops) => stops.map((s) => ({ store_id: s.store_id, locked: Boolean(s.locked) }));

export const editPlan = (plan, stops) => write('PUT', `/api/plans/${plan.id}`, withReason({ stops: stopsBody(stops) }));
export const optimisePlan = (plan) => write('POST', `/api/plans/${plan.id}/optimise`, withReason());
export const publishPlan = (plan) => write('POST', `/api/plans/${plan.id}/publish`, withReason());
export const publishTeam = (teamId, day) =>
  write('POST', '/api/plans/publish', { team_id: Number(teamId), plan_date: day });
export const moveStop = (plan, storeId, toPlanId) =>
  write('POST', `/api/plans/${plan.id}/move`, withReason({ store_id: storeId, to_plan_id: toPlanId }));

export async function candidates(plan, q) {
  const query = new URLSearchParams({ q, per_page: '20' });
  return (await getJSON(`/api/plans/${plan.id}/candidates?${query}`)).data.items;
}

// The business clock: plan dates, visit days and store hours are kept in the organisation's
// time zone (GET /api/settings), never the phone's, so a rep or a supervisor in another zone
// sees the same "today" as the server. Kept in IndexedDB for offline days.
import { meta } from './db.js';

export const business = { timezone: 'UTC', currency: 'JPY', workingDays: [0, 1, 2, 3, 4] };

function apply(s) {
  if (!s) return;
  business.timezone = s.timezone;
  business.currency = s.currency;
  business.workingDays = s.working_days;
}

// The settings kept on the phone (at boot, before the network answers).
export async function restoreBusiness() {
  apply(await meta.get('business'));
}

// Fresh settings from the server, remembered for offline use; `getJSON` is the API client's.
export async function refreshBusiness(getJSON) {
  const { data } = await getJSON('/api/settings');
  apply(data);
  await meta.set('business', data);
}

const parts = (d) =>
  Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: business.timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );

// The business day of an instant, "YYYY-MM-DD".
export function businessDay(d = new Date()) {
  const p = parts(d);
  return `${p.year}-${p.month}-${p.day}`;
}

// Monday = 0, as the API counts weekdays; of a "YYYY-MM-DD" day (calendar arithmetic in UTC).
export function weekdayOf(day) {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}

export function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

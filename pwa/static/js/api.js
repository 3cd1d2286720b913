// The API client. GETs are network-first with IndexedDB as the offline copy (never Cache
// Storage: answers carry the signed-in user's data). Writes of visits go through the outbox.
import { get, clear, signedIn, tx, done } from './db.js';
import { reached, wipeLocal, notice } from './wipe.js';
import { t, known } from './i18n.js';
import { authorisedFetch } from './http.js';

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export const session = { token: null, user: null };

export async function loadSession() {
  Object.assign(session, await signedIn.read());
  return session;
}

async function startSession(data) {
  session.token = data.token;
  session.user = data.user;
  await signedIn.save(data.token, data.user);
}

// A refusal in the screen's language: its reason with the server's figures, and the fields it
// names. Where no translation is loaded (the service worker), the server's English sentence.
export function errorText(body) {
  if (!body) return '';
  if (!known(`error.${body.reason}`)) return englishErrorText(body);
  const fields = new Set();
  const walk = (obj, name) => {
    if (Array.isArray(obj) && obj.every((x) => typeof x === 'string')) fields.add(name);
    else if (obj && typeof obj === 'object') {
      for (const [k, v] of Object.entries(obj)) walk(v, /^\d+$/.test(k) ? name : k);
    }
  };
  for (const where of Object.values(body.errors || {})) walk(where, '');
  const text = t(`error.${body.reason}`, body.params || {});
  const named = [...fields].filter(Boolean).map((f) => (known(`field.${f}`) ? t(`field.${f}`) : f));
  return named.length ? `${text} ${t('error.fields', { fields: named.join(', ') })}` : text;
}

function englishErrorText(body) {
  const parts = [body.message || ''];
  const walk = (obj, path) => {
    if (Array.isArray(obj)) {
      if (obj.every((x) => typeof x === 'string')) parts.push(`${path}: ${obj.join(' ')}`);
      else obj.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (obj && typeof obj === 'object') {
      for (const [k, v] of Object.entries(obj)) walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(body.errors, '');
  return parts.filter(Boolean).join(' — ');
}

export async function request(method, url, { json, form, headers = {}, signal } = {}) {
  const sent = { ...headers };
  let body;
  if (json !== undefined) {
    sent['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  if (form) body = form;
  const res = await authorisedFetch(url, { token: session.token, method, headers: sent, body, signal });
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('json')) data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  reached();
  return data;
}

// A file the API serves only with the token (a photo, a report export), as a blob: URL that
// the caller lets go once it is used.
export async function blobURL(url) {
  const res = await authorisedFetch(url, { token: session.token, headers: { Accept: '*/*' } });
  if (!res.ok) throw new ApiError(res.status, null);
  reached();
  return URL.createObjectURL(await res.blob());
}

const cacheKey = (url) => `${session.user ? session.user.id : 0}:${url}`;

// Keep an answer offline only while the session that asked for it is still the stored one:
// an answer arriving after a sign-out or a wipe (which cleared the cache) is not written back.
function keepAnswer(token, key, entry) {
  return tx(['meta', 'cache'], 'readwrite', async (m, c) => {
    if (token && (await done(m.get('token'))) === token) await done(c.put(entry, key));
  });
}

// Network first; on a network failure (or 5xx) the last good answer from IndexedDB, marked
// `fromCache`. 4xx answers are real answers and are thrown.
export async function getJSON(url, { timeout = 8000 } = {}) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeout);
  try {
    const token = session.token;
    const key = cacheKey(url);
    const data = await request('GET', url, { signal: ctl.signal });
    await keepAnswer(token, key, { url, data, at: new Date().toISOString() });
    return { data, fromCache: false };
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) throw err;
    const hit = await get('cache', cacheKey(url));
    if (hit) return { data: hit.data, fromCache: true, at: hit.at };
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

// Signing in starts with no offline answers: none of an earlier user's can be shown.
export async function login(username, password) {
  const data = await request('POST', '/api/auth/login', { json: { username, password } });
  await clear('cache');
  await notice.clear();
  await startSession(data);
  return data.user;
}

// The own password changed: every token of the user is revoked, the answer's fresh one kept.
export async function changePassword(current, next) {
  await startSession(
    await request('POST', '/api/auth/password', { json: { current_password: current, new_password: next } }),
  );
}

// Sign out here (the token revoked when online) or, `everywhere`, on every device (which needs
// the network: it throws without). The phone's data of its users goes (wipe.js); the unsent
// outbox items stay, set aside for their owner's next sign-in (signOut warned of them first).
export async function logout({ everywhere = false } = {}) {
  if (everywhere) await request('POST', '/api/auth/logout-all');
  else {
    try {
      if (navigator.onLine) await request('POST', '/api/auth/logout');
    } catch {
      /* offline, or the token is already revoked */
    }
  }
  session.token = null;
  session.user = null;
  await wipeLocal();
}

// Every page of a paged list ({items, meta: {pages}}), network-first page by page, to the last
// page the server reports: each page says again how many there are (rows come and go while
// the pages are read), and an empty page is the end. {items}
export async function getAllPages(url, perPage = 100) {
  const sep = url.includes('?') ? '&' : '?';
  const items = [];
  for (let p = 1, pages = 1; p <= pages; p += 1) {
    const { data } = await getJSON(`${url}${sep}per_page=${perPage}&page=${p}`);
    if (!data.items.length) break;
    items.push(...data.items);
    pages = data.meta.pages;
  }
  return { items };
}

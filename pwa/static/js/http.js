// The one way an authorised request leaves the app, from the page (api.js) or the service
// worker (outbox.js): the bearer token, JSON answers asked for, and no cookies (the token is
// the only credential, so no other site's page can make the browser send it).
export function authorisedFetch(url, { token, method = 'GET', headers = {}, body, signal } = {}) {
  const all = { Accept: 'application/json', ...headers };
  if (token) all.Authorization = `Bearer ${token}`;
  return fetch(url, { method, headers: all, body, signal, credentials: 'omit' });
}

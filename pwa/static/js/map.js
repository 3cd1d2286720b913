// Route maps: the organisation's tiles (MAP_TILE_URL, OpenStreetMap's by default) through the
// vendored Leaflet when the tiles answer, else the route drawn as SVG from lat/lng (works
// offline, no tiles needed). A route follows the streets where its legs carry road geometry
// (from the plan, kept offline with it), else goes straight.
import { meta } from './db.js';
import { decode } from './polyline.js';

const NS = 'http://www.w3.org/2000/svg';
// Road geometry comes from OpenStreetMap data (ODbL): shown with it, on tiles and on SVG alike.
export const OSM_CREDIT = '© OpenStreetMap contributors';
const OSM_TILES = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
const probed = new Map();
let leaflet = null;

// The tile server and its credit from GET /api/settings (kept with the business settings,
// clock.js, so they hold offline too); OpenStreetMap's until the first answer.
export async function tileSettings() {
  const s = (await meta.get('business').catch(() => null)) || {};
  return { url: s.map_tile_url || OSM_TILES, credit: s.map_tile_attribution ?? OSM_CREDIT };
}

// Leaflet puts a layer's attribution in the page as HTML: the configured credit goes in as text.
const html = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// One tile of the template (Tokyo at zoom 12), as Leaflet would ask for it.
const sampleTile = (url) =>
  url
    .replace('{s}', 'a')
    .replace('{z}', '12')
    .replace('{x}', '3638')
    .replace('{-y}', String(2 ** 12 - 1 - 1613))
    .replace('{y}', '1613')
    .replace('{r}', '');

// Whether the tile server answers, asked once per page and server.
function probeTiles(url) {
  if (!navigator.onLine) return Promise.resolve(false);
  if (!probed.has(url))
    probed.set(
      url,
      new Promise((resolve) => {
        const img = new Image();
        const timer = setTimeout(() => resolve(false), 2500);
        img.onload = () => {
          clearTimeout(timer);
          resolve(true);
        };
        img.onerror = () => {
          clearTimeout(timer);
          resolve(false);
        };
        img.src = sampleTile(url);
      }),
    );
  return probed.get(url);
}

function loadLeaflet() {
  if (leaflet) return leaflet;
  leaflet = new Promise((resolve, reject) => {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = '/app/vendor/leaflet/leaflet.css';
    document.head.append(css);
    const s = document.createElement('script');
    s.src = '/app/vendor/leaflet/leaflet.js';
    s.onload = () => resolve(self.L);
    s.onerror = reject;
    document.head.append(s);
  });
  return leaflet;
}

const ROUTE = '#0d47a1';
const legs = new Map();

// A leg's polyline6 decoded once (a workbench redraws every route on each change); a
// malformed one is null, so that leg is drawn straight.
function legPath(text) {
  if (!text) return null;
  if (!legs.has(text)) {
    if (legs.size > 2000) legs.clear();
    let path = null;
    try {
      path = decode(text);
    } catch {
      /* drawn straight */
    }
    legs.set(text, path && path.length > 1 ? path : null);
  }
  return legs.get(text);
}

// A route as drawn, from its stops in order ({lat, lng, geometry, access}) and the way back
// home (`back`, polyline6): each stop's leg from the one before (from home for the first) along
// the streets where it has geometry, else straight from the previous stop. Answers {path:
// [[lat, lng]], roads: whether any leg follows streets, access: [[road point, store]] for the
// stops the road reaches only at a point away from the store}.
export function routeLine(stops, back = null) {
  const path = [];
  const access = [];
  let roads = false;
  for (const s of stops) {
    const leg = legPath(s.geometry);
    if (leg) for (const p of leg) path.push(p);
    else path.push([s.lat, s.lng]);
    roads ||= Boolean(leg);
    if (s.access)
      access.push([
        [s.access.lat, s.access.lng],
        [s.lat, s.lng],
      ]);
  }
  const home = legPath(back);
  if (home) for (const p of home) path.push(p);
  return { path, access, roads: roads || Boolean(home) };
}

// The route on a Leaflet layer (or map): the line, and a short dashed one from a road point
// to its store. Not interactive: the stops' markers are what a finger or pointer reaches.
export function leafletRoute(L, layer, line, color) {
  const options = { color, interactive: false, attribution: line.roads ? OSM_CREDIT : undefined };
  if (line.path.length > 1) L.polyline(line.path, { ...options, weight: 4, className: 'route' }).addTo(layer);
  for (const a of line.access)
    L.polyline(a, { ...options, weight: 3, dashArray: '3 5', className: 'access' }).addTo(layer);
}

// The same on an SVG drawing (px: lat/lng → [x, y]), with the credit when it follows streets.
export function svgRoute(svg, px, line, attrs) {
  const at = (p) => px({ lat: p[0], lng: p[1] }).join(',');
  if (line.path.length > 1) {
    const points = line.path.map(at).join(' ');
    node('polyline', { points, fill: 'none', 'stroke-linejoin': 'round', class: 'route', ...attrs }, svg);
  }
  for (const a of line.access) {
    const [[x1, y1], [x2, y2]] = a.map((p) => px({ lat: p[0], lng: p[1] }));
    node('line', { x1, y1, x2, y2, 'stroke-dasharray': '3 4', class: 'access', ...attrs }, svg);
  }
}

// The OpenStreetMap credit under an SVG drawing of street geometry (Leaflet shows its own).
export function svgCredit(el, line) {
  if (line.roads)
    el.append(Object.assign(document.createElement('small'), { className: 'map-credit', textContent: OSM_CREDIT }));
}

// Every point a route line passes through, as {lat, lng}, for fitting a drawing to them.
export const linePoints = (line) => line.path.map(([lat, lng]) => ({ lat, lng }));

// Leaflet reads a string tooltip or popup as HTML: names (a store's, a user's) go in as text.
export const asText = (text) => document.createTextNode(String(text));

// A Leaflet map on the configured tiles in `el` (emptied first): {L, map}, or null when the
// tiles do not answer or `el` left the page meanwhile. Throws when Leaflet does not load.
export async function tileMap(el) {
  const tiles = await tileSettings();
  if (!(await probeTiles(tiles.url))) return null;
  const L = await loadLeaflet();
  if (!el.isConnected) return null;
  el.textContent = '';
  const map = L.map(el, { zoomControl: true, attributionControl: true });
  L.tileLayer(tiles.url, { maxZoom: 19, attribution: html(tiles.credit) }).addTo(map);
  return { L, map };
}

// points: [{lat, lng, label, done, kind, geometry, access}] in route order; `here`: {lat, lng}
// or null; `back`: the polyline6 of the way home. data-travel says how the route was drawn.
export async function renderMap(el, points, { here = null, route = true, back = null, title = '' } = {}) {
  el.classList.add('map');
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', title || `Map of ${points.length} stops`);
  const line = route ? routeLine(points, back) : { path: [], access: [], roads: false };
  el.dataset.travel = line.roads ? 'roads' : 'straight';
  drawSvg(el, points, { here, line });
  if (!points.length) return 'svg';
  try {
    const tiles = await tileMap(el);
    if (!tiles) return 'svg';
    const { L, map } = tiles;
    const ll = points.map((p) => [p.lat, p.lng]);
    leafletRoute(L, map, line, ROUTE);
    points.forEach((p, i) => {
      L.circleMarker([p.lat, p.lng], {
        radius: 9,
        color: '#fff',
        weight: 2,
        fillOpacity: 1,
        fillColor: p.done ? '#1b5e20' : p.kind === 'flag' ? '#b71c1c' : ROUTE,
      })
        .bindTooltip(asText(p.label || i + 1))
        .addTo(map);
    });
    if (here) L.circleMarker([here.lat, here.lng], { radius: 7, color: '#ffab00', fillOpacity: 1 }).addTo(map);
    const all = [...ll, ...line.path, ...(here ? [[here.lat, here.lng]] : [])];
    map.fitBounds(L.latLngBounds(all), { padding: [20, 20] });
    return 'tiles';
  } catch {
    drawSvg(el, points, { here, line });
    return 'svg';
  }
}

export function svgNode(name, attrs, parent) {
  const n = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (parent) parent.append(n);
  return n;
}
const node = svgNode;

// An SVG drawing in `el` fitted to the points `all` ({lat, lng}), with a light grid of ~1 km so
// that distances can be judged: {svg, px}, where px(p) answers [x, y] in the drawing.
export function svgFrame(el, all, { W = 360, H = 260, pad = 24 } = {}) {
  el.textContent = '';
  const svg = node('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'xMidYMid meet' }, el);
  if (!all.length) return { svg, px: () => [W / 2, H / 2] };
  const lat0 = all.reduce((a, p) => a + p.lat, 0) / all.length;
  const kx = Math.cos((lat0 * Math.PI) / 180);
  // Loops, not Math.min(...xs): a day's street geometry can be tens of thousands of points.
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of all) {
    const x = p.lng * kx;
    [minX, maxX, minY, maxY] = [Math.min(minX, x), Math.max(maxX, x), Math.min(minY, p.lat), Math.max(maxY, p.lat)];
  }
  const span = Math.max(maxX - minX, maxY - minY, 1e-4);
  const s = Math.min(
    (W - 2 * pad) / Math.max(maxX - minX, span * 0.2),
    (H - 2 * pad) / Math.max(maxY - minY, span * 0.2),
  );
  const ox = (W - (maxX - minX) * s) / 2;
  const oy = (H - (maxY - minY) * s) / 2;
  const px = (p) => [ox + (p.lng * kx - minX) * s, H - (oy + (p.lat - minY) * s)];
  const km = (1 / 111) * s;
  for (let x = ox % km; x < W && km > 8; x += km) node('line', { x1: x, y1: 0, x2: x, y2: H, stroke: '#d5dde8' }, svg);
  for (let y = oy % km; y < H && km > 8; y += km) node('line', { x1: 0, y1: y, x2: W, y2: y, stroke: '#d5dde8' }, svg);
  return { svg, px };
}

// line: routeLine()'s answer (none: no route line).
export function drawSvg(el, points, { here = null, line = null } = {}) {
  const { svg, px } = svgFrame(el, [...points, ...(line ? linePoints(line) : []), ...(here ? [here] : [])]);
  if (!points.length && !here) return svg;
  if (line) {
    svgRoute(svg, px, line, { stroke: ROUTE, 'stroke-width': 3 });
    svgCredit(el, line);
  }
  points.forEach((p, i) => {
    const [x, y] = px(p);
    const g = node('g', {}, svg);
    node(
      'circle',
      {
        cx: x,
        cy: y,
        r: 10,
        fill: p.done ? '#1b5e20' : p.kind === 'flag' ? '#b71c1c' : ROUTE,
        stroke: '#fff',
        'stroke-width': 2,
      },
      g,
    );
    const txt = node(
      'text',
      { x, y: y + 4, 'text-anchor': 'middle', 'font-size': 10, fill: '#fff', 'font-weight': 700 },
      g,
    );
    txt.textContent = p.short ?? String(i + 1);
    const tt = node('title', {}, g);
    tt.textContent = p.label || '';
  });
  if (here) {
    const [x, y] = px(here);
    node('circle', { cx: x, cy: y, r: 7, fill: '#ffab00', stroke: '#000', 'stroke-width': 1 }, svg);
  }
  return svg;
}

// Route maps: OpenStreetMap tiles through the vendored Leaflet when the tiles answer, else the
// route drawn as SVG from lat/lng (works offline, no tiles needed).
const TILE = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
const NS = 'http://www.w3.org/2000/svg';
let tilesOk = null;
let leaflet = null;

function probeTiles() {
  if (!navigator.onLine) return Promise.resolve(false);
  if (tilesOk !== null) return Promise.resolve(tilesOk);
  return new Promise((resolve) => {
    const img = new Image();
    const timer = setTimeout(() => {
      tilesOk = false;
      resolve(false);
    }, 2500);
    img.onload = () => {
      clearTimeout(timer);
      tilesOk = true;
      resolve(true);
    };
    img.onerror = () => {
      clearTimeout(timer);
      tilesOk = false;
      resolve(false);
    };
    img.src = TILE.replace('{z}', '12').replace('{x}', '3638').replace('{y}', '1613');
  });
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

// Leaflet reads a string tooltip or popup as HTML: names (a store's, a user's) go in as text.
export const asText = (text) => document.createTextNode(String(text));

// A Leaflet map on OpenStreetMap tiles in `el` (emptied first): {L, map}, or null when the
// tiles do not answer or `el` left the page meanwhile. Throws when Leaflet does not load.
export async function tileMap(el) {
  if (!(await probeTiles())) return null;
  const L = await loadLeaflet();
  if (!el.isConnected) return null;
  el.textContent = '';
  const map = L.map(el, { zoomControl: true, attributionControl: true });
  L.tileLayer(TILE, { maxZoom: 19, attribution: '© OpenStreetMap contributors' }).addTo(map);
  return { L, map };
}

// points: [{lat, lng, label, done, kind}] in route order; `here`: {lat, lng} or null.
export async function renderMap(el, points, { here = null, route = true, title = '' } = {}) {
  el.classList.add('map');
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', title || `Map of ${points.length} stops`);
  drawSvg(el, points, { here, route });
  if (!points.length) return 'svg';
  try {
    const tiles = await tileMap(el);
    if (!tiles) return 'svg';
    const { L, map } = tiles;
    const ll = points.map((p) => [p.lat, p.lng]);
    if (route && ll.length > 1) L.polyline(ll, { color: '#0d47a1', weight: 4 }).addTo(map);
    points.forEach((p, i) => {
      L.circleMarker([p.lat, p.lng], {
        radius: 9,
        color: '#fff',
        weight: 2,
        fillOpacity: 1,
        fillColor: p.done ? '#1b5e20' : p.kind === 'flag' ? '#b71c1c' : '#0d47a1',
      })
        .bindTooltip(asText(p.label || i + 1))
        .addTo(map);
    });
    if (here) L.circleMarker([here.lat, here.lng], { radius: 7, color: '#ffab00', fillOpacity: 1 }).addTo(map);
    map.fitBounds(L.latLngBounds(here ? [...ll, [here.lat, here.lng]] : ll), { padding: [20, 20] });
    return 'tiles';
  } catch {
    drawSvg(el, points, { here, route });
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
  const xs = all.map((p) => p.lng * kx);
  const ys = all.map((p) => p.lat);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const minY = Math.min(...ys);
  const maxY = Math.max(...ys);
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

export function drawSvg(el, points, { here = null, route = true } = {}) {
  const { svg, px } = svgFrame(el, here ? [...points, here] : points);
  if (!points.length && !here) return svg;
  if (route && points.length > 1) {
    node(
      'polyline',
      {
        points: points.map((p) => px(p).join(',')).join(' '),
        fill: 'none',
        stroke: '#0d47a1',
        'stroke-width': 3,
        'stroke-linejoin': 'round',
      },
      svg,
    );
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
        fill: p.done ? '#1b5e20' : p.kind === 'flag' ? '#b71c1c' : '#0d47a1',
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

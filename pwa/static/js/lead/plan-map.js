// The team's routes on one map: a colour per rep, numbered stops in order, the route line, and
// the dropped stores (a red cross, their reason in the tooltip). Leaflet on OpenStreetMap tiles
// when they answer, else SVG (offline, or no internet): the same marks, titles and clicks.
import { svgFrame, svgNode, tileMap } from '../map.js';

export const COLOURS = ['#0d47a1', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f', '#ad1457', '#4e342e'];
const DROPPED = '#b71c1c';

// routes: [{key, color, stops: [{lat, lng, short, label, id}]}]; dropped: [{lat, lng, label}];
// onPick(key, id) when a stop is clicked. Answers 'tiles' or 'svg'.
export function drawPlans(el, routes, dropped, { onPick = () => {}, title = '' } = {}) {
  el.classList.add('map', 'plan-map');
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', title);
  const drawn = el.leafletDraw ? el.leafletDraw(routes, dropped) : drawSvgPlans(el, routes, dropped, onPick);
  el.dataset.markers = String(routes.reduce((n, r) => n + r.stops.length, 0));
  el.dataset.lines = String(routes.filter((r) => r.stops.length > 1).length);
  el.dataset.dropped = String(dropped.length);
  return drawn;
}

// Once: switch to tiles if they load; later redraws reuse the Leaflet map and its view.
export async function upgradeToTiles(el, routes, dropped, onPick) {
  const all = [...routes.flatMap((r) => r.stops), ...dropped];
  if (!all.length || el.leafletDraw) return 'svg';
  try {
    const tiles = await tileMap(el);
    if (!tiles) return 'svg';
    const { L, map } = tiles;
    const layer = L.layerGroup().addTo(map);
    el.leafletDraw = (rs, ds) => {
      layer.clearLayers();
      drawLeaflet(L, layer, rs, ds, onPick);
      return 'tiles';
    };
    el.leafletDraw(routes, dropped);
    map.fitBounds(L.latLngBounds(all.map((p) => [p.lat, p.lng])), { padding: [20, 20] });
    el.dataset.mode = 'tiles';
    return 'tiles';
  } catch {
    return 'svg';
  }
}

function drawLeaflet(L, layer, routes, dropped, onPick) {
  for (const r of routes) {
    if (r.stops.length > 1)
      L.polyline(
        r.stops.map((p) => [p.lat, p.lng]),
        { color: r.color, weight: 4 },
      ).addTo(layer);
    for (const p of r.stops) {
      const icon = L.divIcon({ className: 'plan-pin', html: '', iconSize: [22, 22] });
      const m = L.marker([p.lat, p.lng], { icon, title: p.label });
      m.on('add', () => {
        const pin = m.getElement();
        pin.style.background = r.color;
        pin.textContent = p.short;
      });
      m.on('click', () => onPick(r.key, p.id));
      m.addTo(layer);
    }
  }
  for (const d of dropped) {
    L.circleMarker([d.lat, d.lng], { radius: 7, color: DROPPED, weight: 3, fillOpacity: 0 })
      .bindTooltip(d.label)
      .addTo(layer);
  }
}

function drawSvgPlans(el, routes, dropped, onPick) {
  const all = [...routes.flatMap((r) => r.stops), ...dropped];
  const { svg, px } = svgFrame(el, all, { W: 480, H: 360, pad: 20 });
  el.dataset.mode = 'svg';
  for (const r of routes) {
    if (r.stops.length < 2) continue;
    const points = r.stops.map((p) => px(p).join(',')).join(' ');
    const line = { points, fill: 'none', stroke: r.color, 'stroke-width': 2.5, 'stroke-linejoin': 'round' };
    svgNode('polyline', { ...line, class: 'route', 'data-route': r.key }, svg);
  }
  for (const d of dropped) {
    const [x, y] = px(d);
    const g = svgNode('g', { class: 'dropped' }, svg);
    const cross = { stroke: DROPPED, 'stroke-width': 3, 'stroke-linecap': 'round' };
    svgNode('line', { x1: x - 6, y1: y - 6, x2: x + 6, y2: y + 6, ...cross }, g);
    svgNode('line', { x1: x - 6, y1: y + 6, x2: x + 6, y2: y - 6, ...cross }, g);
    svgNode('title', {}, g).textContent = d.label;
  }
  for (const r of routes) {
    for (const p of r.stops) {
      const [x, y] = px(p);
      const g = svgNode('g', { class: 'stop-pin', 'data-route': r.key, tabindex: 0 }, svg);
      svgNode('circle', { cx: x, cy: y, r: 8, fill: r.color, stroke: '#fff', 'stroke-width': 1.5 }, g);
      const text = { x, y: y + 3.5, 'text-anchor': 'middle', 'font-size': 9, fill: '#fff', 'font-weight': 700 };
      svgNode('text', text, g).textContent = p.short;
      svgNode('title', {}, g).textContent = p.label;
      g.addEventListener('click', () => onPick(r.key, p.id));
    }
  }
  return 'svg';
}

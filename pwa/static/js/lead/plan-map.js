// The team's routes on one map: a colour per rep, numbered stops in order, the route line (along
// the streets where the plan has road geometry, else straight), and the dropped stores (a red
// cross, their reason in the tooltip). Leaflet on OpenStreetMap tiles when they answer, else SVG
// (offline, or no internet): the same marks, titles and clicks.
import { t } from '../i18n.js';
import {
  asText,
  leafletRoute,
  linePoints,
  routeLine,
  svgCredit,
  svgFrame,
  svgNode,
  svgRoute,
  tileMap,
} from '../map.js';
import { h } from '../ui.js';

export const COLOURS = ['#0d47a1', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f', '#ad1457', '#4e342e'];
const DROPPED = '#b71c1c';
const SVG_W = 480;
const SVG_H = 360;

// routes: [{key, color, back, stops: [{lat, lng, short, label, id, geometry, access}]}] (back:
// the way home, polyline6); dropped: [{lat, lng, label}]; onPick(key, id) when a stop is
// clicked. Answers 'tiles' or 'svg'; data-lines counts the routes drawn, data-roads those on
// streets.
export function drawPlans(el, routes, dropped, { onPick = () => {}, title = '' } = {}) {
  el.classList.add('map', 'plan-map');
  el.setAttribute('role', 'region');
  el.setAttribute('aria-label', title);
  const lines = new Map(routes.map((r) => [r.key, routeLine(r.stops, r.back)]));
  const drawn = el.leafletDraw
    ? el.leafletDraw(routes, dropped, lines)
    : drawSvgPlans(el, routes, dropped, lines, onPick);
  const drawnLines = [...lines.values()].filter((l) => l.path.length > 1);
  el.dataset.markers = String(routes.reduce((n, r) => n + r.stops.length, 0));
  el.dataset.lines = String(drawnLines.length);
  el.dataset.roads = String(drawnLines.filter((l) => l.roads).length);
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
    el.leafletDraw = (rs, ds, lines) => {
      layer.clearLayers();
      drawLeaflet(L, layer, rs, ds, lines, onPick);
      return 'tiles';
    };
    const lines = new Map(routes.map((r) => [r.key, routeLine(r.stops, r.back)]));
    el.leafletDraw(routes, dropped, lines);
    const paths = [...lines.values()].flatMap((l) => l.path);
    map.fitBounds(L.latLngBounds([...all.map((p) => [p.lat, p.lng]), ...paths]), { padding: [20, 20] });
    el.dataset.mode = 'tiles';
    return 'tiles';
  } catch {
    return 'svg';
  }
}

function drawLeaflet(L, layer, routes, dropped, lines, onPick) {
  for (const r of routes) {
    leafletRoute(L, layer, lines.get(r.key), r.color);
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
      .bindTooltip(asText(d.label))
      .addTo(layer);
  }
}

function drawSvgPlans(el, routes, dropped, lines, onPick) {
  const all = [...routes.flatMap((r) => r.stops), ...[...lines.values()].flatMap(linePoints), ...dropped];
  const { svg, px } = svgFrame(el, all, { W: SVG_W, H: SVG_H, pad: 20 });
  el.dataset.mode = 'svg';
  zoomable(el, svg);
  for (const r of routes)
    svgRoute(svg, px, lines.get(r.key), { stroke: r.color, 'stroke-width': 2.5, 'data-route': r.key });
  const onRoads = [...lines.values()].find((l) => l.roads);
  if (onRoads) svgCredit(el, onRoads);
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

// Zoom (the wheel, + and −) and pan (a mouse drag) through the viewBox, kept across redraws;
// on a touch screen the page scrolls as usual and the buttons zoom.
function zoomable(el, svg) {
  const view = el.svgView || (el.svgView = { x: 0, y: 0, w: SVG_W, h: SVG_H });
  const apply = () => svg.setAttribute('viewBox', `${view.x} ${view.y} ${view.w} ${view.h}`);
  const scale = () => view.w / (svg.clientWidth || SVG_W);
  const zoom = (k, cx = view.x + view.w / 2, cy = view.y + view.h / 2) => {
    const w = Math.min(SVG_W, Math.max(SVG_W / 16, view.w * k));
    const f = w / view.w;
    Object.assign(view, { x: cx - (cx - view.x) * f, y: cy - (cy - view.y) * f, w, h: (w * SVG_H) / SVG_W });
    apply();
  };
  apply();
  svg.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const r = svg.getBoundingClientRect();
      zoom(e.deltaY > 0 ? 1.25 : 0.8, view.x + (e.clientX - r.left) * scale(), view.y + (e.clientY - r.top) * scale());
    },
    { passive: false },
  );
  let drag = null;
  svg.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse') drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
  });
  svg.addEventListener('pointermove', (e) => {
    if (!drag) return;
    Object.assign(view, { x: drag.vx - (e.clientX - drag.x) * scale(), y: drag.vy - (e.clientY - drag.y) * scale() });
    apply();
  });
  const stop = () => {
    drag = null;
  };
  svg.addEventListener('pointerup', stop);
  svg.addEventListener('pointerleave', stop);
  const button = (text, label, onclick) => h('button', { type: 'button', 'aria-label': label, onclick }, text);
  el.append(
    h(
      'div',
      { class: 'zoom' },
      button('+', t('plans.zoomIn'), () => zoom(0.7)),
      button('−', t('plans.zoomOut'), () => zoom(1 / 0.7)),
    ),
  );
}

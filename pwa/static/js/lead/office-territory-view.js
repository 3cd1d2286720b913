// Territory assignment on the map: every active store a marker in its rep's colour (OpenStreetMap
// tiles through Leaflet when they load, else an SVG map with the same interactions), chosen by
// filter, by a click or by drawing an area around them; then a rep, each affected rep's stores
// and weekly visits before → after (the API's dry run), and the reassignment once confirmed.
import { t, plural } from '../i18n.js';
import { getAllPages, request } from '../api.js';
import { asText, svgFrame, svgNode, tileMap } from '../map.js';
import { h, field, select, toast } from '../ui.js';
import { table } from './lead-ui.js';
import { COLOURS } from './plan-map.js';
import { canMaintain, failed, officeScreen, options, reps, storeFilterFields } from './office-ui.js';

const PICKED = '#ff6f00';
const NO_REP = '#9e9e9e';

// Ray casting: whether the point [x, y] lies inside the polygon [[x, y], …].
export function inside([x, y], polygon) {
  let result = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i, i += 1) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) result = !result;
  }
  return result;
}

// The SVG map: {toClient(store) → [x, y] on screen, paint(store, colour, picked)}.
function svgMarkers(el, stores, onPick) {
  const { svg, px } = svgFrame(el, stores, { W: el.clientWidth, H: el.clientHeight, pad: 16 });
  const dots = new Map();
  for (const s of stores) {
    const [cx, cy] = px(s);
    const dot = svgNode('circle', { cx, cy, r: 7, stroke: '#fff', 'stroke-width': 1.5, 'data-store-id': s.id }, svg);
    svgNode('title', {}, dot).textContent = `${s.code} ${s.name}`;
    dot.addEventListener('click', () => onPick(s.id));
    dots.set(s.id, dot);
  }
  return {
    toClient(s) {
      const m = svg.getScreenCTM();
      const [x, y] = px(s);
      return [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
    },
    paint(s, colour, picked) {
      const dot = dots.get(s.id);
      dot.setAttribute('fill', picked ? PICKED : colour);
      dot.setAttribute('r', picked ? 9 : 7);
      dot.setAttribute('stroke', picked ? '#000' : '#fff');
      dot.classList.toggle('picked', picked);
    },
  };
}

// The same on Leaflet, or null when the tiles do not load.
async function tileMarkers(el, stores, onPick) {
  const tiles = await tileMap(el).catch(() => null);
  if (!tiles) return null;
  const { L, map } = tiles;
  const dots = new Map(
    stores.map((s) => {
      const dot = L.circleMarker([s.lat, s.lng], { radius: 7, weight: 1.5, fillOpacity: 1 })
        .bindTooltip(asText(`${s.code} ${s.name}`))
        .on('click', () => onPick(s.id))
        .addTo(map);
      return [s.id, dot];
    }),
  );
  map.fitBounds(L.latLngBounds(stores.map((s) => [s.lat, s.lng])), { padding: [16, 16] });
  el.dataset.mode = 'tiles';
  return {
    toClient(s) {
      const p = map.latLngToContainerPoint([s.lat, s.lng]);
      const box = el.getBoundingClientRect();
      return [box.left + p.x, box.top + p.y];
    },
    paint(s, colour, picked) {
      dots
        .get(s.id)
        .setStyle({ fillColor: picked ? PICKED : colour, color: picked ? '#000' : '#fff' })
        .setRadius(picked ? 9 : 7);
    },
  };
}

// A layer over the map that, while drawing, turns a pointer's path into a polygon (screen
// coordinates) and hands it to `done`.
function drawLayer(done) {
  const layer = svgNode('svg', { class: 'draw-layer', 'aria-hidden': 'true' });
  let path = null;
  let line = null;
  layer.addEventListener('pointerdown', (e) => {
    layer.setPointerCapture(e.pointerId);
    path = [[e.clientX, e.clientY]];
    line = svgNode('polygon', { fill: 'rgba(255,111,0,.15)', stroke: PICKED, 'stroke-width': 2 }, layer);
  });
  layer.addEventListener('pointermove', (e) => {
    if (!path) return;
    path.push([e.clientX, e.clientY]);
    const box = layer.getBoundingClientRect();
    line.setAttribute('points', path.map(([x, y]) => `${x - box.left},${y - box.top}`).join(' '));
  });
  layer.addEventListener('pointerup', () => {
    const polygon = path;
    path = null;
    line.remove();
    if (polygon && polygon.length > 2) done(polygon);
  });
  return layer;
}

function swatch(colour) {
  const el = h('span', { class: 'swatch' });
  el.style.background = colour;
  return el;
}

function loadTable(loads) {
  const arrow = (a, b) => `${a} → ${b}`;
  return table(
    { id: 'territory-loads', class: 'stack' },
    [t('office.rep'), t('office.storeCount'), t('office.weeklyVisits')],
    loads.map((r) => [
      { content: r.username, label: t('office.rep') },
      { content: arrow(r.stores_before, r.stores_after), label: t('office.storeCount') },
      { content: arrow(r.weekly_visits_before, r.weekly_visits_after), label: t('office.weeklyVisits') },
    ]),
    { num: [1, 2] },
  );
}

function filterPicker(repList, choose) {
  const form = h(
    'form',
    { class: 'controls', id: 'territory-filter' },
    storeFilterFields(repList, 'territory', t('office.currentRep')),
    h('button', { type: 'submit', id: 'territory-select' }, t('office.selectMatching')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = Object.fromEntries(new FormData(form));
    choose(
      (s) =>
        (!f.tier || s.tier === f.tier) &&
        (!f.channel || s.channel === f.channel) &&
        (!f.rep_id || String(s.rep_id) === f.rep_id),
    );
  });
  return form;
}

export function view() {
  return officeScreen('office.territory', canMaintain(), async () => {
    const [repList, { items: stores }] = await Promise.all([reps(), getAllPages('/api/stores?active=true', 200)]);
    const colour = new Map(repList.map((r, i) => [r.id, COLOURS[i % COLOURS.length]]));
    const picked = new Set();
    const mapEl = h('div', {
      class: 'map',
      id: 'territory-map',
      role: 'application',
      'aria-label': t('office.mapLabel'),
    });
    const count = h('p', { id: 'territory-count', role: 'status' });
    const plan = h('div', { id: 'territory-plan', 'aria-live': 'polite' });
    let surface = null;
    const repaint = () => {
      if (surface) for (const s of stores) surface.paint(s, colour.get(s.rep_id) || NO_REP, picked.has(s.id));
    };
    const paint = () => {
      repaint();
      count.textContent = plural('office.selected', picked.size);
      plan.replaceChildren();
    };
    const choose = (test) => {
      picked.clear();
      for (const s of stores) if (test(s)) picked.add(s.id);
      paint();
    };
    const toggle = (id) => {
      if (!picked.delete(id)) picked.add(id);
      paint();
    };
    const drawBtn = h(
      'button',
      { type: 'button', id: 'territory-draw', 'aria-pressed': 'false' },
      t('office.drawArea'),
    );
    const layer = drawLayer((polygon) => {
      choose((s) => inside(surface.toClient(s), polygon));
      setDrawing(false);
    });
    const setDrawing = (on) => {
      drawBtn.setAttribute('aria-pressed', String(on));
      layer.classList.toggle('on', on);
    };
    drawBtn.addEventListener('click', () => setDrawing(drawBtn.getAttribute('aria-pressed') !== 'true'));
    const rep = select(
      options(repList, (r) => `${r.username} · ${r.full_name}`),
      { id: 'territory-rep' },
    );
    const send = async (dryRun) => {
      const body = { store_ids: [...picked], rep_id: Number(rep.value), dry_run: dryRun };
      return request('POST', '/api/stores/reassign', { json: body });
    };
    const confirm = async (button) => {
      button.disabled = true;
      try {
        const done = await send(false);
        for (const s of stores) if (picked.has(s.id)) s.rep_id = Number(rep.value);
        picked.clear();
        paint();
        toast(t('office.reassigned', { n: done.reassigned }));
        plan.replaceChildren(
          h(
            'div',
            { class: 'card', id: 'territory-done' },
            h('p', { class: 'ok' }, t('office.reassigned', { n: done.reassigned })),
            loadTable(done.reps),
          ),
        );
      } catch (e) {
        button.disabled = false;
        failed(e);
      }
    };
    const check = async () => {
      if (!picked.size || !rep.value) return toast(t('office.pickFirst'));
      try {
        const answer = await send(true);
        const go = h(
          'button',
          { type: 'button', class: 'primary', id: 'territory-confirm' },
          t('office.confirmReassign', { n: answer.reassigned }),
        );
        go.addEventListener('click', () => confirm(go));
        plan.replaceChildren(
          h(
            'div',
            { class: 'card', id: 'territory-preview' },
            h('h3', {}, t('office.before')),
            loadTable(answer.reps),
            go,
          ),
        );
      } catch (e) {
        failed(e);
      }
    };
    const node = [
      h('p', { class: 'muted' }, t('office.territoryHelp')),
      filterPicker(repList, choose),
      h(
        'div',
        { class: 'row' },
        drawBtn,
        h('button', { type: 'button', id: 'territory-clear', onclick: () => choose(() => false) }, t('office.clear')),
        count,
      ),
      h('div', { class: 'territory-map' }, mapEl, layer),
      h(
        'ul',
        { class: 'legend' },
        repList.map((r) => h('li', {}, swatch(colour.get(r.id)), r.username)),
      ),
      h(
        'div',
        { class: 'card' },
        field(t('office.giveTo'), rep),
        h('button', { type: 'button', id: 'territory-check', onclick: check }, t('office.checkLoad')),
        plan,
      ),
    ];
    paint();
    // The SVG map fits its box, drawn again when the box changes size, until tiles replace it
    // (tried once the box is on the page; they load only with internet access).
    let tried = false;
    const fit = new ResizeObserver(() => {
      if (!mapEl.clientWidth || mapEl.dataset.mode === 'tiles') return;
      surface = svgMarkers(mapEl, stores, toggle);
      repaint();
      if (tried) return;
      tried = true;
      tileMarkers(mapEl, stores, toggle).then((tiles) => {
        if (!tiles) return;
        fit.disconnect();
        surface = tiles;
        repaint();
      });
    });
    fit.observe(mapEl);
    return node;
  });
}

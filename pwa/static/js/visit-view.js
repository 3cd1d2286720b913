// The visit screen: photos, display check, stock and suggested order, near-expiry, competitor
// observations, order, check-out (the check-in is data.js's startVisit). Every step is queued
// in the outbox first.
import { t, fmtTime, fmtMoney } from './i18n.js';
import { put } from './db.js';
import { brands, localVisit, position, products, today } from './data.js';
import { enqueue, items as outboxItems, flush } from './outbox.js';
import { downscale } from './photo.js';
import { setTitle } from './router.js';
import { h, field, check, select, toast, uid } from './ui.js';

const PAR = 24; // target units per SKU (shelf + back room) for the suggested order
const SECTIONS = ['display_checks', 'stock_counts', 'near_expiry_items', 'competitor_observations', 'order'];

async function saveVisit(v) {
  await put('visits', v);
}

const pname = (p) => `${p.name}${p.pack_size ? ` ${p.pack_size}` : ''}`;
const num = (el) => (el.value === '' ? null : Number(el.value));
const cb = (l) => l.querySelector('input').checked;

export async function view(vuuid) {
  const v = await localVisit(vuuid);
  if (!v) return h('p', { class: 'bad' }, t('visit.unknown'));
  setTitle(v.storeName);
  const prods = await products().catch(() => []);
  const own = prods.filter((p) => p.is_own);
  const comp = prods.filter((p) => !p.is_own);
  const compBrands = (await brands().catch(() => [])).filter((b) => !b.is_own);
  const closed = Boolean(v.checkedOutAt);
  const forms = {};
  const wrap = h('div', { id: 'visit', dataset: { uuid: v.uuid } });
  wrap.append(
    h(
      'div',
      { class: 'card' },
      h('strong', {}, v.storeName),
      h(
        'div',
        { class: 'muted' },
        t('visit.checkedIn', { time: fmtTime(v.checkedInAt), acc: v.accuracy ?? '?' }),
        closed ? ` · ${t('visit.checkedOut', { time: fmtTime(v.checkedOutAt) })}` : '',
      ),
    ),
  );

  // ---- photos
  const thumbs = h('div', { class: 'thumbs', id: 'photo-thumbs' });
  const showThumbs = async () => {
    const all = await outboxItems();
    const mine = all.filter((i) => i.op === 'photo' && i.visit === v.uuid && i.blob instanceof Blob);
    thumbs.replaceChildren(
      ...mine.map((i) => h('img', { src: URL.createObjectURL(i.blob), alt: t(`kind.${i.body.kind}`) })),
    );
  };
  const kind = select(['shelf', 'promo_display', 'price_tag', 'competitor', 'other'].map((k) => [k, t(`kind.${k}`)]));
  const fileIn = h('input', {
    type: 'file',
    accept: 'image/*',
    capture: 'environment',
    multiple: true,
    id: 'photo-input',
    disabled: closed,
  });
  fileIn.addEventListener('change', async () => {
    for (const file of fileIn.files) {
      try {
        const { blob } = await downscale(file);
        const item = await enqueue({ op: 'photo', visit: v.uuid, body: { kind: kind.value }, blob });
        v.photos.push(item.seq);
        await saveVisit(v);
      } catch (e) {
        toast(t('photo.failed', { msg: e.message }));
      }
    }
    fileIn.value = '';
    showThumbs();
    flush();
  });
  wrap.append(
    section('photos', t('visit.photos'), [field(t('photo.kind'), kind), field(t('photo.take'), fileIn), thumbs], true),
  );
  showThumbs();

  // ---- display check
  const rec = v.records;
  const dc = own.map((p) => displayCheck(p, (rec.display_checks || []).find((x) => x.product_id === p.id) || {}));
  forms.display_checks = () => {
    const items = dc.map((c) => c.read());
    const bad = dc.find((c, i) => !items[i]);
    if (!bad) return { items };
    bad.el.closest('details').open = true;
    bad.el.scrollIntoView({ block: 'center' });
    return null;
  };
  wrap.append(
    section(
      'display_checks',
      t('visit.display'),
      dc.map((c) => c.el),
    ),
  );

  // ---- stock and suggested order
  const st = own.map((p) => {
    const prev = (rec.stock_counts || []).find((x) => x.product_id === p.id) || {};
    const r = {
      shelf: h('input', { type: 'number', inputmode: 'numeric', min: 0, value: prev.shelf_qty ?? '' }),
      back: h('input', { type: 'number', inputmode: 'numeric', min: 0, value: prev.backroom_qty ?? '' }),
      sugg: h('input', { type: 'number', inputmode: 'numeric', min: 0, value: prev.suggested_order_qty ?? '' }),
    };
    const suggest = () => {
      if (r.sugg.dataset.touched) return;
      if (r.shelf.value === '') {
        r.sugg.value = '';
        return;
      }
      r.sugg.value = Math.max(0, PAR - (num(r.shelf) || 0) - (num(r.back) || 0));
    };
    r.shelf.addEventListener('input', suggest);
    r.back.addEventListener('input', suggest);
    r.sugg.addEventListener('input', () => {
      r.sugg.dataset.touched = '1';
    });
    return [p, r];
  });
  forms.stock_counts = () => ({
    items: st
      .filter(([, r]) => r.shelf.value !== '')
      .map(([p, r]) => ({
        product_id: p.id,
        shelf_qty: num(r.shelf),
        backroom_qty: num(r.back) || 0,
        suggested_order_qty: num(r.sugg),
      })),
  });

  // ---- order (declared before stock so that "use suggestion" can fill it)
  const ord = own.map((p) => {
    const prev = ((rec.order || {}).lines || []).find((x) => x.product_id === p.id) || {};
    return [p, h('input', { type: 'number', inputmode: 'numeric', min: 0, value: prev.quantity ?? '' })];
  });
  const useSuggestion = h(
    'button',
    {
      type: 'button',
      class: 'block',
      onclick: () => {
        for (const [p, r] of st) {
          const q = num(r.sugg);
          const o = ord.find(([op]) => op.id === p.id);
          if (q && o) {
            o[1].value = q;
            o[1].dispatchEvent(new Event('input', { bubbles: true }));
          }
        }
        toast(t('stock.copied'));
      },
    },
    t('stock.useSuggestion'),
  );
  wrap.append(
    section('stock_counts', t('visit.stock'), [
      ...st.map(([p, r]) =>
        h(
          'div',
          { class: 'prod', dataset: { productId: p.id } },
          h('strong', {}, pname(p)),
          h(
            'div',
            { class: 'grid2 wide' },
            field(t('stock.shelf'), r.shelf),
            field(t('stock.back'), r.back),
            field(t('stock.suggested'), r.sugg),
          ),
        ),
      ),
      useSuggestion,
    ]),
  );

  // ---- near-expiry
  const nxRows = h('div', {});
  const nx = [];
  const addNx = (prev = {}) => {
    const r = {
      product: select([['', '—'], ...own.map((p) => [String(p.id), pname(p)])]),
      qty: h('input', { type: 'number', inputmode: 'numeric', min: 1, value: prev.quantity ?? '' }),
      date: h('input', { type: 'date', min: today(), value: prev.expiry_date ?? '' }),
    };
    r.product.value = prev.product_id ? String(prev.product_id) : '';
    nx.push(r);
    nxRows.append(
      h(
        'div',
        { class: 'prod' },
        field(t('nx.product'), r.product),
        h('div', { class: 'grid2' }, field(t('nx.qty'), r.qty), field(t('nx.date'), r.date)),
      ),
    );
  };
  (rec.near_expiry_items || []).forEach(addNx);
  forms.near_expiry_items = () => ({
    items: nx
      .filter((r) => r.product.value && r.qty.value && r.date.value)
      .map((r) => ({
        product_id: Number(r.product.value),
        quantity: num(r.qty),
        expiry_date: r.date.value,
      })),
  });
  wrap.append(
    section('near_expiry_items', t('visit.expiry'), [
      nxRows,
      h('button', { type: 'button', class: 'block', onclick: () => addNx() }, t('nx.add')),
    ]),
  );

  // ---- competitor observations
  const coRows = h('div', {});
  const co = [];
  const addCo = (prev = {}) => {
    const r = {
      brand: select([['', '—'], ...compBrands.map((b) => [String(b.id), b.name])]),
      product: select([['', t('co.otherProduct')]]),
      name: h('input', { value: prev.product_name ?? '' }),
      regular: h('input', {
        type: 'number',
        inputmode: 'decimal',
        min: 0,
        step: '0.01',
        value: prev.regular_price ?? '',
      }),
      promo: h('input', { type: 'number', inputmode: 'decimal', min: 0, step: '0.01', value: prev.promo_price ?? '' }),
      type: select([
        ['', '—'],
        ...['discount', 'shock_price', 'bundle', 'gift', 'display', 'sampling', 'other'].map((k) => [
          k,
          t(`promo.${k}`),
        ]),
      ]),
      fresh: check(t('co.new'), { checked: prev.new_product }),
      notes: h('textarea', { rows: 2 }),
    };
    r.notes.value = prev.display_notes ?? '';
    const fill = () => {
      r.product.replaceChildren(
        h('option', { value: '' }, t('co.otherProduct')),
        ...comp
          .filter((p) => String(p.brand_id) === r.brand.value)
          .map((p) => h('option', { value: String(p.id) }, pname(p))),
      );
    };
    r.brand.addEventListener('change', fill);
    r.brand.value = prev.brand_id ? String(prev.brand_id) : '';
    fill();
    r.product.value = prev.product_id ? String(prev.product_id) : '';
    r.type.value = prev.promo_type || '';
    co.push(r);
    coRows.append(
      h(
        'div',
        { class: 'prod' },
        field(t('co.brand'), r.brand),
        field(t('co.product'), r.product),
        field(t('co.productName'), r.name),
        h('div', { class: 'grid2' }, field(t('co.regular'), r.regular), field(t('co.promo'), r.promo)),
        field(t('co.promoType'), r.type),
        r.fresh,
        field(t('co.notes'), r.notes),
      ),
    );
  };
  (rec.competitor_observations || []).forEach(addCo);
  forms.competitor_observations = () => ({
    items: co
      .filter((r) => r.brand.value)
      .map((r) => ({
        brand_id: Number(r.brand.value),
        product_id: r.product.value ? Number(r.product.value) : null,
        product_name: r.product.value ? null : r.name.value.trim() || null,
        regular_price: r.regular.value === '' ? null : Number(r.regular.value).toFixed(2),
        promo_price: r.promo.value === '' ? null : Number(r.promo.value).toFixed(2),
        promo_type: r.type.value || null,
        new_product: cb(r.fresh),
        display_notes: r.notes.value.trim() || null,
      })),
  });
  wrap.append(
    section('competitor_observations', t('visit.competitors'), [
      coRows,
      h('button', { type: 'button', class: 'block', onclick: () => addCo() }, t('co.add')),
    ]),
  );

  // ---- order
  forms.order = () => ({
    lines: ord
      .filter(([, i]) => i.value !== '' && Number(i.value) !== 0)
      .map(([p, i]) => ({ product_id: p.id, quantity: Number(i.value) })),
  });
  wrap.append(
    section(
      'order',
      t('visit.order'),
      ord.map(([p, i]) =>
        h(
          'div',
          { class: 'prod row', dataset: { productId: p.id } },
          h('span', { class: 'grow' }, pname(p), h('div', { class: 'muted' }, fmtMoney(p.unit_price))),
          h('div', { style: 'width:110px' }, field(t('order.qty'), i)),
        ),
      ),
    ),
  );

  // ---- save and check out
  const dirty = new Set();
  // "✓ saved" on a section's title once it is queued, until it is changed again.
  const mark = (name, saved) => {
    wrap.querySelector(`[data-section=${name}] .saved-mark`).hidden = !saved;
  };
  wrap.addEventListener('input', (e) => {
    const sec = e.target.closest('[data-section]');
    if (sec && forms[sec.dataset.section]) {
      dirty.add(sec.dataset.section);
      mark(sec.dataset.section, false);
    }
  });
  // Saves the section, or shows what to fix on the form and says false.
  const saveSection = async (name, quiet) => {
    const body = forms[name]();
    if (!body) {
      toast(t('visit.notSaved'));
      return false;
    }
    await enqueue({ op: name, visit: v.uuid, body });
    v.records[name] = body;
    v.saved[name] = true;
    await saveVisit(v);
    dirty.delete(name);
    mark(name, true);
    if (!quiet) {
      toast(t('visit.saved'));
      flush();
    }
    return true;
  };
  wrap.querySelectorAll('[data-section]').forEach((sec) => {
    const name = sec.dataset.section;
    if (!forms[name]) return;
    sec
      .querySelector('summary')
      .append(h('span', { class: 'saved-mark', hidden: !v.saved[name] }, `✓ ${t('visit.sectionSaved')}`));
    if (closed) return;
    sec
      .querySelector('.body')
      .append(
        h(
          'button',
          { type: 'button', class: 'primary block', dataset: { save: name }, onclick: () => saveSection(name) },
          t('visit.save'),
        ),
      );
  });
  if (!closed) {
    const out = h(
      'button',
      {
        class: 'primary block',
        id: 'check-out',
        onclick: async () => {
          out.disabled = true;
          for (const name of SECTIONS) {
            if (dirty.has(name) && !(await saveSection(name, true))) {
              out.disabled = false;
              return;
            }
          }
          let here = {};
          try {
            here = await position({ timeout: 6000 });
          } catch {
            /* optional at check-out */
          }
          v.checkedOutAt = new Date().toISOString();
          const body = { device_time: v.checkedOutAt };
          if (here.lat != null) Object.assign(body, { lat: here.lat, lng: here.lng, accuracy_m: here.accuracy_m });
          await enqueue({ op: 'check_out', visit: v.uuid, body });
          await saveVisit(v);
          flush();
          toast(t('visit.done'));
          location.hash = '#/today';
        },
      },
      t('visit.checkOut'),
    );
    wrap.append(out);
  } else {
    wrap.querySelectorAll('input, select, textarea, button[data-save]').forEach((el) => {
      el.disabled = true;
    });
  }
  return wrap;
}

// Availability is one answer; facings and the shelf are asked only for a product on the shelf.
const AVAILABILITY = { on_shelf: 'dc.onShelf', out_of_stock: 'dc.oos', not_stocked: 'dc.notStocked' };
const SHELF_LEVELS = [1, 2, 3, 4]; // 2 = eye level (the server's EYE_LEVEL_SHELF)

function availabilityOf(prev) {
  if (prev.out_of_stock) return 'out_of_stock';
  return prev.on_shelf === false ? 'not_stocked' : 'on_shelf';
}

// One product's display check: its element, and read() → the item, or null after showing on
// the product what contradicts (facings typed for a product that is not on the shelf).
function displayCheck(p, prev) {
  const name = uid('avail');
  const r = {
    facings: h('input', { type: 'number', inputmode: 'numeric', min: 0, max: 999, value: prev.facings ?? '' }),
    level: select([['', '—'], ...SHELF_LEVELS.map((n) => [String(n), t(`dc.level${n}`)])]),
    fifo: check(t('dc.fifo'), { checked: prev.fifo_ok ?? true }),
    tag: check(t('dc.priceTag'), { checked: prev.price_tag_present ?? true }),
    tagOk: check(t('dc.priceTagOk'), { checked: prev.price_tag_correct ?? true }),
    clean: check(t('dc.clean'), { checked: prev.shelf_clean ?? true }),
    pop: check(t('dc.pop'), { checked: prev.pop_present }),
  };
  r.level.value = prev.shelf_level ? String(prev.shelf_level) : '';
  const choices = Object.entries(AVAILABILITY).map(([value, key]) =>
    h(
      'label',
      { class: 'check' },
      // Sized like a checkbox (app.css sizes text inputs); the label keeps the 44 px tap height.
      h('input', { type: 'radio', name, value, checked: availabilityOf(prev) === value }),
      t(key),
    ),
  );
  const asked = [field(t('dc.facings'), r.facings), field(t('dc.level'), r.level)]; // on the shelf
  const problem = h('p', { class: 'bad', role: 'alert', hidden: true });
  const el = h(
    'div',
    { class: 'prod', dataset: { productId: p.id } },
    h('strong', {}, pname(p)),
    h('div', { class: 'row', role: 'radiogroup', 'aria-label': t('dc.availability') }, choices),
    h('div', { class: 'grid2' }, asked, r.fifo, r.tag, r.tagOk, r.clean, r.pop),
    problem,
  );
  const picked = () => el.querySelector(`input[name=${name}]:checked`).value;
  const sync = () => {
    const onShelf = picked() === 'on_shelf';
    for (const f of asked) f.hidden = !onShelf;
    r.facings.disabled = !onShelf;
    r.level.disabled = !onShelf;
    if (onShelf) problem.hidden = true;
  };
  el.addEventListener('change', sync);
  sync();
  const clear = () => {
    r.facings.value = '';
    problem.hidden = true;
    r.facings.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const read = () => {
    const availability = picked();
    const onShelf = availability === 'on_shelf';
    const facings = num(r.facings) || 0;
    if (!onShelf && facings > 0) {
      problem.replaceChildren(
        t('dc.facingsOffShelf', { state: t(AVAILABILITY[availability]), n: facings }),
        h('button', { type: 'button', class: 'block', onclick: clear }, t('dc.clearFacings')),
      );
      problem.hidden = false;
      return null;
    }
    problem.hidden = true;
    return {
      product_id: p.id,
      on_shelf: onShelf,
      out_of_stock: availability === 'out_of_stock',
      facings,
      shelf_level: onShelf && r.level.value ? Number(r.level.value) : null,
      fifo_ok: cb(r.fifo),
      price_tag_present: cb(r.tag),
      price_tag_correct: cb(r.tag) ? cb(r.tagOk) : false,
      shelf_clean: cb(r.clean),
      pop_present: cb(r.pop),
    };
  };
  return { el, read };
}

function section(name, title, children, open = false) {
  return h(
    'details',
    { open, dataset: { section: name }, id: uid('s') },
    h('summary', {}, title),
    h('div', { class: 'body' }, children),
  );
}

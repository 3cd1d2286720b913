// The visit screen: its sections (visit/*.js: photos, display check, competitor facings, stock
// and suggested order, near-expiry and the follow-up of earlier items, returns, competitor
// observations, order, complaint, note), each saved into the outbox, and check-out (the
// check-in is data.js's startVisit). Every step is queued in the outbox first.
import { t, fmtTime } from './i18n.js';
import { put } from './db.js';
import { brands, expiryFollowUps, localVisit, position, products, suggestedOrder } from './data.js';
import { enqueue, flush } from './outbox.js';
import { setTitle } from './router.js';
import { h, toast } from './ui.js';
import { photosSection } from './visit/photos.js';
import { displaySection } from './visit/display.js';
import { stockSection } from './visit/stock.js';
import { expirySection } from './visit/expiry.js';
import { competitorSection } from './visit/competitors.js';
import { orderInputs, orderSection } from './visit/order.js';
import { shelfSection } from './visit/shelf.js';
import { followUpsSection } from './visit/followups.js';
import { returnsSection } from './visit/returns.js';
import { complaintSection } from './visit/complaint.js';
import { noteSection } from './visit/note.js';

export async function view(vuuid) {
  const v = await localVisit(vuuid);
  if (!v) return h('p', { class: 'bad' }, t('visit.unknown'));
  setTitle(v.storeName);
  const prods = await products().catch(() => []);
  const own = prods.filter((p) => p.is_own);
  const comp = prods.filter((p) => !p.is_own);
  const compBrands = (await brands().catch(() => [])).filter((b) => !b.is_own);
  const closed = Boolean(v.checkedOutAt);
  const rec = v.records;
  const ord = orderInputs(own, rec);
  // Both network-first (cached for today's stops): read at once, not one after the other.
  const [suggested, open] = await Promise.all([suggestedOrder(v.storeId).catch(() => null), openFollowUps(v)]);
  const followUps = followUpsSection(open, rec, own);
  // Saved sections by op name, in the order check-out saves what is left unsaved.
  const sections = {
    display_checks: displaySection(own, rec),
    shelf_facings: shelfSection(own, comp, compBrands, rec),
    stock_counts: stockSection(own, rec, ord, new Map((suggested?.items || []).map((x) => [x.product_id, x]))),
    ...(followUps ? { expiry_followups: followUps } : {}),
    near_expiry_items: expirySection(own, rec),
    return_requests: returnsSection(own, rec),
    competitor_observations: competitorSection(compBrands, comp, rec),
    order: orderSection(ord),
  };
  const complaint = complaintSection(v);
  const note = noteSection(v);
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
    photosSection(v, closed),
    ...Object.values(sections).map((s) => s.el),
    complaint.el,
    note.el,
  );
  wireSaving(wrap, v, sections, { closed, complaint, note });
  return wrap;
}

// The open near-expiry items of earlier visits, as first read for this visit (kept on it, so
// that the list answered stays the same when the visit is opened again).
async function openFollowUps(v) {
  if (!v.followUps) {
    const list = await expiryFollowUps(v.storeId).catch(() => null);
    if (!list) return [];
    v.followUps = list;
    await put('visits', v);
  }
  return v.followUps;
}

// Each section's save button and "✓ saved" mark, the check-out (which first saves what is
// changed and unsaved, and the complaint typed), or, on a closed visit, every control disabled.
function wireSaving(wrap, v, sections, { closed, complaint, note }) {
  const dirty = new Set();
  // "✓ saved" on a section's title once it is queued, until it is changed again.
  const mark = (name, saved) => {
    wrap.querySelector(`[data-section=${name}] .saved-mark`).hidden = !saved;
  };
  wrap.addEventListener('input', (e) => {
    const sec = e.target.closest('[data-section]');
    if (sec && sections[sec.dataset.section]) {
      dirty.add(sec.dataset.section);
      mark(sec.dataset.section, false);
    }
  });
  // Saves the section, or shows what to fix on the form and says false.
  const saveSection = async (name, quiet) => {
    const body = sections[name].form();
    if (!body) {
      toast(t('visit.notSaved'));
      return false;
    }
    await enqueue({ op: name, visit: v.uuid, body });
    v.records[name] = body;
    v.saved[name] = true;
    await put('visits', v);
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
    if (!sections[name]) return;
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
  if (closed) {
    wrap
      .querySelectorAll('input, select, textarea, button[data-save], button[data-outcome], #complaint-send')
      .forEach((el) => {
        el.disabled = true;
      });
    return;
  }
  const out = h(
    'button',
    {
      class: 'primary block',
      id: 'check-out',
      onclick: async () => {
        out.disabled = true;
        for (const name of Object.keys(sections)) {
          if (dirty.has(name) && !(await saveSection(name, true))) {
            out.disabled = false;
            return;
          }
        }
        if (!(await complaint.send())) {
          out.disabled = false;
          return;
        }
        let here = {};
        try {
          here = await position({ timeout: 6000 });
        } catch {
          /* optional at check-out */
        }
        v.checkedOutAt = new Date().toISOString();
        v.note = note.read();
        const body = { device_time: v.checkedOutAt, note: v.note };
        if (here.lat != null) Object.assign(body, { lat: here.lat, lng: here.lng, accuracy_m: here.accuracy_m });
        await enqueue({ op: 'check_out', visit: v.uuid, body });
        await put('visits', v);
        flush();
        toast(t('visit.done'));
        location.hash = '#/today';
      },
    },
    t('visit.checkOut'),
  );
  wrap.append(out);
}

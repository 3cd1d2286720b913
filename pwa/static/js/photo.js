// Downscale a camera photo on the phone: long side ≤ 1600 px, JPEG, before it is queued; and
// its capture time, read from the original first (the re-encode drops every piece of metadata).
export const MAX_SIDE = 1600;

// When the photo was taken, ISO 8601 with the offset: the original's EXIF DateTimeOriginal
// (DateTime if none) with OffsetTimeOriginal, else in the phone's zone; else the file's
// lastModified; null if neither. A time after now is a wrong clock, passed over (the server
// refuses a future one, and the photo must not fail for it).
export async function captureTime(file, now = Date.now()) {
  let exif = null;
  try {
    exif = exifTime(new DataView(await file.slice(0, 256 * 1024).arrayBuffer()));
  } catch {
    /* not a JPEG, or a damaged EXIF block: the file's time */
  }
  const modified = file.lastModified ? withOffset(new Date(file.lastModified)) : null;
  return [exif, modified].find((x) => x && Date.parse(x) <= now) || null;
}

// The JPEG's APP1 "Exif" segment, if it comes before the image data.
function exifTime(view) {
  if (view.getUint16(0) !== 0xffd8) return null;
  for (let at = 2; at + 10 <= view.byteLength; at += 2 + view.getUint16(at + 2)) {
    const marker = view.getUint16(at);
    if (marker >> 8 !== 0xff || marker === 0xffda) return null;
    if (marker === 0xffe1 && view.getUint32(at + 4) === 0x45786966) return tiffTime(view, at + 10);
  }
  return null;
}

// IFD0 → its Exif sub-IFD (tag 0x8769): DateTimeOriginal 0x9003, OffsetTimeOriginal 0x9011;
// IFD0's DateTime 0x0132 where the camera wrote no original time.
function tiffTime(view, base) {
  const little = view.getUint16(base) === 0x4949;
  const u16 = (o) => view.getUint16(base + o, little);
  const u32 = (o) => view.getUint32(base + o, little);
  const entries = (ifd) => {
    const tags = new Map();
    for (let k = 0, n = u16(ifd); k < n; k += 1) {
      const e = ifd + 2 + 12 * k;
      tags.set(u16(e), { type: u16(e + 2), count: u32(e + 4), e });
    }
    return tags;
  };
  const ascii = (tag) => {
    if (!tag || tag.type !== 2) return null;
    const from = base + (tag.count <= 4 ? tag.e + 8 : u32(tag.e + 8));
    const bytes = new Uint8Array(view.buffer, view.byteOffset + from, tag.count);
    return String.fromCharCode(...bytes).replace(/\0[\s\S]*$/, '');
  };
  const ifd0 = entries(u32(4));
  const sub = ifd0.has(0x8769) ? entries(u32(ifd0.get(0x8769).e + 8)) : new Map();
  return exifDate(ascii(sub.get(0x9003)) || ascii(ifd0.get(0x0132)), ascii(sub.get(0x9011)));
}

// "YYYY:MM:DD HH:MM:SS" (+ "+HH:MM") as ISO 8601; an unset ("0000:00:00 …") or impossible
// date is none.
function exifDate(raw, offset) {
  const m = /^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)$/.exec((raw || '').trim());
  if (!m) return null;
  const [y, mo, d, hh, mi, ss] = m.slice(1).map(Number);
  const local = new Date(y, mo - 1, d, hh, mi, ss);
  if (y < 1990 || local.getMonth() !== mo - 1 || local.getDate() !== d || hh > 23 || mi > 59 || ss > 59) return null;
  const zone = (offset || '').trim();
  if (/^[+-](0\d|1[0-4]):[0-5]\d$/.test(zone)) return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`;
  return withOffset(local);
}

// A Date as the phone's local time with its offset, "2026-12-01T09:30:00+09:00".
function withOffset(d) {
  const off = -d.getTimezoneOffset();
  const p = (n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return `${day}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${off < 0 ? '-' : '+'}${p(off / 60)}:${p(off % 60)}`;
}

async function decode(file) {
  if (self.createImageBitmap) {
    try {
      // imageOrientation 'from-image' applies the EXIF rotation before we draw.
      return await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      /* fall back to <img> (e.g. formats createImageBitmap refuses) */
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

export async function downscale(file, { maxSide = MAX_SIDE, quality = 0.82 } = {}) {
  const src = await decode(file);
  const w0 = src.width || src.naturalWidth;
  const h0 = src.height || src.naturalHeight;
  const scale = Math.min(1, maxSide / Math.max(w0, h0));
  const w = Math.max(1, Math.round(w0 * scale));
  const h = Math.max(1, Math.round(h0 * scale));
  let blob;
  if (self.OffscreenCanvas) {
    const c = new OffscreenCanvas(w, h);
    c.getContext('2d').drawImage(src, 0, 0, w, h);
    blob = await c.convertToBlob({ type: 'image/jpeg', quality });
  } else {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    c.getContext('2d').drawImage(src, 0, 0, w, h);
    blob = await new Promise((resolve) => c.toBlob(resolve, 'image/jpeg', quality));
  }
  if (src.close) src.close();
  return { blob, width: w, height: h };
}

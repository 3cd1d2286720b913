// Downscale a camera photo on the phone: long side ≤ 1600 px, JPEG, before it is queued.
export const MAX_SIDE = 1600;

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

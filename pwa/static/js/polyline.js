// Encoded polylines (Google's format) as Valhalla writes a leg's street geometry: precision 6,
// i.e. coordinates in millionths of a degree, each point a zigzag-encoded delta of lat then lng
// in 5-bit groups offset by 63.

// The points of `text` as [[lat, lng], ...]; throws on a malformed or truncated string (so a
// map can draw that leg straight instead). Arithmetic, not bit operators, past 32 bits.
export function decode(text, precision = 6) {
  const factor = 10 ** precision;
  const points = [];
  let at = 0;
  const value = () => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (at >= text.length) throw new Error('truncated polyline');
      const chunk = text.charCodeAt(at++) - 63;
      if (chunk < 0 || chunk > 63) throw new Error('not a polyline');
      result += (chunk & 31) * scale;
      scale *= 32;
      if (chunk < 32) break;
    }
    return result % 2 ? -(result + 1) / 2 : result / 2;
  };
  let lat = 0;
  let lng = 0;
  while (at < text.length) {
    lat += value();
    lng += value();
    points.push([lat / factor, lng / factor]);
  }
  return points;
}

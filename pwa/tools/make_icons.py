"""Draw the PWA icons (192 and 512 px PNG, maskable-safe): `python pwa/tools/make_icons.py`."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "static" / "icons"
THEME = (13, 71, 161)  # #0d47a1, the manifest's theme_color
ACCENT = (255, 193, 7)


def icon(size: int) -> Image.Image:
    img = Image.new("RGB", (size, size), THEME)
    d = ImageDraw.Draw(img)
    s = size / 512
    # A route: three stops joined by a path, inside the maskable safe zone (80 % circle).
    stops = [(150, 360), (256, 200), (362, 330)]
    pts = [(x * s, y * s) for x, y in stops]
    d.line(pts, fill=(255, 255, 255), width=round(22 * s), joint="curve")
    for i, (x, y) in enumerate(pts):
        r = (44 if i == 1 else 34) * s
        d.ellipse((x - r, y - r, x + r, y + r), fill=ACCENT if i == 1 else (255, 255, 255))
    # The letter T as a bar above the route.
    d.rectangle((150 * s, 110 * s, 362 * s, 140 * s), fill=(255, 255, 255))
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size).save(OUT / f"icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()

"""Shelf photos for the demo, drawn with Pillow and attached through the photo service (stored
files, thumbnail, difference hash and integrity checks as for an upload), and the supervisors'
reviews of them.

Each picture is a wall with three to five shelves of coloured product blocks, drawn from the
visit's own random stream, so no two are near-duplicates by their difference hash. The camera
time (EXIF) is a few minutes after the check-in, or, for a photo from the phone's gallery,
hours before it (the app flags that).
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

from PIL import ExifTags, Image, ImageDraw

from ...models import Photo, PhotoKind, PhotoReview, ReviewStatus, User, Visit
from .. import photos
from ..plan_building import zone

SIZE = (640, 480)
# Our brand's pink and green, and the competitors' colours, as the blocks on the shelves.
PACK_COLOURS = ((226, 84, 128), (72, 160, 90), (40, 90, 170), (230, 190, 50), (200, 60, 40),
                (120, 70, 150), (245, 245, 240), (30, 30, 35))  # fmt: skip
REJECTIONS = (
    "The shelf is cut off: please step back and take the whole bay.",
    "Too blurred to read the price tags; retake at the next visit.",
    "This is not our section of the shelf.",
    "Taken from the gallery, not at the visit.",
)
PRAISE = ("Good facings at eye level.", "Clean shelf, thanks.", None, None, None)


def shelf_picture(rng: random.Random, taken: datetime) -> bytes:
    """A JPEG of a shelf bay, with `taken` (local time) as its camera time."""
    wall = tuple(rng.randint(170, 235) for _ in range(3))
    image = Image.new("RGB", SIZE, wall)
    draw = ImageDraw.Draw(image)
    top = rng.randint(5, 60)
    for _ in range(rng.randint(3, 5)):
        height = rng.randint(70, 120)
        x = rng.randint(-30, 10)
        while x < SIZE[0]:
            width = rng.randint(22, 80)
            base = rng.choice(PACK_COLOURS)
            light = rng.uniform(0.45, 1.25)
            colour = tuple(min(255, round(c * light)) for c in base)
            if rng.random() > 0.08:  # a gap: something sold out
                draw.rectangle(
                    [x + 2, top + rng.randint(4, 20), x + width - 2, top + height], colour
                )
                draw.rectangle([x + 4, top + height + 2, x + 18, top + height + 9], "white")
            x += width
        draw.rectangle([0, top + height, SIZE[0], top + height + 12], (110, 100, 92))
        top += height + 14
        if top > SIZE[1] - 40:
            break
    exif = Image.Exif()
    exif[ExifTags.Base.DateTime] = taken.strftime("%Y:%m:%d %H:%M:%S")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, exif=exif)
    return out.getvalue()


def take(rep: User, visit: Visit, checked_in: datetime, rng: random.Random, old: bool) -> Photo:
    """A photo of the shelf attached to the open `visit`; `old`: one from the phone's gallery."""
    delay = -timedelta(hours=rng.uniform(3, 7)) if old else timedelta(minutes=rng.uniform(1, 8))
    taken = checked_in + delay
    kind = PhotoKind.PROMO_DISPLAY if rng.random() < 0.2 else PhotoKind.SHELF
    content = shelf_picture(rng, taken.astimezone(zone()))
    photo, _ = photos.add_photo(rep, visit.uuid, {"kind": kind}, content)
    photo.created_at = max(taken, checked_in) + timedelta(seconds=rng.uniform(5, 90))
    return photo


def review(photo: Photo, reviewer: User, rng: random.Random) -> PhotoReview:
    """The supervisor's verdict the morning after: mostly approved, some rejected with a reason."""
    rejected = rng.random() < 0.2
    morning = photo.created_at.astimezone(zone()).replace(hour=9) + timedelta(days=1)
    return PhotoReview(
        photo_id=photo.id,
        status=ReviewStatus.REJECTED if rejected else ReviewStatus.APPROVED,
        comment=rng.choice(REJECTIONS) if rejected else rng.choice(PRAISE),
        reviewer_id=reviewer.id,
        reviewed_at=morning + timedelta(minutes=rng.uniform(0, 240)),
    )

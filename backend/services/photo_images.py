"""Turning an uploaded photo into safe stored images, with Pillow.

The upload is checked before anything is decoded: size in bytes, format, and the pixel count
from the header (a decompression bomb is refused without being decoded). Then the picture is
decoded (a truncated or damaged file is refused), turned upright by its EXIF orientation,
its camera time kept, and re-encoded as a JPEG: the re-encoding leaves every piece of metadata
(EXIF, GPS, XMP, ICC) behind.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from ..errors import DomainError, InvalidError, TooLargeError

try:  # HEIC/HEIF from iPhones, when pillow-heif is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
except ImportError:  # pragma: no cover
    FORMATS = ("JPEG", "PNG", "WEBP")

# Pictures over the limit are refused explicitly (with their size) rather than warned about.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
FORMAT_NAMES = "JPEG, PNG, WebP" + (" or HEIC" if "HEIF" in FORMATS else "")


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    full_px: int
    thumb_px: int
    quality: int


@dataclass(frozen=True)
class ProcessedImage:
    full: bytes
    thumbnail: bytes
    width: int
    height: int
    source_format: str
    taken_at: datetime | None
    phash: str


def _file_error(
    message: str, reason: str, error: type[DomainError] = InvalidError, **params: Any
) -> DomainError:
    return error(message, {"files": {"file": [message]}}, reason=reason, params=params)


def process(content: bytes, limits: Limits, zone: ZoneInfo) -> ProcessedImage:
    if len(content) > limits.max_bytes:
        raise _file_error(
            f"The photo is {len(content):,} bytes; at most {limits.max_bytes:,} are accepted.",
            "photo_too_many_bytes",
            TooLargeError,
            bytes=len(content),
            max_bytes=limits.max_bytes,
        )
    # Pillow's own guard stays as a second line behind the explicit pixel check in _process.
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        return _process(content, limits, zone)
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many_pixels(int(found.group(1)) if found else None, limits) from None


def _too_many_pixels(size: tuple[int, int] | int | None, limits: Limits) -> DomainError:
    if isinstance(size, tuple):
        shown = f" is {size[0]:,} × {size[1]:,} pixels;"
    else:
        shown = f" has {size:,} pixels;" if size else " has too many pixels;"
    return _file_error(
        f"The picture{shown} at most {limits.max_pixels:,} pixels are accepted.",
        "photo_too_many_pixels",
        TooLargeError,
        max_pixels=limits.max_pixels,
    )


def _open(content: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(content), formats=FORMATS)
    except UnidentifiedImageError:
        raise _file_error(
            f"The file is not a {FORMAT_NAMES} image.", "photo_not_an_image", formats=FORMAT_NAMES
        ) from None


def _process(content: bytes, limits: Limits, zone: ZoneInfo) -> ProcessedImage:
    probe = _open(content)
    width, height = probe.size
    if width * height > limits.max_pixels:
        raise _too_many_pixels(probe.size, limits)
    source_format = probe.format or "?"
    try:
        probe.verify()
        image = _open(content)
        if image.format == "JPEG":
            # Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 while decoding: much faster.
            scale = limits.full_px / max(width, height)
            if scale < 1:
                image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
        image.load()
    except Image.DecompressionBombError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _file_error(f"The image is truncated or damaged ({exc}).", "photo_damaged") from None
    taken_at = camera_time(image.getexif(), zone)
    ImageOps.exif_transpose(image, in_place=True)
    picture = _rgb(image)
    # Bicubic: as good as Lanczos to the eye for these modest reductions, twice as fast.
    picture.thumbnail((limits.full_px, limits.full_px), Image.Resampling.BICUBIC)
    small = picture.copy()
    small.thumbnail((limits.thumb_px, limits.thumb_px), Image.Resampling.BICUBIC, reducing_gap=2)
    return ProcessedImage(
        full=_jpeg(picture, limits.quality),
        thumbnail=_jpeg(small, limits.quality),
        width=picture.width,
        height=picture.height,
        source_format=source_format,
        taken_at=taken_at,
        phash=dhash(small),
    )


def _rgb(image: Image.Image) -> Image.Image:
    """RGB on a white background (transparent PNG and WebP)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    """A bare JPEG: no EXIF, GPS, XMP, ICC or comments (nothing of the upload's info is passed)."""
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=False)
    return out.getvalue()


def dhash(image: Image.Image) -> str:
    """64-bit difference hash as 16 hex digits: near-identical pictures differ in few bits."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()
    value = 0
    for row in range(8):
        for col in range(8):
            value = (value << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return f"{value:016x}"


def camera_time(exif: Image.Exif, zone: ZoneInfo) -> datetime | None:
    """EXIF DateTimeOriginal (with OffsetTimeOriginal if present, else local time) in UTC."""
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    raw = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = sub.get(ExifTags.Base.OffsetTimeOriginal)
    tz: timezone | ZoneInfo = zone
    if isinstance(offset, str) and len(offset) >= 6 and offset[0] in "+-":
        try:
            sign = 1 if offset[0] == "+" else -1
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        except ValueError:
            pass
    return moment.replace(tzinfo=tz).astimezone(UTC)

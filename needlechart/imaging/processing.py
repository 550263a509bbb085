"""Checking and cleaning an uploaded photo (pure: bytes in, bytes out, no Django).

The file is judged by its CONTENT — never by its name or the browser's content type:
Pillow must recognise it as JPEG, PNG, WebP or HEIC/HEIF (pillow-heif), `verify()` it,
and decode it completely (truncated or corrupt data is refused), within a pixel limit
that stops decompression bombs. The accepted image is turned upright (EXIF orientation)
and re-encoded, which drops every piece of metadata (EXIF with GPS, XMP, comments, text
chunks); only the ICC colour profile is kept. HEIC/HEIF is stored as JPEG.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

MAX_MEGAPIXELS = 60
MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000
# Pillow warns above this and refuses above twice this; the warning is made an error below.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

THUMBNAIL_MAX_SIDE = 480
JPEG_QUALITY = 95
WEBP_QUALITY = 95
THUMBNAIL_QUALITY = 85
WHITE = (255, 255, 255)

# Pillow format name -> stored format. MPO is the multi-picture JPEG some phones write.
_STORED_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}
OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")  # Pillow's JPEG opener also yields MPO
_EXTENSION = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
CONTENT_TYPE = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
SOURCE_LABEL = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC/HEIF"}

ACCEPTED_DESCRIPTION = "JPEG, PNG, WebP or HEIC/HEIF"
EMPTY = "the file is empty."
NOT_AN_IMAGE = (
    f"it is not a {ACCEPTED_DESCRIPTION} image (the content was checked, not the file name)."
)
DAMAGED = "the image data is damaged or incomplete (a truncated or corrupt file)."
TOO_MANY_PIXELS = f"the picture is larger than {MAX_MEGAPIXELS} megapixels."


def too_big_message(size: int, max_bytes: int) -> str:
    return f"it is {size / 1_048_576:.1f} MB; the limit is {max_bytes / 1_048_576:.0f} MB."


class PhotoRejected(ValueError):
    """The upload is not an acceptable photo; `reason` says why, in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ProcessedPhoto:
    content: bytes  # the stored image, upright, without metadata
    stored_format: str  # JPEG / PNG / WEBP
    source_format: str  # what was uploaded (Pillow's name: JPEG, MPO, PNG, WEBP, HEIF)
    width: int
    height: int
    sha256: str  # of `content`
    thumbnail: bytes  # JPEG, long side at most THUMBNAIL_MAX_SIDE

    @property
    def extension(self) -> str:
        return _EXTENSION[self.stored_format]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPE[self.stored_format]

    @property
    def converted(self) -> bool:
        """True when the stored format differs from the uploaded one (HEIC -> JPEG)."""
        return self.source_format == "HEIF"


def _open_checked(data: bytes) -> tuple[Image.Image, str]:
    """Recognise, verify and fully decode; returns the loaded first frame and its format."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=OPEN_FORMATS) as probe:
                fmt = str(probe.format)
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise PhotoRejected(TOO_MANY_PIXELS)
                probe.verify()
            # verify() leaves the image unusable: open again and decode every pixel.
            im = Image.open(io.BytesIO(data), formats=("JPEG" if fmt == "MPO" else fmt,))
            im.load()
        except PhotoRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRejected(TOO_MANY_PIXELS) from None
        except UnidentifiedImageError:
            raise PhotoRejected(NOT_AN_IMAGE) from None
        except Exception as exc:
            # Pillow reports damaged data as OSError, SyntaxError, ValueError, EOFError,
            # struct.error...; whatever a decoder raises on hostile input, it is a refusal.
            raise PhotoRejected(DAMAGED) from exc
    if fmt not in _STORED_AS:
        raise PhotoRejected(NOT_AN_IMAGE)
    return im, fmt


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (
        im.mode in {"P", "L", "RGB"} and "transparency" in im.info
    )


def _flatten(im: Image.Image) -> Image.Image:
    """RGB or L, alpha composited on white; high bit depths scaled down to 8 bits."""
    if im.mode in {"RGB", "L"} and "transparency" not in im.info:
        return im
    if im.mode.startswith("I"):
        return im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if im.mode == "F":
        return im.convert("L")
    if _has_alpha(im):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")


def _encode(im: Image.Image, stored_format: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    options: dict[str, object] = {}
    if icc:
        options["icc_profile"] = icc
    if stored_format == "JPEG":
        im = _flatten(im)
        im.save(out, format="JPEG", quality=JPEG_QUALITY, **options)
    elif stored_format == "PNG":
        if im.mode not in {"1", "L", "LA", "P", "RGB", "RGBA", "I;16", "I"}:
            im = im.convert("RGBA" if _has_alpha(im) else "RGB")
        if "transparency" in im.info:
            options["transparency"] = im.info["transparency"]
        im.save(out, format="PNG", **options)
    else:
        if im.mode not in {"RGB", "RGBA"}:
            im = im.convert("RGBA" if _has_alpha(im) else "RGB")
        im.save(out, format="WEBP", quality=WEBP_QUALITY, **options)
    return out.getvalue()


def make_thumbnail(im: Image.Image) -> bytes:
    thumb = _flatten(im.copy())
    thumb.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE))
    out = io.BytesIO()
    thumb.save(out, format="JPEG", quality=THUMBNAIL_QUALITY)
    return out.getvalue()


def process_photo(data: bytes, *, max_bytes: int) -> ProcessedPhoto:
    """Check `data` and return the cleaned photo and its thumbnail, or raise PhotoRejected."""
    if not data:
        raise PhotoRejected(EMPTY)
    if len(data) > max_bytes:
        raise PhotoRejected(too_big_message(len(data), max_bytes))
    loaded, source_format = _open_checked(data)
    try:
        icc = loaded.info.get("icc_profile") or None
        transparency = loaded.info.get("transparency")
        upright = ImageOps.exif_transpose(loaded)  # always a new image
        # Start from empty metadata: nothing of the upload's info reaches the encoder.
        upright.info = {} if transparency is None else {"transparency": transparency}
        if upright.mode == "CMYK":
            upright, icc = upright.convert("RGB"), None  # a CMYK profile no longer applies
        stored_format = _STORED_AS[source_format]
        content = _encode(upright, stored_format, icc if isinstance(icc, bytes) else None)
        thumbnail = make_thumbnail(upright)
    except PhotoRejected:
        raise
    except Exception as exc:  # an unusual mode or damaged EXIF must not become a 500
        raise PhotoRejected(DAMAGED) from exc
    finally:
        loaded.close()
    return ProcessedPhoto(
        content=content,
        stored_format=stored_format,
        source_format=source_format,
        width=upright.width,
        height=upright.height,
        sha256=hashlib.sha256(content).hexdigest(),
        thumbnail=thumbnail,
    )

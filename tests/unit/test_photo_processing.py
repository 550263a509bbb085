"""Content checks and cleaning of uploaded photos (pure, no database)."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import pytest
from PIL import Image, ImageCms

from needlechart.imaging import processing
from needlechart.imaging.processing import (
    DAMAGED,
    EMPTY,
    MAX_PIXELS,
    NOT_AN_IMAGE,
    THUMBNAIL_MAX_SIDE,
    TOO_MANY_PIXELS,
    PhotoRejected,
    process_photo,
)
from tests.factories.imaging import GPS_IFD, image_bytes

LIMIT = 25 * 1024 * 1024
RED = (255, 0, 0)
BLUE = (0, 0, 255)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A cheap PNG bomb: 1-bit greyscale of the given size, all zero rows compressed
    (a few hundred kB for 20000 x 20000), decoding to width x height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = bytearray()
    block = row * 500
    for _ in range(height // 500):
        body += compressor.compress(block)
    body += compressor.compress(row * (height % 500))
    body += compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", bytes(body))
        + _chunk(b"IEND", b"")
    )


def reopen(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def rejected(data: bytes, *, max_bytes: int = LIMIT) -> str:
    with pytest.raises(PhotoRejected) as info:
        process_photo(data, max_bytes=max_bytes)
    return info.value.reason


def heic_bytes() -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(image_bytes(64, 48))).save(out, format="HEIF", quality=90)
    return out.getvalue()


# ---------------------------------------------------------------- the content table

SMALL_JPEG = image_bytes(64, 48)


@pytest.mark.parametrize(
    ("label", "make", "reason"),
    [
        ("a PDF named .jpg", lambda: b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", None),
        ("text named .png", lambda: b"just some text, not a picture\n" * 20, None),
        ("GIF (not accepted)", lambda: image_bytes(32, 32, fmt="GIF", mode="P"), None),
        ("TIFF (not accepted)", lambda: image_bytes(32, 32, fmt="TIFF"), None),
        ("BMP (not accepted)", lambda: image_bytes(32, 32, fmt="BMP"), None),
        ("empty file", lambda: b"", EMPTY),
        ("truncated JPEG", lambda: image_bytes(256, 256, noise=True)[:3000], DAMAGED),
        ("JPEG header only", lambda: SMALL_JPEG[:200], DAMAGED),
        ("PNG with a bad CRC", lambda: _corrupt_png(), DAMAGED),
        ("20000 x 20000 PNG bomb", lambda: png_claiming(20000, 20000), TOO_MANY_PIXELS),
        ("70 MP PNG (warning zone)", lambda: png_claiming(10000, 7000), TOO_MANY_PIXELS),
    ],
)
def test_refused_by_content(label: str, make: Callable[[], bytes], reason: str | None) -> None:
    assert rejected(make()) == (reason or NOT_AN_IMAGE), label


def _corrupt_png() -> bytes:
    data = bytearray(image_bytes(32, 32, fmt="PNG"))
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF  # flip a byte of the compressed data: the CRC no longer matches
    return bytes(data)


def test_too_big_is_refused_before_decoding() -> None:
    reason = rejected(image_bytes(64, 48), max_bytes=100)
    assert "MB" in reason and "limit" in reason


def test_pixel_limit_is_the_module_constant() -> None:
    assert Image.MAX_IMAGE_PIXELS == processing.MAX_PIXELS == MAX_PIXELS
    assert MAX_PIXELS == 60_000_000


@pytest.mark.parametrize(
    ("fmt", "stored", "content_type"),
    [
        ("JPEG", "JPEG", "image/jpeg"),
        ("PNG", "PNG", "image/png"),
        ("WEBP", "WEBP", "image/webp"),
    ],
)
def test_accepted_formats_keep_their_format(fmt: str, stored: str, content_type: str) -> None:
    result = process_photo(image_bytes(64, 48, fmt=fmt), max_bytes=LIMIT)
    assert result.stored_format == stored
    assert result.content_type == content_type
    assert reopen(result.content).format == stored
    assert (result.width, result.height) == (64, 48)
    assert not result.converted


def test_heic_is_stored_as_jpeg() -> None:
    result = process_photo(heic_bytes(), max_bytes=LIMIT)
    assert result.source_format == "HEIF"
    assert result.stored_format == "JPEG" and result.extension == ".jpg"
    assert result.converted
    assert reopen(result.content).format == "JPEG"


def test_name_and_browser_type_play_no_part() -> None:
    # The processing sees only bytes: a PNG is a PNG whatever it was called.
    result = process_photo(image_bytes(20, 20, fmt="PNG"), max_bytes=LIMIT)
    assert result.extension == ".png"


# ---------------------------------------------------------------- cleaning


def test_gps_and_all_exif_are_stripped() -> None:
    source = image_bytes(64, 48, gps=True)
    assert reopen(source).getexif().get_ifd(GPS_IFD)  # the test file really has GPS
    result = process_photo(source, max_bytes=LIMIT)
    stored = reopen(result.content)
    assert "exif" not in stored.info
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert b"Exif\x00\x00" not in result.content
    assert b"TestCam" not in result.content


def test_xmp_and_comments_are_stripped() -> None:
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><secret>patient-name</secret></x:xmpmeta>'
    source = image_bytes(64, 48, xmp=xmp, comment=b"Jane Doe, 1990")
    assert b"patient-name" in source and b"Jane Doe" in source
    result = process_photo(source, max_bytes=LIMIT)
    assert b"patient-name" not in result.content
    assert b"Jane Doe" not in result.content
    assert b"patient-name" not in result.thumbnail


def test_png_text_chunks_are_stripped() -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Dr Secret")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>where</x:xmpmeta>")
    result = process_photo(image_bytes(32, 32, fmt="PNG", pnginfo=info), max_bytes=LIMIT)
    assert b"Dr Secret" not in result.content
    assert b"xmpmeta" not in result.content


def test_icc_profile_is_kept() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = process_photo(image_bytes(32, 32, icc_profile=icc), max_bytes=LIMIT)
    assert reopen(result.content).info.get("icc_profile") == icc


def test_exif_rotated_photo_comes_out_upright() -> None:
    # Stored sideways (64 x 48, left half red) with orientation 6 = "rotate 90° clockwise
    # to view": upright it is 48 x 64 with the red half on top.
    source = image_bytes(64, 48, orientation=6)
    result = process_photo(source, max_bytes=LIMIT)
    assert (result.width, result.height) == (48, 64)
    upright = reopen(result.content).convert("RGB")
    assert upright.size == (48, 64)
    top = upright.getpixel((24, 6))
    bottom = upright.getpixel((24, 58))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 200 and top[2] < 60  # red
    assert bottom[2] > 200 and bottom[0] < 60  # blue
    assert not reopen(result.content).getexif().get(0x0112)  # no orientation tag left
    thumb = reopen(result.thumbnail)
    assert thumb.height > thumb.width


@pytest.mark.parametrize(
    ("size", "expected"), [((1200, 900), (480, 360)), ((300, 900), (160, 480))]
)
def test_thumbnail_long_side_is_480(size: tuple[int, int], expected: tuple[int, int]) -> None:
    result = process_photo(image_bytes(*size), max_bytes=LIMIT)
    thumb = reopen(result.thumbnail)
    assert thumb.format == "JPEG"
    assert thumb.size == expected
    assert max(thumb.size) == THUMBNAIL_MAX_SIDE


def test_small_photo_thumbnail_is_not_enlarged() -> None:
    thumb = reopen(process_photo(image_bytes(100, 50), max_bytes=LIMIT).thumbnail)
    assert thumb.size == (100, 50)


def test_transparent_png_keeps_alpha_and_gets_a_white_thumbnail() -> None:
    im = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    out = io.BytesIO()
    im.save(out, format="PNG")
    result = process_photo(out.getvalue(), max_bytes=LIMIT)
    assert reopen(result.content).mode == "RGBA"
    pixel = reopen(result.thumbnail).convert("RGB").getpixel((20, 20))
    assert pixel == (255, 255, 255)


@pytest.mark.parametrize("mode", ["L", "CMYK", "P", "LA", "I;16"])
def test_unusual_modes_are_handled(mode: str) -> None:
    fmt = "JPEG" if mode in {"L", "CMYK"} else "PNG"
    result = process_photo(image_bytes(40, 30, fmt=fmt, mode=mode), max_bytes=LIMIT)
    assert reopen(result.thumbnail).format == "JPEG"


def test_sha256_is_of_the_stored_bytes() -> None:
    import hashlib

    result = process_photo(image_bytes(40, 30), max_bytes=LIMIT)
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()


def test_multi_picture_jpeg_from_a_phone_is_accepted_as_jpeg() -> None:
    first = Image.new("RGB", (40, 30), RED)
    out = io.BytesIO()
    first.save(out, format="MPO", save_all=True, append_images=[Image.new("RGB", (40, 30), BLUE)])
    assert reopen(out.getvalue()).format == "MPO"
    result = process_photo(out.getvalue(), max_bytes=LIMIT)
    assert result.stored_format == "JPEG" and not result.converted
    assert reopen(result.content).format == "JPEG"

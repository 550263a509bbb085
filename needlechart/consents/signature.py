"""Drawn signatures: a PNG data URL from the signing canvas, checked before it is stored.

Checked here without an image library: the data URL prefix, strict base64, the size, the
PNG signature bytes and a readable header, and that the drawing is not blank (a canvas
nobody drew on is a valid, fully transparent PNG).
"""

from __future__ import annotations

import base64
import binascii
import struct
import zlib

from django.core.exceptions import ValidationError

PREFIX = "data:image/png;base64,"
MAX_BYTES = 500 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIDE = 4000
MAX_PIXEL_BYTES = 32 * 1024 * 1024  # decompressed image data we are willing to inspect

EMPTY = "Draw the signature in the box (a finger or the mouse), then submit."
NOT_DATA_URL = "The signature was not received as a drawing. Clear the box and sign again."
NOT_PNG = "The signature is not a valid PNG image. Clear the box and sign again."
TOO_BIG = "The signature image is too large (over 500 KB). Clear the box and sign again."
BLANK = "The signature box is empty: draw the signature before submitting."

# Bytes per complete pixel for each PNG colour type at 8 bits per sample.
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _chunks(raw: bytes) -> list[tuple[bytes, bytes]]:
    chunks: list[tuple[bytes, bytes]] = []
    pos = len(PNG_MAGIC)
    while pos + 8 <= len(raw):
        (length,) = struct.unpack(">I", raw[pos : pos + 4])
        kind = raw[pos + 4 : pos + 8]
        data = raw[pos + 8 : pos + 8 + length]
        if len(data) != length or pos + 12 + length > len(raw):
            raise ValidationError(NOT_PNG, code="not_png")
        chunks.append((kind, data))
        pos += 12 + length
        if kind == b"IEND":
            break
    return chunks


def _is_blank(chunks: list[tuple[bytes, bytes]]) -> bool:
    """True when every pixel is zero (what an untouched canvas exports).

    With zero history every PNG row filter predicts zero, so filtered rows of an all-zero
    image are all zero, and an image whose filtered data is all zero is all zero.
    """
    header = chunks[0][1]
    width, height, bit_depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if bit_depth not in (1, 2, 4, 8, 16) or colour not in _CHANNELS:
        raise ValidationError(NOT_PNG, code="not_png")
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ValidationError(NOT_PNG, code="not_png")
    if interlace or colour == 3:
        return False  # not what a canvas produces; accept without inspecting the pixels
    row = (width * _CHANNELS[colour] * bit_depth + 7) // 8
    expected = (row + 1) * height
    if expected > MAX_PIXEL_BYTES:
        raise ValidationError(TOO_BIG, code="too_big")
    compressed = b"".join(data for kind, data in chunks if kind == b"IDAT")
    try:
        decoder = zlib.decompressobj()
        pixels = decoder.decompress(compressed, expected + 1)
    except zlib.error:
        raise ValidationError(NOT_PNG, code="not_png") from None
    if len(pixels) < expected:
        raise ValidationError(NOT_PNG, code="not_png")
    stride = row + 1
    return not any(
        pixels[start + 1 : start + stride].strip(b"\x00") for start in range(0, expected, stride)
    )


def signature_png(data_url: str | None) -> bytes:
    """The PNG bytes of a drawn signature, or a ValidationError saying what is wrong."""
    value = (data_url or "").strip()
    if not value:
        raise ValidationError(EMPTY, code="empty")
    if not value.startswith(PREFIX):
        raise ValidationError(NOT_DATA_URL, code="not_data_url")
    encoded = value[len(PREFIX) :]
    if len(encoded) > (MAX_BYTES * 4) // 3 + 4:
        raise ValidationError(TOO_BIG, code="too_big")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(NOT_PNG, code="not_png") from None
    if len(raw) > MAX_BYTES:
        raise ValidationError(TOO_BIG, code="too_big")
    if not raw.startswith(PNG_MAGIC):
        raise ValidationError(NOT_PNG, code="not_png")
    chunks = _chunks(raw)
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise ValidationError(NOT_PNG, code="not_png")
    if not any(kind == b"IDAT" for kind, _ in chunks):
        raise ValidationError(NOT_PNG, code="not_png")
    if _is_blank(chunks):
        raise ValidationError(BLANK, code="blank")
    return raw


def clean_signature(data_url: str | None) -> str:
    """The validated data URL, normalised (whitespace stripped), ready to store."""
    signature_png(data_url)
    return (data_url or "").strip()

"""What the demo clinic's staff would draw or type: a signature drawn on screen, a day-of
checklist answered "no", a session charted with the plan's values. Used by the demo seeder
(and reused by the tests' factories); the records themselves go through the services."""

from __future__ import annotations

import base64
import struct
import zlib
from datetime import timedelta
from typing import Any

from needlechart.protocol import default_protocol
from needlechart.treatments.models import SessionRecord


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def signature_png(width: int = 120, height: int = 40, *, blank: bool = False) -> bytes:
    """An RGBA PNG like a canvas export: transparent, with a black line unless `blank`.
    Written by hand (zlib + the chunk layout), so no image library is needed."""
    rows = []
    for y in range(height):
        row = bytearray(width * 4)
        if not blank and y == height // 2:
            for x in range(width // 8, width - width // 8):
                row[x * 4 : x * 4 + 4] = b"\x11\x11\x11\xff"
        rows.append(b"\x00" + bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + _chunk(b"IEND", b"")
    )


def data_url(raw: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")


def signature_url(width: int = 120, height: int = 40) -> str:
    """A drawn signature as the signature pad sends it."""
    return data_url(signature_png(width, height))


def day_of_answers_no() -> dict[str, bool]:
    """Every question of the protocol's day-of checklist answered "no"."""
    return {item.code: False for item in default_protocol().document.charting.day_of_checklist}


def session_values(session: SessionRecord, *, cartridge_lot: str, **changes: Any) -> dict[str, Any]:
    """Complete values for `session_update`: the plan's device and depths, the protocol's
    first glide product and endpoint, a cartridge that expires in a year; `changes` win."""
    charting = default_protocol().document.charting
    values: dict[str, Any] = {
        "performed_on": session.performed_on,
        "practitioner": session.practitioner,
        "device": session.device,
        "cartridge_lot": cartridge_lot,
        "cartridge_expiry": session.performed_on + timedelta(days=365),
        "depths": dict(session.plan.depths or {}),
        "depth_reasons": {},
        "passes": 4,
        "glide_product": charting.glide_products[0].code,
        "glide_product_other": "",
        "anaesthetic": "Topical lidocaine",
        "endpoint_reached": charting.endpoints[0].text,
        "immediate_reactions": "Erythema",
        "notes": "",
    }
    values.update(changes)
    return values

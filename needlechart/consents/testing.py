"""Helpers for tests: an approved plan through the real services, PNG signatures, a signed
consent. No image library: the PNGs are written by hand (zlib + the chunk layout)."""

from __future__ import annotations

import base64
import struct
import zlib
from datetime import date
from typing import Any

from needlechart.accounts.models import User
from needlechart.consents.models import Consent
from needlechart.patients.models import Patient
from needlechart.plans import testing as plans_testing
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.testing import PROCEED

START = date(2030, 3, 2)


def approve_plan(
    *, patient: Patient, by: User, example: str = PROCEED, **changes: Any
) -> TreatmentPlan:
    """Screen the patient with an example intake (with `changes`), draft, fill, approve."""
    return plans_testing.approved_plan(
        patient=patient, by=by, example=example, start_date=START, intake=changes
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(width: int = 120, height: int = 40, *, blank: bool = False) -> bytes:
    """An RGBA PNG like a canvas export: transparent, with a black line unless `blank`."""
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
    return data_url(png_bytes(width, height))


def signed_consent(
    *, plan: TreatmentPlan, witness: User, clinician: User, **patient_fields: Any
) -> Consent:
    """A consent prepared, signed by the patient and countersigned."""
    from needlechart.consents.services import (
        consent_countersign,
        consent_create,
        consent_sign_patient,
    )

    consent = consent_create(plan=plan, by=witness)
    fields: dict[str, Any] = {
        "full_name": plan.patient.full_name,
        "signature": signature_url(),
        "photo_clinical": True,
        "photo_marketing": False,
    }
    fields.update(patient_fields)
    consent_sign_patient(consent=consent, by=witness, **fields)
    return consent_countersign(consent=consent, by=clinician, signature=signature_url())


def signed_consent_row(
    *, plan: TreatmentPlan, by: User, photo_clinical: bool = True, photo_marketing: bool = False
) -> Consent:
    """A SIGNED consent row covering the plan's device and zones, written directly (fast;
    for tests of other apps that only need a consent to exist)."""
    from django.utils import timezone

    from needlechart.consents.models import ConsentStatus

    now = timezone.now()
    return Consent.objects.create(
        patient=plan.patient,
        plan=plan,
        status=ConsentStatus.SIGNED,
        text="Test consent",
        text_hash="0" * 64,
        device=plan.device,
        zones=sorted((plan.depths or {}).keys()),
        photo_clinical=photo_clinical,
        photo_marketing=photo_marketing,
        patient_name_signed=plan.patient.full_name,
        patient_signed_at=now,
        clinician=by,
        clinician_signed_at=now,
        created_by=by,
    )

"""Helpers for tests of photos (also for the apps that show them): a temporary photo
storage, test images made with Pillow, a consent with the photo choices, a stored photo."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from needlechart.accounts.models import User
from needlechart.consents.models import Consent
from needlechart.imaging.models import Photo, PhotoView, VisitKind
from needlechart.patients.models import Patient

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def use_temp_photo_storage(settings: Any, tmp_path: Path) -> Path:
    """Point the "photos" storage at `tmp_path` (pass pytest-django's `settings` fixture);
    the storage caches are reset by the setting_changed signal."""
    location = tmp_path / "photos"
    storages = dict(django_settings.STORAGES)
    storages["photos"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(location)},
    }
    settings.STORAGES = storages
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return location


def image_bytes(
    width: int = 64,
    height: int = 48,
    *,
    fmt: str = "JPEG",
    mode: str = "RGB",
    gps: bool = False,
    orientation: int | None = None,
    noise: bool = False,
    **save: Any,
) -> bytes:
    """A test picture: left half red, right half blue (so turning it is visible).
    `gps` writes a GPS position into EXIF; `orientation` the EXIF orientation tag."""
    im = Image.new("RGB", (width, height), (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, width // 2, height))
    if noise:
        grain = Image.frombytes("L", (width, height), os.urandom(width * height))
        im = Image.merge("RGB", [Image.blend(c, grain, 0.25) for c in im.split()])
    if mode != "RGB":
        im = im.convert(mode)
    exif = Image.Exif()
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.9)}
        exif[0x010F] = "TestCam"  # Make
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps or orientation is not None:
        save["exif"] = exif.tobytes()
    out = io.BytesIO()
    im.save(out, format=fmt, **save)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def give_photo_consent(
    *, patient: Patient, by: User, clinical: bool = True, marketing: bool = False
) -> Consent:
    """A SIGNED consent for an approved plan with the given photo choices."""
    from tests.factories.consents import signed_consent_row
    from tests.factories.treatments import approved_plan

    plan = approved_plan(patient=patient, by=by)
    return signed_consent_row(plan=plan, by=by, photo_clinical=clinical, photo_marketing=marketing)


def store_photo(
    *,
    patient: Patient,
    by: User,
    data: bytes | None = None,
    name: str = "photo.jpg",
    visit_kind: str = VisitKind.CONSULTATION,
    taken_on: date | None = None,
    view: str = PhotoView.FRONT,
    **tags: Any,
) -> Photo:
    """One photo through the real upload service (the consent must already allow it)."""
    from needlechart.imaging.services import photo_upload

    result = photo_upload(
        patient=patient,
        by=by,
        files=[upload(name, data if data is not None else image_bytes())],
        visit_kind=visit_kind,
        taken_on=taken_on or timezone.localdate(),
        view=view,
        **tags,
    )
    assert result.saved, result.rejected
    return result.saved[0]

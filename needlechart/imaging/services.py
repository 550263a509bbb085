"""Changes to clinical photos: upload (a batch), tag edits, the marketing flag, archiving.

Upload checks each file by its content (`processing.process_photo`): valid files of a
batch are saved even when others are refused, and every refusal names its file. The
CPU-heavy image work and the file writes happen BEFORE the database transaction (SQLite
takes its write lock at BEGIN), then the rows and audit events commit together; if that
fails, the files just written are deleted again.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.audit.services import audit_record
from needlechart.core import dates
from needlechart.core.validation import required_text
from needlechart.imaging.models import ORIGINAL_NAME_MAX_LENGTH, Photo, PhotoView, VisitKind
from needlechart.imaging.processing import (
    SOURCE_LABEL,
    PhotoRejected,
    ProcessedPhoto,
    process_photo,
    too_big_message,
)
from needlechart.imaging.selectors import NO_PHOTO_CONSENT, photo_consent
from needlechart.imaging.storage import photo_storage
from needlechart.outcomes.models import FollowUp
from needlechart.patients.models import Patient
from needlechart.protocol.vocabulary import Zone
from needlechart.treatments.models import SessionRecord

MAX_BATCH = 20
LIGHTING_MAX = 255
REASON_MAX = 2000

NOT_CLINICAL = "Only clinicians and aestheticians can take or change clinical photos."
PATIENT_ARCHIVED = "This patient's record is archived; photos cannot be added."
NO_FILES = "Choose at least one photo."
TOO_MANY_FILES = f"Upload at most {MAX_BATCH} photos at a time."
VISIT_INVALID = "Choose the kind of visit."
VIEW_INVALID = "Choose the view."
DATE_REQUIRED = "Enter the date the photos were taken."
DATE_IN_FUTURE = dates.DATE_IN_FUTURE
DATE_BEFORE_BIRTH = dates.DATE_BEFORE_BIRTH
ZONE_REQUIRED = "Choose the zone shown in the close-up."
ZONE_INVALID = "Choose a zone from the list."
ZONE_ONLY_CLOSE_UP = "A zone is recorded only for close-ups; leave it empty for this view."
LIGHTING_TOO_LONG = f"Keep the lighting notes under {LIGHTING_MAX} characters."
SESSION_OTHER_PATIENT = "This session belongs to another patient."
SESSION_KIND = "Photos linked to a session must have the visit 'Treatment session'."
FOLLOW_UP_OTHER_PATIENT = "This follow-up belongs to another patient."
FOLLOW_UP_KIND = "Photos linked to a follow-up must have the visit 'Follow-up'."
SESSION_AND_FOLLOW_UP = "Link the photos to a session or to a follow-up, not both."
REASON_REQUIRED = "Give a reason for archiving the photo."
REASON_TOO_LONG = f"Keep the reason under {REASON_MAX} characters."
ALREADY_ARCHIVED = "This photo is already archived."
ARCHIVED_NO_CHANGE = "This photo is archived; it can no longer be changed."
NO_MARKETING_CONSENT = (
    "The patient's current signed consent does not allow photos to be used for teaching or "
    "marketing, so this photo cannot be marked for it."
)

TAG_FIELDS = (
    "visit_kind",
    "taken_on",
    "view",
    "zone",
    "lighting_notes",
    "session",
    "follow_up",
)


class Upload(Protocol):
    """What a view hands over: Django's UploadedFile, or any named, sized, readable file."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def chunks(self, chunk_size: int | None = None) -> Any: ...


@dataclass(frozen=True)
class Rejection:
    name: str
    reason: str

    @property
    def message(self) -> str:
        return f"“{self.name}” was not saved: {self.reason}"


@dataclass
class UploadResult:
    saved: list[Photo] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    converted: list[str] = field(default_factory=list)  # names stored as JPEG (from HEIC)


def display_name(raw: str | None) -> str:
    """The uploaded file's own name, kept as data only: no folders, no control characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:ORIGINAL_NAME_MAX_LENGTH] or "unnamed file"


def _tag_errors(  # noqa: C901 - a flat list of checks, one message each
    *,
    patient: Patient,
    visit_kind: str,
    taken_on: date | None,
    view: str,
    zone: str,
    lighting_notes: str,
    session: SessionRecord | None,
    follow_up: FollowUp | None,
    today: date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if visit_kind not in VisitKind.values:
        errors["visit_kind"] = VISIT_INVALID
    if view not in PhotoView.values:
        errors["view"] = VIEW_INVALID
    if not isinstance(taken_on, date):
        errors["taken_on"] = DATE_REQUIRED
    else:
        errors |= dates.date_errors(
            {"taken_on": taken_on}, born=patient.date_of_birth, today=today, past=True
        )
    if view == PhotoView.CLOSE_UP:
        if not zone:
            errors["zone"] = ZONE_REQUIRED
        elif zone not in {z.value for z in Zone}:
            errors["zone"] = ZONE_INVALID
    elif zone:
        errors["zone"] = ZONE_ONLY_CLOSE_UP
    if len(lighting_notes) > LIGHTING_MAX:
        errors["lighting_notes"] = LIGHTING_TOO_LONG
    if session is not None and follow_up is not None:
        errors["follow_up"] = SESSION_AND_FOLLOW_UP
    if session is not None:
        if session.patient_id != patient.pk:
            errors["session"] = SESSION_OTHER_PATIENT
        elif visit_kind != VisitKind.SESSION:
            errors["visit_kind"] = SESSION_KIND
    if follow_up is not None:
        if follow_up.patient_id != patient.pk:
            errors["follow_up"] = FOLLOW_UP_OTHER_PATIENT
        elif visit_kind != VisitKind.FOLLOW_UP:
            errors["visit_kind"] = FOLLOW_UP_KIND
    return errors


def _read_limited(upload: Upload, limit: int) -> bytes:
    """At most `limit` + 1 bytes: enough to tell that a file is over the limit."""
    data = bytearray()
    for chunk in upload.chunks():
        data += chunk
        if len(data) > limit:
            break
    return bytes(data)


def _check_one(upload: Upload, max_bytes: int) -> ProcessedPhoto:
    if upload.size is not None and upload.size > max_bytes:
        raise PhotoRejected(too_big_message(upload.size, max_bytes))
    return process_photo(_read_limited(upload, max_bytes), max_bytes=max_bytes)


def _store(content: bytes, extension: str) -> str:
    """Save under a random name; returns the name the storage actually used."""
    name: str = photo_storage.save(f"{uuid4().hex}{extension}", ContentFile(content))
    return name


def _delete_quietly(names: Sequence[str]) -> None:
    for name in names:
        # Best effort: an orphan file is harmless, a 500 hiding the real error is not.
        with contextlib.suppress(Exception):
            photo_storage.delete(name)


def photo_upload(
    *,
    patient: Patient,
    by: User,
    files: Sequence[Upload],
    visit_kind: str,
    taken_on: date | None,
    view: str,
    zone: str = "",
    lighting_notes: str = "",
    session: SessionRecord | None = None,
    follow_up: FollowUp | None = None,
    today: date | None = None,
) -> UploadResult:
    """Check, clean and store each file with the batch's tags.

    Raises PermissionDenied (role, or the consent does not cover clinical photos) and
    ValidationError (bad tags, no files, too many files) before anything is stored.
    Otherwise returns which files were saved and which were refused, and why."""
    require_clinical(by, NOT_CLINICAL)
    if patient.is_archived:
        raise ValidationError(PATIENT_ARCHIVED)
    clinical, _marketing = photo_consent(patient)
    if not clinical:
        raise PermissionDenied(NO_PHOTO_CONSENT)
    zone = (zone or "").strip()
    lighting_notes = (lighting_notes or "").strip()
    errors = _tag_errors(
        patient=patient,
        visit_kind=visit_kind,
        taken_on=taken_on,
        view=view,
        zone=zone,
        lighting_notes=lighting_notes,
        session=session,
        follow_up=follow_up,
        today=today or timezone.localdate(),
    )
    if not files:
        errors["photos"] = NO_FILES
    elif len(files) > MAX_BATCH:
        errors["photos"] = TOO_MANY_FILES
    if errors or taken_on is None:
        raise ValidationError(errors)
    taken: date = taken_on

    max_bytes: int = settings.PHOTO_MAX_BYTES
    result = UploadResult()
    accepted: list[tuple[str, ProcessedPhoto, str, str]] = []
    written: list[str] = []
    try:
        for upload in files:
            name = display_name(upload.name)
            try:
                processed = _check_one(upload, max_bytes)
            except PhotoRejected as exc:
                result.rejected.append(Rejection(name=name, reason=exc.reason))
                continue
            original = _store(processed.content, processed.extension)
            written.append(original)
            thumbnail = _store(processed.thumbnail, ".jpg")
            written.append(thumbnail)
            accepted.append((name, processed, original, thumbnail))
            if processed.converted:
                result.converted.append(name)
        with transaction.atomic():
            for name, processed, original, thumbnail in accepted:
                photo = Photo.objects.create(
                    patient=patient,
                    visit_kind=visit_kind,
                    session=session,
                    follow_up=follow_up,
                    taken_on=taken,
                    view=view,
                    zone=zone,
                    lighting_notes=lighting_notes,
                    original=original,
                    thumbnail=thumbnail,
                    original_name=name,
                    content_type=processed.content_type,
                    width=processed.width,
                    height=processed.height,
                    size_bytes=len(processed.content),
                    sha256=processed.sha256,
                    created_by=by,
                )
                audit_record(
                    actor=by,
                    action="photo.upload",
                    obj=photo,
                    patient_id=patient.pk,
                    detail={
                        "original_name": name,
                        "uploaded_as": SOURCE_LABEL[processed.source_format],
                        "stored_as": processed.content_type,
                        "sha256": processed.sha256,
                        "visit_kind": visit_kind,
                        "view": view,
                        "taken_on": taken.isoformat(),
                    },
                )
                result.saved.append(photo)
            if result.rejected:
                audit_record(
                    actor=by,
                    action="photo.upload_refused",
                    patient_id=patient.pk,
                    detail={
                        "files": [{"name": r.name, "reason": r.reason} for r in result.rejected]
                    },
                )
    except BaseException:
        _delete_quietly(written)
        raise
    return result


def _tag_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


@transaction.atomic
def photo_update(
    *,
    photo: Photo,
    by: User,
    visit_kind: str,
    taken_on: date | None,
    view: str,
    zone: str = "",
    lighting_notes: str = "",
    session: SessionRecord | None = None,
    follow_up: FollowUp | None = None,
    today: date | None = None,
) -> Photo:
    """Change the photo's tags (one photo of a batch). The image itself never changes."""
    require_clinical(by, NOT_CLINICAL)
    locked = Photo.objects.select_for_update().select_related("patient").get(pk=photo.pk)
    if locked.is_archived:
        raise ValidationError(ARCHIVED_NO_CHANGE)
    zone = (zone or "").strip()
    lighting_notes = (lighting_notes or "").strip()
    errors = _tag_errors(
        patient=locked.patient,
        visit_kind=visit_kind,
        taken_on=taken_on,
        view=view,
        zone=zone,
        lighting_notes=lighting_notes,
        session=session,
        follow_up=follow_up,
        today=today or timezone.localdate(),
    )
    if errors:
        raise ValidationError(errors)
    new = {
        "visit_kind": visit_kind,
        "taken_on": taken_on,
        "view": view,
        "zone": zone,
        "lighting_notes": lighting_notes,
        "session": session,
        "follow_up": follow_up,
    }
    changes: dict[str, dict[str, Any]] = {}
    for name, value in new.items():
        old = getattr(locked, f"{name}_id" if name in ("session", "follow_up") else name)
        if _tag_value(old) != _tag_value(value):
            changes[name] = {"old": _tag_value(old), "new": _tag_value(value)}
        setattr(locked, name, value)
    if changes:
        locked.save(update_fields=[*new.keys(), "updated_at"])
        audit_record(
            actor=by,
            action="photo.update",
            obj=locked,
            patient_id=locked.patient_id,
            detail={"changes": changes},
        )
    for name, value in new.items():
        setattr(photo, name, value)
    return locked


@transaction.atomic
def photo_set_marketing(*, photo: Photo, by: User, marketing_use: bool) -> Photo:
    """Mark (or unmark) a photo as usable without name for teaching or marketing. Marking
    needs the patient's current consent to allow it; unmarking is always allowed."""
    require_clinical(by, NOT_CLINICAL)
    locked = Photo.objects.select_for_update().get(pk=photo.pk)
    if marketing_use:
        if locked.is_archived:
            raise ValidationError({"marketing_use": ARCHIVED_NO_CHANGE})
        _clinical, marketing = photo_consent(locked.patient_id)
        if not marketing:
            raise ValidationError({"marketing_use": NO_MARKETING_CONSENT})
    if locked.marketing_use != marketing_use:
        locked.marketing_use = marketing_use
        locked.save(update_fields=["marketing_use", "updated_at"])
        audit_record(
            actor=by,
            action="photo.marketing_mark" if marketing_use else "photo.marketing_unmark",
            obj=locked,
            patient_id=locked.patient_id,
        )
    photo.marketing_use = marketing_use
    return locked


@transaction.atomic
def photo_archive(*, photo: Photo, by: User, reason: str) -> Photo:
    """Soft delete: the photo leaves the gallery but its files and row are kept."""
    require_clinical(by, NOT_CLINICAL)
    reason = required_text(reason, field="reason", message=REASON_REQUIRED)
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": REASON_TOO_LONG})
    locked = Photo.objects.select_for_update().get(pk=photo.pk)
    if locked.is_archived:
        raise ValidationError(ALREADY_ARCHIVED)
    locked.archived_at = timezone.now()
    locked.archived_reason = reason
    locked.marketing_use = False
    locked.save(update_fields=["archived_at", "archived_reason", "marketing_use", "updated_at"])
    audit_record(
        actor=by,
        action="photo.archive",
        obj=locked,
        patient_id=locked.patient_id,
        detail={"reason": reason},
    )
    photo.archived_at, photo.archived_reason = locked.archived_at, locked.archived_reason
    photo.marketing_use = False
    return locked

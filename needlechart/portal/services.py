"""State changes of the patient portal. Sign-in tokens are single-use, short-lived and stored
only as a sha256 hash; the secret travels only in the e-mailed link."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import date
from functools import partial
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from needlechart.accounts.models import Role, User
from needlechart.accounts.permissions import require_clinical, require_role, require_staff
from needlechart.audit.services import audit_record
from needlechart.imaging.processing import ProcessedPhoto
from needlechart.imaging.selectors import photo_consent
from needlechart.imaging.storage import photo_storage
from needlechart.notifications.models import Message, MessageKind, MessageStatus
from needlechart.notifications.services import message_send_now
from needlechart.patients.models import Patient
from needlechart.portal.models import (
    TOKEN_LIFETIME,
    CheckIn,
    CheckInPhoto,
    PortalToken,
    RescheduleRequest,
    TokenPurpose,
    TriageLevelChoice,
)
from needlechart.protocol import SymptomReport, triage
from needlechart.protocol.vocabulary import TriageLevel
from needlechart.scheduling.models import Appointment
from needlechart.treatments.models import SessionRecord

INVITE_ROLES = frozenset({Role.CLINICIAN, Role.AESTHETICIAN, Role.FRONT_DESK})
INVITE_ROLE = "Your role cannot invite patients to the portal."
REVIEW_ROLE = "Only clinical staff review check-ins."
LINK_REMOVED = "[sign-in link removed from the log]"
NO_EMAIL = "The patient has no e-mail address; add one to the chart before inviting."
ARCHIVED = "The chart is archived."
SIGN_IN_SUBJECT = "Your sign-in link for {clinic}"
SIGN_IN_BODY = (
    "Hello {name},\n\n"
    "Use this link to sign in to your patient portal at {clinic}:\n\n{link}\n\n"
    "The link works once and expires in {minutes} minutes. If you did not ask for it, "
    "you can ignore this e-mail.\n\n{clinic}\n{phone}\n"
)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _send_sign_in(*, patient: Patient, token: PortalToken, secret: str) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("portal:enter", args=[secret])
    subject = SIGN_IN_SUBJECT.format(clinic=settings.CLINIC_NAME)
    body = SIGN_IN_BODY.format(
        name=patient.given_name,
        clinic=settings.CLINIC_NAME,
        phone=settings.CLINIC_PHONE,
        link=link,
        minutes=int(TOKEN_LIFETIME.total_seconds() // 60),
    )
    message = message_send_now(
        patient=patient,
        kind=MessageKind.PORTAL_SIGN_IN,
        subject=subject,
        body=body,
        dedupe_key=f"portal_sign_in:token:{token.pk}",
    )
    if message.status == MessageStatus.SENT:
        # The log on the chart must not hold a live sign-in secret: once delivered, keep the
        # message but without the link. (An unsent one keeps it for the retry; it expires.)
        Message.objects.filter(pk=message.pk).update(body=body.replace(link, LINK_REMOVED))


def _token_create(*, patient: Patient, by: User | None) -> tuple[PortalToken, str]:
    secret = secrets.token_urlsafe(32)
    token = PortalToken.objects.create(
        patient=patient,
        token_hash=hash_secret(secret),
        purpose=TokenPurpose.SIGN_IN,
        expires_at=timezone.now() + TOKEN_LIFETIME,
        created_by=by,
    )
    return token, secret


@transaction.atomic
def portal_invite(*, patient: Patient, by: User) -> PortalToken:
    """Staff send the patient a sign-in link."""
    require_role(by, INVITE_ROLES, INVITE_ROLE)
    if patient.is_archived:
        raise ValidationError(ARCHIVED)
    if not patient.email:
        raise ValidationError({"email": NO_EMAIL})
    token, secret = _token_create(patient=patient, by=by)
    audit_record(actor=by, action="portal.invite", obj=token, patient_id=patient.pk)
    # Only once the token is committed: a rolled-back invite must not e-mail a dead link.
    transaction.on_commit(partial(_send_sign_in, patient=patient, token=token, secret=secret))
    return token


def portal_request_link(*, email: str) -> int:
    """A sign-in link to every active patient with this address. Returns how many were sent;
    the caller must NOT reveal it."""
    email = email.strip()
    if not email:
        return 0
    sent = 0
    for patient in Patient.objects.filter(email__iexact=email, archived_at__isnull=True):
        with transaction.atomic():
            token, secret = _token_create(patient=patient, by=None)
            audit_record(
                actor=None, action="portal.link_requested", obj=token, patient_id=patient.pk
            )
            transaction.on_commit(
                partial(_send_sign_in, patient=patient, token=token, secret=secret)
            )
        sent += 1
    return sent


@transaction.atomic
def token_consume(*, secret: str) -> Patient | None:
    """The patient of a valid, unexpired, unused link, marking it used; None otherwise.
    The conditional UPDATE means two simultaneous clicks cannot both succeed."""
    if not secret or len(secret) > 200:
        return None
    now = timezone.now()
    token = (
        PortalToken.objects.select_related("patient")
        .filter(token_hash=hash_secret(secret), purpose=TokenPurpose.SIGN_IN)
        .first()
    )
    if token is None or token.used_at is not None or token.expires_at <= now:
        return None
    won = PortalToken.objects.filter(pk=token.pk, used_at__isnull=True).update(used_at=now)
    if won != 1 or token.patient.is_archived:
        return None
    audit_record(actor=None, action="portal.sign_in", obj=token, patient_id=token.patient_id)
    return token.patient


def token_state(secret: str) -> str:
    """ "valid", "used", "expired" or "unknown" (for the page shown on GET)."""
    token = PortalToken.objects.filter(token_hash=hash_secret(secret or "")).first()
    if token is None:
        return "unknown"
    if token.used_at is not None:
        return "used"
    if token.expires_at <= timezone.now():
        return "expired"
    return "valid"


@transaction.atomic
def reschedule_request_create(
    *, patient: Patient, appointment: Appointment, message: str, preferred_times: str
) -> RescheduleRequest:
    if appointment.patient_id != patient.pk:
        raise PermissionDenied
    if not preferred_times.strip():
        raise ValidationError({"preferred_times": "Please tell us which times suit you."})
    req = RescheduleRequest.objects.create(
        patient=patient,
        appointment=appointment,
        message=message.strip(),
        preferred_times=preferred_times.strip(),
    )
    audit_record(actor=None, action="portal.reschedule_request", obj=req, patient_id=patient.pk)
    return req


@transaction.atomic
def reschedule_request_handle(*, request: RescheduleRequest, by: User) -> RescheduleRequest:
    require_staff(by)
    if request.handled_at is None:
        request.handled_at = timezone.now()
        request.handled_by = by
        request.save(update_fields=["handled_at", "handled_by", "updated_at"])
        audit_record(
            actor=by, action="portal.reschedule_handled", obj=request, patient_id=request.patient_id
        )
    return request


@transaction.atomic
def check_in_submit(
    *,
    patient: Patient,
    session: SessionRecord,
    day: int,
    reports: list[dict[str, Any]],
    notes: str = "",
    photo: ProcessedPhoto | None = None,
    today: date | None = None,
) -> CheckIn:
    """Triage each reported symptom with the engine and store the check-in.

    `reports`: [{"symptom", "severity", "worsening"}]. No symptoms = all as expected.
    `photo`: an upload already checked by `process_photo`; stored only when the patient's
    consent allows clinical photos (the form does not offer it otherwise).
    """
    if session.patient_id != patient.pk:
        raise PermissionDenied
    if CheckIn.objects.filter(session=session, day=day).exists():
        raise ValidationError("This check-in has already been sent.")
    today = today or timezone.localdate()
    days_since = max((today - session.performed_on).days, 0)
    results = [
        triage(
            SymptomReport(
                symptom=r["symptom"],
                severity=r["severity"],
                days_since_session=days_since,
                worsening=bool(r.get("worsening")),
            )
        )
        for r in reports
    ]
    results.sort(key=lambda t: -t.level.rank)
    worst = results[0].level if results else TriageLevel.EXPECTED
    check_in = CheckIn.objects.create(
        patient=patient,
        session=session,
        day=day,
        answers={
            "symptoms": [
                {
                    "symptom": str(r["symptom"]),
                    "severity": str(r["severity"]),
                    "worsening": bool(r.get("worsening")),
                }
                for r in reports
            ],
            "notes": notes.strip(),
            "days_since_session": days_since,
        },
        triage=[t.model_dump(mode="json") for t in results],
        worst_level=TriageLevelChoice(str(worst)),
    )
    if photo is not None:
        _check_in_photo_store(check_in, photo)
    audit_record(
        actor=None,
        action="portal.check_in",
        obj=check_in,
        patient_id=patient.pk,
        detail={"day": day, "worst_level": str(worst), "photo": photo is not None},
    )
    return check_in


def _check_in_photo_store(check_in: CheckIn, photo: ProcessedPhoto) -> CheckInPhoto:
    clinical, _marketing = photo_consent(check_in.patient_id)
    if not clinical:
        raise PermissionDenied("The patient's consent does not cover clinical photos.")
    names: list[str] = []
    try:
        names.append(
            photo_storage.save(f"{uuid4().hex}{photo.extension}", ContentFile(photo.content))
        )
        names.append(photo_storage.save(f"{uuid4().hex}.jpg", ContentFile(photo.thumbnail)))
        return CheckInPhoto.objects.create(
            check_in=check_in,
            original=names[0],
            thumbnail=names[1],
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size_bytes=len(photo.content),
            sha256=photo.sha256,
        )
    except Exception:
        for name in names:
            # Best effort: an orphan file is harmless, hiding the real error is not.
            with contextlib.suppress(Exception):
                photo_storage.delete(name)
        raise


@transaction.atomic
def check_in_review(*, check_in: CheckIn, by: User, note: str) -> CheckIn:
    require_clinical(by, REVIEW_ROLE)
    if check_in.reviewed_at is not None:
        raise ValidationError("This check-in has already been reviewed.")
    check_in.reviewed_by = by
    check_in.reviewed_at = timezone.now()
    check_in.review_note = note.strip()
    check_in.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "updated_at"])
    audit_record(
        actor=by, action="portal.check_in_review", obj=check_in, patient_id=check_in.patient_id
    )
    return check_in

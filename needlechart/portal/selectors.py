"""Reads for the portal. Every function takes the signed-in patient and returns only that
patient's rows; an id that is not theirs is a 404 (never a hint that it exists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from needlechart.consents.models import Consent, ConsentStatus
from needlechart.core.dates import safe_add_days
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID
from needlechart.portal.models import CheckIn, TriageLevelChoice
from needlechart.protocol import check_in_days, default_protocol
from needlechart.protocol.patient import symptoms_for_device
from needlechart.protocol.vocabulary import Symptom
from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.treatments.models import SessionRecord

# Portal policy (not clinical): a check-in stays open for this many days after its date, so a
# patient who misses the day can still send it; later problems go by phone.
CHECK_IN_OPEN_DAYS = 7


def own_or_404[M: models.Model](qs: QuerySet[M], *, patient: Patient, pk: int) -> M:
    if not 0 < pk <= MAX_DB_ID:
        raise Http404
    obj = qs.filter(pk=pk, patient=patient).first()
    if obj is None:
        raise Http404
    return obj


def upcoming_appointments(patient: Patient) -> QuerySet[Appointment]:
    return Appointment.objects.filter(
        patient=patient, status=AppointmentStatus.BOOKED, starts_at__gte=timezone.now()
    ).order_by("starts_at")


def signed_sessions(patient: Patient) -> QuerySet[SessionRecord]:
    return SessionRecord.objects.signed().filter(patient=patient)


def signed_consents(patient: Patient) -> QuerySet[Consent]:
    return Consent.objects.filter(patient=patient, status=ConsentStatus.SIGNED).order_by(
        "-patient_signed_at"
    )


def symptom_label(symptom: str) -> str:
    rules = default_protocol().document.aftercare.symptoms
    rule = rules.get(Symptom(symptom)) if symptom in Symptom._value2member_map_ else None
    return rule.label if rule is not None else symptom.replace("_", " ")


def symptom_choices(device: str | None = None) -> list[tuple[str, str]]:
    """The symptoms a check-in asks about: every one, or those for the device used (no RF
    burns after a pen session)."""
    symptoms = list(Symptom) if device is None else symptoms_for_device(device)
    return [(s.value, symptom_label(s.value)) for s in symptoms]


@dataclass(frozen=True)
class DueCheckIn:
    session: SessionRecord
    day: int
    on: date


def due_check_ins(patient: Patient, *, today: date | None = None) -> list[DueCheckIn]:
    """Check-ins whose day has come, not yet sent, still open. Two queries."""
    today = today or timezone.localdate()
    days = check_in_days()
    if not days:
        return []
    oldest = today - timedelta(days=max(days) + CHECK_IN_OPEN_DAYS)
    sessions = list(signed_sessions(patient).filter(performed_on__gte=oldest))
    done = set(CheckIn.objects.filter(session__in=sessions).values_list("session_id", "day"))
    due = []
    for session in sessions:
        for day in days:
            on = safe_add_days(session.performed_on, day)
            if on is None:  # a stored year-9999 session date: no check-in is due
                continue
            if (
                on <= today < on + timedelta(days=CHECK_IN_OPEN_DAYS)
                and (
                    session.pk,
                    day,
                )
                not in done
            ):
                due.append(DueCheckIn(session=session, day=day, on=on))
    return sorted(due, key=lambda d: d.on)


def check_in_is_due(patient: Patient, session: SessionRecord, day: int) -> bool:
    return any(d.session.pk == session.pk and d.day == day for d in due_check_ins(patient))


def check_ins_needing_review() -> QuerySet[CheckIn]:
    return (
        CheckIn.objects.filter(reviewed_at__isnull=True)
        .exclude(worst_level=TriageLevelChoice.EXPECTED)
        .select_related("patient", "session")
        .order_by("created_at")
    )


def latest_session(patient: Patient) -> SessionRecord | None:
    """The patient's latest signed session: the one whose aftercare they follow."""
    return signed_sessions(patient).order_by("-performed_on", "-id").first()


def today_aftercare(patient: Patient, *, today: date | None = None) -> dict[str, Any] | None:
    """Today's aftercare entry from the latest signed session's stored timeline."""
    today = today or timezone.localdate()
    session = latest_session(patient)
    if session is None:
        return None
    day = (today - session.performed_on).days
    for entry in session.aftercare_days():
        if entry.day == day:
            return {"session": session, "day": day, "instructions": entry.instructions}
    return None

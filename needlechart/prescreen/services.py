"""State changes of a lead. Each: keyword-only, validates, one transaction, audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical, require_staff
from needlechart.audit.services import audit_record
from needlechart.consultations.models import Consultation
from needlechart.consultations.services import consultation_save_draft, consultation_start
from needlechart.patients.models import Patient
from needlechart.patients.services import patient_register
from needlechart.prescreen.models import Lead, LeadStatus
from needlechart.prescreen.questionnaire import SPOTS, consultation_prefill, question_map
from needlechart.protocol.results import Screening
from needlechart.scheduling.models import Appointment
from needlechart.scheduling.services import appointment_book

ALREADY_CONVERTED = "This request has already been turned into a patient."
NOT_CONVERTED = "Turn the request into a patient first."
CONSULTATION_EXISTS = "A consultation has already been started from this request."
STATUS_CONVERTED_BY_CONVERT = "A request becomes converted by turning it into a patient."
CONTACT_NEEDED = "An e-mail address or a phone number is needed."
NOT_STAFF = "Your role does not give access to pre-screen requests."
NOT_CLINICAL = "Only clinicians and aestheticians start consultations."


@transaction.atomic
def lead_create(
    *,
    name: str,
    email: str,
    phone: str,
    preferred_times: str,
    answers: dict[str, Any],
    intake: dict[str, Any],
    screening: Screening,
    ip_hash: str,
) -> Lead:
    """A consultation request from the public page (no signed-in user)."""
    if not (email or phone):
        raise ValidationError(CONTACT_NEEDED)
    lead = Lead(
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        preferred_times=preferred_times.strip(),
        consent_to_contact=True,
        answers=answers,
        intake=intake,
        screening=screening.model_dump(mode="json"),
        verdict=screening.verdict.value,
        protocol_id=screening.protocol.id,
        protocol_version=screening.protocol.version,
        protocol_hash=screening.protocol.hash,
        ip_hash=ip_hash,
    )
    lead.full_clean()
    lead.save()
    # No IP in the trail either: the lead keeps only its hash.
    audit_record(actor=None, action="lead.create", obj=lead, ip="")
    return lead


@transaction.atomic
def lead_set_status(*, lead: Lead, by: User, status: str, staff_notes: str = "") -> Lead:
    require_staff(by, NOT_STAFF)
    if status == LeadStatus.CONVERTED or status not in LeadStatus.values:
        raise ValidationError({"status": STATUS_CONVERTED_BY_CONVERT})
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.status == LeadStatus.CONVERTED:
        raise ValidationError(ALREADY_CONVERTED)
    changed = [
        name
        for name, value in (("status", status), ("staff_notes", staff_notes))
        if getattr(locked, name) != value
    ]
    locked.status = status
    locked.staff_notes = staff_notes
    locked.handled_by = by
    locked.handled_at = timezone.now()
    locked.save()
    audit_record(actor=by, action="lead.update", obj=locked, detail={"fields": changed})
    return locked


def consultation_notes(lead: Lead) -> str:
    """What the consultation should know from the request that is not an intake answer."""
    answers = lead.answers or {}
    qs = question_map()
    lines = [f"From the public pre-screen (request #{lead.pk}, {lead.created_at:%d/%m/%Y})."]
    spots = answers.get("spots")
    if spots:
        label = dict(SPOTS).get(spots, spots)
        lines.append(f"Spots today, the person's own estimate (not a grade): {label}.")
    raised = answers.get("raised_scars")
    if raised:
        lines.append(
            "Some scars raised, the person's answer: "
            f"{dict(qs['raised_scars'].choices).get(raised, raised)}."
        )
    month = answers.get("isotretinoin_month")
    if month:
        lines.append(
            f"Isotretinoin: last dose in {month} (month only; the intake date is the end of "
            "that month)."
        )
    other = answers.get("other")
    if other:
        lines.append(f"Anything else: {other}")
    return "\n".join(lines)


def _start_consultation(lead: Lead, patient: Patient, by: User) -> Consultation:
    consultation = consultation_start(patient=patient, by=by, notes=consultation_notes(lead))
    return consultation_save_draft(
        consultation=consultation, by=by, data=consultation_prefill(lead.intake or {})
    )


@transaction.atomic
def lead_convert(
    *,
    lead: Lead,
    by: User,
    patient: Patient | None = None,
    patient_data: dict[str, Any] | None = None,
    appointment: tuple[User, datetime] | None = None,
) -> Lead:
    """Turn a request into a patient (new, or an existing one staff picked), optionally book
    a first appointment, and, for a clinical user, start the draft consultation with the
    answers prefilled. All or nothing."""
    require_staff(by, NOT_STAFF)
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.status == LeadStatus.CONVERTED or locked.converted_patient_id is not None:
        raise ValidationError(ALREADY_CONVERTED)
    if patient is None:
        if patient_data is None:
            raise ValueError("give patient or patient_data")
        patient = patient_register(by=by, **patient_data)
    booked: Appointment | None = None
    if appointment is not None:
        practitioner, starts_at = appointment
        booked = appointment_book(
            patient=patient, practitioner=practitioner, starts_at=starts_at, by=by
        )
    consultation = _start_consultation(locked, patient, by) if by.can_view_clinical else None
    locked.status = LeadStatus.CONVERTED
    locked.converted_patient = patient
    locked.converted_appointment = booked
    locked.converted_consultation = consultation
    locked.handled_by = by
    locked.handled_at = timezone.now()
    locked.save()
    audit_record(
        actor=by,
        action="lead.convert",
        obj=locked,
        patient_id=patient.pk,
        detail={
            "existing_patient": patient_data is None,
            "appointment": booked.pk if booked else None,
            "consultation": consultation.pk if consultation else None,
        },
    )
    return locked


@transaction.atomic
def lead_start_consultation(*, lead: Lead, by: User, today: date | None = None) -> Consultation:
    """The clinician's one click after front desk converted the request."""
    require_clinical(by, NOT_CLINICAL)
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    patient = locked.converted_patient
    if patient is None:
        raise ValidationError(NOT_CONVERTED)
    if locked.converted_consultation_id is not None:
        raise ValidationError(CONSULTATION_EXISTS)
    consultation = _start_consultation(locked, patient, by)
    locked.converted_consultation = consultation
    locked.save(update_fields=["converted_consultation", "updated_at"])
    audit_record(
        actor=by,
        action="lead.start_consultation",
        obj=locked,
        patient_id=patient.pk,
        detail={"consultation": consultation.pk},
    )
    return consultation

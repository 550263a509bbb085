"""State changes of charted sessions, symptom reports and adverse events.

Each service is keyword-only, validates (Django ValidationError keyed by field, or
PermissionDenied), runs in one transaction and writes an audit event. Clinical text and
numbers come from the protocol: checklist questions, glide products, endpoints, the glide
warning, aftercare, triage and adverse event types are all read from it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pydantic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical, require_clinician
from needlechart.audit.services import audit_record
from needlechart.consents.selectors import consent_valid_for
from needlechart.core import dates
from needlechart.core.validation import required_text
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.selectors import plan_screening_change
from needlechart.plans.services import SCREENING_CHANGED
from needlechart.protocol import Verdict, default_protocol, screen
from needlechart.protocol.aftercare import SymptomReport as EngineSymptomReport
from needlechart.protocol.aftercare import aftercare_timeline, triage
from needlechart.protocol.charting import ChecklistError, day_of_intake
from needlechart.protocol.loader import format_validation_error
from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.scheduling.selectors import local_day
from needlechart.treatments.models import (
    GLIDE_OTHER,
    AdverseEvent,
    AdverseEventUpdate,
    AdverseSeverity,
    AdverseStatus,
    Channel,
    SessionAmendment,
    SessionRecord,
    SessionStatus,
    SymptomReport,
)
from needlechart.treatments.selectors import appointments_to_fulfil

# The record's messages and look-ups live with its one validation; re-exported here.
from needlechart.treatments.values import (
    CARTRIDGE_EXPIRED as CARTRIDGE_EXPIRED,
)
from needlechart.treatments.values import (
    DEPTH_POSITIVE as DEPTH_POSITIVE,
)
from needlechart.treatments.values import (
    DEPTH_REASON_REQUIRED as DEPTH_REASON_REQUIRED,
)
from needlechart.treatments.values import (
    DEPTH_REQUIRED as DEPTH_REQUIRED,
)
from needlechart.treatments.values import (
    DEVICE_NOT_CONSENTED as DEVICE_NOT_CONSENTED,
)
from needlechart.treatments.values import (
    GLIDE_OTHER_REQUIRED as GLIDE_OTHER_REQUIRED,
)
from needlechart.treatments.values import (
    GLIDE_UNKNOWN as GLIDE_UNKNOWN,
)
from needlechart.treatments.values import (
    LOT_TOO_LONG as LOT_TOO_LONG,
)
from needlechart.treatments.values import (
    PASSES_MIN as PASSES_MIN,
)
from needlechart.treatments.values import (
    PRACTITIONER_NOT_CLINICAL as PRACTITIONER_NOT_CLINICAL,
)
from needlechart.treatments.values import (
    REQUIRED as REQUIRED,
)
from needlechart.treatments.values import (
    UNKNOWN_ZONE as UNKNOWN_ZONE,
)
from needlechart.treatments.values import (
    apply_amendment,
    check_values,
    lot_in_force,
    parse_amendment,
    values_in_force,
)
from needlechart.treatments.values import (
    glide_codes as glide_codes,
)
from needlechart.treatments.values import (
    zone_ranges as zone_ranges,
)

NOT_CLINICAL = "Only clinicians and aestheticians can chart sessions and clinical reports."
CLINICIAN_ONLY = "Only a clinician can do this."
PLAN_NOT_APPROVED = "Sessions can only be charted from an approved plan."
PATIENT_ARCHIVED = "This patient's record is archived; no new session can be charted."
NO_CONSENT = (
    "There is no valid signed consent for this plan (signed by the patient and a clinician, "
    "not withdrawn, for the plan's device and zones). Record the consent before charting."
)
WRONG_APPOINTMENT = "This appointment belongs to another patient or plan."
APPOINTMENT_NOT_BOOKED = (
    "This appointment cannot be charted: it was cancelled or missed, or a session was "
    "already charted for it."
)
APPOINTMENT_LATER_DAY = "This appointment is on a later day: it cannot be charted yet."
APPOINTMENT_CHOOSE = (
    "The patient has {count} booked appointments today: choose the one this session fulfils."
)
BACKDATED_CONFIRM = (
    "This session is dated {day:%a %d %b %Y}, before the day it is charted "
    "({today:%a %d %b %Y}). Check the date and confirm it to continue."
)
INTAKE_INVALID = "The consultation's intake cannot be re-screened: {detail}"
RESCREEN_BLOCKS = (
    "The day-of re-screen gives “{verdict}”: charting cannot continue today. A clinician may "
    "proceed with a recorded reason."
)
PROCEED_REASON_REQUIRED = "Give the reason for proceeding despite the day-of verdict."
NOT_DRAFT = "A signed session record cannot be edited: record an amendment instead."
NOT_SIGNED = "Only a signed session record can be amended."
FUTURE_DATE = dates.DATE_IN_FUTURE
NOT_AWAITING_COUNTERSIGN = "This record is not awaiting a countersignature."
COUNTERSIGN_OWN = "The countersignature must come from another clinician than the signer."
AMEND_UNKNOWN_FIELD = "This field cannot be amended."
AMEND_REASON_REQUIRED = "Give the reason for the correction."
AMEND_SAME = "The new value is the same as the current one."
SESSION_IN_FUTURE = "The report date is before the session date."
REPORT_RESOLVED = "This report is already resolved."
REPORT_NOT_FOR_REVIEW = "Expected symptoms need no resolution."
RESOLUTION_REQUIRED = "Write what was done (resolution note)."
WRONG_SESSION = "This session belongs to another patient."
EVENT_TYPE_UNKNOWN = "Choose a type from the list."
EVENT_OTHER_REQUIRED = "Describe the event."
ONSET_BEFORE_SESSION = "The onset is before the linked session ({session:%d %b %Y})."
EVENT_RESOLVED = "This adverse event is resolved; it cannot be updated."
NOTE_REQUIRED = "Write the follow-up note."
RESOLVED_BEFORE_ONSET = "The resolution date is before the onset."


# ---------------------------------------------------------------- the day-of re-screen


@dataclass(frozen=True)
class Rescreen:
    """The day-of re-screen as stored on the record (`data`) and its verdict."""

    data: dict[str, Any]

    @property
    def verdict(self) -> str:
        return str(self.data["verdict"])

    @property
    def treatable(self) -> bool:
        return Verdict(self.verdict).treatable


def checklist_codes() -> list[str]:
    return [item.code for item in default_protocol().document.charting.day_of_checklist]


def rescreen_evaluate(*, plan: TreatmentPlan, answers: dict[str, bool], today: date) -> Rescreen:
    """Apply the day-of checklist to the consultation's intake and screen it again.

    Pure (no writes): the page shows it before charting, and `session_start` runs it again
    rather than trusting what the browser sends back."""
    codes = checklist_codes()
    missing = [c for c in codes if c not in answers]
    if missing:
        raise ValidationError({c: "Answer yes or no." for c in missing})
    try:
        intake = plan.screening.consultation.intake_model()
        updated, needs_review = day_of_intake(
            intake,
            {c for c in codes if answers[c]},
            answered_no={c for c in codes if not answers[c]},
        )
    except pydantic.ValidationError as exc:
        raise ValidationError(INTAKE_INVALID.format(detail=format_validation_error(exc))) from None
    except ChecklistError as exc:
        raise ValidationError(str(exc)) from None
    result = screen(updated, today=today)
    return Rescreen(
        {
            "answers": {c: bool(answers[c]) for c in codes},
            "needs_review": needs_review,
            "verdict": result.verdict.value,
            "screening": result.model_dump(mode="json"),
            "protocol": result.protocol.model_dump(mode="json"),
            "proceed_reason": "",
        }
    )


def _next_session_number(plan: TreatmentPlan) -> int:
    return SessionRecord.objects.filter(plan=plan).count() + 1


def _moment_on(day: date) -> datetime:
    """Now, or this time of day on `day` when charting for another day."""
    now = timezone.localtime()
    return now if now.date() == day else datetime.combine(day, now.time(), tzinfo=now.tzinfo)


def _visit_to_fulfil(
    *, plan: TreatmentPlan, appointment: Appointment | None, today: date
) -> Appointment | None:
    """The appointment a session charted today fulfils: the one given (checked under a lock),
    else the patient's one booked appointment today, else None (a new visit is recorded)."""
    if appointment is not None:
        # Read again under a lock: the desk may have changed it since the page was shown.
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.patient_id != plan.patient_id or appointment.plan_id not in (
            None,
            plan.pk,
        ):
            raise ValidationError({"appointment": WRONG_APPOINTMENT})
        checked_in = (
            appointment.status == AppointmentStatus.ATTENDED
            and not appointment.session_records.exists()
        )
        if appointment.status != AppointmentStatus.BOOKED and not checked_in:
            raise ValidationError({"appointment": APPOINTMENT_NOT_BOOKED})
        if local_day(appointment.starts_at) > today:
            raise ValidationError({"appointment": APPOINTMENT_LATER_DAY})
        return appointment
    todays = [
        a for a in appointments_to_fulfil(plan=plan, day=today) if local_day(a.starts_at) == today
    ]
    if len(todays) > 1:
        raise ValidationError({"appointment": APPOINTMENT_CHOOSE.format(count=len(todays))})
    return todays[0] if todays else None


def _attend(
    *,
    plan: TreatmentPlan,
    appointment: Appointment | None,
    number: int,
    by: User,
    today: date,
) -> Appointment:
    """The visit marked attended (or recorded as a new attended visit) for the session."""
    # The scheduling app's own services change the diary (attended, or a new attended visit).
    from needlechart.scheduling.services import (
        appointment_mark_attended,
        appointment_record_attended,
    )

    try:
        if appointment is not None and appointment.status == AppointmentStatus.ATTENDED:
            return appointment  # checked in at the desk already: the link is all that is missing
        if appointment is not None:
            return appointment_mark_attended(
                appointment=appointment, by=by, plan=plan, session_number=number
            )
        return appointment_record_attended(
            plan=plan, session_number=number, practitioner=by, by=by, now=_moment_on(today)
        )
    except ValidationError as exc:
        raise ValidationError({"appointment": exc.messages}) from None


@transaction.atomic
def session_start(
    *,
    plan: TreatmentPlan,
    by: User,
    answers: dict[str, bool],
    appointment: Appointment | None = None,
    proceed_reason: str = "",
    confirm_backdated: bool = False,
    today: date | None = None,
) -> SessionRecord:
    """A draft record after the consent gate and the day-of re-screen.

    A non-treatable re-screen blocks, unless a clinician proceeds with a reason (kept in
    `rescreen.proceed_reason`). The draft is pre-filled from the plan (device, depths).

    The record is linked to the appointment it fulfils, marked attended in this transaction:
    the one given (an earlier day's booking makes a back-dated session, which must be
    confirmed), else the patient's one booked appointment today (several: the user must
    choose), else a new attended appointment — so the diary, the plan, the portal and the
    reminders read the visit from the link instead of guessing by date."""
    require_clinical(by, NOT_CLINICAL)
    plan = TreatmentPlan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
    if plan.patient.is_archived:
        raise ValidationError(PATIENT_ARCHIVED)
    if not plan.is_approved:
        raise ValidationError(PLAN_NOT_APPROVED)
    if plan_screening_change(plan=plan) is not None:
        raise ValidationError(SCREENING_CHANGED)  # a clinician reviews the new screening first
    consent = consent_valid_for(plan=plan)
    if consent is None:
        raise ValidationError(NO_CONSENT)
    today = today or timezone.localdate()
    appointment = _visit_to_fulfil(plan=plan, appointment=appointment, today=today)
    performed_on = local_day(appointment.starts_at) if appointment is not None else today
    if performed_on < today and not confirm_backdated:
        raise ValidationError(
            {"confirm_backdated": BACKDATED_CONFIRM.format(day=performed_on, today=today)}
        )
    rescreen = rescreen_evaluate(plan=plan, answers=answers, today=today)
    proceed_reason = (proceed_reason or "").strip()
    if not rescreen.treatable:
        if not by.is_clinician:
            raise ValidationError(RESCREEN_BLOCKS.format(verdict=Verdict(rescreen.verdict).label))
        if not proceed_reason:
            raise ValidationError({"proceed_reason": PROCEED_REASON_REQUIRED})
        rescreen.data["proceed_reason"] = proceed_reason
        rescreen.data["proceeded_by"] = by.pk
    number = (appointment.session_number if appointment else None) or _next_session_number(plan)
    booked = appointment is not None
    appointment = _attend(plan=plan, appointment=appointment, number=number, by=by, today=today)
    record = SessionRecord(
        patient_id=plan.patient_id,
        plan=plan,
        appointment=appointment,
        consent=consent,
        session_number=number,
        performed_on=performed_on,
        practitioner=by,
        rescreen=rescreen.data,
        rescreen_verdict=rescreen.verdict,
        device=plan.device,
        depths={z: d for z, d in (plan.depths or {}).items()},
        created_by=by,
    )
    record.save()
    audit_record(
        actor=by,
        action="session.start",
        obj=record,
        patient_id=plan.patient_id,
        detail={
            "plan_id": plan.pk,
            "consent_id": consent.pk,
            "appointment_id": appointment.pk,
            "appointment_booked": booked,
            "backdated": performed_on < today,
            "rescreen_verdict": rescreen.verdict,
            "proceeded_despite_verdict": bool(rescreen.data.get("proceed_reason")),
            "needs_review": rescreen.data["needs_review"],
        },
    )
    return record


# ---------------------------------------------------------------- the record


@transaction.atomic
def session_update(
    *,
    session: SessionRecord,
    by: User,
    performed_on: date,
    practitioner: User,
    device: str,
    cartridge_lot: str,
    cartridge_expiry: date | None,
    depths: dict[str, Any],
    depth_reasons: dict[str, str] | None = None,
    passes: int | None,
    glide_product: str,
    glide_product_other: str = "",
    anaesthetic: str = "",
    endpoint_reached: str = "",
    immediate_reactions: str = "",
    notes: str = "",
    confirm_backdated: bool = False,
    today: date | None = None,
) -> SessionRecord:
    """Save the draft's values. Everything the record needs is validated here (by
    `values.check_values`, which amendments run too), so a saved draft is always complete
    enough to sign. Moving the date before the day the record was started (back-dating)
    must be confirmed."""
    require_clinical(by, NOT_CLINICAL)
    record = (
        SessionRecord.objects.select_for_update()
        .select_related("plan", "consent", "patient")
        .get(pk=session.pk)
    )
    if record.status != SessionStatus.DRAFT:
        raise ValidationError(NOT_DRAFT)
    today = today or timezone.localdate()
    clean, errors = check_values(
        record=record,
        values={
            "performed_on": performed_on,
            "practitioner": practitioner,
            "device": device,
            "cartridge_lot": cartridge_lot,
            "cartridge_expiry": cartridge_expiry,
            "depths": depths,
            "depth_reasons": depth_reasons or {},
            "passes": passes,
            "glide_product": glide_product,
            "glide_product_other": glide_product_other,
            "anaesthetic": anaesthetic,
            "endpoint_reached": endpoint_reached,
        },
        today=today,
    )
    charted_on = min(timezone.localtime(record.created_at).date(), today)
    if (
        "performed_on" not in errors
        and clean["performed_on"] != record.performed_on
        and clean["performed_on"] < charted_on
        and not confirm_backdated
    ):
        errors["confirm_backdated"] = BACKDATED_CONFIRM.format(
            day=clean["performed_on"], today=charted_on
        )
    if errors:
        raise ValidationError(errors)

    before = _snapshot(record)
    record.performed_on = clean["performed_on"]
    record.practitioner = clean["practitioner"]
    record.device = clean["device"]
    record.cartridge_lot = clean["cartridge_lot"]
    record.cartridge_expiry = clean["cartridge_expiry"]
    record.depths = clean["depths"]
    record.depth_reasons = clean["depth_reasons"]
    record.passes = clean["passes"]
    record.glide_product = clean["glide_product"]
    record.glide_product_other = clean["glide_product_other"]
    record.glide_warning = clean["glide_product"] == GLIDE_OTHER
    record.anaesthetic = (anaesthetic or "").strip()
    record.endpoint_reached = (endpoint_reached or "").strip()
    record.immediate_reactions = (immediate_reactions or "").strip()
    record.notes = (notes or "").strip()
    record.full_clean(exclude=["rescreen", "aftercare", "depths", "depth_reasons"])
    record.save()
    after = _snapshot(record)
    audit_record(
        actor=by,
        action="session.update",
        obj=record,
        patient_id=record.patient_id,
        detail={
            "fields": sorted(k for k in after if after[k] != before[k]),
            "glide_warning": record.glide_warning,
            "depth_reasons": sorted(clean["depth_reasons"]),
        },
    )
    return record


def _snapshot(record: SessionRecord) -> dict[str, Any]:
    return {
        "performed_on": record.performed_on,
        "practitioner_id": record.practitioner_id,
        "device": record.device,
        "cartridge_lot": record.cartridge_lot,
        "cartridge_expiry": record.cartridge_expiry,
        "depths": record.depths,
        "depth_reasons": record.depth_reasons,
        "passes": record.passes,
        "glide_product": record.glide_product,
        "glide_product_other": record.glide_product_other,
        "glide_warning": record.glide_warning,
        "anaesthetic": record.anaesthetic,
        "endpoint_reached": record.endpoint_reached,
        "immediate_reactions": record.immediate_reactions,
        "notes": record.notes,
    }


def sign_missing(record: SessionRecord) -> list[str]:
    """What the record still needs before it can be signed."""
    missing = []
    if not record.cartridge_lot:
        missing.append("cartridge lot")
    if record.cartridge_expiry is None:
        missing.append("cartridge expiry")
    if not record.passes:
        missing.append("passes")
    if not record.glide_product:
        missing.append("glide product")
    zones = set(zone_ranges(record.plan))
    if any((record.depths or {}).get(z) in (None, "") for z in zones):
        missing.append("needle depths")
    return missing


@transaction.atomic
def session_sign(*, session: SessionRecord, by: User) -> SessionRecord:
    """Lock the record and store its aftercare timeline. With REQUIRE_COUNTERSIGN on, a
    record signed by someone other than a clinician waits for a clinician's countersign."""
    require_clinical(by, NOT_CLINICAL)
    record = SessionRecord.objects.select_for_update().select_related("plan").get(pk=session.pk)
    if record.status != SessionStatus.DRAFT:
        raise ValidationError(NOT_DRAFT)
    missing = sign_missing(record)
    if missing:
        raise ValidationError(
            "Save the record with these values before signing: " + ", ".join(missing) + "."
        )
    now = timezone.now()
    record.status = SessionStatus.SIGNED
    record.signed_by = by
    record.signed_at = now
    record.countersign_required = bool(settings.REQUIRE_COUNTERSIGN) and not by.is_clinician
    record.aftercare = [
        day.model_dump(mode="json") for day in aftercare_timeline(session_date=record.performed_on)
    ]
    record.save(
        update_fields=[
            "status",
            "signed_by",
            "signed_at",
            "countersign_required",
            "aftercare",
            "updated_at",
        ]
    )
    audit_record(
        actor=by,
        action="session.sign",
        obj=record,
        patient_id=record.patient_id,
        detail={"countersign_required": record.countersign_required},
    )
    session.status, session.signed_by, session.signed_at = record.status, by, now
    session.countersign_required, session.aftercare = (
        record.countersign_required,
        record.aftercare,
    )
    return record


@transaction.atomic
def session_countersign(*, session: SessionRecord, by: User) -> SessionRecord:
    require_clinician(by, CLINICIAN_ONLY)
    record = SessionRecord.objects.select_for_update().get(pk=session.pk)
    if not record.awaiting_countersign:
        raise ValidationError(NOT_AWAITING_COUNTERSIGN)
    if record.signed_by_id == by.pk:
        raise ValidationError(COUNTERSIGN_OWN)
    now = timezone.now()
    record.status = SessionStatus.COUNTERSIGNED
    record.countersigned_by = by
    record.countersigned_at = now
    record.save(update_fields=["status", "countersigned_by", "countersigned_at", "updated_at"])
    audit_record(actor=by, action="session.countersign", obj=record, patient_id=record.patient_id)
    session.status, session.countersigned_by, session.countersigned_at = record.status, by, now
    return record


# ---------------------------------------------------------------- amendments

AMENDABLE: dict[str, str] = {
    "cartridge_lot": "Cartridge lot",
    "cartridge_expiry": "Cartridge expiry",
    "passes": "Passes",
    "glide_product": "Glide product",
    "anaesthetic": "Anaesthetic",
    "endpoint_reached": "Endpoint reached",
    "immediate_reactions": "Immediate reactions",
    "notes": "Notes",
}


def amendable_fields(record: SessionRecord) -> dict[str, str]:
    """Field key -> label; depths are amended per zone ("depth_<zone>")."""
    fields = dict(AMENDABLE)
    for zone in record.depths or {}:
        fields[f"depth_{zone}"] = f"Needle depth, {zone} (mm)"
    return fields


def current_value(record: SessionRecord, field: str) -> str:
    """The value as charted at signing (amendments never change the record itself)."""
    if field.startswith("depth_"):
        value = (record.depths or {}).get(field.removeprefix("depth_"))
    elif field == "glide_product" and record.glide_product == GLIDE_OTHER:
        value = f"Other: {record.glide_product_other}"
    else:
        value = getattr(record, field)
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@transaction.atomic
def session_amend(
    *, session: SessionRecord, by: User, field: str, new_value: str, reason: str
) -> SessionAmendment:
    """Correct a signed record: the correction is stored beside the original value. The
    typed value is parsed by the draft form's own field and the record, so corrected, must
    pass every check the draft form runs (`values.check_values`)."""
    require_clinical(by, NOT_CLINICAL)
    record = (
        SessionRecord.objects.select_for_update()
        .select_related("plan", "consent", "patient", "practitioner")
        .get(pk=session.pk)
    )
    if record.status == SessionStatus.DRAFT:
        raise ValidationError(NOT_SIGNED)
    errors: dict[str, str] = {}
    if field not in amendable_fields(record):
        errors["field"] = AMEND_UNKNOWN_FIELD
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = AMEND_REASON_REQUIRED
    if errors:
        raise ValidationError(errors)
    try:
        typed, value = parse_amendment(field, new_value, plan=record.plan)
    except ValidationError as exc:
        raise ValidationError({"new_value": exc.messages}) from None
    latest = record.amendments.filter(field=field).order_by("-created_at", "-id").first()
    old = latest.new_value if latest is not None else current_value(record, field)
    if value == old:
        raise ValidationError({"new_value": AMEND_SAME})
    # Every check of the draft form, on the values in force with this correction applied;
    # only what this correction touches can refuse it (a depth outside the protocol's range
    # takes the amendment's reason as its reason).
    values = values_in_force(record)
    apply_amendment(values, field, typed, reason=reason)
    _, errors_all = check_values(record=record, values=values, today=timezone.localdate())
    touched = {field, f"{field}_reason"} | (
        {"glide_product_other"} if field == "glide_product" else set()
    )
    refusals = [m for key, m in errors_all.items() if key in touched]
    if refusals:
        raise ValidationError({"new_value": refusals})
    amendment = SessionAmendment.objects.create(
        session=record, field=field, old_value=old, new_value=value, reason=reason, created_by=by
    )
    audit_record(
        actor=by,
        action="session.amend",
        obj=record,
        patient_id=record.patient_id,
        detail={"field": field, "amendment_id": amendment.pk},
    )
    return amendment


# ---------------------------------------------------------------- symptom reports


@transaction.atomic
def symptom_report_record(
    *,
    session: SessionRecord,
    by: User,
    symptom: str,
    severity: str,
    worsening: bool = False,
    reported_on: date | None = None,
    days_since_session: int | None = None,
    channel: str = Channel.PHONE,
) -> SymptomReport:
    """A reported symptom, triaged by the engine (level, reason, advice)."""
    require_clinical(by, NOT_CLINICAL)
    today = timezone.localdate()
    reported_on = reported_on or today
    errors: dict[str, str] = dates.date_errors(
        {"reported_on": reported_on}, born=session.patient.date_of_birth, today=today, past=True
    )
    if days_since_session is None:
        days_since_session = (reported_on - session.performed_on).days
        if days_since_session < 0:
            errors["reported_on"] = SESSION_IN_FUTURE
    if errors:
        raise ValidationError(errors)
    try:
        report = EngineSymptomReport(
            symptom=symptom,  # type: ignore[arg-type]  # validated by pydantic
            severity=severity,  # type: ignore[arg-type]
            days_since_session=days_since_session,
            worsening=bool(worsening),
        )
    except pydantic.ValidationError as exc:
        raise ValidationError(
            {str(err["loc"][0]) if err["loc"] else "symptom": err["msg"] for err in exc.errors()}
        ) from None
    result = triage(report)
    row = SymptomReport(
        patient_id=session.patient_id,
        session=session,
        symptom=report.symptom.value,
        severity=report.severity.value,
        days_since_session=report.days_since_session,
        worsening=report.worsening,
        channel=channel,
        reported_on=reported_on,
        triage_level=result.level.value,
        triage=result.model_dump(mode="json"),
        created_by=by,
    )
    row.full_clean(exclude=["triage"])
    row.save()
    audit_record(
        actor=by,
        action="symptom.report",
        obj=row,
        patient_id=session.patient_id,
        detail={"session_id": session.pk, "symptom": row.symptom, "level": row.triage_level},
    )
    return row


@transaction.atomic
def symptom_report_resolve(*, report: SymptomReport, by: User, note: str) -> SymptomReport:
    require_clinician(by, CLINICIAN_ONLY)
    row = SymptomReport.objects.select_for_update().get(pk=report.pk)
    if row.resolved_at is not None:
        raise ValidationError(REPORT_RESOLVED)
    if not row.needs_review:
        raise ValidationError(REPORT_NOT_FOR_REVIEW)
    note = required_text(note, field="resolution_note", message=RESOLUTION_REQUIRED)
    now = timezone.now()
    row.resolved_by = by
    row.resolved_at = now
    row.resolution_note = note
    row.save(update_fields=["resolved_by", "resolved_at", "resolution_note", "updated_at"])
    audit_record(actor=by, action="symptom.resolve", obj=row, patient_id=row.patient_id)
    report.resolved_by, report.resolved_at, report.resolution_note = by, now, note
    return row


# ---------------------------------------------------------------- adverse events


def adverse_event_types() -> dict[str, str]:
    return {t.code: t.label for t in default_protocol().document.charting.adverse_event_types}


@transaction.atomic
def adverse_event_record(
    *,
    patient: Patient,
    by: User,
    event_type: str,
    severity: str,
    onset_on: date,
    session: SessionRecord | None = None,
    event_type_other: str = "",
    actions_taken: str = "",
    outcome: str = "",
) -> AdverseEvent:
    """An adverse event; when linked to a session, its device and cartridge lot are copied."""
    require_clinical(by, NOT_CLINICAL)
    errors: dict[str, str] = {}
    other = (event_type_other or "").strip()
    if event_type not in adverse_event_types():
        errors["event_type"] = EVENT_TYPE_UNKNOWN
    elif event_type == "other" and not other:
        errors["event_type_other"] = EVENT_OTHER_REQUIRED
    if severity not in AdverseSeverity.values:
        errors["severity"] = "Choose mild, moderate or severe."
    errors |= dates.date_errors({"onset_on": onset_on}, born=patient.date_of_birth, past=True)
    if session is not None:
        if session.patient_id != patient.pk:
            errors["session"] = WRONG_SESSION
        elif "onset_on" not in errors and onset_on < session.performed_on:
            errors["onset_on"] = ONSET_BEFORE_SESSION.format(session=session.performed_on)
    if errors:
        raise ValidationError(errors)
    event = AdverseEvent(
        patient=patient,
        session=session,
        event_type=event_type,
        event_type_other=other if event_type == "other" else "",
        severity=severity,
        onset_on=onset_on,
        device=session.device if session else "",
        # The lot in force: a corrected lot (amendment) is the one a recall must find.
        cartridge_lot=lot_in_force(session) if session else "",
        actions_taken=(actions_taken or "").strip(),
        outcome=(outcome or "").strip(),
        created_by=by,
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=by,
        action="adverse_event.record",
        obj=event,
        patient_id=patient.pk,
        detail={
            "event_type": event_type,
            "severity": severity,
            "session_id": session.pk if session else None,
        },
    )
    return event


@transaction.atomic
def adverse_event_update(
    *,
    event: AdverseEvent,
    by: User,
    note: str,
    outcome: str | None = None,
    resolve: bool = False,
    resolved_on: date | None = None,
) -> AdverseEventUpdate:
    """A follow-up note; optionally the new outcome, and resolution (with its date)."""
    require_clinical(by, NOT_CLINICAL)
    row = AdverseEvent.objects.select_for_update().get(pk=event.pk)
    if row.status == AdverseStatus.RESOLVED:
        raise ValidationError(EVENT_RESOLVED)
    errors: dict[str, str] = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = NOTE_REQUIRED
    today = timezone.localdate()
    if resolve:
        resolved_on = resolved_on or today
        if problem := dates.date_problem(resolved_on, today=today, past=True):
            errors["resolved_on"] = problem
        elif resolved_on < row.onset_on:
            errors["resolved_on"] = RESOLVED_BEFORE_ONSET
    if errors:
        raise ValidationError(errors)
    update = AdverseEventUpdate.objects.create(event=row, note=note, created_by=by)
    fields = ["updated_at"]
    if outcome is not None and outcome.strip() and outcome.strip() != row.outcome:
        row.outcome = outcome.strip()
        fields.append("outcome")
    if resolve:
        row.status = AdverseStatus.RESOLVED
        row.resolved_on = resolved_on
        fields += ["status", "resolved_on"]
    row.save(update_fields=fields)
    audit_record(
        actor=by,
        action="adverse_event.update",
        obj=row,
        patient_id=row.patient_id,
        detail={"update_id": update.pk, "resolved": resolve},
    )
    event.status, event.resolved_on, event.outcome = row.status, row.resolved_on, row.outcome
    return update

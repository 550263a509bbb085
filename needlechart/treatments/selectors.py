"""Reads of session records, symptom reports and adverse events, scoped by the acting user.

Clinical roles only. Every read runs a fixed number of queries, whatever the row count.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID
from needlechart.plans.models import TreatmentPlan
from needlechart.protocol.vocabulary import TriageLevel
from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.scheduling.selectors import clinic_tz
from needlechart.treatments.models import (
    AdverseEvent,
    AdverseEventUpdate,
    AdverseStatus,
    SessionAmendment,
    SessionRecord,
    SessionStatus,
    SymptomReport,
)

REVIEW_LEVELS = (TriageLevel.CONTACT_CLINIC.value, TriageLevel.URGENT.value)


def _check_id(value: int, what: str) -> None:
    if not 0 < value <= MAX_DB_ID:
        raise Http404(f"No such {what}.")


def session_get_for(*, user: User, session_id: int) -> SessionRecord:
    """The record with everything its page shows: a fixed number of queries."""
    require_clinical(user)
    _check_id(session_id, "session")
    try:
        return (
            SessionRecord.objects.select_related(
                "patient",
                "plan",
                "consent",
                "appointment",
                "practitioner",
                "signed_by",
                "countersigned_by",
                "created_by",
            )
            .prefetch_related(
                Prefetch(
                    "amendments",
                    queryset=SessionAmendment.objects.select_related("created_by"),
                ),
                Prefetch(
                    "symptom_reports",
                    queryset=SymptomReport.objects.select_related("created_by", "resolved_by"),
                ),
                Prefetch("adverse_events", queryset=AdverseEvent.objects.all()),
            )
            .get(pk=session_id)
        )
    except SessionRecord.DoesNotExist:
        raise Http404("No such session.") from None


def session_list_for(*, user: User, patient: Patient) -> QuerySet[SessionRecord]:
    require_clinical(user)
    return (
        SessionRecord.objects.filter(patient=patient)
        .select_related("practitioner", "signed_by", "plan")
        .order_by("-performed_on", "-id")
    )


def sessions_for_plan(*, user: User, plan: TreatmentPlan) -> QuerySet[SessionRecord]:
    require_clinical(user)
    return (
        SessionRecord.objects.filter(plan=plan)
        .select_related("practitioner")
        .order_by("session_number", "id")
    )


def sessions_awaiting_countersign(*, user: User) -> QuerySet[SessionRecord]:
    """Signed records waiting for a clinician's countersignature, oldest first."""
    require_clinical(user)
    return (
        SessionRecord.objects.filter(status=SessionStatus.SIGNED, countersign_required=True)
        .select_related("patient", "signed_by")
        .order_by("signed_at", "id")
    )


def lot_lookup(*, user: User, lot: str) -> list[SessionRecord]:
    """Every session charted with this cartridge lot (case-insensitive exact), including
    records whose lot was corrected to it by an amendment. Two queries.

    Each row carries `lot_in_force` (after amendments) and `in_force` (whether that is the
    lot looked up): a record corrected *away* from the lot is still returned, flagged, so a
    recall can see it rather than lose it."""
    require_clinical(user)
    lot = (lot or "").strip()
    if not lot or len(lot) > 64:
        return []
    rows: list[SessionRecord] = list(
        SessionRecord.objects.filter(
            Q(cartridge_lot__iexact=lot)
            | Q(amendments__field="cartridge_lot", amendments__new_value__iexact=lot)
        )
        .distinct()
        .select_related("patient", "practitioner")
        .prefetch_related(
            Prefetch(
                "amendments",
                queryset=SessionAmendment.objects.filter(field="cartridge_lot"),
                to_attr="lot_amendments",
            )
        )
        .order_by("-performed_on", "-id")
    )
    for row in rows:
        current = row.cartridge_lot
        for amendment in row.lot_amendments:  # type: ignore[attr-defined]  # prefetched
            if amendment.new_value.strip():
                current = amendment.new_value.strip()
        row.lot_in_force = current  # type: ignore[attr-defined]
        row.in_force = current.lower() == lot.lower()  # type: ignore[attr-defined]
    return rows


def symptom_reports_to_review(*, user: User) -> QuerySet[SymptomReport]:
    """contact_clinic and urgent reports not yet resolved: urgent first, then oldest."""
    require_clinical(user)
    return (
        SymptomReport.objects.filter(triage_level__in=REVIEW_LEVELS, resolved_at__isnull=True)
        .select_related("patient", "session", "created_by")
        .order_by("-triage_level", "created_at", "id")
    )


def symptom_report_get_for(*, user: User, report_id: int) -> SymptomReport:
    require_clinical(user)
    _check_id(report_id, "report")
    try:
        return SymptomReport.objects.select_related(
            "patient", "session", "created_by", "resolved_by"
        ).get(pk=report_id)
    except SymptomReport.DoesNotExist:
        raise Http404("No such report.") from None


def symptom_reports_for(*, user: User, patient: Patient) -> QuerySet[SymptomReport]:
    require_clinical(user)
    return (
        SymptomReport.objects.filter(patient=patient)
        .select_related("session", "created_by", "resolved_by")
        .order_by("-created_at", "-id")
    )


def adverse_event_get_for(*, user: User, event_id: int) -> AdverseEvent:
    require_clinical(user)
    _check_id(event_id, "adverse event")
    try:
        return (
            AdverseEvent.objects.select_related("patient", "session", "created_by")
            .prefetch_related(
                Prefetch(
                    "updates", queryset=AdverseEventUpdate.objects.select_related("created_by")
                )
            )
            .get(pk=event_id)
        )
    except AdverseEvent.DoesNotExist:
        raise Http404("No such adverse event.") from None


def adverse_event_list_for(*, user: User, patient: Patient) -> QuerySet[AdverseEvent]:
    require_clinical(user)
    return (
        AdverseEvent.objects.filter(patient=patient)
        .select_related("session", "created_by")
        .order_by("-onset_on", "-id")
    )


def open_adverse_events(*, user: User) -> QuerySet[AdverseEvent]:
    require_clinical(user)
    return AdverseEvent.objects.filter(status=AdverseStatus.OPEN).select_related("patient")


def appointments_to_fulfil(*, plan: TreatmentPlan, day: date) -> list[Appointment]:
    """Appointments a session of `plan` charted on `day` may fulfil: the patient's, for this
    plan or for no plan — booked ones on that day or an earlier one (a visit never marked),
    and ones already marked attended on that day (checked in at the desk) with no session
    charted for them — latest first. The ones on `day` are those charting picks by itself.
    One query."""
    tz = clinic_tz()
    day_start = datetime.combine(day, time.min, tzinfo=tz)
    day_end = day_start + timedelta(days=1)
    checked_in = Q(
        status=AppointmentStatus.ATTENDED,
        starts_at__gte=day_start,
        session_records__isnull=True,
    )
    return list(
        Appointment.objects.filter(
            Q(plan=plan) | Q(plan__isnull=True),
            Q(status=AppointmentStatus.BOOKED) | checked_in,
            patient_id=plan.patient_id,
            starts_at__lt=day_end,
        )
        .select_related("practitioner")
        .order_by("-starts_at", "-id")
        .distinct()
    )

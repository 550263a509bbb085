"""Reads of the diary. Every staff role may read appointments: they carry no clinical
details (patient, practitioner, time, "session N"). Fixed query counts."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from needlechart.accounts.models import Role, User
from needlechart.accounts.permissions import require_staff
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID
from needlechart.plans.models import TreatmentPlan
from needlechart.protocol import interval_limit, session_limit
from needlechart.scheduling.models import (
    BUSY_STATUSES,
    Appointment,
    AppointmentStatus,
    ClosedDay,
    OpeningHours,
)
from needlechart.scheduling.proposals import (
    Booked,
    Clinic,
    Diary,
    IntervalRange,
    Proposal,
    propose_series,
)

PRACTITIONER_ROLES = (Role.CLINICIAN, Role.AESTHETICIAN)
NOT_STAFF = "Your role does not give access to the diary."
ADMIN_ONLY = "Only the clinic admin can change opening hours and closed days."


def clinic_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, clinic_tz()).date()


def plan_interval(plan: TreatmentPlan) -> IntervalRange | None:
    """The plan's window of weeks between sessions (None while it has no interval)."""
    if not plan.interval_weeks:
        return None
    return IntervalRange.for_plan(plan.recommendation, plan.interval_weeks)


def practitioners() -> QuerySet[User]:
    """Active staff who treat patients (clinicians and aestheticians), by name."""
    return User.objects.filter(is_active=True, role__in=PRACTITIONER_ROLES).order_by(
        "display_name", "username", "id"
    )


def clinic_calendar(*, since: date | None = None) -> Clinic:
    """Opening hours and closed days (from `since` on) as the pure proposals module wants
    them. Two queries."""
    hours = {h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.all()}
    closed = ClosedDay.objects.all()
    if since is not None:
        closed = closed.filter(date__gte=since)
    return Clinic(
        hours=hours, closed=frozenset(closed.values_list("date", flat=True)), tz=clinic_tz()
    )


def diary_from(since: datetime, practitioner_ids: list[int] | None = None) -> Diary:
    """Busy intervals (booked or attended) from `since` on. One query."""
    qs = Appointment.objects.filter(status__in=BUSY_STATUSES, ends_at__gt=since)
    if practitioner_ids is not None:
        qs = qs.filter(practitioner_id__in=practitioner_ids)
    return Diary.of(qs.values_list("practitioner_id", "starts_at", "ends_at"))


def appointment_get_for(*, user: User, appointment_id: int) -> Appointment:
    require_staff(user, NOT_STAFF)
    if not 0 < appointment_id <= MAX_DB_ID:
        raise Http404("No such appointment.")
    try:
        return Appointment.objects.select_related(
            "patient", "practitioner", "plan", "created_by", "status_changed_by"
        ).get(pk=appointment_id)
    except Appointment.DoesNotExist:
        raise Http404("No such appointment.") from None


def plan_for_booking(*, user: User, plan_id: int) -> TreatmentPlan:
    """An approved plan whose series may be booked. Front desk may book too: the booking
    pages show only dates and session numbers from the plan."""
    require_staff(user, NOT_STAFF)
    if not 0 < plan_id <= MAX_DB_ID:
        raise Http404("No such plan.")
    try:
        return TreatmentPlan.objects.select_related("patient").get(pk=plan_id)
    except TreatmentPlan.DoesNotExist:
        raise Http404("No such plan.") from None


def plan_appointments(*, plan: TreatmentPlan) -> list[Appointment]:
    """The plan's appointments (all statuses), by session then time. One query."""
    return list(
        Appointment.objects.filter(plan=plan)
        .select_related("practitioner")
        .order_by("session_number", "starts_at", "id")
    )


def plan_active_sessions(*, plan: TreatmentPlan) -> dict[int, Appointment]:
    """Session number -> its booked or attended appointment. One query."""
    rows = (
        Appointment.objects.filter(
            plan=plan, status__in=BUSY_STATUSES, session_number__isnull=False
        )
        .select_related("practitioner")
        .order_by("session_number", "starts_at")
    )
    return {a.session_number: a for a in rows if a.session_number is not None}


def next_appointment(*, patient: Patient) -> Appointment | None:
    """The patient's next booked appointment from now, or None."""
    return (
        Appointment.objects.filter(
            patient=patient, status=AppointmentStatus.BOOKED, starts_at__gte=timezone.now()
        )
        .select_related("practitioner")
        .order_by("starts_at", "id")
        .first()
    )


def appointments_between(
    *, user: User, start: datetime, end: datetime, practitioner: User | None = None
) -> list[Appointment]:
    """Appointments (cancelled ones left out) overlapping [start, end). One query."""
    require_staff(user, NOT_STAFF)
    qs = (
        Appointment.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient", "practitioner")
        .order_by("starts_at", "id")
    )
    if practitioner is not None:
        qs = qs.filter(practitioner=practitioner)
    return list(qs)


def appointments_on(*, user: User, day: date) -> list[Appointment]:
    tz = clinic_tz()
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return appointments_between(user=user, start=start, end=end)


def plan_unbooked_sessions(*, plan: TreatmentPlan, active: dict[int, Appointment]) -> list[int]:
    """Sessions of the plan not booked yet; never past the protocol's session limit (a plan
    approved before the limit existed may ask for more)."""
    most = min(plan.sessions_planned or 0, int(session_limit().value))
    return [n for n in range(1, most + 1) if n not in active]


def series_proposals(
    *, plan: TreatmentPlan, now: datetime | None = None
) -> tuple[list[Proposal], dict[int, Appointment]]:
    """Proposed slots for the plan's sessions not yet booked, and the ones that are.
    Five queries whatever the size of the diary's history."""
    now = now or timezone.now()
    active = plan_active_sessions(plan=plan)
    interval = plan_interval(plan)
    remaining = plan_unbooked_sessions(plan=plan, active=active)
    if interval is None or plan.start_date is None or not remaining:
        return [], active
    tz = clinic_tz()
    booked: dict[int, Booked] = {}
    for number, appointment in active.items():
        local = timezone.localtime(appointment.starts_at, tz)
        booked[number] = (local.date(), local.time(), appointment.practitioner_id)
    ids = list(practitioners().values_list("pk", flat=True))
    proposals = propose_series(
        sessions=remaining,
        start_date=plan.start_date,
        interval=interval,
        clinic=clinic_calendar(since=local_day(now)),
        diary=diary_from(now, ids),
        practitioner_ids=ids,
        not_before=now,
        booked=booked,
        min_gap_days=math.ceil(interval_limit().value),
    )
    return proposals, active

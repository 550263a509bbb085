"""Turn database rows into the plain inputs of `due.py` (a fixed number of queries).

Every query is bounded in time: only rows that could produce a message that is not yet
too late (see `due.STALE_AFTER` and the protocol's follow-up window) are read.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q

from needlechart.notifications import due
from needlechart.patients.models import Patient
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.protocol import default_protocol
from needlechart.protocol.aftercare import check_in_days
from needlechart.protocol.patient import preparation_text
from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.screenings.models import Screening
from needlechart.treatments.models import SIGNED_STATUSES, SessionRecord

# Clinic scheduling policy, not a clinical figure: how many hours before a session the
# reminder goes out. A clinic sets `REMINDER_HOURS_BEFORE` in its settings; 24 otherwise.
# The time of day date-based reminders (preparation, check-in, follow-up...) are sent,
# in the clinic's time zone. Messaging policy, not clinical.
SEND_AT = time(9, 0)

MAX_MAINTENANCE_MONTHS = 60


def policy() -> due.Policy:
    protocol = default_protocol()
    follow_up = protocol.document.follow_up
    return due.Policy(
        reminder_hours_before=settings.REMINDER_HOURS_BEFORE,
        check_in_days=tuple(check_in_days(protocol)),
        follow_up_from_weeks=follow_up.from_weeks,
        follow_up_to_weeks=follow_up.to_weeks,
        send_at=SEND_AT,
        tz=ZoneInfo(settings.TIME_ZONE),
    )


def _preparation_steps(recommendation: object) -> tuple[due.PreparationStep, ...]:
    """The plan's preparation steps, worded for the patient: the protocol's `patient_text`
    of each step (the stored `text` is the staff wording)."""
    if not isinstance(recommendation, dict):
        return ()
    protocol = default_protocol()
    steps = []
    for item in recommendation.get("preparation") or []:
        if not isinstance(item, dict) or item.get("days_before") is None:
            continue
        code, title = str(item.get("code", "")), str(item.get("title", ""))
        steps.append(
            due.PreparationStep(
                code=code,
                title=title,
                text=preparation_text(code, title, protocol=protocol),
                days_before=int(item["days_before"]),
            )
        )
    return tuple(steps)


def collect_due(*, now: datetime) -> list[due.DueMessage]:
    pol = policy()
    today = now.astimezone(pol.tz).date()
    late = due.STALE_AFTER + timedelta(days=1)

    # Booked appointments still ahead (confirmation and reminder end when the session starts).
    appointments = list(
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, starts_at__gt=now).values(
            "id", "patient_id", "starts_at", "created_at", "plan_id", "session_number"
        )
    )
    appointment_inputs = [due.AppointmentIn(**a) for a in appointments]

    # Approved plans with no session yet: preparation counts back from the first booking.
    first_by_plan: dict[int, due.AppointmentIn] = {}
    for a in sorted(appointment_inputs, key=lambda a: a.starts_at):
        if a.plan_id is not None:
            first_by_plan.setdefault(a.plan_id, a)
    course_starts = []
    if first_by_plan:
        plans = TreatmentPlan.objects.filter(
            pk__in=first_by_plan, status=PlanStatus.APPROVED
        ).exclude(Exists(SessionRecord.objects.filter(plan=OuterRef("pk"))))
        for plan_id, patient_id, recommendation in plans.values_list(
            "id", "patient_id", "recommendation"
        ):
            first = first_by_plan[plan_id]
            course_starts.append(
                due.CourseStartIn(
                    plan_id=plan_id,
                    patient_id=patient_id,
                    first_appointment_id=first.id,
                    first_starts_at=first.starts_at,
                    steps=_preparation_steps(recommendation),
                )
            )

    # Signed sessions recent enough for a check-in invitation.
    horizon = max(pol.check_in_days, default=0)
    signed_sessions = [
        due.SignedSessionIn(**s)
        for s in SessionRecord.objects.signed()
        .filter(performed_on__gte=today - timedelta(days=horizon) - late)
        .values("id", "patient_id", "performed_on")
    ]

    # Approved plans whose planned sessions are all signed, last session recent enough.
    oldest = today - max(
        timedelta(weeks=pol.follow_up_to_weeks),
        timedelta(days=31 * MAX_MAINTENANCE_MONTHS),
    )
    done = Q(session_records__status__in=SIGNED_STATUSES)
    completed = (
        TreatmentPlan.objects.filter(status=PlanStatus.APPROVED)
        .annotate(
            signed=Count("session_records", filter=done),
            last_on=Max("session_records__performed_on", filter=done),
        )
        .filter(signed__gte=F("sessions_planned"), signed__gt=0, last_on__gte=oldest)
        .values_list("id", "patient_id", "last_on", "recommendation__maintenance_interval_months")
    )
    completed_courses = [
        due.CompletedCourseIn(
            plan_id=plan_id,
            patient_id=patient_id,
            last_session_on=last_on,
            maintenance_interval_months=int(months) if isinstance(months, int) else None,
        )
        for plan_id, patient_id, last_on, months in completed
    ]

    # Deferred patients due for re-screening: the rule the dashboard reads too
    # (`Screening.objects.due_for_rescreen`), bounded to dates not yet too late to send.
    deferred_screenings = [
        due.DeferredScreeningIn(id=s_id, patient_id=patient_id, rescreen_on=rescreen_on)
        for s_id, patient_id, rescreen_on in Screening.objects.due_for_rescreen(today=today)
        .filter(rescreen_on__gte=today - late)
        .values_list("id", "patient_id", "rescreen_on")
        if rescreen_on is not None  # always set here; the type cannot say so
    ]

    messages = due.messages_due(
        now=now,
        policy=pol,
        appointments=appointment_inputs,
        course_starts=course_starts,
        signed_sessions=signed_sessions,
        completed_courses=completed_courses,
        deferred_screenings=deferred_screenings,
    )
    # An archived patient receives nothing, whatever the kind of message (one query).
    active = set(
        Patient.objects.active()
        .filter(pk__in={m.patient_id for m in messages})
        .values_list("pk", flat=True)
    )
    return [m for m in messages if m.patient_id in active]

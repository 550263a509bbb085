"""What messages are due, computed from plain data (no Django, no database, no clock).

The caller (`collect.py`) turns database rows into the input dataclasses below and passes
`now`; `messages_due` returns one `DueMessage` per message whose time has come and which is
still worth sending. Every `dedupe_key` names the thing the message is about, so the same
message computed twice (two workers, a restart) is the same row in the message log.

Clinical figures never come from here: preparation steps (text and days before) come from
the plan's stored engine recommendation, check-in days and the follow-up window from the
protocol, the maintenance interval from the plan. The figures defined in this module are
messaging policy: when a message becomes too late to be useful (`STALE_AFTER`) and the
time of day date-based messages are sent (`SEND_AT`, chosen by the caller).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

BOOKING_CONFIRMATION = "booking_confirmation"
SESSION_REMINDER = "session_reminder"
PREPARATION_REMINDER = "preparation_reminder"
CHECK_IN_INVITATION = "check_in_invitation"
FOLLOW_UP_REMINDER = "follow_up_reminder"
MAINTENANCE_REMINDER = "maintenance_reminder"
RESCREEN_REMINDER = "rescreen_reminder"

# A date-based reminder not sent within this long after it became due is dropped: a message
# weeks late (say, when the app first goes live) would confuse more than help.
STALE_AFTER = timedelta(days=7)
# A booking confirmation is for a booking made recently.
CONFIRM_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class AppointmentIn:
    id: int
    patient_id: int
    starts_at: datetime
    created_at: datetime
    plan_id: int | None = None
    session_number: int | None = None


@dataclass(frozen=True)
class PreparationStep:
    code: str
    title: str
    text: str
    days_before: int


@dataclass(frozen=True)
class CourseStartIn:
    """An approved plan with no session yet, and its first booked appointment."""

    plan_id: int
    patient_id: int
    first_appointment_id: int
    first_starts_at: datetime
    steps: tuple[PreparationStep, ...]


@dataclass(frozen=True)
class SignedSessionIn:
    id: int
    patient_id: int
    performed_on: date


@dataclass(frozen=True)
class CompletedCourseIn:
    """An approved plan whose planned sessions are all signed."""

    plan_id: int
    patient_id: int
    last_session_on: date
    maintenance_interval_months: int | None


@dataclass(frozen=True)
class DeferredScreeningIn:
    id: int
    patient_id: int
    rescreen_on: date


@dataclass(frozen=True)
class Policy:
    """Scheduling settings (clinic choices) and protocol figures, given by the caller."""

    reminder_hours_before: int
    check_in_days: tuple[int, ...]
    follow_up_from_weeks: int
    follow_up_to_weeks: int
    send_at: time
    tz: tzinfo


@dataclass(frozen=True)
class DueMessage:
    kind: str
    dedupe_key: str
    due_at: datetime
    patient_id: int
    context: dict[str, Any] = field(default_factory=dict)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _at(day: date, policy: Policy) -> datetime:
    return datetime.combine(day, policy.send_at, tzinfo=policy.tz)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M")


def messages_due(
    *,
    now: datetime,
    policy: Policy,
    appointments: Iterable[AppointmentIn] = (),
    course_starts: Iterable[CourseStartIn] = (),
    signed_sessions: Iterable[SignedSessionIn] = (),
    completed_courses: Iterable[CompletedCourseIn] = (),
    deferred_screenings: Iterable[DeferredScreeningIn] = (),
) -> list[DueMessage]:
    """Every message due at `now` and not yet too late, oldest first."""
    out: list[DueMessage] = []

    def add(msg: DueMessage, expires_at: datetime) -> None:
        if msg.due_at <= now < expires_at:
            out.append(msg)

    for appt in appointments:
        ctx = {"appointment_id": appt.id, "starts_at": appt.starts_at}
        # The start time is in the key: a moved appointment is confirmed and reminded anew.
        add(
            DueMessage(
                BOOKING_CONFIRMATION,
                f"{BOOKING_CONFIRMATION}:appointment:{appt.id}:{_stamp(appt.starts_at)}",
                appt.created_at,
                appt.patient_id,
                ctx,
            ),
            min(appt.starts_at, appt.created_at + CONFIRM_WITHIN),
        )
        add(
            DueMessage(
                SESSION_REMINDER,
                f"{SESSION_REMINDER}:appointment:{appt.id}:{_stamp(appt.starts_at)}",
                appt.starts_at - timedelta(hours=policy.reminder_hours_before),
                appt.patient_id,
                ctx,
            ),
            appt.starts_at,
        )

    for course in course_starts:
        first_day = course.first_starts_at.astimezone(policy.tz).date()
        for step in course.steps:
            add(
                DueMessage(
                    PREPARATION_REMINDER,
                    f"{PREPARATION_REMINDER}:plan:{course.plan_id}:{step.code}"
                    f":appointment:{course.first_appointment_id}",
                    _at(first_day - timedelta(days=step.days_before), policy),
                    course.patient_id,
                    {
                        "plan_id": course.plan_id,
                        "appointment_id": course.first_appointment_id,
                        "starts_at": course.first_starts_at,
                        "title": step.title,
                        "text": step.text,
                        "days_before": step.days_before,
                    },
                ),
                course.first_starts_at,
            )

    for session in signed_sessions:
        for day in policy.check_in_days:
            try:
                due_at = _at(session.performed_on + timedelta(days=day), policy)
            except OverflowError:  # a stored year-9999 session date: nothing can be due
                continue
            add(
                DueMessage(
                    CHECK_IN_INVITATION,
                    f"{CHECK_IN_INVITATION}:session:{session.id}:day:{day}",
                    due_at,
                    session.patient_id,
                    {"session_id": session.id, "day": day},
                ),
                due_at + STALE_AFTER,
            )

    for finished in completed_courses:
        follow_from = finished.last_session_on + timedelta(weeks=policy.follow_up_from_weeks)
        follow_to = finished.last_session_on + timedelta(weeks=policy.follow_up_to_weeks)
        add(
            DueMessage(
                FOLLOW_UP_REMINDER,
                f"{FOLLOW_UP_REMINDER}:plan:{finished.plan_id}",
                _at(follow_from, policy),
                finished.patient_id,
                {"plan_id": finished.plan_id, "window_from": follow_from, "window_to": follow_to},
            ),
            _at(follow_to, policy),
        )
        if finished.maintenance_interval_months:
            on = add_months(finished.last_session_on, finished.maintenance_interval_months)
            add(
                DueMessage(
                    MAINTENANCE_REMINDER,
                    f"{MAINTENANCE_REMINDER}:plan:{finished.plan_id}",
                    _at(on, policy),
                    finished.patient_id,
                    {"plan_id": finished.plan_id, "on": on},
                ),
                _at(on, policy) + STALE_AFTER,
            )

    for screening in deferred_screenings:
        due_at = _at(screening.rescreen_on, policy)
        add(
            DueMessage(
                RESCREEN_REMINDER,
                f"{RESCREEN_REMINDER}:screening:{screening.id}",
                due_at,
                screening.patient_id,
                {"screening_id": screening.id, "on": screening.rescreen_on},
            ),
            due_at + STALE_AFTER,
        )

    return sorted(out, key=lambda m: (m.due_at, m.dedupe_key))

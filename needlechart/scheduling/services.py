"""State changes of the diary. Each: keyword-only, validates, one transaction, audited.

A practitioner never has two overlapping booked/attended appointments: every booking and
move locks the practitioner's user row first and only then looks for overlaps, so two desks
booking the same slot at once get one success and one clear conflict (on SQLite the
IMMEDIATE transaction mode serialises the writers instead).

Errors name the booking form's fields: "date", "starts", "ends", "practitioner",
"deviation_reason", "session_number" (a series prefixes them with "s<N>_").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.accounts.permissions import has_role, require_clinic_admin, require_staff
from needlechart.audit.services import audit_record
from needlechart.core.limits import limit_error
from needlechart.core.validation import required_text
from needlechart.patients.models import Patient
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.protocol import interval_limit, session_limit
from needlechart.scheduling.models import (
    BUSY_STATUSES,
    Appointment,
    AppointmentStatus,
    ClosedDay,
    OpeningHours,
)
from needlechart.scheduling.proposals import (
    DEFAULT_APPOINTMENT_MINUTES,
    Window,
    next_window,
    session_window,
)
from needlechart.scheduling.selectors import (
    ADMIN_ONLY,
    NOT_STAFF,
    PRACTITIONER_ROLES,
    clinic_calendar,
    clinic_tz,
    local_day,
    plan_interval,
)

CONFLICT = (
    "{practitioner} already has an appointment from {starts:%H:%M} to {ends:%H:%M} on "
    "{starts:%a %d %b}. Choose another time or practitioner."
)
PATIENT_CONFLICT = "The patient already has an appointment at that time."
NOT_PRACTITIONER = "Choose an active clinician or aesthetician."
ENDS_BEFORE_START = "The end must be after the start."
PAST_DAY = "An appointment cannot be booked on a day that has passed."
CLOSED_DAY = "The clinic is closed on {day:%a %d %b %Y}{reason}."
CLOSED_WEEKDAY = "The clinic is not open on {weekday}s."
OUTSIDE_HOURS = "Outside opening hours on {day:%A}s ({opens:%H:%M}-{closes:%H:%M})."
PATIENT_ARCHIVED = "This patient's record is archived; no appointment can be booked."
PLAN_OTHER_PATIENT = "This plan belongs to another patient."
PLAN_NOT_APPROVED = "Only the sessions of an approved plan can be booked."
SESSION_RANGE = "The plan has {count} sessions: choose a session from 1 to {count}."
SESSION_TAKEN = "Session {n} of this plan is already booked ({when:%a %d %b %Y %H:%M})."
SESSION_NEEDS_PLAN = "A session number needs a plan."
DEVIATION_REASON = (
    "This date is outside the window for session {n} ({window}): give a reason to book it."
)
NOT_BOOKED = "Only a booked appointment can be {verb}; this one is {status}."
CANCEL_REASON = "Give a reason for cancelling."
ATTEND_FUTURE = "An appointment on a later day cannot be marked as attended yet."
NO_SHOW_FUTURE = "An appointment that has not started cannot be marked as a no-show."
NOTHING_TO_BOOK = "Choose at least one session to book."
HOURS_ORDER = "Closing time must be after opening time."
CLOSED_DAY_EXISTS = "This day is already marked as closed."

DEFAULT_LENGTH = timedelta(minutes=DEFAULT_APPOINTMENT_MINUTES)


@dataclass(frozen=True)
class SlotChoice:
    """One session of a series as chosen on the booking form."""

    session_number: int
    starts_at: datetime
    practitioner: User
    ends_at: datetime | None = None
    deviation_reason: str = ""


@dataclass(frozen=True)
class LaterOutside:
    appointment: Appointment
    window: Window

    @property
    def message(self) -> str:
        local = timezone.localtime(self.appointment.starts_at, clinic_tz())
        return (
            f"{self.appointment.label} on {local:%a %d %b %Y} is now outside its window "
            f"({self.window.describe()})."
        )


@dataclass(frozen=True)
class RescheduleResult:
    appointment: Appointment
    later_outside: list[LaterOutside]


def _lock_users(ids: Sequence[int]) -> None:
    """Lock practitioner rows in id order (one order for everyone: no deadlocks)."""
    for pk in sorted(set(ids)):
        User.objects.select_for_update().get(pk=pk)


def _excluding(qs: QuerySet[Appointment], pk: int | None) -> QuerySet[Appointment]:
    return qs.exclude(pk=pk) if pk is not None else qs


def _previous_session_day(
    plan: TreatmentPlan, session_number: int, exclude_id: int | None
) -> date | None:
    previous = (
        _excluding(
            Appointment.objects.filter(
                plan=plan, session_number=session_number - 1, status__in=BUSY_STATUSES
            ),
            exclude_id,
        )
        .order_by("-starts_at")
        .first()
    )
    return local_day(previous.starts_at) if previous is not None else None


def _closest_session_gap(plan: TreatmentPlan, day: date, exclude_id: int | None) -> int | None:
    """Days from `day` to the nearest other session of the plan, booked or already charted
    (whatever its number), or None without one. Two queries."""
    days = [
        local_day(starts)
        for starts in _excluding(
            Appointment.objects.filter(plan=plan, status__in=BUSY_STATUSES), exclude_id
        ).values_list("starts_at", flat=True)
    ]
    # Sessions charted without an appointment, through the plan's reverse relation (the
    # treatments app imports scheduling, not the other way round).
    days += list(
        plan.session_records.filter(appointment__isnull=True).values_list("performed_on", flat=True)
    )
    return min((abs((day - other).days) for other in days), default=None)


def _check_slot(  # noqa: C901 - the booking rules in the order they are explained
    *,
    patient: Patient,
    practitioner: User,
    starts_at: datetime,
    ends_at: datetime,
    plan: TreatmentPlan | None,
    session_number: int | None,
    deviation_reason: str,
    exclude_id: int | None,
    now: datetime,
    previous_day: date | None = None,
    lookup_previous: bool = True,
) -> tuple[dict[str, Any], str]:
    """Field errors and the deviation reason to store ("" when the date is in its window)."""
    errors: dict[str, Any] = {}
    tz = clinic_tz()
    if not has_role(practitioner, PRACTITIONER_ROLES):
        errors["practitioner"] = NOT_PRACTITIONER
    if ends_at <= starts_at:
        errors["ends"] = ENDS_BEFORE_START
    day = local_day(starts_at)
    if day < local_day(now):
        errors["date"] = PAST_DAY
    clinic = clinic_calendar(since=day)
    if day in clinic.closed:
        reason = ClosedDay.objects.filter(date=day).values_list("reason", flat=True).first()
        errors["date"] = CLOSED_DAY.format(day=day, reason=f": {reason}" if reason else "")
    elif day.weekday() not in clinic.hours:
        errors["date"] = CLOSED_WEEKDAY.format(weekday=f"{day:%A}")
    elif "ends" not in errors and not clinic.fits(starts_at, ends_at):
        opens, closes = clinic.hours[day.weekday()]
        errors["starts"] = OUTSIDE_HOURS.format(day=day, opens=opens, closes=closes)

    reason = (deviation_reason or "").strip()
    if session_number is not None and plan is None:
        errors["session_number"] = SESSION_NEEDS_PLAN
    if plan is not None:
        if plan.patient_id != patient.pk:
            errors["plan"] = PLAN_OTHER_PATIENT
        elif plan.status != PlanStatus.APPROVED:
            errors["plan"] = PLAN_NOT_APPROVED
        elif session_number is not None:
            count = plan.sessions_planned or 0
            most = session_limit()
            if most.exceeded_by(session_number):
                # A plan approved before the limit existed may plan more: never booked.
                errors["session_number"] = limit_error(most, session_number)
            elif not 1 <= session_number <= count:
                errors["session_number"] = SESSION_RANGE.format(count=count)
            else:
                gap = _closest_session_gap(plan, day, exclude_id)
                floor = interval_limit()
                if gap is not None and floor.exceeded_by(gap):
                    # No reason books two sessions closer than the absolute minimum.
                    errors["date"] = limit_error(floor, gap)
                taken = _excluding(
                    Appointment.objects.filter(
                        plan=plan, session_number=session_number, status__in=BUSY_STATUSES
                    ),
                    exclude_id,
                ).first()
                if taken is not None:
                    errors["session_number"] = SESSION_TAKEN.format(
                        n=session_number, when=timezone.localtime(taken.starts_at, tz)
                    )
                interval = plan_interval(plan)
                if lookup_previous:
                    previous_day = _previous_session_day(plan, session_number, exclude_id)
                window = (
                    session_window(
                        session_number=session_number,
                        previous=previous_day,
                        start_date=plan.start_date,
                        interval=interval,
                    )
                    if interval is not None and plan.start_date is not None
                    else None
                )
                if window is not None and not window.contains(day):
                    if not reason:
                        errors["deviation_reason"] = DEVIATION_REASON.format(
                            n=session_number, window=window.describe()
                        )
                else:
                    reason = ""  # inside its window: not a deviation
    elif not session_number:
        reason = ""
    return errors, reason


def _check_overlaps(
    *,
    patient: Patient,
    practitioner: User,
    starts_at: datetime,
    ends_at: datetime,
    exclude_id: int | None,
) -> None:
    """Call with the practitioner's row locked."""
    clash = (
        _excluding(
            Appointment.objects.filter(
                practitioner=practitioner,
                status__in=BUSY_STATUSES,
                starts_at__lt=ends_at,
                ends_at__gt=starts_at,
            ),
            exclude_id,
        )
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        tz = clinic_tz()
        raise ValidationError(
            {
                "practitioner": ValidationError(
                    CONFLICT.format(
                        practitioner=practitioner.get_display_name(),
                        starts=timezone.localtime(clash.starts_at, tz),
                        ends=timezone.localtime(clash.ends_at, tz),
                    ),
                    code="conflict",
                )
            }
        )
    if _excluding(
        Appointment.objects.filter(
            patient=patient, status__in=BUSY_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
        ),
        exclude_id,
    ).exists():
        raise ValidationError({"starts": ValidationError(PATIENT_CONFLICT, code="conflict")})


def _book(
    *,
    patient: Patient,
    practitioner: User,
    starts_at: datetime,
    ends_at: datetime | None,
    by: User,
    plan: TreatmentPlan | None,
    session_number: int | None,
    deviation_reason: str,
    now: datetime,
    previous_day: date | None = None,
    lookup_previous: bool = True,
) -> Appointment:
    ends_at = ends_at or starts_at + DEFAULT_LENGTH
    errors, reason = _check_slot(
        patient=patient,
        practitioner=practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        plan=plan,
        session_number=session_number,
        deviation_reason=deviation_reason,
        exclude_id=None,
        now=now,
        previous_day=previous_day,
        lookup_previous=lookup_previous,
    )
    if errors:
        raise ValidationError(errors)
    _lock_users([practitioner.pk])
    _check_overlaps(
        patient=patient,
        practitioner=practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_id=None,
    )
    appointment = Appointment.objects.create(
        patient=patient,
        plan=plan,
        session_number=session_number,
        practitioner=practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        status=AppointmentStatus.BOOKED,
        deviation_reason=reason,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="appointment.book",
        obj=appointment,
        patient_id=patient.pk,
        detail={
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "practitioner_id": practitioner.pk,
            "plan_id": plan.pk if plan else None,
            "session_number": session_number,
            "deviation": bool(reason),
        },
    )
    return appointment


def _require_bookable_patient(patient: Patient) -> None:
    if patient.is_archived:
        raise ValidationError(PATIENT_ARCHIVED)


@transaction.atomic
def appointment_book(
    *,
    patient: Patient,
    practitioner: User,
    starts_at: datetime,
    by: User,
    ends_at: datetime | None = None,
    plan: TreatmentPlan | None = None,
    session_number: int | None = None,
    deviation_reason: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book one appointment (default length DEFAULT_APPOINTMENT_MINUTES). With a plan and a
    session number, the date must fall in the session's window or carry a reason."""
    require_staff(by, NOT_STAFF)
    _require_bookable_patient(patient)
    return _book(
        patient=patient,
        practitioner=practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        by=by,
        plan=plan,
        session_number=session_number,
        deviation_reason=deviation_reason,
        now=now or timezone.now(),
    )


@transaction.atomic
def series_book(
    *,
    plan: TreatmentPlan,
    by: User,
    choices: Sequence[SlotChoice],
    now: datetime | None = None,
) -> list[Appointment]:
    """Book several sessions of an approved plan at once: all or none. Errors are keyed
    "s<N>_<field>" so the series form can show each beside its own row."""
    require_staff(by, NOT_STAFF)
    locked = TreatmentPlan.objects.select_for_update().select_related("patient").get(pk=plan.pk)
    if locked.status != PlanStatus.APPROVED:
        raise ValidationError(PLAN_NOT_APPROVED)
    _require_bookable_patient(locked.patient)
    if not choices:
        raise ValidationError(NOTHING_TO_BOOK)
    now = now or timezone.now()
    ordered = sorted(choices, key=lambda c: c.session_number)
    _lock_users([c.practitioner.pk for c in ordered])
    chosen_days = {c.session_number: local_day(c.starts_at) for c in ordered}
    errors: dict[str, list[ValidationError]] = {}
    booked: list[Appointment] = []
    for choice in ordered:
        before = choice.session_number - 1
        try:
            booked.append(
                _book(
                    patient=locked.patient,
                    practitioner=choice.practitioner,
                    starts_at=choice.starts_at,
                    ends_at=choice.ends_at,
                    by=by,
                    plan=locked,
                    session_number=choice.session_number,
                    deviation_reason=choice.deviation_reason,
                    now=now,
                    previous_day=chosen_days.get(before),
                    lookup_previous=before not in chosen_days,
                )
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                prefix = f"s{choice.session_number}_"
                field = prefix + key if key != "__all__" else prefix + "date"
                errors.setdefault(field, []).extend(ValidationError(m) for m in messages)
    if errors:
        raise ValidationError(errors)  # rolls back the sessions booked above
    return booked


def later_sessions_outside(
    *, plan: TreatmentPlan, after_session: int, day: date
) -> list[LaterOutside]:
    """The booked sessions after `after_session` whose dates fall outside their windows
    when session `after_session` is on `day`. One query."""
    interval = plan_interval(plan)
    if interval is None:
        return []
    later = Appointment.objects.filter(
        plan=plan, session_number__gt=after_session, status__in=BUSY_STATUSES
    ).order_by("session_number", "starts_at")
    outside: list[LaterOutside] = []
    previous_number, previous_day = after_session, day
    for appointment in later:
        number = appointment.session_number
        assert number is not None
        this_day = local_day(appointment.starts_at)
        if number == previous_number + 1:
            window = next_window(previous_day, interval)
            if not window.contains(this_day):
                outside.append(LaterOutside(appointment=appointment, window=window))
        previous_number, previous_day = number, this_day
    return outside


def _lock_appointment(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient", "practitioner", "plan")
        .get(pk=appointment.pk)
    )


def _require_booked(appointment: Appointment, verb: str) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise ValidationError(
            NOT_BOOKED.format(verb=verb, status=appointment.get_status_display().lower())
        )


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    by: User,
    starts_at: datetime,
    ends_at: datetime | None = None,
    practitioner: User | None = None,
    deviation_reason: str = "",
    now: datetime | None = None,
) -> RescheduleResult:
    """Move a booked appointment (keeping its length unless `ends_at` is given). Returns the
    later sessions of the same plan that now fall outside their windows."""
    require_staff(by, NOT_STAFF)
    locked = _lock_appointment(appointment)
    _require_booked(locked, "moved")
    practitioner = practitioner or locked.practitioner
    ends_at = ends_at or starts_at + (locked.ends_at - locked.starts_at)
    errors, reason = _check_slot(
        patient=locked.patient,
        practitioner=practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        plan=locked.plan,
        session_number=locked.session_number,
        deviation_reason=deviation_reason,
        exclude_id=locked.pk,
        now=now or timezone.now(),
    )
    if errors:
        errors.pop("plan", None)  # an older plan's session may still be moved
        errors.pop("session_number", None)
    if errors:
        raise ValidationError(errors)
    _lock_users([practitioner.pk])
    _check_overlaps(
        patient=locked.patient,
        practitioner=practitioner,
        starts_at=starts_at,
        ends_at=ends_at,
        exclude_id=locked.pk,
    )
    before = {
        "starts_at": locked.starts_at.isoformat(),
        "ends_at": locked.ends_at.isoformat(),
        "practitioner_id": locked.practitioner_id,
    }
    locked.starts_at, locked.ends_at = starts_at, ends_at
    locked.practitioner = practitioner
    locked.deviation_reason = reason
    locked.save(
        update_fields=["starts_at", "ends_at", "practitioner", "deviation_reason", "updated_at"]
    )
    outside: list[LaterOutside] = []
    if locked.plan is not None and locked.session_number is not None:
        outside = later_sessions_outside(
            plan=locked.plan, after_session=locked.session_number, day=local_day(starts_at)
        )
    audit_record(
        actor=by,
        action="appointment.reschedule",
        obj=locked,
        patient_id=locked.patient_id,
        detail={
            "before": before,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "practitioner_id": practitioner.pk,
            "deviation": bool(reason),
            "later_outside": [o.appointment.pk for o in outside],
        },
    )
    return RescheduleResult(appointment=locked, later_outside=outside)


def _set_status(
    locked: Appointment, status: AppointmentStatus, by: User, now: datetime, **extra: Any
) -> Appointment:
    locked.status = status
    locked.status_changed_at = now
    locked.status_changed_by = by
    fields = ["status", "status_changed_at", "status_changed_by", "updated_at"]
    for name, value in extra.items():
        setattr(locked, name, value)
        fields.append(name)
    locked.save(update_fields=fields)
    return locked


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by: User, reason: str) -> Appointment:
    require_staff(by, NOT_STAFF)
    reason = required_text(reason, field="reason", message=CANCEL_REASON)
    locked = _lock_appointment(appointment)
    _require_booked(locked, "cancelled")
    _set_status(locked, AppointmentStatus.CANCELLED, by, timezone.now(), cancel_reason=reason)
    audit_record(
        actor=by,
        action="appointment.cancel",
        obj=locked,
        patient_id=locked.patient_id,
        detail={"starts_at": locked.starts_at.isoformat()},
    )
    return locked


@transaction.atomic
def appointment_mark_attended(
    *,
    appointment: Appointment,
    by: User,
    now: datetime | None = None,
    plan: TreatmentPlan | None = None,
    session_number: int | None = None,
) -> Appointment:
    """Attended. Charting passes the plan and session the visit fulfilled: an appointment
    booked without them (a plain "Appointment") is labelled with them from now on."""
    require_staff(by, NOT_STAFF)
    now = now or timezone.now()
    locked = _lock_appointment(appointment)
    _require_booked(locked, "marked as attended")
    if local_day(locked.starts_at) > local_day(now):
        raise ValidationError(ATTEND_FUTURE)
    fulfils: dict[str, Any] = {}
    if plan is not None and locked.plan_id is None:
        fulfils["plan"] = plan
    if session_number is not None and locked.session_number is None:
        fulfils["session_number"] = session_number
    _set_status(locked, AppointmentStatus.ATTENDED, by, now, **fulfils)
    audit_record(actor=by, action="appointment.attend", obj=locked, patient_id=locked.patient_id)
    return locked


@transaction.atomic
def appointment_record_attended(
    *,
    plan: TreatmentPlan,
    session_number: int,
    practitioner: User,
    by: User,
    now: datetime | None = None,
) -> Appointment:
    """The attended appointment of a session charted without a booking (the patient came
    without one): the diary shows the visit, the plan counts it. Starts now, default length.

    Not a booking: the day, the opening hours, the plan's window and overlaps are not
    checked — the patient is in the room, and refusing to chart over a diary rule would
    only leave the visit out of the diary."""
    require_staff(by)
    now = now or timezone.now()
    starts_at = now.replace(second=0, microsecond=0)
    appointment = Appointment.objects.create(
        patient_id=plan.patient_id,
        plan=plan,
        session_number=session_number,
        practitioner=practitioner,
        starts_at=starts_at,
        ends_at=starts_at + DEFAULT_LENGTH,
        status=AppointmentStatus.ATTENDED,
        status_changed_at=now,
        status_changed_by=by,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="appointment.record_attended",
        obj=appointment,
        patient_id=plan.patient_id,
        detail={
            "starts_at": starts_at.isoformat(),
            "plan_id": plan.pk,
            "session_number": session_number,
            "practitioner_id": practitioner.pk,
        },
    )
    return appointment


@transaction.atomic
def appointment_mark_no_show(
    *, appointment: Appointment, by: User, now: datetime | None = None
) -> Appointment:
    require_staff(by, NOT_STAFF)
    now = now or timezone.now()
    locked = _lock_appointment(appointment)
    _require_booked(locked, "marked as a no-show")
    if locked.starts_at > now:
        raise ValidationError(NO_SHOW_FUTURE)
    _set_status(locked, AppointmentStatus.NO_SHOW, by, now)
    audit_record(actor=by, action="appointment.no_show", obj=locked, patient_id=locked.patient_id)
    return locked


# ---------------------------------------------------------------- clinic calendar


@transaction.atomic
def opening_hours_set(*, by: User, hours: Mapping[int, tuple[time, time] | None]) -> None:
    """Replace the hours of the given weekdays (None = closed that weekday). Errors are
    keyed "day<N>_closes"."""
    require_clinic_admin(by, ADMIN_ONLY)
    errors = {
        f"day{weekday}_closes": HOURS_ORDER
        for weekday, span in hours.items()
        if span is not None and span[1] <= span[0]
    }
    if errors:
        raise ValidationError(errors)
    for weekday, span in sorted(hours.items()):
        if not 0 <= weekday <= 6:
            raise ValidationError(f"Unknown weekday {weekday}.")
        if span is None:
            OpeningHours.objects.filter(weekday=weekday).delete()
        else:
            OpeningHours.objects.update_or_create(
                weekday=weekday, defaults={"opens": span[0], "closes": span[1]}
            )
    audit_record(
        actor=by,
        action="opening_hours.update",
        detail={
            str(w): (f"{s[0]:%H:%M}-{s[1]:%H:%M}" if s else "closed")
            for w, s in sorted(hours.items())
        },
    )


@transaction.atomic
def closed_day_add(*, by: User, day: date, reason: str = "") -> ClosedDay:
    require_clinic_admin(by, ADMIN_ONLY)
    if ClosedDay.objects.filter(date=day).exists():
        raise ValidationError({"date": CLOSED_DAY_EXISTS})
    closed = ClosedDay.objects.create(date=day, reason=(reason or "").strip()[:200])
    audit_record(
        actor=by,
        action="closed_day.add",
        obj=closed,
        detail={"date": day.isoformat(), "reason": closed.reason},
    )
    return closed


@transaction.atomic
def closed_day_remove(*, by: User, closed_day: ClosedDay) -> None:
    require_clinic_admin(by, ADMIN_ONLY)
    audit_record(
        actor=by,
        action="closed_day.remove",
        obj=closed_day,
        detail={"date": closed_day.date.isoformat()},
    )
    closed_day.delete()


def booked_on(day: date) -> int:
    """How many booked appointments fall on `day` (to warn when closing it)."""
    tz = clinic_tz()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return Appointment.objects.filter(
        status=AppointmentStatus.BOOKED,
        starts_at__gte=start,
        starts_at__lt=start + timedelta(days=1),
    ).count()

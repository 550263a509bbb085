"""Booking, series, moving, cancelling and status changes; opening hours; selectors."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient
from needlechart.patients.services import patient_archive
from needlechart.patients.timeline import timeline_for
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.services import plan_draft
from needlechart.scheduling.models import Appointment, AppointmentStatus, ClosedDay, OpeningHours
from needlechart.scheduling.selectors import next_appointment, series_proposals
from needlechart.scheduling.services import (
    SlotChoice,
    appointment_book,
    appointment_cancel,
    appointment_mark_attended,
    appointment_mark_no_show,
    appointment_reschedule,
    closed_day_add,
    closed_day_remove,
    opening_hours_set,
    series_book,
)
from tests.factories.plans import screen_patient
from tests.factories.scheduling import approved_plan

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Europe/London")
MONDAY = date(2030, 3, 4)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def week(n: int, days: int = 0) -> date:
    return MONDAY + timedelta(weeks=n, days=days)


@pytest.fixture
def plan(patient: Patient, clinician: User) -> TreatmentPlan:
    return approved_plan(
        patient=patient, clinician=clinician, start_date=MONDAY, sessions=3, interval_weeks=4
    )


def book(
    patient: Patient, by: User, practitioner: User, starts_at: datetime, **kwargs: object
) -> Appointment:
    return appointment_book(
        patient=patient,
        practitioner=practitioner,
        starts_at=starts_at,
        by=by,
        **kwargs,  # type: ignore[arg-type]
    )


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# ---------------------------------------------------------------- seeded hours


def test_default_opening_hours_are_seeded() -> None:
    hours = {h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.all()}
    assert hours == {
        **{d: (time(9), time(18)) for d in range(5)},
        5: (time(9), time(13)),
    }


# ---------------------------------------------------------------- single bookings


def test_book_default_length_and_audit(
    patient: Patient, front_desk: User, aesthetician: User
) -> None:
    appt = book(patient, front_desk, aesthetician, at(MONDAY, 10))
    assert appt.status == AppointmentStatus.BOOKED
    assert appt.ends_at - appt.starts_at == timedelta(minutes=60)
    assert appt.created_by == front_desk
    assert AuditEvent.objects.filter(action="appointment.book", object_id=str(appt.pk)).exists()


def test_overlap_refused_for_same_practitioner(
    make_patient: object, patient: Patient, front_desk: User, clinician: User, aesthetician: User
) -> None:
    other = make_patient()  # type: ignore[operator]
    book(patient, front_desk, clinician, at(MONDAY, 10))
    with pytest.raises(ValidationError) as exc:
        book(other, front_desk, clinician, at(MONDAY, 10, 30))
    assert "already has an appointment from 10:00 to 11:00" in errors_of(exc)["practitioner"][0]
    assert exc.value.error_dict["practitioner"][0].code == "conflict"
    # Back to back is fine, and so is another practitioner at the same time.
    book(other, front_desk, clinician, at(MONDAY, 11))
    book(other, front_desk, aesthetician, at(MONDAY, 14))
    assert Appointment.objects.count() == 3


def test_cancelled_slot_can_be_rebooked(
    patient: Patient, front_desk: User, clinician: User
) -> None:
    first = book(patient, front_desk, clinician, at(MONDAY, 10))
    appointment_cancel(appointment=first, by=front_desk, reason="Patient unwell")
    again = book(patient, front_desk, clinician, at(MONDAY, 10))
    assert again.pk != first.pk


def test_patient_cannot_be_in_two_places(
    patient: Patient, front_desk: User, clinician: User, aesthetician: User
) -> None:
    book(patient, front_desk, clinician, at(MONDAY, 10))
    with pytest.raises(ValidationError) as exc:
        book(patient, front_desk, aesthetician, at(MONDAY, 10, 30))
    assert "starts" in errors_of(exc)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field", "text"),
    [
        (at(week(0, 6), 10), None, "date", "not open on Sundays"),
        (at(MONDAY, 8), None, "starts", "Outside opening hours"),
        (at(MONDAY, 17, 30), None, "starts", "Outside opening hours"),
        (at(week(0, 5), 12, 30), None, "starts", "09:00-13:00"),
        (at(MONDAY, 10), at(MONDAY, 9), "ends", "after the start"),
        (at(date(2020, 3, 2), 10), None, "date", "passed"),
    ],
)
def test_slot_rules(
    patient: Patient,
    front_desk: User,
    clinician: User,
    starts_at: datetime,
    ends_at: datetime | None,
    field: str,
    text: str,
) -> None:
    with pytest.raises(ValidationError) as exc:
        book(patient, front_desk, clinician, starts_at, ends_at=ends_at)
    assert text in " ".join(errors_of(exc)[field])
    assert not Appointment.objects.exists()


def test_closed_day_refused(
    patient: Patient, front_desk: User, clinician: User, admin_user: User
) -> None:
    closed_day_add(by=admin_user, day=MONDAY, reason="Bank holiday")
    with pytest.raises(ValidationError) as exc:
        book(patient, front_desk, clinician, at(MONDAY, 10))
    assert "closed" in errors_of(exc)["date"][0] and "Bank holiday" in errors_of(exc)["date"][0]


def test_practitioner_must_be_active_clinical_staff(
    patient: Patient, front_desk: User, clinician: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        book(patient, front_desk, front_desk, at(MONDAY, 10))
    assert "practitioner" in errors_of(exc)
    clinician.is_active = False
    clinician.save()
    with pytest.raises(ValidationError):
        book(patient, front_desk, clinician, at(MONDAY, 10))


def test_archived_patient_refused(patient: Patient, front_desk: User, clinician: User) -> None:
    patient_archive(patient=patient, by=clinician, reason="Moved away")
    with pytest.raises(ValidationError):
        book(patient, front_desk, clinician, at(MONDAY, 10))


# ---------------------------------------------------------------- plan sessions and windows


def test_session_inside_window_needs_no_reason(
    plan: TreatmentPlan, patient: Patient, front_desk: User, clinician: User
) -> None:
    book(patient, front_desk, clinician, at(MONDAY, 10), plan=plan, session_number=1)
    second = book(
        patient,
        front_desk,
        clinician,
        at(week(5), 10),
        plan=plan,
        session_number=2,
        deviation_reason="not needed",
    )
    assert second.deviation_reason == ""  # inside [4, 6] weeks: not a deviation


def test_session_outside_window_needs_reason(
    plan: TreatmentPlan, patient: Patient, front_desk: User, clinician: User
) -> None:
    book(patient, front_desk, clinician, at(MONDAY, 10), plan=plan, session_number=1)
    with pytest.raises(ValidationError) as exc:
        book(patient, front_desk, clinician, at(week(3), 10), plan=plan, session_number=2)
    assert "outside the window for session 2" in errors_of(exc)["deviation_reason"][0]
    late = book(
        patient,
        front_desk,
        clinician,
        at(week(7), 10),
        plan=plan,
        session_number=2,
        deviation_reason="Patient travelling",
    )
    assert late.deviation_reason == "Patient travelling"
    assert late.is_deviation


def test_first_session_before_start_date_is_a_deviation(
    plan: TreatmentPlan, patient: Patient, front_desk: User, clinician: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        book(patient, front_desk, clinician, at(week(-1), 10), plan=plan, session_number=1)
    assert "deviation_reason" in errors_of(exc)


def test_session_rules(
    plan: TreatmentPlan, patient: Patient, front_desk: User, clinician: User, make_patient: object
) -> None:
    book(patient, front_desk, clinician, at(MONDAY, 10), plan=plan, session_number=1)
    with pytest.raises(ValidationError) as exc:
        book(patient, front_desk, clinician, at(MONDAY, 14), plan=plan, session_number=1)
    assert "already booked" in errors_of(exc)["session_number"][0]
    with pytest.raises(ValidationError) as exc:
        book(patient, front_desk, clinician, at(week(4), 14), plan=plan, session_number=4)
    assert "from 1 to 3" in errors_of(exc)["session_number"][0]
    other = make_patient()  # type: ignore[operator]
    with pytest.raises(ValidationError) as exc:
        book(other, front_desk, clinician, at(week(4), 14), plan=plan, session_number=2)
    assert "plan" in errors_of(exc)


def test_draft_plan_sessions_cannot_be_booked(
    patient: Patient, front_desk: User, clinician: User
) -> None:
    draft = plan_draft(screening=screen_patient(patient=patient, by=clinician), by=clinician)
    with pytest.raises(ValidationError) as exc:
        book(patient, front_desk, clinician, at(MONDAY, 10), plan=draft, session_number=1)
    assert "approved" in errors_of(exc)["plan"][0]


# ---------------------------------------------------------------- series


def test_series_proposals_and_booking(
    plan: TreatmentPlan, front_desk: User, clinician: User, aesthetician: User
) -> None:
    proposals, active = series_proposals(plan=plan)
    assert active == {}
    assert [p.session_number for p in proposals] == [1, 2, 3]
    assert [p.day for p in proposals] == [MONDAY, week(4), week(8)]
    choices = [
        SlotChoice(
            session_number=p.session_number,
            starts_at=p.starts_at,  # type: ignore[arg-type]
            practitioner=User.objects.get(pk=p.practitioner_id or 0),
        )
        for p in proposals
    ]
    booked = series_book(plan=plan, by=front_desk, choices=choices)
    assert [a.session_number for a in booked] == [1, 2, 3]
    assert all(a.plan_id == plan.pk for a in booked)
    assert series_proposals(plan=plan) == ([], {a.session_number: a for a in booked})


def test_series_is_all_or_none(plan: TreatmentPlan, front_desk: User, clinician: User) -> None:
    choices = [
        SlotChoice(session_number=1, starts_at=at(MONDAY, 10), practitioner=clinician),
        SlotChoice(session_number=2, starts_at=at(week(2), 10), practitioner=clinician),
        SlotChoice(session_number=3, starts_at=at(week(6), 10), practitioner=clinician),
    ]
    with pytest.raises(ValidationError) as exc:
        series_book(plan=plan, by=front_desk, choices=choices)
    errors = errors_of(exc)
    assert "s2_deviation_reason" in errors
    # Session 3 is checked against session 2's chosen date (2 + 4 weeks = inside).
    assert "s3_deviation_reason" not in errors
    assert not Appointment.objects.exists()


def test_series_conflict_within_itself(
    plan: TreatmentPlan, front_desk: User, clinician: User, make_patient: object
) -> None:
    other = make_patient()  # type: ignore[operator]
    book(other, front_desk, clinician, at(week(4), 10))
    choices = [
        SlotChoice(session_number=1, starts_at=at(MONDAY, 10), practitioner=clinician),
        SlotChoice(session_number=2, starts_at=at(week(4), 10, 30), practitioner=clinician),
    ]
    with pytest.raises(ValidationError) as exc:
        series_book(plan=plan, by=front_desk, choices=choices)
    assert "s2_practitioner" in errors_of(exc)
    assert Appointment.objects.count() == 1


def test_series_proposals_avoid_booked_practitioners(
    plan: TreatmentPlan, front_desk: User, clinician: User, aesthetician: User, make_patient: object
) -> None:
    other = make_patient()  # type: ignore[operator]
    blocker = book(other, front_desk, clinician, at(MONDAY, 9), ends_at=at(MONDAY, 18))
    proposals, _ = series_proposals(plan=plan)
    first = proposals[0]
    assert first.day == MONDAY
    assert first.practitioner_id == aesthetician.pk
    assert blocker.practitioner_id != first.practitioner_id


# ---------------------------------------------------------------- reschedule


def test_reschedule_reports_later_sessions_outside_window(
    plan: TreatmentPlan, patient: Patient, front_desk: User, clinician: User
) -> None:
    s1 = book(patient, front_desk, clinician, at(MONDAY, 10), plan=plan, session_number=1)
    s2 = book(patient, front_desk, clinician, at(week(4), 10), plan=plan, session_number=2)
    s3 = book(patient, front_desk, clinician, at(week(8), 10), plan=plan, session_number=3)
    result = appointment_reschedule(appointment=s2, by=front_desk, starts_at=at(week(6), 11))
    assert result.appointment.starts_at == at(week(6), 11)
    assert result.appointment.ends_at == at(week(6), 12)
    assert [o.appointment.pk for o in result.later_outside] == [s3.pk]
    assert "Session 3" in result.later_outside[0].message
    assert "outside its window" in result.later_outside[0].message
    # Moving session 1 a week later keeps session 2 (6 -> 5 weeks after) inside; session 3
    # is still outside its window from session 2.
    result = appointment_reschedule(appointment=s1, by=front_desk, starts_at=at(week(1), 10))
    assert [o.appointment.pk for o in result.later_outside] == [s3.pk]
    # Bringing session 3 back into its window clears the warning.
    result = appointment_reschedule(appointment=s3, by=front_desk, starts_at=at(week(10), 10))
    assert result.later_outside == []
    assert AuditEvent.objects.filter(action="appointment.reschedule").count() == 3


def test_reschedule_checks_own_window_and_conflicts(
    plan: TreatmentPlan,
    patient: Patient,
    front_desk: User,
    clinician: User,
    make_patient: object,
) -> None:
    book(patient, front_desk, clinician, at(MONDAY, 10), plan=plan, session_number=1)
    s2 = book(patient, front_desk, clinician, at(week(4), 10), plan=plan, session_number=2)
    with pytest.raises(ValidationError) as exc:
        appointment_reschedule(appointment=s2, by=front_desk, starts_at=at(week(8), 10))
    assert "deviation_reason" in errors_of(exc)
    # Overlapping its own old slot is not a conflict.
    moved = appointment_reschedule(appointment=s2, by=front_desk, starts_at=at(week(4), 10, 30))
    assert moved.appointment.starts_at == at(week(4), 10, 30)
    other = make_patient()  # type: ignore[operator]
    book(other, front_desk, clinician, at(week(4, 1), 10))
    with pytest.raises(ValidationError) as exc:
        appointment_reschedule(appointment=s2, by=front_desk, starts_at=at(week(4, 1), 10))
    assert exc.value.error_dict["practitioner"][0].code == "conflict"


# ---------------------------------------------------------------- statuses


def test_cancel_needs_reason_and_only_once(
    patient: Patient, front_desk: User, clinician: User
) -> None:
    appt = book(patient, front_desk, clinician, at(MONDAY, 10))
    with pytest.raises(ValidationError) as exc:
        appointment_cancel(appointment=appt, by=front_desk, reason="  ")
    assert "reason" in errors_of(exc)
    appointment_cancel(appointment=appt, by=front_desk, reason="Clash with work")
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.CANCELLED
    assert appt.cancel_reason == "Clash with work"
    assert appt.status_changed_by == front_desk
    with pytest.raises(ValidationError):
        appointment_cancel(appointment=appt, by=front_desk, reason="again")
    with pytest.raises(ValidationError):
        appointment_reschedule(appointment=appt, by=front_desk, starts_at=at(MONDAY, 12))


def test_attended_and_no_show(
    patient: Patient, front_desk: User, clinician: User, make_patient: object
) -> None:
    appt = book(patient, front_desk, clinician, at(MONDAY, 10))
    with pytest.raises(ValidationError):
        appointment_mark_attended(appointment=appt, by=front_desk, now=at(week(0, -1), 10))
    appointment_mark_attended(appointment=appt, by=clinician, now=at(MONDAY, 9))  # same day
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.ATTENDED
    with pytest.raises(ValidationError):
        appointment_mark_no_show(appointment=appt, by=front_desk, now=at(MONDAY, 12))

    other = book(make_patient(), front_desk, clinician, at(MONDAY, 14))  # type: ignore[operator]
    with pytest.raises(ValidationError):
        appointment_mark_no_show(appointment=other, by=front_desk, now=at(MONDAY, 13))
    appointment_mark_no_show(appointment=other, by=front_desk, now=at(MONDAY, 14, 20))
    other.refresh_from_db()
    assert other.status == AppointmentStatus.NO_SHOW
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"appointment.attend", "appointment.no_show"} <= actions


# ---------------------------------------------------------------- opening hours


def test_opening_hours_admin_only(clinician: User, admin_user: User) -> None:
    with pytest.raises(PermissionDenied):
        opening_hours_set(by=clinician, hours={6: (time(10), time(12))})
    with pytest.raises(PermissionDenied):
        closed_day_add(by=clinician, day=MONDAY)
    opening_hours_set(by=admin_user, hours={6: (time(10), time(12)), 5: None})
    hours = {h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.all()}
    assert hours[6] == (time(10), time(12))
    assert 5 not in hours
    with pytest.raises(ValidationError) as exc:
        opening_hours_set(by=admin_user, hours={0: (time(12), time(10))})
    assert "day0_closes" in errors_of(exc)
    assert AuditEvent.objects.filter(action="opening_hours.update").count() == 1


def test_closed_days(admin_user: User) -> None:
    closed = closed_day_add(by=admin_user, day=MONDAY, reason="Training")
    with pytest.raises(ValidationError):
        closed_day_add(by=admin_user, day=MONDAY)
    closed_day_remove(by=admin_user, closed_day=closed)
    assert not ClosedDay.objects.exists()


# ---------------------------------------------------------------- selectors and timeline


def test_next_appointment(patient: Patient, front_desk: User, clinician: User) -> None:
    assert next_appointment(patient=patient) is None
    later = book(patient, front_desk, clinician, at(week(1), 10))
    sooner = book(patient, front_desk, clinician, at(MONDAY, 10))
    assert next_appointment(patient=patient) == sooner
    appointment_cancel(appointment=sooner, by=front_desk, reason="x")
    assert next_appointment(patient=patient) == later


def test_timeline_entries_visible_to_front_desk(
    plan: TreatmentPlan, patient: Patient, front_desk: User, clinician: User
) -> None:
    appt = book(patient, front_desk, clinician, at(MONDAY, 10), plan=plan, session_number=1)
    appointment_cancel(appointment=appt, by=front_desk, reason="Unwell")
    titles = [e.title for e in timeline_for(user=front_desk, patient=patient)]
    assert "Session 1 booked for Mon 04 Mar 2030 10:00" in titles
    assert "Session 1 on Mon 04 Mar 2030 10:00 cancelled" in titles
    # No clinical entries reach the front desk.
    assert not any("plan" in t.lower() for t in titles)

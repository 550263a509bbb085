"""Charting a session fulfils an appointment: the booked one is marked attended (its pending
reminders withdrawn), a visit without a booking gets an attended appointment, several
bookings today must be chosen, an earlier day's booking back-dates the session only when
confirmed; the portal, the plan summary, the reminders and the chart then agree."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.documents.content import _planned_sessions
from needlechart.notifications import due
from needlechart.notifications.collect import collect_due
from needlechart.notifications.models import Message, MessageStatus
from needlechart.notifications.sending import send_due_messages_once
from needlechart.notifications.services import (
    SKIP_APPOINTMENT_ATTENDED,
    SKIP_APPOINTMENT_CANCELLED,
    message_log,
)
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.portal.selectors import upcoming_appointments
from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.scheduling.selectors import next_appointment
from needlechart.scheduling.services import appointment_cancel
from needlechart.treatments.models import SessionRecord
from needlechart.treatments.services import (
    APPOINTMENT_CHOOSE,
    APPOINTMENT_LATER_DAY,
    APPOINTMENT_NOT_BOOKED,
    BACKDATED_CONFIRM,
    session_sign,
    session_start,
    session_update,
)
from tests.factories.treatments import all_no, consented_plan, record_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(clinician: User, patient: Patient) -> TreatmentPlan:
    return consented_plan(patient=patient, by=clinician)


def _later_today(minutes: int = 30) -> datetime:
    """A moment later today (earlier today when the day is nearly over)."""
    now = timezone.localtime()
    later = now + timedelta(minutes=minutes)
    return later if later.date() == now.date() else now - timedelta(minutes=minutes)


def _booked(
    plan: TreatmentPlan, by: User, starts_at: datetime, number: int | None = 1
) -> Appointment:
    # A booked row (the booking service and its diary rules are tested elsewhere).
    return Appointment.objects.create(
        patient=plan.patient,
        plan=plan,
        session_number=number,
        practitioner=by,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        created_by=by,
    )


def _pending_reminder(appointment: Appointment) -> Message:
    """The session reminder as the sender logs it, waiting to go (a send being retried)."""
    stamp = appointment.starts_at.strftime("%Y%m%dT%H%M")
    message, _ = message_log(
        patient=appointment.patient,
        kind=due.SESSION_REMINDER,
        subject="Your session",
        body="See you soon",
        dedupe_key=f"{due.SESSION_REMINDER}:appointment:{appointment.pk}:{stamp}",
        appointment_id=appointment.pk,
    )
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() + timedelta(days=9))
    return message


def test_charting_a_booked_session_marks_it_attended_and_withdraws_its_reminders(
    plan: TreatmentPlan, clinician: User
) -> None:
    booked = _booked(plan, clinician, _later_today())
    reminder = _pending_reminder(booked)
    other = _booked(plan, clinician, timezone.now() + timedelta(days=30), number=2)
    other_reminder = _pending_reminder(other)
    assert booked.pk in {m.context.get("appointment_id") for m in collect_due(now=timezone.now())}

    record = session_start(plan=plan, by=clinician, answers=all_no())

    booked.refresh_from_db()
    assert record.appointment_id == booked.pk
    assert record.session_number == 1
    assert booked.status == AppointmentStatus.ATTENDED
    assert booked.status_changed_by == clinician
    mail.outbox.clear()
    send_due_messages_once()
    assert not [m for m in mail.outbox if "See you soon" in str(m.body)]
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SKIPPED
    assert reminder.skip_reason == SKIP_APPOINTMENT_ATTENDED
    other_reminder.refresh_from_db()
    assert other_reminder.status == MessageStatus.PENDING  # another visit: still ahead
    # Nothing more is due about the attended visit, and the patient is not told to prepare.
    due_now = collect_due(now=timezone.now())
    assert booked.pk not in {m.context.get("appointment_id") for m in due_now}
    assert not [m for m in due_now if m.kind == due.PREPARATION_REMINDER]


def test_charting_without_a_booking_creates_an_attended_appointment(
    plan: TreatmentPlan, clinician: User
) -> None:
    record = session_start(plan=plan, by=clinician, answers=all_no())

    appointment = record.appointment
    assert appointment is not None
    assert appointment.status == AppointmentStatus.ATTENDED
    assert (appointment.plan_id, appointment.session_number) == (plan.pk, 1)
    assert appointment.practitioner == clinician
    assert timezone.localtime(appointment.starts_at).date() == record.performed_on
    assert Appointment.objects.filter(plan=plan).count() == 1


def test_a_booking_without_a_plan_is_labelled_with_the_session_it_fulfilled(
    plan: TreatmentPlan, clinician: User
) -> None:
    booked = _booked(plan, clinician, _later_today(), number=None)
    booked.plan = None
    booked.save(update_fields=["plan"])

    record = session_start(plan=plan, by=clinician, answers=all_no())

    booked.refresh_from_db()
    assert record.appointment_id == booked.pk
    assert (booked.plan_id, booked.session_number, booked.label) == (plan.pk, 1, "Session 1")


def test_several_bookings_today_must_be_chosen(plan: TreatmentPlan, clinician: User) -> None:
    first = _booked(plan, clinician, _later_today(10), number=None)
    _booked(plan, clinician, _later_today(90), number=None)

    with pytest.raises(ValidationError) as exc:
        session_start(plan=plan, by=clinician, answers=all_no())
    assert exc.value.message_dict["appointment"] == [APPOINTMENT_CHOOSE.format(count=2)]
    assert not SessionRecord.objects.exists()

    record = session_start(plan=plan, by=clinician, answers=all_no(), appointment=first)
    assert record.appointment_id == first.pk
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 1


def test_a_later_days_booking_cannot_be_charted_yet(plan: TreatmentPlan, clinician: User) -> None:
    later = _booked(plan, clinician, timezone.now() + timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        session_start(plan=plan, by=clinician, answers=all_no(), appointment=later)
    assert exc.value.message_dict["appointment"] == [APPOINTMENT_LATER_DAY]


def test_an_earlier_days_booking_back_dates_the_session_once_confirmed(
    plan: TreatmentPlan, clinician: User
) -> None:
    earlier = _booked(plan, clinician, timezone.now() - timedelta(days=2))
    day = timezone.localtime(earlier.starts_at).date()
    today = timezone.localdate()

    with pytest.raises(ValidationError) as exc:
        session_start(plan=plan, by=clinician, answers=all_no(), appointment=earlier)
    assert exc.value.message_dict["confirm_backdated"] == [
        BACKDATED_CONFIRM.format(day=day, today=today)
    ]
    earlier.refresh_from_db()
    assert earlier.is_booked  # nothing changed

    record = session_start(
        plan=plan, by=clinician, answers=all_no(), appointment=earlier, confirm_backdated=True
    )
    earlier.refresh_from_db()
    assert record.performed_on == day
    assert earlier.status == AppointmentStatus.ATTENDED


def test_moving_a_draft_to_an_earlier_day_must_be_confirmed(
    plan: TreatmentPlan, clinician: User
) -> None:
    record = session_start(plan=plan, by=clinician, answers=all_no())
    earlier = record.performed_on - timedelta(days=3)
    values = record_values(record, performed_on=earlier)

    with pytest.raises(ValidationError) as exc:
        session_update(session=record, by=clinician, **values)
    assert "confirm_backdated" in exc.value.message_dict

    session_update(session=record, by=clinician, confirm_backdated=True, **values)
    record.refresh_from_db()
    assert record.performed_on == earlier
    # Saving again with the date unchanged asks nothing more.
    session_update(session=record, by=clinician, **record_values(record))


def test_portal_plan_summary_and_chart_agree_once_charted(
    plan: TreatmentPlan, clinician: User
) -> None:
    booked = _booked(plan, clinician, _later_today(), number=1)
    if booked.starts_at > timezone.now():
        assert list(upcoming_appointments(plan.patient)) == [booked]
        assert next_appointment(patient=plan.patient) == booked

    record = session_start(plan=plan, by=clinician, answers=all_no())

    assert list(upcoming_appointments(plan.patient)) == []
    assert next_appointment(patient=plan.patient) is None
    row = _planned_sessions(plan)[0]
    assert (row.number, row.status) == (1, "Attended")  # charted, not signed yet

    record = session_update(session=record, by=clinician, **record_values(record))
    session_sign(session=record, by=clinician)
    rows = _planned_sessions(plan)
    assert (rows[0].number, rows[0].status) == (1, "Done")
    assert "Booked" not in {r.status for r in rows}
    # The chart's sessions and the diary's appointments name the same visit.
    assert list(plan.session_records.values_list("session_number", "appointment_id")) == [
        (1, booked.pk)
    ]


def test_cancelling_withdraws_the_pending_reminders(plan: TreatmentPlan, clinician: User) -> None:
    booked = _booked(plan, clinician, timezone.now() + timedelta(days=3))
    reminder = _pending_reminder(booked)
    appointment_cancel(appointment=booked, by=clinician, reason="Patient unwell")
    send_due_messages_once()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.skip_reason) == (
        MessageStatus.SKIPPED,
        SKIP_APPOINTMENT_CANCELLED,
    )


def test_a_visit_checked_in_at_the_desk_is_linked_not_duplicated(
    plan: TreatmentPlan, clinician: User, front_desk: User
) -> None:
    from needlechart.scheduling.services import appointment_mark_attended

    booked = _booked(plan, clinician, timezone.now() - timedelta(minutes=1))
    if timezone.localtime(booked.starts_at).date() != timezone.localdate():
        pytest.skip("the day has just begun")
    appointment_mark_attended(appointment=booked, by=front_desk)

    record = session_start(plan=plan, by=clinician, answers=all_no())

    assert record.appointment_id == booked.pk
    assert Appointment.objects.filter(plan=plan).count() == 1
    # A second session cannot fulfil the same visit.
    with pytest.raises(ValidationError) as exc:
        session_start(plan=plan, by=clinician, answers=all_no(), appointment=booked)
    assert exc.value.message_dict["appointment"] == [APPOINTMENT_NOT_BOOKED]


def test_the_sender_links_each_message_to_its_visit(plan: TreatmentPlan, clinician: User) -> None:
    booked = _booked(plan, clinician, timezone.now() + timedelta(days=3))
    send_due_messages_once()
    confirmation = Message.objects.get(kind=due.BOOKING_CONFIRMATION)
    assert confirmation.appointment_id == booked.pk


def test_a_message_claimed_after_the_visit_is_charted_is_not_sent(
    plan: TreatmentPlan, clinician: User
) -> None:
    from needlechart.notifications.services import message_deliver

    booked = _booked(plan, clinician, _later_today())
    reminder = _pending_reminder(booked)
    session_start(plan=plan, by=clinician, answers=all_no())
    mail.outbox.clear()
    done = message_deliver(message_id=reminder.pk)
    assert done is not None
    assert (done.status, done.skip_reason) == (MessageStatus.SKIPPED, SKIP_APPOINTMENT_ATTENDED)
    assert mail.outbox == []

"""The sender end to end: database rows → due messages → one e-mail each, however often run."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.notifications.models import Message, MessageKind, MessageStatus
from needlechart.notifications.sending import send_due_messages_once
from needlechart.notifications.tasks import send_due_messages
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.protocol import default_protocol
from needlechart.protocol.aftercare import check_in_days
from needlechart.protocol.patient import preparation_text
from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.screenings.models import Screening
from tests.factories.outcomes import approved_plan, signed_session
from tests.factories.plans import screen_patient

pytestmark = pytest.mark.django_db

CLINICAL_WORDS = ("microneedl", "acne", "scar", "retinoid", "treatment", "session", "skin")


def at(*args: int) -> datetime:
    return timezone.make_aware(datetime(*args))  # type: ignore[arg-type]


def run_twice(now: datetime) -> None:
    send_due_messages_once(now=now)
    send_due_messages_once(now=now)


def book(plan: TreatmentPlan, by: User, starts_at: datetime, created_at: datetime) -> Appointment:
    appt = Appointment.objects.create(
        patient=plan.patient,
        plan=plan,
        session_number=1,
        practitioner=by,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        status=AppointmentStatus.BOOKED,
        created_by=by,
    )
    Appointment.objects.filter(pk=appt.pk).update(created_at=created_at)
    return appt


def sent_kinds() -> Counter[str]:
    return Counter(Message.objects.filter(status=MessageStatus.SENT).values_list("kind", flat=True))


def assert_each_sent_once() -> None:
    keys = list(Message.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys))
    assert len(mail.outbox) == Message.objects.filter(status=MessageStatus.SENT).count()
    subjects = [m.subject for m in mail.outbox]
    for subject in subjects:
        assert "your appointment at" in subject.lower()
        assert not any(word in subject.lower() for word in CLINICAL_WORDS), subject


def test_course_start_confirmation_preparation_reminder(clinician: User, patient: Patient) -> None:
    plan = approved_plan(patient=patient, by=clinician, start_date=date(2030, 1, 7))
    steps = [s for s in plan.recommendation["preparation"] if s.get("days_before") is not None]
    assert steps
    book(plan, clinician, at(2030, 1, 7, 10), created_at=at(2029, 12, 1, 9))

    run_twice(at(2029, 12, 1, 12))
    assert sent_kinds() == {MessageKind.BOOKING_CONFIRMATION: 1}
    run_twice(at(2030, 1, 6, 8))  # every preparation step is due by now (none under 2 days)
    run_twice(at(2030, 1, 6, 11))  # and the reminder, 24 hours before
    run_twice(at(2030, 1, 7, 11))  # after the start: nothing more
    assert sent_kinds() == {
        MessageKind.BOOKING_CONFIRMATION: 1,
        MessageKind.PREPARATION_REMINDER: len(steps),
        MessageKind.SESSION_REMINDER: 1,
    }
    assert_each_sent_once()
    prep = Message.objects.filter(kind=MessageKind.PREPARATION_REMINDER).first()
    assert prep is not None
    # The plan's own steps in the protocol's patient words; never the staff wording.
    assert any(preparation_text(s["code"], s["title"]) in prep.body for s in steps)
    assert any("prescriber" in step["text"] for step in steps)  # staff wording in the plan
    bodies = Message.objects.filter(kind=MessageKind.PREPARATION_REMINDER).values_list(
        "body", flat=True
    )
    assert not any("prescriber" in body for body in bodies)


def test_check_ins_follow_up_and_maintenance(clinician: User, patient: Patient) -> None:
    plan = approved_plan(patient=patient, by=clinician, start_date=date(2030, 1, 7))
    assert plan.sessions_planned
    first = date(2030, 1, 7)
    for n in range(plan.sessions_planned):
        signed_session(
            plan=plan, by=clinician, number=n + 1, performed_on=first + timedelta(weeks=4 * n)
        )
    last = first + timedelta(weeks=4 * (plan.sessions_planned - 1))
    days = check_in_days()
    for day in days:
        run_twice(
            timezone.make_aware(datetime.combine(last + timedelta(days=day), datetime.min.time()))
            + timedelta(hours=10)
        )
    follow = default_protocol().document.follow_up
    run_twice(at(last.year, last.month, last.day, 10) + timedelta(weeks=follow.from_weeks))
    months = plan.recommendation["maintenance_interval_months"]
    assert months
    y, m = divmod(last.month - 1 + months, 12)
    run_twice(at(last.year + y, m + 1, min(last.day, 28), 10) + timedelta(days=3))
    assert sent_kinds() == {
        MessageKind.CHECK_IN_INVITATION: len(days),
        MessageKind.FOLLOW_UP_REMINDER: 1,
        MessageKind.MAINTENANCE_REMINDER: 1,
    }
    assert_each_sent_once()


def test_rescreen_reminder_for_a_deferred_patient(clinician: User, patient: Patient) -> None:
    screening = screen_patient(patient=patient, by=clinician)
    Screening.objects.filter(pk=screening.pk).update(verdict="defer", rescreen_on=date(2030, 5, 1))
    run_twice(at(2030, 4, 30, 10))
    assert sent_kinds() == {}
    run_twice(at(2030, 5, 1, 10))
    assert sent_kinds() == {MessageKind.RESCREEN_REMINDER: 1}
    assert_each_sent_once()
    # A later screening of the patient supersedes a deferral: no reminder for that one.
    deferred = screen_patient(patient=patient, by=clinician)
    Screening.objects.filter(pk=deferred.pk).update(verdict="defer", rescreen_on=date(2030, 6, 1))
    screen_patient(patient=patient, by=clinician)
    run_twice(at(2030, 6, 1, 10))
    assert sent_kinds() == {MessageKind.RESCREEN_REMINDER: 1}


def test_opted_out_patient_gets_only_essential(
    clinician: User, front_desk: User, patient: Patient
) -> None:
    from needlechart.notifications.services import message_preference_set

    message_preference_set(patient=patient, non_essential_opt_out=True, by=front_desk)
    plan = approved_plan(patient=patient, by=clinician, start_date=date(2030, 1, 7))
    book(plan, clinician, at(2030, 1, 7, 10), created_at=at(2030, 1, 5, 9))
    run_twice(at(2030, 1, 6, 11))
    statuses = Counter(Message.objects.values_list("kind", "status"))
    assert statuses[(MessageKind.BOOKING_CONFIRMATION, MessageStatus.SENT)] == 1
    assert statuses[(MessageKind.SESSION_REMINDER, MessageStatus.SKIPPED)] == 1
    assert len(mail.outbox) == 1


@override_settings(
    TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
)
def test_task_and_command_run_the_sender(patient: Patient) -> None:
    result = send_due_messages.enqueue()
    assert result.return_value == {
        "created": 0,
        "sent": 0,
        "skipped": 0,
        "retrying": 0,
        "failed": 0,
        "released": 0,
    }
    call_command("send_due_messages")
    call_command("send_due_messages", "--enqueue")


def test_collector_query_count_is_constant(clinician: User, make_patient: Any) -> None:
    from needlechart.notifications.collect import collect_due

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            collect_due(now=at(2030, 1, 6, 11))
        return len(ctx)

    def course() -> None:
        plan = approved_plan(patient=make_patient(), by=clinician, start_date=date(2030, 1, 7))
        book(plan, clinician, at(2030, 1, 7, 10), created_at=at(2030, 1, 5, 9))
        signed_session(plan=plan, by=clinician, number=1, performed_on=date(2030, 1, 5))

    course()
    few = queries()
    for _ in range(3):
        course()
    assert queries() == few <= 6

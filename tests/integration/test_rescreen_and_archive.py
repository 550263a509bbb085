"""One rule, every reader: the dashboard and the reminders agree on who is due for
re-screening, and an archived patient receives no message of any kind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.notifications import due
from needlechart.notifications.collect import collect_due
from needlechart.notifications.models import Message, MessageKind, MessageStatus
from needlechart.notifications.sending import send_due_messages_once
from needlechart.notifications.services import SKIP_ARCHIVED, message_log
from needlechart.patients.models import Patient
from needlechart.patients.services import patient_archive
from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.screenings.models import Screening
from needlechart.screenings.selectors import screenings_due_for_rescreen
from needlechart.screenings.services import screening_override
from tests.factories.outcomes import approved_plan, signed_session
from tests.factories.plans import screen_patient

pytestmark = pytest.mark.django_db

DEFER = "03-defer-isotretinoin.yaml"


def deferred(patient: Patient, by: User, rescreen_on: date) -> Screening:
    """A screening the engine deferred, with its re-screen date moved to `rescreen_on` (the
    engine dates it from the intake's wash-out; the tests need a date around today)."""
    screening = screen_patient(patient=patient, by=by, example=DEFER)
    assert screening.verdict == "defer" and screening.rescreen_on is not None
    Screening.objects.filter(pk=screening.pk).update(rescreen_on=rescreen_on)
    screening.rescreen_on = rescreen_on
    return screening


def rescreen_recipients() -> set[int]:
    return set(
        Message.objects.filter(kind=MessageKind.RESCREEN_REMINDER).values_list(
            "patient_id", flat=True
        )
    )


def test_dashboard_and_reminders_agree_on_who_is_due_for_rescreening(
    make_patient: Callable[..., Patient], clinician: User, clinician_client: Client
) -> None:
    today = timezone.localdate()
    past = today - timedelta(days=2)
    due_one = deferred(make_patient(given_name="Due"), clinician, past)
    deferred(make_patient(given_name="Later"), clinician, today + timedelta(days=10))
    overridden = deferred(make_patient(given_name="Overridden"), clinician, past)
    screening_override(screening=overridden, verdict="proceed", reason="Reviewed", by=clinician)
    superseded = deferred(make_patient(given_name="Superseded"), clinician, past)
    screen_patient(patient=superseded.patient, by=clinician)  # a newer screening: proceed
    archived = deferred(make_patient(given_name="Archived"), clinician, past)
    patient_archive(by=clinician, patient=archived.patient, reason="Moved away")

    on_dashboard = {s.patient_id for s in screenings_due_for_rescreen(user=clinician, today=today)}
    send_due_messages_once(now=timezone.now())

    assert on_dashboard == rescreen_recipients() == {due_one.patient_id}
    html = clinician_client.get("/").content.decode()
    panel = html[html.index("Deferred patients due for re-screening") :]
    assert due_one.patient.full_name in panel
    for other in ("Later", "Overridden", "Superseded", "Archived"):
        assert other not in panel
    assert [m.to for m in mail.outbox] == [[due_one.patient.email]]

    # Archiving the due patient takes them off both lists, and a second run sends nothing.
    patient_archive(by=clinician, patient=due_one.patient, reason="Deceased")
    assert not screenings_due_for_rescreen(user=clinician, today=today).exists()
    assert not collect_due(now=timezone.now())
    send_due_messages_once(now=timezone.now())
    assert len(mail.outbox) == 1


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=hour)


def test_archived_patients_receive_no_message_of_any_kind(
    make_patient: Callable[..., Patient], clinician: User
) -> None:
    start = date(2030, 1, 7)
    # A course about to start: booking confirmation, preparation and session reminders.
    starting = approved_plan(patient=make_patient(), by=clinician, start_date=start)
    Appointment.objects.create(
        patient=starting.patient,
        plan=starting,
        session_number=1,
        practitioner=clinician,
        starts_at=_at(start, 10),
        ends_at=_at(start, 11),
        status=AppointmentStatus.BOOKED,
        created_by=clinician,
    )
    Appointment.objects.filter(plan=starting).update(created_at=_at(start, 0) - timedelta(days=2))
    # A completed course: check-in invitations, then follow-up and maintenance reminders.
    finished = approved_plan(patient=make_patient(), by=clinician, start_date=start)
    assert finished.sessions_planned
    for n in range(finished.sessions_planned):
        signed_session(
            plan=finished, by=clinician, number=n + 1, performed_on=start + timedelta(weeks=4 * n)
        )
    last = start + timedelta(weeks=4 * (finished.sessions_planned - 1))
    # A deferral due for re-screening.
    deferral = deferred(make_patient(), clinician, date(2031, 6, 2))
    moments = [_at(start, 0) - timedelta(days=2) + timedelta(hours=12), _at(start, 9)]
    moments += [_at(last + timedelta(days=d), 10) for d in range(0, 8)]
    moments += [_at(last + timedelta(weeks=w), 10) for w in range(1, 60)]
    moments += [_at(date(2031, 6, 2), 10)]

    def kinds_due() -> set[str]:
        return {m.kind for now in moments for m in collect_due(now=now)}

    every_kind = {
        due.BOOKING_CONFIRMATION,
        due.SESSION_REMINDER,
        due.PREPARATION_REMINDER,
        due.CHECK_IN_INVITATION,
        due.FOLLOW_UP_REMINDER,
        due.MAINTENANCE_REMINDER,
        due.RESCREEN_REMINDER,
    }
    assert kinds_due() == every_kind  # the same patients, before they are archived

    # A message already logged (not yet sent) when the record is archived is not sent.
    pending, _ = message_log(
        patient=deferral.patient,
        kind=MessageKind.RESCREEN_REMINDER,
        subject="Time to book your review",
        body="…",
        dedupe_key="test:pending-before-archive",
        due_at=timezone.now(),
    )
    for patient in (starting.patient, finished.patient, deferral.patient):
        patient_archive(by=clinician, patient=patient, reason="Left the clinic")

    assert kinds_due() == set()
    send_due_messages_once(now=timezone.now())
    pending.refresh_from_db()
    assert pending.status == MessageStatus.SKIPPED and pending.skip_reason == SKIP_ARCHIVED
    assert mail.outbox == []

"""The start page offers the appointments a session may fulfil, picks today's by itself,
warns before back-dating to an earlier day's booking, and the portal stops listing a
visit once it is charted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.treatments.models import SessionRecord
from needlechart.treatments.services import BACKDATED_CONFIRM
from tests.factories.treatments import all_no, consented_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(clinician: User, patient: Patient) -> TreatmentPlan:
    return consented_plan(patient=patient, by=clinician)


def checklist() -> dict[str, str]:
    return {code: "no" for code in all_no()}


def _booked(plan: TreatmentPlan, by: User, days: int) -> Appointment:
    starts = timezone.now() + timedelta(days=days)
    return Appointment.objects.create(
        patient=plan.patient,
        plan=plan,
        session_number=1,
        practitioner=by,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        created_by=by,
    )


def test_back_dating_to_an_earlier_booking_warns_and_needs_confirmation(
    clinician_client: Client, plan: TreatmentPlan, clinician: User
) -> None:
    earlier = _booked(plan, clinician, days=-2)
    url = reverse("treatments:start", args=[plan.pk])
    page = clinician_client.get(url).content.decode()
    assert 'id="appointment-choice"' in page
    assert "earlier day: the session will be back-dated" in page

    data = checklist() | {"step": "chart", "appointment": str(earlier.pk)}
    response = clinician_client.post(url, data)
    assert response.status_code == 200
    text = response.content.decode()
    day = timezone.localtime(earlier.starts_at).date()
    assert escape(BACKDATED_CONFIRM.format(day=day, today=timezone.localdate())) in text
    assert 'id="backdated-warning"' in text
    assert not SessionRecord.objects.exists()

    response = clinician_client.post(url, data | {"confirm_backdated": "on"})
    assert response.status_code == 302
    record = SessionRecord.objects.get()
    earlier.refresh_from_db()
    assert (record.performed_on, record.appointment_id) == (day, earlier.pk)
    assert earlier.status == AppointmentStatus.ATTENDED


def test_the_portal_no_longer_lists_a_charted_visit(
    clinician_client: Client, plan: TreatmentPlan, clinician: User
) -> None:
    from needlechart.portal.services import _token_create

    now = timezone.localtime()
    starts = now + timedelta(minutes=30)
    if starts.date() != now.date():
        pytest.skip("no later time today to book")
    booked = Appointment.objects.create(
        patient=plan.patient,
        plan=plan,
        session_number=1,
        practitioner=clinician,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        created_by=clinician,
    )
    portal = Client()
    _token, secret = _token_create(patient=plan.patient, by=None)
    assert portal.post(reverse("portal:enter", args=[secret])).status_code == 302
    when = f"{timezone.localtime(booked.starts_at):%H:%M}"
    assert when in portal.get(reverse("portal:home")).content.decode()

    response = clinician_client.post(
        reverse("treatments:start", args=[plan.pk]), checklist() | {"step": "chart"}
    )
    assert response.status_code == 302
    assert SessionRecord.objects.get().appointment_id == booked.pk
    assert when not in portal.get(reverse("portal:home")).content.decode()


def test_the_appointment_page_charts_the_session_and_then_links_its_record(
    clinician_client: Client, front_desk_client: Client, plan: TreatmentPlan, clinician: User
) -> None:
    booked = _booked(plan, clinician, days=0)
    page_url = reverse("scheduling:appointment", args=[booked.pk])
    start_url = f"{reverse('treatments:start', args=[plan.pk])}?appointment={booked.pk}"
    assert escape(start_url) in clinician_client.get(page_url).content.decode()
    assert "chart-this-session" not in front_desk_client.get(page_url).content.decode()

    response = clinician_client.post(start_url, checklist() | {"step": "chart"})
    assert response.status_code == 302
    record = SessionRecord.objects.get()
    page = clinician_client.get(page_url).content.decode()
    assert reverse("treatments:detail", args=[record.pk]) in page
    assert "chart-this-session" not in page
    assert reverse("treatments:detail", args=[record.pk]) not in (
        front_desk_client.get(page_url).content.decode()
    )

import io

import pytest
from django.core.management import call_command

from needlechart.accounts.models import User
from needlechart.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent() -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)
    assert User.objects.count() == 4
    assert Patient.objects.count() == 30
    assert "frontdesk" in out.getvalue()
    assert "demo-password-1" in out.getvalue()
    assert User.objects.get(username="clinician").check_password("demo-password-1")


def test_demo_patients_are_spread_across_the_course() -> None:
    from collections import Counter

    from django.utils import timezone

    from needlechart.consultations.models import Consultation
    from needlechart.plans.models import TreatmentPlan
    from needlechart.screenings.models import Screening
    from needlechart.screenings.selectors import screenings_due_for_rescreen

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # a second run adds nothing
    assert Consultation.objects.count() == 25
    assert Counter(Consultation.objects.values_list("status", flat=True)) == {
        "completed": 22,
        "draft": 3,
    }
    verdicts = Counter(s.verdict for s in Screening.objects.all())
    assert set(verdicts) == {
        "proceed",
        "proceed_with_precautions",
        "defer",
        "refer_to_physician",
        "not_a_candidate",
    }
    assert Screening.objects.filter(override__isnull=False).count() == 1
    assert Counter(TreatmentPlan.objects.values_list("status", flat=True)) == {
        "approved": 8,
        "draft": 5,
    }
    clinician = User.objects.get(username="clinician")
    due = screenings_due_for_rescreen(user=clinician, today=timezone.localdate())
    assert len(list(due)) == 2

    from needlechart.consents.models import Consent
    from needlechart.outcomes.models import FollowUp
    from needlechart.scheduling.models import Appointment
    from needlechart.treatments.models import AdverseEvent, SessionRecord, SymptomReport

    assert Counter(Consent.objects.values_list("status", flat=True)) == {"signed": 4, "draft": 1}
    assert Appointment.objects.filter(status="booked").count() == 5
    assert SessionRecord.objects.filter(status="signed").count() == 7
    assert (
        SymptomReport.objects.filter(triage_level="contact_clinic", resolved_at=None).count() == 1
    )
    assert AdverseEvent.objects.filter(status="resolved").count() == 1
    assert FollowUp.objects.count() == 1

    from needlechart.prescreen.models import Lead

    assert Lead.objects.count() == 2


def test_demo_dashboard_has_work_for_the_clinician() -> None:
    from django.test import Client

    call_command("seed_demo", stdout=io.StringIO())
    browser = Client()
    browser.login(username="clinician", password="demo-password-1")
    body = browser.get("/").content.decode()
    assert "Consultations awaiting completion" in body
    assert "Plans awaiting approval" in body
    assert "re-screening" in body


def test_demo_sessions_fulfil_attended_appointments() -> None:
    """Every charted demo session is linked to its visit, attended in the diary that day, and
    no demo patient keeps a booked slot for a session already charted."""
    from django.utils import timezone

    from needlechart.scheduling.models import Appointment, AppointmentStatus
    from needlechart.treatments.models import SessionRecord

    call_command("seed_demo", stdout=io.StringIO())
    records = list(SessionRecord.objects.select_related("appointment"))
    assert records
    for record in records:
        appointment = record.appointment
        assert appointment is not None, record
        assert appointment.status == AppointmentStatus.ATTENDED
        assert (appointment.plan_id, appointment.session_number) == (
            record.plan_id,
            record.session_number,
        )
        assert timezone.localdate(appointment.starts_at) == record.performed_on
    charted = {(r.plan_id, r.session_number) for r in records}
    dangling = Appointment.objects.filter(status=AppointmentStatus.BOOKED)
    assert not [a for a in dangling if (a.plan_id, a.session_number) in charted]

"""The demo clinic tells a believable story: for every patient, each step of the course
happened on or after the one before it.

Once, consents were signed "today" for sessions charted weeks ago, plans approved after
their own sessions, and a patient registered months after her first consultation — a
newcomer reading the demo chart saw the course run backwards. The demo seeds through the
real services (which stamp "now") and then dates each record to its day in the story; this
test reads every date the chart and the documents show and checks their order.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from needlechart.consents.models import Consent
from needlechart.consultations.models import Consultation
from needlechart.outcomes.models import FollowUp
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.scheduling.models import Appointment
from needlechart.treatments.models import AdverseEvent, SessionRecord, SymptomReport

pytestmark = pytest.mark.django_db

Step = tuple[str, date | datetime | None]


def day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def in_order(patient: Patient, steps: Iterable[Step]) -> list[str]:
    """Each dated step on or after the previous dated one; the violations, in words."""
    problems = []
    previous: tuple[str, date] | None = None
    for name, when in steps:
        on = day(when)
        if on is None:
            continue
        if previous is not None and on < previous[1]:
            problems.append(
                f"{patient.full_name}: {name} ({on}) is before {previous[0]} ({previous[1]})"
            )
        previous = (name, on)
    return problems


def plan_story(plan: TreatmentPlan, today: date) -> list[str]:
    patient = plan.patient
    problems: list[str] = []
    consents = list(Consent.objects.filter(plan=plan).order_by("created_at", "id"))
    sessions = list(SessionRecord.objects.filter(plan=plan).order_by("session_number"))
    assessment = plan.assessment
    chain: list[Step] = [
        ("consultation", plan.consultation.consulted_on),
        ("consultation completed", plan.consultation.completed_at),
        ("screening", plan.screening.screened_on),
        ("assessment", assessment.assessed_on if assessment else None),
        ("plan drafted", plan.created_at),
        ("plan approved", plan.approved_at),
    ]
    for consent in consents:
        problems += in_order(
            patient,
            [
                *chain,
                ("consent prepared", consent.created_at),
                ("consent signed by the patient", consent.patient_signed_at),
                ("consent countersigned", consent.clinician_signed_at),
                *[(f"session {s.session_number}", s.performed_on) for s in sessions[:1]],
            ],
        )
    steps: list[Step] = list(chain)
    for record in sessions:
        steps += [
            (f"session {record.session_number}", record.performed_on),
            (f"session {record.session_number} signed", record.signed_at),
        ]
        if record.consent_id is not None:
            problems += in_order(
                patient,
                [
                    ("consent signed", record.consent.clinician_signed_at),
                    (f"session {record.session_number}", record.performed_on),
                ],
            )
    follow_ups = FollowUp.objects.filter(plan=plan).order_by("followed_on")
    steps += [("follow-up", f.followed_on) for f in follow_ups]
    problems += in_order(patient, steps)
    if plan.approved_at and plan.start_date:
        problems += in_order(
            patient, [("plan approved", plan.approved_at), ("planned start", plan.start_date)]
        )
    for appointment in Appointment.objects.filter(plan=plan):
        problems += in_order(
            patient,
            [
                ("plan approved", plan.approved_at),
                ("appointment booked", appointment.created_at),
                (f"appointment for session {appointment.session_number}", appointment.starts_at),
            ],
        )
    for name, when in steps:
        on = day(when)
        if on is not None and on > today:
            problems.append(f"{patient.full_name}: {name} ({on}) is in the future")
    return problems


def test_every_demo_course_runs_forwards() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    problems: list[str] = []
    for patient in Patient.objects.all():
        consultations = Consultation.objects.filter(patient=patient).order_by("consulted_on")
        problems += in_order(
            patient,
            [
                ("registration", patient.created_at),
                *[("consultation", c.consulted_on) for c in consultations[:1]],
            ],
        )
        for consultation in consultations:
            problems += in_order(
                patient,
                [
                    ("consultation", consultation.consulted_on),
                    ("consultation completed", consultation.completed_at),
                    *[("screening", s.screened_on) for s in consultation.screenings.all()],
                    *[
                        ("override", s.override.created_at)
                        for s in consultation.screenings.filter(override__isnull=False)
                    ],
                    ("today", today),
                ],
            )
        for plan in TreatmentPlan.objects.filter(patient=patient).select_related(
            "consultation", "screening", "assessment"
        ):
            problems += plan_story(plan, today)
        for report in SymptomReport.objects.filter(patient=patient).select_related("session"):
            problems += in_order(
                patient,
                [
                    (f"session {report.session.session_number}", report.session.performed_on),
                    ("symptom reported", report.reported_on),
                    ("today", today),
                ],
            )
        for event in AdverseEvent.objects.filter(patient=patient).select_related("session"):
            problems += in_order(
                patient,
                [
                    ("the session", event.session.performed_on if event.session else None),
                    ("adverse event onset", event.onset_on),
                    ("adverse event resolved", event.resolved_on),
                    ("today", today),
                ],
            )
    assert not problems, "\n".join(problems)


def test_the_demo_has_the_stories_this_test_reads() -> None:
    """A guard against the test above passing on an empty demo."""
    call_command("seed_demo", stdout=io.StringIO())
    assert SessionRecord.objects.count() >= 5
    assert Consent.objects.filter(clinician_signed_at__isnull=False).count() >= 3
    assert FollowUp.objects.exists() and AdverseEvent.objects.exists()
    assert SymptomReport.objects.exists() and Appointment.objects.exists()

"""The screening page leads on to assessment and plan only when the verdict allows a plan."""

from __future__ import annotations

from django.test import Client

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from tests.factories.plans import DEFER, PROCEED, screen_patient


def test_treatable_screening_offers_assessment_and_plan(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    screening = screen_patient(patient=patient, by=clinician, example=PROCEED)
    body = clinician_client.get(f"/screenings/{screening.pk}/").content.decode()
    assert 'id="create-plan"' in body
    assert f"/plans/new/{screening.pk}/" in body
    assert f"/assessments/new/{patient.pk}/{screening.consultation_id}/" in body


def test_deferred_screening_explains_why_there_is_no_plan(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    screening = screen_patient(patient=patient, by=clinician, example=DEFER)
    body = clinician_client.get(f"/screenings/{screening.pk}/").content.decode()
    assert 'id="create-plan"' not in body
    assert "No plan can be made" in body

"""Completing a consultation again under an approved plan, through the pages: the confirm
step, the plan page and the chart saying the screening changed, the clinician's review."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consultations.forms import intake_initial
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.services import SCREENING_CHANGED
from needlechart.screenings.models import Screening
from needlechart.screenings.services import REPLACE_HAS_PLAN
from tests.factories.plans import EXAMPLES, PROCEED
from tests.factories.treatments import consented_plan

pytestmark = pytest.mark.django_db


def full_post(plan: TreatmentPlan, **changes: Any) -> dict[str, Any]:
    intake = yaml.safe_load((EXAMPLES / PROCEED).read_text())
    data: dict[str, Any] = {
        "consulted_on": plan.consultation.consulted_on.isoformat(),
        "notes": "",
        "action": "complete",
    }
    return data | intake_initial(intake) | changes


@pytest.fixture
def plan(clinician: User, patient: Patient) -> TreatmentPlan:
    return consented_plan(patient=patient, by=clinician)


def test_recompleting_confirms_then_the_plan_and_chart_wait_for_review(
    clinician_client: Client, aesthetician_client: Client, plan: TreatmentPlan
) -> None:
    edit = reverse("consultations:edit", args=[plan.consultation_id])
    before = Screening.objects.count()
    changed = full_post(plan, history__hsv_history="yes")
    response = clinician_client.post(edit, changed)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="confirm-replace"' in html and escape(REPLACE_HAS_PLAN) in html
    assert Screening.objects.count() == before

    response = clinician_client.post(edit, changed | {"replace_confirmed": "yes"})
    assert response.status_code == 302
    assert Screening.objects.count() == before + 1

    detail = reverse("plans:detail", args=[plan.pk])
    chart = reverse("patients:detail", args=[plan.patient_id])
    for client in (clinician_client, aesthetician_client):
        assert escape(SCREENING_CHANGED) in client.get(detail).content.decode()
        assert escape(SCREENING_CHANGED) in client.get(chart).content.decode()
    html = aesthetician_client.get(detail).content.decode()
    assert 'id="screening-review-button"' not in html  # clinician only

    review = reverse("plans:screening_review", args=[plan.pk])
    assert clinician_client.get(review).status_code == 405
    aesthetician_client.post(review)
    assert not AuditEvent.objects.filter(action="plan.screening_review").exists()
    response = clinician_client.post(review, follow=True)
    assert response.status_code == 200
    assert escape(SCREENING_CHANGED) not in response.content.decode()
    assert escape(SCREENING_CHANGED) not in clinician_client.get(chart).content.decode()
    assert AuditEvent.objects.filter(action="plan.screening_review").count() == 1
    plan.refresh_from_db()
    assert plan.screening_reviewed_at is not None

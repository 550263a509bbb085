"""Helpers for tests: an approved plan through the real services, and signed session rows.

Session rows are written directly (the treatments app's signing flow is tested there);
outcomes only reads their status, plan, number and date."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from tests.factories import plans as plans_testing

START = date(2030, 1, 7)


def approved_plan(
    *, patient: Patient, by: User, start_date: date = START, **changes: Any
) -> TreatmentPlan:
    """Screen (example 01), draft, set a start date and approve (clinician `by`)."""
    return plans_testing.approved_plan(patient=patient, by=by, start_date=start_date, **changes)


def signed_session(
    *, plan: TreatmentPlan, by: User, number: int, performed_on: date, status: str = "signed"
) -> Any:
    """A session record of `plan` in the given status (signed by `by` unless draft)."""
    from needlechart.consents.models import Consent
    from needlechart.treatments.models import SessionRecord

    consent = Consent.objects.filter(plan=plan).first() or Consent.objects.create(
        patient=plan.patient,
        plan=plan,
        status="draft",  # only the row is needed here; signing is the consents app's job
        text="Test consent",
        text_hash="0" * 64,
        device=plan.device,
        zones=sorted(plan.depths or {}),
        created_by=by,
    )
    signed = status != "draft"
    moment = timezone.make_aware(datetime.combine(performed_on, time(10)))
    return SessionRecord.objects.create(
        patient=plan.patient,
        plan=plan,
        consent=consent,
        session_number=number,
        performed_on=performed_on,
        practitioner=by,
        device=plan.device,
        depths=dict(plan.depths or {}),
        status=status,
        signed_by=by if signed else None,
        signed_at=moment if signed else None,
        countersigned_by=by if status == "countersigned" else None,
        countersigned_at=moment if status == "countersigned" else None,
        created_by=by,
    )

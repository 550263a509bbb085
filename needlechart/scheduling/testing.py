"""Helpers for tests: an approved plan made through the real services."""

from __future__ import annotations

from datetime import date

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.services import plan_adjust, plan_approve, plan_draft
from needlechart.plans.testing import screen_patient


def approved_plan(
    *,
    patient: Patient,
    clinician: User,
    start_date: date,
    sessions: int | None = None,
    interval_weeks: int | None = None,
) -> TreatmentPlan:
    """Screen the patient with the "proceed" example, draft, set the start date (and
    optionally sessions/interval, which must stay inside the protocol's range) and approve."""
    screening = screen_patient(patient=patient, by=clinician)
    draft = plan_draft(screening=screening, by=clinician)
    plan_adjust(
        plan=draft,
        by=clinician,
        sessions_planned=sessions or draft.sessions_planned,
        interval_weeks=interval_weeks or draft.interval_weeks,
        start_date=start_date,
        depths=dict(draft.depths),
    )
    return plan_approve(plan=draft, by=clinician)

"""Helpers for tests: an approved plan made through the real services."""

from __future__ import annotations

from datetime import date
from typing import Any

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from tests.factories import plans as plans_testing


def approved_plan(
    *,
    patient: Patient,
    clinician: User,
    start_date: date,
    sessions: int | None = None,
    interval_weeks: int | None = None,
) -> TreatmentPlan:
    """An approved plan starting on `start_date` (optionally with sessions/interval)."""
    values: dict[str, Any] = {}
    if sessions:
        values["sessions_planned"] = sessions
    if interval_weeks:
        values["interval_weeks"] = interval_weeks
    return plans_testing.approved_plan(
        patient=patient, by=clinician, start_date=start_date, **values
    )

"""Helpers for tests: a patient screened through the real services from an example intake."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.screenings.models import Screening

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
PROCEED = "01-proceed-rolling-scars.yaml"
PRECAUTIONS = "02-precautions-skin-of-colour.yaml"
DEFER = "05-defer-pregnancy.yaml"  # not date-bound: stays deferred whenever tests run
NECK = "16-neck-and-texture.yaml"
UNSOURCED_DEPTH = 0.5  # a test value for zones where the protocol has no sourced depth


def example_intake(name: str = PROCEED, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    data.update(changes)
    return data


def screen_patient(
    *, patient: Patient, by: User, example: str = PROCEED, **changes: Any
) -> Screening:
    """Start and complete a consultation with an example intake; returns its screening."""
    from needlechart.consultations.services import consultation_start
    from needlechart.screenings.services import consultation_complete

    consultation = consultation_start(patient=patient, by=by)
    return consultation_complete(
        consultation=consultation, by=by, data=example_intake(example, **changes)
    )


def approved_plan(
    *,
    patient: Patient,
    by: User,
    example: str = PROCEED,
    start_date: date | None = None,
    intake: dict[str, Any] | None = None,
    **values: Any,
) -> TreatmentPlan:
    """Screen with an example intake (plus `intake` changes), draft, fill the values and
    approve through the real services. `values` override plan_adjust's arguments; each one
    given gets a reason, so a test may set figures outside the protocol's range."""
    from django.utils import timezone

    from needlechart.plans.services import plan_adjust, plan_approve, plan_draft

    screening = screen_patient(patient=patient, by=by, example=example, **(intake or {}))
    draft = plan_draft(screening=screening, by=by)
    adjusted: dict[str, Any] = {
        "sessions_planned": draft.sessions_planned,
        "interval_weeks": draft.interval_weeks,
        "start_date": start_date or timezone.localdate(),
        # A course that started in the past is built as of its start (the services refuse a
        # start already gone).
        "today": min(start_date or timezone.localdate(), timezone.localdate()),
        "depths": {z: (d if d is not None else UNSOURCED_DEPTH) for z, d in draft.depths.items()},
        "reasons": {key: "Test course" for key in values},
    }
    adjusted.update(values)
    plan_adjust(plan=draft, by=by, **adjusted)
    return plan_approve(plan=draft, by=by, today=adjusted["today"])

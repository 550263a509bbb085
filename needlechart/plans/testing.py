"""Helpers for tests: a patient screened through the real services from an example intake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.screenings.models import Screening

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
PROCEED = "01-proceed-rolling-scars.yaml"
PRECAUTIONS = "02-precautions-skin-of-colour.yaml"
DEFER = "05-defer-pregnancy.yaml"  # not date-bound: stays deferred whenever tests run
NECK = "16-neck-and-texture.yaml"


def example_intake(name: str = PROCEED, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    data.update(changes)
    return data


def screen_patient(
    *, patient: Patient, by: User, example: str = PROCEED, **changes: Any
) -> Screening:
    """Start and complete a consultation with an example intake; returns its screening."""
    from needlechart.consultations.services import consultation_complete, consultation_start

    consultation = consultation_start(patient=patient, by=by)
    return consultation_complete(
        consultation=consultation, by=by, data=example_intake(example, **changes)
    )

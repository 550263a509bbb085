"""Helpers for tests: an approved plan through the real services, PNG signatures (the demo's
builders), a signed consent."""

from __future__ import annotations

from datetime import date
from typing import Any

from needlechart.accounts.models import User
from needlechart.consents.models import Consent
from needlechart.demo.builders import data_url, signature_url
from needlechart.demo.builders import signature_png as png_bytes
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from tests.factories import plans as plans_testing
from tests.factories.plans import PROCEED

START = date(2030, 3, 2)
__all__ = [
    "approve_plan",
    "data_url",
    "png_bytes",
    "signature_url",
    "signed_consent",
    "signed_consent_row",
]


def approve_plan(
    *, patient: Patient, by: User, example: str = PROCEED, **changes: Any
) -> TreatmentPlan:
    """Screen the patient with an example intake (with `changes`), draft, fill, approve."""
    return plans_testing.approved_plan(
        patient=patient, by=by, example=example, start_date=START, intake=changes
    )


def signed_consent(
    *, plan: TreatmentPlan, witness: User, clinician: User, **patient_fields: Any
) -> Consent:
    """A consent prepared, signed by the patient and countersigned."""
    from needlechart.consents.services import (
        consent_countersign,
        consent_create,
        consent_sign_patient,
    )

    consent = consent_create(plan=plan, by=witness)
    fields: dict[str, Any] = {
        "full_name": plan.patient.full_name,
        "signature": signature_url(),
        "photo_clinical": True,
        "photo_marketing": False,
    }
    fields.update(patient_fields)
    consent_sign_patient(consent=consent, by=witness, **fields)
    return consent_countersign(consent=consent, by=clinician, signature=signature_url())


def signed_consent_row(
    *, plan: TreatmentPlan, by: User, photo_clinical: bool = True, photo_marketing: bool = False
) -> Consent:
    """A SIGNED consent row covering the plan's device and zones, written directly (fast;
    for tests of other apps that only need a consent to exist)."""
    from django.utils import timezone

    from needlechart.consents.models import ConsentStatus

    now = timezone.now()
    return Consent.objects.create(
        patient=plan.patient,
        plan=plan,
        status=ConsentStatus.SIGNED,
        text="Test consent",
        text_hash="0" * 64,
        device=plan.device,
        zones=sorted((plan.depths or {}).keys()),
        photo_clinical=photo_clinical,
        photo_marketing=photo_marketing,
        patient_name_signed=plan.patient.full_name,
        patient_signed_at=now,
        clinician=by,
        clinician_signed_at=now,
        created_by=by,
    )

"""Helpers for tests: an approved, consented plan and a charted session, through the real
services (the consent row is written directly: signing is the consents app's flow)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from needlechart.accounts.models import User
from needlechart.consents.models import Consent
from needlechart.consents.testing import signed_consent_row
from needlechart.patients.models import Patient
from needlechart.plans import testing as plans_testing
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.testing import PROCEED
from needlechart.protocol import default_protocol
from needlechart.treatments.models import SessionRecord

LOT = "LOT-A1"


def approved_plan(*, patient: Patient, by: User, example: str = PROCEED) -> TreatmentPlan:
    """An approved plan starting today."""
    return plans_testing.approved_plan(patient=patient, by=by, example=example)


def sign_consent(*, plan: TreatmentPlan, by: User) -> Consent:
    """A SIGNED consent row covering the plan's device and zones."""
    return signed_consent_row(plan=plan, by=by)


def consented_plan(*, patient: Patient, by: User, example: str = PROCEED) -> TreatmentPlan:
    plan = approved_plan(patient=patient, by=by, example=example)
    sign_consent(plan=plan, by=by)
    return plan


def all_no() -> dict[str, bool]:
    return {item.code: False for item in default_protocol().document.charting.day_of_checklist}


def record_values(session: SessionRecord, **changes: Any) -> dict[str, Any]:
    """Valid values for `session_update` (depths = the plan's), overridden by `changes`."""
    glide = default_protocol().document.charting.glide_products[0].code
    values: dict[str, Any] = {
        "performed_on": session.performed_on,
        "practitioner": session.practitioner,
        "device": session.device,
        "cartridge_lot": LOT,
        "cartridge_expiry": session.performed_on + timedelta(days=365),
        "depths": dict(session.plan.depths or {}),
        "depth_reasons": {},
        "passes": 4,
        "glide_product": glide,
        "glide_product_other": "",
        "anaesthetic": "Topical lidocaine",
        "endpoint_reached": default_protocol().document.charting.endpoints[0].text,
        "immediate_reactions": "Erythema",
        "notes": "",
    }
    values.update(changes)
    return values


def charted_session(
    *,
    plan: TreatmentPlan,
    by: User,
    sign: bool = False,
    today: date | None = None,
    **changes: Any,
) -> SessionRecord:
    """Start (all checklist answers "no"), fill valid values and optionally sign."""
    from needlechart.treatments.services import session_sign, session_start, session_update

    record = session_start(plan=plan, by=by, answers=all_no(), today=today)
    record = session_update(session=record, by=by, **record_values(record, **changes))
    if sign:
        record = session_sign(session=record, by=by)
    return record

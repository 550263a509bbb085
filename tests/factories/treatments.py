"""Helpers for tests: an approved, consented plan and a charted session, through the real
services (the consent row is written directly: signing is the consents app's flow)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.consents.models import Consent
from needlechart.demo.builders import day_of_answers_no, session_values
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.treatments.models import SessionRecord
from tests.factories import plans as plans_testing
from tests.factories.consents import signed_consent_row
from tests.factories.plans import PROCEED

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
    return day_of_answers_no()


def record_values(session: SessionRecord, **changes: Any) -> dict[str, Any]:
    """Valid values for `session_update` (depths = the plan's), overridden by `changes`."""
    return session_values(session, **{"cartridge_lot": LOT, **changes})


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


def signed_session_days_ago(*, patient: Patient, by: User, days: int) -> SessionRecord:
    """A consented plan and its first session, charted and signed `days` ago."""
    plan = consented_plan(patient=patient, by=by)
    return charted_session(
        plan=plan, by=by, sign=True, today=timezone.localdate() - timedelta(days=days)
    )

"""Overrides by severity: the engine's `override_level` decides who may override; a hard stop's
override waits for a second, different clinician before it takes effect; all are audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from needlechart.accounts.models import Role, User
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient
from needlechart.plans.services import plan_draft
from needlechart.protocol import OverrideLevel, Verdict
from needlechart.screenings.models import Screening
from needlechart.screenings.selectors import (
    overrides_awaiting_confirmation,
    screenings_due_for_rescreen,
)
from needlechart.screenings.services import (
    AESTHETICIAN_LIMIT,
    CONFIRM_NOT_CURRENT,
    CONFIRM_OWN,
    CONFIRM_ROLE,
    HARD_STOP_CLINICIAN_ONLY,
    NOT_PENDING,
    PHYSICIAN_LEVEL_CLINICIAN_ONLY,
    override_refusal,
    screening_override,
    screening_override_confirm,
    screening_override_level,
    screening_run,
)
from tests.factories.plans import DEFER, PRECAUTIONS, example_intake, screen_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_clinician(make_user: Callable[..., User]) -> User:
    return make_user("clin2", Role.CLINICIAN, display_name="Dr Second")


def hard_stop(patient: Patient, by: User) -> Screening:
    """Pregnancy answered "yes": a hard stop (defer)."""
    screening = screen_patient(patient=patient, by=by, example=DEFER)
    assert screening_override_level(screening) is OverrideLevel.SECOND_CLINICIAN
    return screening


def physician_question_unknown(patient: Patient, by: User) -> Screening:
    """Metal allergy (a refer-to-physician rule) left unknown: physician level, verdict defer."""
    history = example_intake()["history"]
    history.pop("metal_allergy")
    screening = screen_patient(patient=patient, by=by, history=history)
    assert screening.verdict in {"proceed_with_precautions", "defer"}
    assert screening_override_level(screening) is OverrideLevel.CLINICIAN
    return screening


def test_aesthetician_level_override_is_in_effect_at_once(
    patient: Patient, clinician: User, aesthetician: User
) -> None:
    screening = screen_patient(patient=patient, by=clinician, example=PRECAUTIONS)
    assert screening_override_level(screening) is OverrideLevel.AESTHETICIAN
    override = screening_override(
        screening=screening, verdict="defer", reason="Wants to wait", by=aesthetician
    )
    assert override.level == OverrideLevel.AESTHETICIAN.value and not override.is_pending
    screening.refresh_from_db()
    assert screening.effective_verdict == "defer"


def test_a_physician_level_unknown_is_not_for_an_aesthetician(
    patient: Patient, clinician: User, aesthetician: User
) -> None:
    screening = physician_question_unknown(patient, clinician)
    expected = (
        AESTHETICIAN_LIMIT
        if screening.verdict not in {"proceed_with_precautions", "defer"}
        else PHYSICIAN_LEVEL_CLINICIAN_ONLY
    )
    assert override_refusal(aesthetician, screening) == expected
    with pytest.raises(PermissionDenied) as exc:
        screening_override(screening=screening, verdict="proceed", reason="Asked", by=aesthetician)
    assert str(exc.value) == expected
    override = screening_override(
        screening=screening, verdict="proceed", reason="Not allergic (checked)", by=clinician
    )
    assert override.level == OverrideLevel.CLINICIAN.value and not override.is_pending


def test_hard_stop_needs_a_second_clinician(
    patient: Patient, clinician: User, aesthetician: User, second_clinician: User
) -> None:
    screening = hard_stop(patient, clinician)
    with pytest.raises(PermissionDenied) as exc:
        screening_override(screening=screening, verdict="proceed", reason="x", by=aesthetician)
    assert str(exc.value) == HARD_STOP_CLINICIAN_ONLY
    override = screening_override(
        screening=screening, verdict="proceed", reason="Test was negative", by=clinician
    )
    assert override.is_pending and override.level == OverrideLevel.SECOND_CLINICIAN.value
    screening = Screening.objects.select_related("override").get(pk=screening.pk)
    # Pending: the engine's verdict stays in effect, so no plan can be made.
    assert screening.effective_verdict == Verdict.DEFER.value and not screening.is_treatable
    with pytest.raises(ValidationError):
        plan_draft(screening=screening, by=clinician)
    assert list(overrides_awaiting_confirmation(user=aesthetician)) == [override]

    with pytest.raises(PermissionDenied) as exc:
        screening_override_confirm(override=override, by=clinician)
    assert str(exc.value) == CONFIRM_OWN
    with pytest.raises(PermissionDenied) as exc:
        screening_override_confirm(override=override, by=aesthetician)
    assert str(exc.value) == CONFIRM_ROLE

    screening_override_confirm(override=override, by=second_clinician, note="Agree")
    screening = Screening.objects.select_related("override").get(pk=screening.pk)
    assert screening.effective_verdict == "proceed" and screening.is_treatable
    assert screening.override.confirmed_by == second_clinician
    assert list(overrides_awaiting_confirmation(user=aesthetician)) == []
    assert plan_draft(screening=screening, by=clinician).pk
    with pytest.raises(ValidationError) as exc2:
        screening_override_confirm(override=override, by=second_clinician)
    assert exc2.value.messages == [NOT_PENDING]

    recorded = AuditEvent.objects.get(action="screening.override")
    assert recorded.detail["pending_confirmation"] is True
    assert recorded.detail["level"] == OverrideLevel.SECOND_CLINICIAN.value
    confirmed = AuditEvent.objects.get(action="screening.override_confirm")
    assert confirmed.actor_id == second_clinician.pk
    assert confirmed.detail["overridden_by"] == clinician.pk


def test_a_superseded_screenings_override_cannot_be_confirmed(
    patient: Patient, clinician: User, second_clinician: User
) -> None:
    screening = hard_stop(patient, clinician)
    override = screening_override(
        screening=screening, verdict="proceed", reason="Test was negative", by=clinician
    )
    screening_run(consultation=screening.consultation, by=clinician)
    with pytest.raises(ValidationError) as exc:
        screening_override_confirm(override=override, by=second_clinician)
    assert exc.value.messages == [CONFIRM_NOT_CURRENT]
    assert list(overrides_awaiting_confirmation(user=clinician)) == []


def test_a_pending_override_leaves_a_deferral_due_for_rescreen(
    patient: Patient, clinician: User, second_clinician: User
) -> None:
    today = timezone.localdate()
    medications = example_intake()["medications"]
    medications["isotretinoin"] = {
        "status": "past",
        "last_date": (today - timedelta(days=30)).isoformat(),
    }
    intake = example_intake(DEFER)
    screening = screen_patient(
        patient=patient, by=clinician, example=DEFER, medications=medications
    )
    assert intake["pregnant"] == "yes" and screening.rescreen_on is not None
    screening_override(screening=screening, verdict="proceed", reason="Negative", by=clinician)
    due = screenings_due_for_rescreen(user=clinician, today=screening.rescreen_on)
    assert list(due) == [screening]  # still deferred: the override is not in effect
    screening_override_confirm(override=screening.override, by=second_clinician)
    assert list(screenings_due_for_rescreen(user=clinician, today=screening.rescreen_on)) == []

"""State changes of a screening: running the engine and overriding its verdict."""

from datetime import date
from typing import Any

import pydantic
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import Role, User
from needlechart.audit.services import audit_record
from needlechart.consultations.models import Consultation, ConsultationStatus
from needlechart.consultations.services import consultation_mark_completed
from needlechart.protocol import Verdict, screen
from needlechart.screenings.models import Screening, ScreeningOverride, VerdictChoices

NOT_COMPLETED = "Complete the consultation before screening."
INTAKE_INVALID = "The consultation's intake is incomplete or invalid: {detail}"
REASON_REQUIRED = "Give the reason for overriding the screening verdict."
UNKNOWN_VERDICT = "Choose one of the screening verdicts."
SAME_VERDICT = "The override must differ from the screening's own verdict."
ALREADY_OVERRIDDEN = "This screening has already been overridden."
NOT_CURRENT = "Only the current screening of a consultation can be overridden; re-screen instead."
AESTHETICIAN_LIMIT = (
    "An aesthetician may override only a “proceed with precautions” or “defer” verdict; "
    "a clinician must review this one."
)

# Engine verdicts an aesthetician may override; anything graver needs a clinician.
AESTHETICIAN_OVERRIDABLE = frozenset({Verdict.PROCEED_WITH_PRECAUTIONS.value, Verdict.DEFER.value})


def can_override(user: User, verdict: str) -> bool:
    """Whether `user` may override a screening whose engine verdict is `verdict`."""
    if not user.is_active:
        return False
    if user.role == Role.CLINICIAN:
        return True
    return user.role == Role.AESTHETICIAN and verdict in AESTHETICIAN_OVERRIDABLE


@transaction.atomic
def screening_run(*, consultation: Consultation, by: User, today: date | None = None) -> Screening:
    """Screen the completed consultation's intake; a new row every time (history is kept)."""
    if not by.can_view_clinical:
        raise PermissionDenied("Only clinicians and aestheticians run screenings.")
    if consultation.status != ConsultationStatus.COMPLETED:
        raise ValidationError(NOT_COMPLETED)
    try:
        intake = consultation.intake_model()
    except pydantic.ValidationError as exc:
        raise ValidationError(INTAKE_INVALID.format(detail=exc.error_count())) from None
    result = screen(intake, today=today or timezone.localdate())
    screening = Screening.objects.create(
        consultation=consultation,
        patient_id=consultation.patient_id,
        verdict=result.verdict.value,
        result=result.model_dump(mode="json"),
        protocol_id=result.protocol.id,
        protocol_version=result.protocol.version,
        protocol_hash=result.protocol.hash,
        screened_on=result.screened_on,
        rescreen_on=result.rescreen_on,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="screening.run",
        obj=screening,
        patient_id=consultation.patient_id,
        detail={
            "consultation_id": consultation.pk,
            "verdict": screening.verdict,
            "protocol": f"{result.protocol.id}@{result.protocol.version}",
        },
    )
    return screening


@transaction.atomic
def consultation_complete(
    *,
    consultation: Consultation,
    by: User,
    data: dict[str, Any],
    consulted_on: date | None = None,
    notes: str | None = None,
    today: date | None = None,
) -> Screening:
    """Complete the consultation, then screen its intake: the one place the two steps meet,
    in one transaction (a refused intake saves nothing). Used by the consultation page, the
    API, the demo and the test factories. Completing again (after an edit) keeps the earlier
    screenings and adds a new one."""
    consultation_mark_completed(
        consultation=consultation, by=by, data=data, consulted_on=consulted_on, notes=notes
    )
    return screening_run(consultation=consultation, by=by, today=today)


@transaction.atomic
def screening_override(
    *, screening: Screening, verdict: str, reason: str, by: User
) -> ScreeningOverride:
    """Record a decision that differs from the engine. The engine's verdict is never changed."""
    if not can_override(by, screening.verdict):
        raise PermissionDenied(AESTHETICIAN_LIMIT if by.is_aesthetician else None)
    errors: dict[str, str] = {}
    if verdict not in VerdictChoices.values:
        errors["verdict"] = UNKNOWN_VERDICT
    elif verdict == screening.verdict:
        errors["verdict"] = SAME_VERDICT
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = REASON_REQUIRED
    if errors:
        raise ValidationError(errors)
    # Lock the screening so two overriders cannot both pass the checks below.
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if ScreeningOverride.objects.filter(screening=locked).exists():
        raise ValidationError(ALREADY_OVERRIDDEN)
    if Screening.latest_id_of_consultation(locked.consultation_id) != locked.pk:
        raise ValidationError(NOT_CURRENT)
    override = ScreeningOverride.objects.create(
        screening=locked, verdict=verdict, reason=reason, created_by=by
    )
    audit_record(
        actor=by,
        action="screening.override",
        obj=locked,
        patient_id=locked.patient_id,
        detail={"from": locked.verdict, "to": verdict, "override_id": override.pk},
    )
    return override

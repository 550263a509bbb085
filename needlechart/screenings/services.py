"""State changes of a screening: running the engine and overriding its verdict."""

from datetime import date
from typing import Any

import pydantic
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import Role, User
from needlechart.accounts.permissions import require_clinical, require_clinician
from needlechart.audit.services import audit_record
from needlechart.consultations.completion import CONFIRM_REPLACE_CODE
from needlechart.consultations.models import Consultation, ConsultationStatus
from needlechart.consultations.services import consultation_mark_completed
from needlechart.protocol import OverrideLevel, Verdict, override_level, screen
from needlechart.screenings.models import Screening, ScreeningOverride, VerdictChoices

NOT_CLINICAL = "Only clinicians and aestheticians run screenings."
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
HARD_STOP_CLINICIAN_ONLY = (
    "This screening has a hard stop: only a clinician may override it, and the override "
    "takes effect only when a second clinician confirms it."
)
PHYSICIAN_LEVEL_CLINICIAN_ONLY = (
    "A physician-level finding (or such a question left unknown) needs a clinician: an "
    "aesthetician cannot override this verdict."
)
CONFIRM_ROLE = "Only a clinician can confirm an override."
CONFIRM_OWN = "The confirmation must come from a second clinician, not the one who overrode."
NOT_PENDING = "This override is not waiting for a confirmation."
CONFIRM_NOT_CURRENT = (
    "This screening has been superseded by a newer one; its override can no longer be confirmed."
)
REPLACE_CONFIRM = (
    "Completing this consultation again replaces its current screening, which has {what}. "
    "Confirm to replace it: a clinician must then review the approved plan against the new "
    "screening before the next session."
)
REPLACE_HAS_OVERRIDE = "an override"
REPLACE_HAS_PLAN = "an approved plan resting on the patient's screening"
PENDING_NOTE = (
    "A hard stop: this override takes effect only when a second clinician confirms it. Until "
    "then the engine's verdict stays in effect."
)

# Engine verdicts an aesthetician may override; anything graver needs a clinician.
AESTHETICIAN_OVERRIDABLE = frozenset({Verdict.PROCEED_WITH_PRECAUTIONS.value, Verdict.DEFER.value})


def screening_override_level(screening: Screening) -> OverrideLevel:
    """Who may override this screening (the engine decides; see `override_level`)."""
    return override_level(screening.engine_result())


def override_refusal(user: User, screening: Screening) -> str | None:
    """Why `user` may not override `screening`, or None when they may."""
    if not user.is_active or user.role not in (Role.CLINICIAN, Role.AESTHETICIAN):
        return ""
    if user.role == Role.CLINICIAN:
        return None
    level = screening_override_level(screening)
    if level is OverrideLevel.SECOND_CLINICIAN:
        return HARD_STOP_CLINICIAN_ONLY
    if screening.verdict not in AESTHETICIAN_OVERRIDABLE:
        return AESTHETICIAN_LIMIT
    if level is OverrideLevel.CLINICIAN:  # e.g. a physician-level question left unknown
        return PHYSICIAN_LEVEL_CLINICIAN_ONLY
    return None


def can_override(user: User, screening: Screening) -> bool:
    """Whether `user` may override `screening` (its level, its verdict and their role)."""
    return override_refusal(user, screening) is None


@transaction.atomic
def screening_run(*, consultation: Consultation, by: User, today: date | None = None) -> Screening:
    """Screen the completed consultation's intake; a new row every time (history is kept)."""
    require_clinical(by, NOT_CLINICAL)
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


def replace_warning(consultation: Consultation) -> str | None:
    """What completing `consultation` again would put aside: its current screening's override
    (a new screening starts without one) or the approved plan (which then waits for a
    clinician's review). None for a first completion. Two queries."""
    current = (
        Screening.objects.filter(consultation=consultation)
        .select_related("override")
        .newest_first()
        .first()
    )
    if current is None:
        return None
    what = []
    if current.override_or_none is not None:
        what.append(REPLACE_HAS_OVERRIDE)
    # Plans depend on screenings, not the reverse: read them through the relation's name.
    if Screening.objects.filter(
        patient_id=consultation.patient_id, plans__status="approved"
    ).exists():
        what.append(REPLACE_HAS_PLAN)
    return REPLACE_CONFIRM.format(what=" and ".join(what)) if what else None


@transaction.atomic
def consultation_complete(
    *,
    consultation: Consultation,
    by: User,
    data: dict[str, Any],
    consulted_on: date | None = None,
    notes: str | None = None,
    today: date | None = None,
    replace_confirmed: bool = False,
) -> Screening:
    """Complete the consultation, then screen its intake: the one place the two steps meet,
    in one transaction (a refused intake saves nothing). Used by the consultation page, the
    API, the demo and the test factories. Completing again (after an edit) keeps the earlier
    screenings and adds a new one; when the current screening has an override or the patient
    has an approved plan, only with `replace_confirmed` (the page's confirm step)."""
    warning = replace_warning(consultation)
    if warning and not replace_confirmed:
        raise ValidationError(warning, code=CONFIRM_REPLACE_CODE)
    consultation_mark_completed(
        consultation=consultation, by=by, data=data, consulted_on=consulted_on, notes=notes
    )
    return screening_run(consultation=consultation, by=by, today=today)


@transaction.atomic
def screening_override(
    *, screening: Screening, verdict: str, reason: str, by: User
) -> ScreeningOverride:
    """Record a decision that differs from the engine. The engine's verdict is never changed.

    The override keeps its level: at `second_clinician` (an answered hard stop) it is pending
    — not in effect — until `screening_override_confirm` by another clinician."""
    refusal = override_refusal(by, screening)
    if refusal is not None:
        raise PermissionDenied(refusal or None)
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
    level = screening_override_level(locked)
    override = ScreeningOverride.objects.create(
        screening=locked, verdict=verdict, reason=reason, level=level.value, created_by=by
    )
    audit_record(
        actor=by,
        action="screening.override",
        obj=locked,
        patient_id=locked.patient_id,
        detail={
            "from": locked.verdict,
            "to": verdict,
            "override_id": override.pk,
            "level": level.value,
            "pending_confirmation": override.is_pending,
        },
    )
    return override


@transaction.atomic
def screening_override_confirm(
    *, override: ScreeningOverride, by: User, note: str = ""
) -> ScreeningOverride:
    """A second, different clinician confirms a hard stop's override: from now on it is in
    effect. Refused for anyone else, for an override that is not pending, and once the
    screening has been superseded (the newer screening decides)."""
    require_clinician(by, CONFIRM_ROLE)
    locked = ScreeningOverride.objects.select_for_update().get(pk=override.pk)
    if not locked.is_pending:
        raise ValidationError(NOT_PENDING)
    if locked.created_by_id == by.pk:
        raise PermissionDenied(CONFIRM_OWN)
    if Screening.latest_id_of_consultation(locked.screening.consultation_id) != locked.screening_id:
        raise ValidationError(CONFIRM_NOT_CURRENT)
    locked.confirmed_by = by
    locked.confirmed_at = timezone.now()
    locked.confirmation_note = (note or "").strip()
    locked.save(update_fields=["confirmed_by", "confirmed_at", "confirmation_note", "updated_at"])
    audit_record(
        actor=by,
        action="screening.override_confirm",
        obj=locked.screening,
        patient_id=locked.screening.patient_id,
        detail={
            "override_id": locked.pk,
            "overridden_by": locked.created_by_id,
            "to": locked.verdict,
        },
    )
    override.confirmed_by, override.confirmed_at = by, locked.confirmed_at
    override.confirmation_note = locked.confirmation_note
    return locked

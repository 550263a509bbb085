"""Screening endpoints: read a stored screening, override its verdict. Clinical roles only
(the selector and service refuse everyone else)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from needlechart.api.auth import current_user
from needlechart.api.schemas import InputSchema, StaffRef, require_storable, staff_ref
from needlechart.audit.services import audit_record
from needlechart.protocol import OverrideLevel, ProtocolRef, Verdict
from needlechart.protocol.results import Screening as EngineScreening
from needlechart.screenings.models import Screening
from needlechart.screenings.selectors import screening_get_for
from needlechart.screenings.services import (
    NOT_PENDING,
    screening_override,
    screening_override_confirm,
    screening_override_level,
)

router = Router(tags=["screenings"])


class OverrideOut(Schema):
    verdict: Verdict
    reason: str
    by: StaffRef | None
    at: datetime
    level: OverrideLevel = Field(description="Who could override, as the engine said then.")
    pending: bool = Field(
        description="A hard stop's override waiting for a second clinician: not in effect."
    )
    confirmed_by: StaffRef | None
    confirmed_at: datetime | None


class ScreeningOut(Schema):
    id: int
    consultation_id: int
    patient_id: int
    verdict: Verdict = Field(description="The engine's verdict; never changed by an override.")
    effective_verdict: Verdict = Field(
        description="The override's verdict once in effect (a hard stop's override only "
        "after a second clinician confirms), else the engine's."
    )
    override_level: OverrideLevel = Field(description="Who may override this screening.")
    treatable: bool = Field(description="Whether the effective verdict allows treatment.")
    is_current: bool = Field(description="The latest screening of its consultation.")
    override: OverrideOut | None
    screened_on: date
    rescreen_on: date | None
    protocol: ProtocolRef
    result: EngineScreening = Field(description="The engine's full result: findings, etc.")
    created_at: datetime
    created_by: StaffRef | None


class OverrideIn(InputSchema):
    verdict: Verdict
    reason: str = Field(min_length=1, max_length=5000)


def screening_out(screening: Screening) -> ScreeningOut:
    override = screening.override_or_none
    return ScreeningOut(
        id=screening.pk,
        consultation_id=screening.consultation_id,
        patient_id=screening.patient_id,
        verdict=Verdict(screening.verdict),
        effective_verdict=Verdict(screening.effective_verdict),
        treatable=screening.is_treatable,
        is_current=screening.is_current,
        override_level=screening_override_level(screening),
        override=None
        if override is None
        else OverrideOut(
            verdict=Verdict(override.verdict),
            reason=override.reason,
            by=staff_ref(override.created_by),
            at=override.created_at,
            level=OverrideLevel(override.level),
            pending=override.is_pending,
            confirmed_by=staff_ref(override.confirmed_by),
            confirmed_at=override.confirmed_at,
        ),
        screened_on=screening.screened_on,
        rescreen_on=screening.rescreen_on,
        protocol=ProtocolRef(
            id=screening.protocol_id,
            version=screening.protocol_version,
            hash=screening.protocol_hash,
        ),
        result=screening.engine_result(),
        created_at=screening.created_at,
        created_by=staff_ref(screening.created_by),
    )


@router.get("/{screening_id}", response=ScreeningOut, summary="A stored screening")
def screening_detail(request: HttpRequest, screening_id: int) -> ScreeningOut:
    user = current_user(request)
    screening = screening_get_for(user=user, screening_id=screening_id)
    audit_record(
        actor=user, action="screening.view", obj=screening, patient_id=screening.patient_id
    )
    return screening_out(screening)


@router.post(
    "/{screening_id}/override",
    response={201: ScreeningOut},
    summary="Override a screening's verdict (the engine's verdict is kept)",
    description="By the screening's `override_level`: `aesthetician` — an aesthetician may "
    "override `proceed_with_precautions` or `defer`; `clinician` — clinicians only; "
    "`second_clinician` (an answered hard stop) — a clinician overrides and the override is "
    "`pending` (not in effect) until another clinician confirms it "
    "(`POST screenings/{id}/override/confirm`). Front desk never (403).",
)
def screening_override_create(
    request: HttpRequest, screening_id: int, payload: OverrideIn
) -> Status[ScreeningOut]:
    user = current_user(request)
    require_storable(_=payload)
    screening = screening_get_for(user=user, screening_id=screening_id)
    screening_override(
        screening=screening, verdict=payload.verdict.value, reason=payload.reason, by=user
    )
    return Status(201, screening_out(screening_get_for(user=user, screening_id=screening_id)))


class ConfirmIn(InputSchema):
    note: str = Field(default="", max_length=5000)


@router.post(
    "/{screening_id}/override/confirm",
    response=ScreeningOut,
    summary="Confirm a hard stop's override as the second clinician",
    description="A clinician other than the one who overrode (403 otherwise). The override "
    "is in effect from then on. 400 when there is no pending override.",
)
def screening_override_confirm_endpoint(
    request: HttpRequest, screening_id: int, payload: ConfirmIn
) -> ScreeningOut:
    user = current_user(request)
    require_storable(_=payload)
    screening = screening_get_for(user=user, screening_id=screening_id)
    override = screening.override_or_none
    if override is None:
        raise ValidationError(NOT_PENDING)
    screening_override_confirm(override=override, by=user, note=payload.note)
    return screening_out(screening_get_for(user=user, screening_id=screening_id))

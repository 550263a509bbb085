"""Treatment plan endpoints: read a plan, set a draft's values, approve a draft (clinician)."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema

from needlechart.api.auth import current_user
from needlechart.api.schemas import InputSchema, StaffRef, require_storable, staff_ref
from needlechart.audit.services import audit_record
from needlechart.core.dates import PlausibleDate
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.plans.selectors import plan_get_for
from needlechart.plans.services import plan_adjust, plan_approve
from needlechart.protocol import Plan, ProtocolRef
from needlechart.protocol.vocabulary import Device

router = Router(tags=["plans"])


class PlanOut(Schema):
    id: int
    patient_id: int
    consultation_id: int
    screening_id: int
    assessment_id: int | None
    status: PlanStatus
    device: Device
    sessions_planned: int | None
    interval_weeks: int | None
    start_date: date | None
    depths: dict[str, float | None] = Field(description="Needle depth in mm per zone.")
    deviations: list[dict[str, Any]] = Field(
        description="Values outside the protocol's range (or without one), with the reason."
    )
    recommendation: Plan = Field(description="The engine's plan the values started from.")
    protocol: ProtocolRef
    approved_by: StaffRef | None
    approved_at: datetime | None
    superseded_by_id: int | None
    created_at: datetime
    created_by: StaffRef | None


def plan_out(plan: TreatmentPlan) -> PlanOut:
    return PlanOut(
        id=plan.pk,
        patient_id=plan.patient_id,
        consultation_id=plan.consultation_id,
        screening_id=plan.screening_id,
        assessment_id=plan.assessment_id,
        status=PlanStatus(plan.status),
        device=Device(plan.device),
        sessions_planned=plan.sessions_planned,
        interval_weeks=plan.interval_weeks,
        start_date=plan.start_date,
        depths=plan.depths or {},
        deviations=plan.deviations or [],
        recommendation=plan.engine_plan(),
        protocol=ProtocolRef(
            id=plan.protocol_id, version=plan.protocol_version, hash=plan.protocol_hash
        ),
        approved_by=staff_ref(plan.approved_by),
        approved_at=plan.approved_at,
        superseded_by_id=plan.superseded_by_id,
        created_at=plan.created_at,
        created_by=staff_ref(plan.created_by),
    )


@router.get("/{plan_id}", response=PlanOut, summary="A treatment plan")
def plan_detail(request: HttpRequest, plan_id: int) -> PlanOut:
    user = current_user(request)
    plan = plan_get_for(user=user, plan_id=plan_id)
    audit_record(actor=user, action="plan.view", obj=plan, patient_id=plan.patient_id)
    return plan_out(plan)


class PlanAdjustIn(InputSchema):
    sessions_planned: int | None = Field(default=None, ge=1, le=999)
    interval_weeks: int | None = Field(default=None, ge=1, le=999)
    start_date: PlausibleDate | None = None
    depths: dict[str, float | None] = Field(
        default_factory=dict, description="Needle depth in mm per zone of the plan."
    )
    reasons: dict[str, str] = Field(
        default_factory=dict,
        description='Why a value departs from the protocol\'s range, by key: "sessions_planned", '
        '"interval_weeks", "depth_<zone>". No reason passes an absolute limit.',
    )


@router.put(
    "/{plan_id}",
    response=PlanOut,
    summary="Set a draft plan's values",
    description="Clinicians and aestheticians. A value outside the protocol's range needs a "
    "reason (400 naming `<key>_reason`); a value beyond the protocol's absolute limit is "
    "refused whatever the reason: 422 with code `limit_exceeded` and the limit's message "
    "under the field.",
)
def plan_adjust_endpoint(request: HttpRequest, plan_id: int, payload: PlanAdjustIn) -> PlanOut:
    user = current_user(request)
    require_storable(_=payload)
    plan = plan_get_for(user=user, plan_id=plan_id)
    plan_adjust(
        plan=plan,
        by=user,
        sessions_planned=payload.sessions_planned,
        interval_weeks=payload.interval_weeks,
        start_date=payload.start_date,
        depths=payload.depths,
        reasons=payload.reasons,
    )
    return plan_out(plan_get_for(user=user, plan_id=plan_id))


@router.post(
    "/{plan_id}/approve",
    response=PlanOut,
    summary="Approve a draft plan",
    description="Clinicians only (403 otherwise). Needs a treatable, current screening, a "
    "start date and every value set (400 naming the fields otherwise).",
)
def plan_approve_endpoint(request: HttpRequest, plan_id: int) -> PlanOut:
    user = current_user(request)
    plan = plan_get_for(user=user, plan_id=plan_id)
    try:
        plan_approve(plan=plan, by=user)
    except PermissionDenied:
        # As the web page does: a refused approval is itself worth a line in the trail.
        audit_record(
            actor=user, action="plan.approve_refused", obj=plan, patient_id=plan.patient_id
        )
        raise
    return plan_out(plan_get_for(user=user, plan_id=plan_id))

"""Treatment plan endpoints: read a plan, approve a draft (clinician only)."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema

from needlechart.api.auth import current_user
from needlechart.api.schemas import StaffRef, staff_ref
from needlechart.audit.services import audit_record
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.plans.selectors import plan_get_for
from needlechart.plans.services import plan_approve
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

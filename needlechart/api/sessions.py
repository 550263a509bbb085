"""Session record endpoints: read a record, save a draft's values, amend a signed record.

The same services as the web pages: a draft's values and an amendment both go through the
record's one validation (`treatments.values.check_values`); a depth beyond the protocol's
absolute limit is refused with 422 and the code `limit_exceeded`.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from needlechart.accounts.models import User
from needlechart.api.auth import current_user
from needlechart.api.errors import ApiError
from needlechart.api.schemas import InputSchema, StaffRef, require_storable, staff_ref
from needlechart.core.dates import PlausibleDate
from needlechart.patients.selectors import MAX_DB_ID
from needlechart.treatments import selectors
from needlechart.treatments.models import SessionRecord, SessionStatus
from needlechart.treatments.services import session_amend, session_update
from needlechart.treatments.values import lot_in_force

router = Router(tags=["sessions"])

PRACTITIONER_UNKNOWN = "No active clinician or aesthetician with this id."


class AmendmentOut(Schema):
    field: str
    old_value: str
    new_value: str
    reason: str
    by: StaffRef | None
    at: datetime


class SessionOut(Schema):
    id: int
    patient_id: int
    plan_id: int
    session_number: int
    appointment_id: int | None = Field(description="The appointment this session fulfilled.")
    status: SessionStatus
    performed_on: date
    practitioner: StaffRef | None
    device: str
    cartridge_lot: str = Field(description="As charted at signing.")
    lot_in_force: str = Field(description="After amendments: what a recall uses.")
    cartridge_expiry: date | None
    depths: dict[str, float | None] = Field(description="Needle depth in mm per zone.")
    depth_reasons: dict[str, str]
    passes: int | None
    glide_product: str
    glide_product_other: str
    glide_warning: bool
    anaesthetic: str
    endpoint_reached: str
    immediate_reactions: str
    notes: str
    signed_by: StaffRef | None
    signed_at: datetime | None
    amendments: list[AmendmentOut]


def session_out(record: SessionRecord) -> SessionOut:
    return SessionOut(
        id=record.pk,
        patient_id=record.patient_id,
        plan_id=record.plan_id,
        session_number=record.session_number,
        appointment_id=record.appointment_id,
        status=SessionStatus(record.status),
        performed_on=record.performed_on,
        practitioner=staff_ref(record.practitioner),
        device=record.device,
        cartridge_lot=record.cartridge_lot,
        lot_in_force=lot_in_force(record),
        cartridge_expiry=record.cartridge_expiry,
        depths=record.depths or {},
        depth_reasons=record.depth_reasons or {},
        passes=record.passes,
        glide_product=record.glide_product,
        glide_product_other=record.glide_product_other,
        glide_warning=record.glide_warning,
        anaesthetic=record.anaesthetic,
        endpoint_reached=record.endpoint_reached,
        immediate_reactions=record.immediate_reactions,
        notes=record.notes,
        signed_by=staff_ref(record.signed_by),
        signed_at=record.signed_at,
        amendments=[
            AmendmentOut(
                field=a.field,
                old_value=a.old_value,
                new_value=a.new_value,
                reason=a.reason,
                by=staff_ref(a.created_by),
                at=a.created_at,
            )
            for a in record.amendments.all()
        ],
    )


class SessionValuesIn(InputSchema):
    performed_on: PlausibleDate
    practitioner_id: int | None = Field(
        default=None, description="Default: the record's practitioner."
    )
    device: str = Field(max_length=32)
    cartridge_lot: str = Field(max_length=64)
    cartridge_expiry: PlausibleDate
    depths: dict[str, Decimal] = Field(description="Needle depth in mm per zone of the plan.")
    depth_reasons: dict[str, str] = Field(default_factory=dict)
    passes: int = Field(ge=1, le=999)
    glide_product: str = Field(max_length=64)
    glide_product_other: str = Field(default="", max_length=200)
    anaesthetic: str = Field(default="", max_length=200)
    endpoint_reached: str = Field(default="", max_length=200)
    immediate_reactions: str = Field(default="", max_length=5000)
    notes: str = Field(default="", max_length=5000)
    confirm_backdated: bool = Field(
        default=False,
        description="Confirms a date before the day the record was started (back-dating); "
        "without it such a date is refused (400 under `confirm_backdated`).",
    )


class AmendmentIn(InputSchema):
    field: str = Field(max_length=64, description='A field name, or "depth_<zone>".')
    new_value: str = Field(max_length=5000, description="Typed as on the draft form.")
    reason: str = Field(max_length=2000)


@router.get("/{session_id}", response=SessionOut, summary="A session record")
def session_detail(request: HttpRequest, session_id: int) -> SessionOut:
    from needlechart.audit.services import audit_record

    user = current_user(request)
    record = selectors.session_get_for(user=user, session_id=session_id)
    audit_record(actor=user, action="session.view", obj=record, patient_id=record.patient_id)
    return session_out(record)


def _practitioner(record: SessionRecord, practitioner_id: int | None) -> User:
    if practitioner_id is None:
        return record.practitioner
    found = (
        User.objects.filter(pk=practitioner_id).first()
        if 0 < practitioner_id <= MAX_DB_ID
        else None
    )
    if found is None or not found.can_view_clinical:
        raise ApiError(
            422, "invalid", PRACTITIONER_UNKNOWN, fields={"practitioner_id": [PRACTITIONER_UNKNOWN]}
        )
    return found


@router.put(
    "/{session_id}",
    response=SessionOut,
    summary="Save a draft session record's values",
    description="Clinicians and aestheticians; drafts only. Every check of the web form runs "
    "(400 naming the fields); a depth beyond the protocol's absolute limit is 422 with code "
    "`limit_exceeded`.",
)
def session_update_endpoint(
    request: HttpRequest, session_id: int, payload: SessionValuesIn
) -> SessionOut:
    user = current_user(request)
    require_storable(_=payload)
    record = selectors.session_get_for(user=user, session_id=session_id)
    values: dict[str, Any] = payload.model_dump(exclude={"practitioner_id"})
    session_update(
        session=record,
        by=user,
        practitioner=_practitioner(record, payload.practitioner_id),
        **values,
    )
    return session_out(selectors.session_get_for(user=user, session_id=session_id))


@router.post(
    "/{session_id}/amendments",
    response={201: SessionOut},
    summary="Amend a signed session record",
    description="The correction is stored beside the original. It must pass every check of "
    "the draft form on the record as corrected (400 under `new_value`); a depth beyond the "
    "absolute limit is 422 with code `limit_exceeded`.",
)
def session_amend_endpoint(
    request: HttpRequest, session_id: int, payload: AmendmentIn
) -> Status[SessionOut]:
    user = current_user(request)
    require_storable(_=payload)
    record = selectors.session_get_for(user=user, session_id=session_id)
    session_amend(
        session=record,
        by=user,
        field=payload.field,
        new_value=payload.new_value,
        reason=payload.reason,
    )
    return Status(201, session_out(selectors.session_get_for(user=user, session_id=session_id)))

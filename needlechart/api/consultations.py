"""Consultation endpoint: record a completed consultation for a patient and screen it."""

from datetime import date, datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from needlechart.api.auth import current_user
from needlechart.api.errors import INVALID_INPUT, ApiError
from needlechart.api.schemas import InputSchema, require_storable
from needlechart.api.screenings import ScreeningOut, screening_out
from needlechart.consultations.models import ConsultationStatus
from needlechart.consultations.services import consultation_start, product_errors
from needlechart.patients.selectors import patient_get_for
from needlechart.protocol import Intake
from needlechart.screenings.services import consultation_complete

router = Router(tags=["consultations"])


class IntakeAnswers(Intake):
    """The engine Intake without `age` and `sex`: those come from the patient's record."""

    model_config = ConfigDict(title="IntakeAnswers")

    # Narrowed to None on purpose, so a client that sends them gets a 422 instead of being
    # silently overruled by the record.
    age: None = Field(  # type: ignore[assignment]
        default=None, description="Not accepted: taken from the patient record."
    )
    sex: None = Field(  # type: ignore[assignment]
        default=None, description="Not accepted: taken from the patient record."
    )


class ConsultationIn(InputSchema):
    intake: IntakeAnswers
    consulted_on: date | None = Field(default=None, description="Default: today.")
    notes: str = Field(default="", max_length=10_000)


class ConsultationOut(Schema):
    id: int
    patient_id: int
    status: ConsultationStatus
    consulted_on: date
    completed_at: datetime | None
    screening: ScreeningOut


def _under_intake(exc: ValidationError) -> ValidationError:
    """The service keys intake errors by intake path; in this body they sit under `intake`."""
    if not hasattr(exc, "error_dict"):
        return exc
    keyed: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        if key == "consulted_on":
            keyed[key] = messages
        elif key in ("", NON_FIELD_ERRORS):
            keyed["intake"] = messages
        else:
            keyed[f"intake.{key}"] = messages
    return ValidationError(keyed)


@router.post(
    "/{patient_id}/consultations",
    response={201: ConsultationOut},
    summary="Record a completed consultation and screen it",
    description="Clinicians and aestheticians. The intake is the engine's Intake without "
    "`age` and `sex`, which come from the patient record. `products_to_apply` takes codes "
    "from the protocol's list for needled skin (`charting.glide_products`) or `other`, with "
    "the names of the other products in `other_products`; leave it out while undecided. The "
    "consultation is saved as completed and screened in one step; on any error nothing is "
    "saved.",
)
def consultation_create(
    request: HttpRequest, patient_id: int, payload: ConsultationIn
) -> Status[ConsultationOut]:
    user = current_user(request)
    require_storable(_=payload)
    # A bad intake is a 422 like every other intake error; the service checks it again.
    problems = product_errors(payload.intake)
    if problems:
        fields = {f"intake.{name}": messages for name, messages in problems.items()}
        raise ApiError(422, "invalid", INVALID_INPUT, fields=fields)
    patient = patient_get_for(user=user, patient_id=patient_id)
    answers = payload.intake.model_dump(mode="json", exclude_unset=True, exclude={"age", "sex"})
    with transaction.atomic():  # a refused completion must not leave a draft behind
        consultation = consultation_start(
            patient=patient, by=user, consulted_on=payload.consulted_on, notes=payload.notes
        )
        try:
            screening = consultation_complete(consultation=consultation, by=user, data=answers)
        except ValidationError as exc:
            raise _under_intake(exc) from None
    return Status(
        201,
        ConsultationOut(
            id=consultation.pk,
            patient_id=patient.pk,
            status=ConsultationStatus(consultation.status),
            consulted_on=consultation.consulted_on,
            completed_at=consultation.completed_at,
            screening=screening_out(screening),
        ),
    )

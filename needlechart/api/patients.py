"""Patient endpoints: the same selectors and services as the web pages."""

from datetime import date, datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AliasChoices

from needlechart.accounts.permissions import require_staff
from needlechart.api.auth import current_user
from needlechart.api.errors import ApiError
from needlechart.api.schemas import InputSchema, PageMeta, require_storable
from needlechart.audit.services import audit_record
from needlechart.patients.models import ContactMethod, Patient, Sex
from needlechart.patients.selectors import (
    patient_get_for,
    patient_possible_duplicates,
    patient_search,
)
from needlechart.patients.services import patient_register

router = Router(tags=["patients"])

PER_PAGE = 25
POSSIBLE_DUPLICATE = (
    "Possible existing records of the same person. Check them; if this is a different "
    'person, send the request again with "confirm_distinct": true.'
)


class PatientOut(Schema):
    id: int
    given_name: str
    family_name: str
    full_name: str
    date_of_birth: date
    sex: Sex
    phone: str
    email: str
    preferred_contact: ContactMethod
    archived: bool = Field(validation_alias=AliasChoices("is_archived", "archived"))
    created_at: datetime


class PatientDetailOut(PatientOut):
    age: int
    notes: str
    archived_at: datetime | None
    archived_reason: str


class PatientPage(PageMeta):
    results: list[PatientOut]


class PatientListQuery(Schema):
    q: str = Field(
        default="", max_length=100, description="Name words, a date of birth or a phone number."
    )
    page: int = Field(default=1, ge=1, le=1_000_000)


class PatientIn(InputSchema):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: date
    sex: Sex = Sex.UNKNOWN
    phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)
    preferred_contact: ContactMethod = ContactMethod.PHONE
    notes: str = Field(default="", max_length=5000)
    confirm_distinct: bool = Field(
        default=False, description="Register even though possible duplicates exist."
    )


class DuplicateOut(Schema):
    id: int
    full_name: str
    date_of_birth: date
    archived: bool = Field(validation_alias=AliasChoices("is_archived", "archived"))


@router.get("", response=PatientPage, summary="Search patients")
def patient_list(request: HttpRequest, filters: Query[PatientListQuery]) -> dict[str, Any]:
    queryset = patient_search(user=current_user(request), query=filters.q)
    page = Paginator(queryset, PER_PAGE).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "per_page": PER_PAGE,
        "results": list(page.object_list),
    }


@router.post(
    "",
    response={201: PatientDetailOut},
    summary="Register a patient",
    description="409 with `error.duplicates` when the patient may already be registered, "
    'unless `"confirm_distinct": true`.',
)
def patient_create(request: HttpRequest, payload: PatientIn) -> Status[Patient]:
    user = current_user(request)
    require_storable(date_of_birth=payload.date_of_birth)
    data = payload.model_dump(exclude={"confirm_distinct"})
    require_staff(user)  # as the web view: the duplicate check reads the register
    if not payload.confirm_distinct:
        duplicates = patient_possible_duplicates(
            data["given_name"], data["family_name"], data["date_of_birth"], data["phone"]
        )
        if duplicates:
            raise ApiError(
                409,
                "possible_duplicate",
                POSSIBLE_DUPLICATE,
                extra={
                    "duplicates": [
                        DuplicateOut.model_validate(p).model_dump(mode="json") for p in duplicates
                    ]
                },
            )
    return Status(201, patient_register(by=user, **data))


@router.get("/{patient_id}", response=PatientDetailOut, summary="A patient's record")
def patient_detail(request: HttpRequest, patient_id: int) -> Patient:
    user = current_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    audit_record(actor=user, action="patient.view", obj=patient, patient_id=patient.pk)
    return patient

"""Consultation services and the intake form's mapping to and from the engine intake."""

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consultations.forms import (
    DATE_AFTER_CONSULTATION,
    DATE_WITH_STATUS_NO,
    IGA_WITHOUT_ACNE,
    INTAKE_FIELDS,
    NOTHING_AND_PRODUCTS,
    OTHER_NAMED_NOT_TICKED,
    PRODUCT_NAME_TOO_LONG,
    TOO_MANY_PRODUCTS,
    ConsultationForm,
    intake_initial,
)
from needlechart.consultations.models import Consultation, ConsultationStatus
from needlechart.consultations.services import (
    ALREADY_COMPLETED,
    DATE_IN_FUTURE,
    OTHER_PRODUCT_UNNAMED,
    PATIENT_ARCHIVED,
    PRODUCT_NOT_LISTED,
    consultation_save_draft,
    consultation_start,
)
from needlechart.patients.models import Patient
from needlechart.patients.services import patient_archive
from needlechart.protocol import Intake
from needlechart.protocol.intake import MAX_PRODUCT_NAME, MAX_PRODUCTS
from needlechart.screenings.services import consultation_complete

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def base_intake() -> dict[str, Any]:
    """A full intake with nothing to find (proceed), minus the patient facts."""
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "01-proceed-rolling-scars.yaml").read_text())
    data.pop("age")
    data.pop("sex")
    return Intake.model_validate(data | {"age": 30}).model_dump(mode="json", exclude={"age", "sex"})


def form_data(intake: dict[str, Any], consulted_on: date) -> dict[str, Any]:
    data: dict[str, Any] = {"consulted_on": consulted_on.isoformat(), "notes": ""}
    for name, value in intake_initial(intake).items():
        data[name] = value
    return data


@pytest.fixture
def consultation(patient: Patient, clinician: User) -> Consultation:
    return consultation_start(patient=patient, by=clinician)


def test_start_computes_age_and_sex_from_the_patient(
    make_patient: Callable[..., Patient], aesthetician: User
) -> None:
    patient = make_patient(date_of_birth=date(2000, 6, 15), sex="female")
    consultation = consultation_start(
        patient=patient, by=aesthetician, consulted_on=date(2020, 6, 14)
    )
    assert consultation.status == ConsultationStatus.DRAFT
    assert consultation.intake == {"age": 19, "sex": "female"}
    assert AuditEvent.objects.filter(action="consultation.create", patient_id=patient.pk).exists()


def test_start_refuses_front_desk_archived_and_future(
    patient: Patient, front_desk: User, clinician: User
) -> None:
    with pytest.raises(PermissionDenied):
        consultation_start(patient=patient, by=front_desk)
    with pytest.raises(ValidationError) as exc:
        consultation_start(
            patient=patient, by=clinician, consulted_on=timezone.localdate() + timedelta(days=1)
        )
    assert exc.value.message_dict == {"consulted_on": [DATE_IN_FUTURE]}
    patient_archive(by=clinician, patient=patient, reason="duplicate")
    with pytest.raises(ValidationError, match=PATIENT_ARCHIVED[:20]):
        consultation_start(patient=patient, by=clinician)


def test_draft_keeps_a_partial_intake(consultation: Consultation, clinician: User) -> None:
    consultation_save_draft(
        consultation=consultation, by=clinician, data={"zones": ["cheeks"], "age": 99}, notes="n"
    )
    consultation.refresh_from_db()
    assert consultation.intake["zones"] == ["cheeks"]
    assert consultation.intake["age"] == consultation.patient.age_on(consultation.consulted_on)
    assert consultation.notes == "n"
    event = AuditEvent.objects.get(action="consultation.update")
    assert "zones" in event.detail["sections"]
    assert "cheeks" not in str(event.detail)  # the trail names sections, never answers


def test_complete_screens_and_records(consultation: Consultation, clinician: User) -> None:
    screening = consultation_complete(consultation=consultation, by=clinician, data=base_intake())
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.COMPLETED
    assert consultation.completed_by == clinician and consultation.completed_at is not None
    assert screening.verdict == "proceed"
    assert consultation.intake_model().age == consultation.patient.age_on(consultation.consulted_on)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"consultation.complete", "screening.run"} <= actions


def test_complete_with_an_invalid_intake_saves_nothing(
    consultation: Consultation, clinician: User
) -> None:
    data = base_intake() | {"zones": []}
    data["medications"]["isotretinoin"] = {"status": "no", "last_date": "2020-01-01"}
    with pytest.raises(ValidationError) as exc:
        consultation_complete(consultation=consultation, by=clinician, data=data)
    errors = exc.value.message_dict
    assert "zones" in errors
    assert "medications.isotretinoin" in errors
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.DRAFT
    assert not consultation.screenings.exists()


def test_complete_again_keeps_earlier_screenings(
    consultation: Consultation, clinician: User
) -> None:
    first = consultation_complete(consultation=consultation, by=clinician, data=base_intake())
    with pytest.raises(ValidationError, match=ALREADY_COMPLETED[:20]):
        consultation_save_draft(consultation=consultation, by=clinician, data=base_intake())
    data = base_intake()
    data["medications"]["anticoagulants"] = "yes"
    second = consultation_complete(consultation=consultation, by=clinician, data=data)
    assert second.pk != first.pk
    assert second.verdict == "refer_to_physician"
    first.refresh_from_db()
    assert first.verdict == "proceed"
    assert not first.is_current and second.is_current


def test_complete_refuses_front_desk(consultation: Consultation, front_desk: User) -> None:
    with pytest.raises(PermissionDenied):
        consultation_complete(consultation=consultation, by=front_desk, data=base_intake())


# ---------------------------------------------------------------- form mapping


def test_form_round_trips_a_full_intake() -> None:
    intake = base_intake()
    intake["medications"]["other"] = ["metformin", "levothyroxine"]
    intake["scars"]["quantitative_counts"] = {"b_moderate_dish": 3}  # not on the form: kept
    on = date(2026, 1, 10)
    form = ConsultationForm(form_data(intake, on), consultation_date=on)
    assert form.is_valid(), form.errors
    out = form.intake_from(intake)
    assert Intake.model_validate(out | {"age": 30}) == Intake.model_validate(intake | {"age": 30})
    assert out["scars"]["quantitative_counts"] == {"b_moderate_dish": 3}
    # every field of the form has a place in the intake, and every field is labelled
    assert all(form.fields[name].label for name in INTAKE_FIELDS)


def test_blank_field_removes_its_answer_and_invalid_field_keeps_the_stored_one() -> None:
    stored = base_intake()
    stored["procedures"]["laser"] = {"status": "past", "last_date": "2025-01-01"}
    on = date(2026, 1, 10)
    data = form_data(stored, on)
    data["procedures__laser__last_date"] = ""
    data["procedures__filler__last_date"] = "31/02/2025"  # invalid: the stored answer stays
    data["scars__counts__rolling"] = ""
    form = ConsultationForm(data, consultation_date=on)
    assert not form.is_valid()
    assert list(form.errors) == ["procedures__filler__last_date"]
    out = form.intake_from(stored)
    assert out["procedures"]["laser"] == {"status": "past"}
    assert out["procedures"]["filler"] == stored["procedures"]["filler"]
    assert "rolling" not in out["scars"]["counts"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {
                "medications__isotretinoin__status": "past",
                "medications__isotretinoin__last_date": "2026-02-01",
            },
            "medications__isotretinoin__last_date",
            DATE_AFTER_CONSULTATION,
        ),
        (
            {"sun_exposure__status": "no", "sun_exposure__last_date": "2025-12-01"},
            "sun_exposure__last_date",
            DATE_WITH_STATUS_NO,
        ),
        (
            {"active_acne__present": "no", "active_acne__iga": "3"},
            "active_acne__iga",
            IGA_WITHOUT_ACNE,
        ),
    ],
)
def test_cross_field_checks(changes: dict[str, str], field: str, message: str) -> None:
    on = date(2026, 1, 10)
    form = ConsultationForm(form_data(base_intake(), on) | changes, consultation_date=on)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_engine_errors_land_on_their_fields() -> None:
    on = date(2026, 1, 10)
    form = ConsultationForm(form_data(base_intake(), on), consultation_date=on)
    assert form.is_valid()
    form.add_intake_errors(
        {
            "zones": ["List should have at least 1 item"],
            "medications.isotretinoin": ["last_date given but status is 'no'"],
            "active_acne": ["an IGA grade above 0 was given but active acne is 'no'"],
            "scars.counts.rolling": ["Input should be less than or equal to 1000"],
            "age": ["Input should be less than or equal to 120"],
            "": ["zones: each zone may be listed once"],
        }
    )
    assert form.errors["zones"]
    assert form.errors["medications__isotretinoin__last_date"]
    assert form.errors["active_acne__iga"]
    assert form.errors["scars__counts__rolling"]
    assert len(form.non_field_errors()) == 2


# ---------------------------------------------------------------- new intake questions


@pytest.mark.parametrize(
    ("products", "names", "checked"),
    [
        (["kit_hyaluronic_gel", "other"], ["Vitamin C serum", "PRP"], None),
        ([], [], ["none"]),  # nothing applied: its own tick box
        (None, [], None),  # not decided: nothing ticked
    ],
)
def test_form_round_trips_products_for_the_open_skin(
    products: list[str] | None, names: list[str], checked: list[str] | None
) -> None:
    intake = base_intake() | {"products_to_apply": products, "other_products": names}
    if products is None:
        intake.pop("products_to_apply")
    on = date(2026, 1, 10)
    data = form_data(intake, on)
    assert data.get("products_to_apply") == (checked or products)
    form = ConsultationForm(data, consultation_date=on)
    assert form.is_valid(), form.errors
    out = form.intake_from(intake)
    assert Intake.model_validate(out | {"age": 30}) == Intake.model_validate(intake | {"age": 30})
    assert ("products_to_apply" in out) is (products is not None)


def test_form_round_trips_the_new_history_answers() -> None:
    intake = base_intake()
    intake["history"] |= {
        "implanted_electronic_device": "yes",
        "metal_implants_in_area": "unknown",
        "previous_microneedling_reaction": "no",
    }
    on = date(2026, 1, 10)
    form = ConsultationForm(form_data(intake, on), consultation_date=on)
    assert form.is_valid(), form.errors
    assert form.intake_from(intake)["history"] == intake["history"]
    # A blank intake starts on "unknown", so an unasked question is asked, never a silent no.
    blank = ConsultationForm(consultation_date=on)
    for name in ("implanted_electronic_device", "metal_implants_in_area"):
        assert blank[f"history__{name}"].initial == "unknown"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"products_to_apply": ["none", "kit_hyaluronic_gel"]},
            "products_to_apply",
            NOTHING_AND_PRODUCTS,
        ),
        (
            {"products_to_apply": ["kit_hyaluronic_gel"], "other_products": "Vitamin C serum"},
            "other_products",
            OTHER_NAMED_NOT_TICKED,
        ),
        (
            {"products_to_apply": ["other"], "other_products": "x\n" * (MAX_PRODUCTS + 1)},
            "other_products",
            TOO_MANY_PRODUCTS.format(n=MAX_PRODUCTS),
        ),
        (
            {"products_to_apply": ["other"], "other_products": "x" * (MAX_PRODUCT_NAME + 1)},
            "other_products",
            PRODUCT_NAME_TOO_LONG.format(n=MAX_PRODUCT_NAME),
        ),
        (
            {"products_to_apply": ["vitamin_c_serum"]},
            "products_to_apply",
            "Select a valid choice. vitamin_c_serum is not one of the available choices.",
        ),
        (
            {"history__implanted_electronic_device": "maybe"},
            "history__implanted_electronic_device",
            "Select a valid choice. maybe is not one of the available choices.",
        ),
    ],
)
def test_product_and_implant_checks(changes: dict[str, Any], field: str, message: str) -> None:
    on = date(2026, 1, 10)
    form = ConsultationForm(form_data(base_intake(), on) | changes, consultation_date=on)
    assert not form.is_valid()
    assert form.errors[field] == [message]


@pytest.mark.parametrize(
    ("products", "names", "field", "message"),
    [
        (
            ["kit_hyaluronic_gel", "vitamin_c_serum"],
            [],
            "products_to_apply",
            PRODUCT_NOT_LISTED.format(codes="vitamin_c_serum", listed="kit_hyaluronic_gel"),
        ),
        (["other"], [], "other_products", OTHER_PRODUCT_UNNAMED),
    ],
)
def test_complete_takes_only_listed_or_named_products(
    consultation: Consultation,
    clinician: User,
    products: list[str],
    names: list[str],
    field: str,
    message: str,
) -> None:
    data = base_intake() | {"products_to_apply": products, "other_products": names}
    with pytest.raises(ValidationError) as exc:
        consultation_complete(consultation=consultation, by=clinician, data=data)
    assert exc.value.message_dict == {field: [message]}
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.DRAFT
    assert not consultation.screenings.exists()


def test_complete_with_an_other_product_warns_and_rf_with_a_pacemaker_refers(
    consultation: Consultation, clinician: User
) -> None:
    data = base_intake() | {"products_to_apply": ["other"], "other_products": ["PRP"]}
    screening = consultation_complete(consultation=consultation, by=clinician, data=data)
    assert screening.verdict == "proceed_with_precautions"
    codes = {f["code"] for f in screening.result["findings"]}
    assert codes == {"unlisted_product_to_apply"}
    data = base_intake() | {"device": "rf_microneedling"}
    data["history"]["implanted_electronic_device"] = "yes"
    again = consultation_complete(consultation=consultation, by=clinician, data=data)
    assert again.verdict == "refer_to_physician"
    assert "rf_implanted_electronic_device" in {f["code"] for f in again.result["findings"]}

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.patients import models as patient_models
from needlechart.patients.models import ContactMethod, Patient
from needlechart.patients.selectors import patient_possible_duplicates, patient_search
from needlechart.patients.services import (
    ALREADY_ARCHIVED,
    patient_archive,
    patient_register,
    patient_update,
)

pytestmark = pytest.mark.django_db

MakePatient = Callable[..., Patient]


def test_register_creates_patient_and_audits(front_desk: User) -> None:
    patient = patient_register(
        by=front_desk,
        given_name="  Ada ",
        family_name="Lovelace",
        date_of_birth=date(1990, 12, 10),
        phone="07700 900 001",
    )
    assert patient.pk is not None
    assert patient.given_name == "Ada"  # trimmed
    assert patient.phone_digits == "07700900001"
    assert patient.created_by == front_desk
    event = AuditEvent.objects.get(action="patient.create")
    assert event.patient_id == patient.pk
    assert event.actor_id == front_desk.pk
    assert event.object_type == "patients.patient"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"date_of_birth": timezone.localdate() + timedelta(days=1)},
            "date_of_birth",
            patient_models.DOB_IN_FUTURE,
        ),
        ({"date_of_birth": date(1850, 1, 1)}, "date_of_birth", patient_models.DOB_TOO_OLD),
        ({"phone": "call me"}, "phone", patient_models.PHONE_INVALID),
        (
            {"phone": "", "preferred_contact": ContactMethod.SMS},
            "phone",
            patient_models.PHONE_NEEDED,
        ),
        (
            {"email": "", "preferred_contact": ContactMethod.EMAIL},
            "email",
            patient_models.EMAIL_NEEDED,
        ),
        ({"given_name": ""}, "given_name", "This field cannot be blank."),
    ],
)
def test_register_validates(
    front_desk: User, overrides: dict[str, Any], field: str, message: str
) -> None:
    data: dict[str, Any] = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": date(1990, 12, 10),
        "phone": "07700 900001",
        "email": "ada@example.org",
    } | overrides
    with pytest.raises(ValidationError) as excinfo:
        patient_register(by=front_desk, **data)
    assert message in excinfo.value.message_dict[field]
    assert not Patient.objects.exists()
    assert not AuditEvent.objects.exists()  # the transaction rolled back as one


def test_update_audits_changed_field_names_only(front_desk: User, patient: Patient) -> None:
    patient_update(by=front_desk, patient=patient, phone="07700 900999", notes="Lift broken")
    event = AuditEvent.objects.get(action="patient.update")
    assert event.detail == {"fields": ["notes", "phone"]}
    assert "07700" not in str(event.detail)
    patient.refresh_from_db()
    assert patient.phone_digits == "07700900999"


def test_update_without_changes_writes_nothing(front_desk: User, patient: Patient) -> None:
    patient_update(by=front_desk, patient=patient, given_name=patient.given_name)
    assert not AuditEvent.objects.filter(action="patient.update").exists()


def test_update_refuses_system_fields(front_desk: User, patient: Patient) -> None:
    with pytest.raises(ValueError, match="archived_at"):
        patient_update(by=front_desk, patient=patient, archived_at=timezone.now())


def test_archive_is_soft_and_audited(clinician: User, front_desk: User, patient: Patient) -> None:
    patient_archive(by=clinician, patient=patient, reason="Duplicate of #12")
    patient.refresh_from_db()  # the row is still there
    assert patient.is_archived
    assert patient.archived_reason == "Duplicate of #12"
    assert patient not in patient_search(user=front_desk, query="")
    event = AuditEvent.objects.get(action="patient.archive")
    assert event.patient_id == patient.pk
    assert event.detail == {"reason": "Duplicate of #12"}
    with pytest.raises(ValidationError, match=ALREADY_ARCHIVED):
        patient_archive(by=clinician, patient=patient, reason="again")


def test_archive_requires_reason_and_role(
    clinician: User, front_desk: User, patient: Patient
) -> None:
    with pytest.raises(ValidationError):
        patient_archive(by=clinician, patient=patient, reason="   ")
    with pytest.raises(PermissionDenied):
        patient_archive(by=front_desk, patient=patient, reason="not mine to do")
    patient.refresh_from_db()
    assert not patient.is_archived


class TestDuplicates:
    def test_same_name_any_dob(self, patient: Patient) -> None:
        assert patient_possible_duplicates("olivia", "BENNETT", date(2000, 1, 1)) == [patient]

    def test_same_dob_and_one_name(self, patient: Patient) -> None:
        assert patient_possible_duplicates("Olivia", "Bennet-Smith", date(1996, 3, 14)) == [patient]

    def test_same_phone_different_format(self, patient: Patient) -> None:
        assert patient_possible_duplicates("Liv", "B", None, "0770 090 0123") == [patient]

    def test_no_false_match(self, patient: Patient) -> None:
        assert patient_possible_duplicates("Olivia", "Carter", date(1996, 3, 15), "") == []

    def test_exclude_self(self, patient: Patient) -> None:
        found = patient_possible_duplicates(
            "Olivia", "Bennett", date(1996, 3, 14), exclude_id=patient.pk
        )
        assert found == []

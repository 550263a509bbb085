from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from needlechart.accounts.models import Role, User
from needlechart.patients.models import Patient
from needlechart.patients.selectors import parse_date, patient_get_for, patient_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_patient: Callable[..., Patient]) -> dict[str, Patient]:
    return {
        "olivia": make_patient(
            given_name="Olivia",
            family_name="Bennett",
            date_of_birth=date(1996, 3, 14),
            phone="07700 900123",
        ),
        "james": make_patient(
            given_name="James",
            family_name="Carter",
            date_of_birth=date(1989, 11, 2),
            phone="+44 7700 900456",
        ),
        "olive": make_patient(
            given_name="Olive",
            family_name="Carter",
            date_of_birth=date(1996, 3, 14),
            phone="020 7946 0018",
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["olivia", "james", "olive"]),  # by family name, then given name
        ("olivia", ["olivia"]),
        ("oliv", ["olivia", "olive"]),
        ("carter", ["james", "olive"]),
        ("olive carter", ["olive"]),
        ("Carter James", ["james"]),
        ("1996-03-14", ["olivia", "olive"]),
        ("14/03/1996", ["olivia", "olive"]),
        ("bennett 14/03/1996", ["olivia"]),
        ("07700 900123", ["olivia"]),
        ("07700900456", ["james"]),  # stored as +44: trunk 0 vs country code
        ("+44 7700 900123", ["olivia"]),
        ("900", []),  # too short to be a phone number: treated as a name word
        ("7946 0018", ["olive"]),
        ("nobody", []),
        ("31/02/1996", []),  # not a real date: a name word, so nothing matches
    ],
)
def test_search(
    front_desk: User, people: dict[str, Patient], query: str, expected: list[str]
) -> None:
    found = [p.given_name.lower() for p in patient_search(user=front_desk, query=query)]
    assert found == expected


def test_search_excludes_archived(
    front_desk: User, clinician: User, people: dict[str, Patient]
) -> None:
    from needlechart.patients.services import patient_archive

    patient_archive(by=clinician, patient=people["olive"], reason="test")
    assert [p.given_name for p in patient_search(user=front_desk, query="carter")] == ["James"]


def test_parse_date() -> None:
    assert parse_date("2001-02-03") == date(2001, 2, 3)
    assert parse_date("03/02/2001") == date(2001, 2, 3)
    assert parse_date("2001/02/03") is None


def test_get_for(
    front_desk: User, people: dict[str, Patient], make_user: Callable[..., User]
) -> None:
    olivia = people["olivia"]
    assert patient_get_for(user=front_desk, patient_id=olivia.pk) == olivia
    with pytest.raises(Http404):
        patient_get_for(user=front_desk, patient_id=10**30)
    with pytest.raises(Http404):
        patient_get_for(user=front_desk, patient_id=olivia.pk + 1000)
    inactive = make_user("gone", Role.CLINICIAN, is_active=False)
    with pytest.raises(PermissionDenied):
        patient_get_for(user=inactive, patient_id=olivia.pk)

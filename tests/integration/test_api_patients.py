"""Patient endpoints: the web app's selectors and services, through URLs and middleware."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from needlechart.audit.models import AuditEvent
from needlechart.patients.models import DOB_IN_FUTURE, Patient

pytestmark = pytest.mark.django_db

URL = "/api/v1/patients"
NEW = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth": "1990-12-10",
    "sex": "female",
    "phone": "07700 900001",
    "email": "ada@example.org",
    "preferred_contact": "sms",
}


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_list_and_search(front_desk_client: Client, make_patient: Callable[..., Patient]) -> None:
    make_patient(given_name="Olivia", family_name="Bennett")
    make_patient(given_name="Noah", family_name="Clarke")
    data = front_desk_client.get(URL).json()
    assert data["count"] == 2 and data["page"] == 1 and data["pages"] == 1
    assert [p["family_name"] for p in data["results"]] == ["Bennett", "Clarke"]
    assert "notes" not in data["results"][0]
    found = front_desk_client.get(URL, {"q": "oliv"}).json()
    assert [p["given_name"] for p in found["results"]] == ["Olivia"]


@pytest.mark.parametrize("page", ["0", "-3", "x", "1e9", str(10**40)])
def test_list_bad_page_is_422(front_desk_client: Client, page: str) -> None:
    response = front_desk_client.get(URL, {"page": page})
    assert response.status_code == 422
    assert "page" in response.json()["error"]["fields"]


def test_list_page_past_the_end_gives_last_page(
    front_desk_client: Client, make_patient: Callable[..., Patient]
) -> None:
    make_patient()
    data = front_desk_client.get(URL, {"page": 999}).json()
    assert data["page"] == 1 and len(data["results"]) == 1


def test_list_query_too_long_is_422(front_desk_client: Client) -> None:
    assert front_desk_client.get(URL, {"q": "x" * 101}).status_code == 422


def test_list_query_count_does_not_grow(
    clinician_client: Client, make_patient: Callable[..., Patient]
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert clinician_client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        make_patient()
    few = count()
    for _ in range(27):
        make_patient()
    assert count() == few


def test_register(front_desk_client: Client, front_desk: Any) -> None:
    response = post(front_desk_client, URL, NEW)
    assert response.status_code == 201, response.content
    data = response.json()
    patient = Patient.objects.get()
    assert data["id"] == patient.pk
    assert data["full_name"] == "Ada Lovelace"
    assert patient.created_by == front_desk
    assert AuditEvent.objects.filter(action="patient.create", patient_id=patient.pk).exists()


def test_register_duplicate_needs_confirmation(front_desk_client: Client, patient: Patient) -> None:
    same = NEW | {"given_name": "Olivia", "family_name": "Bennett", "date_of_birth": "1996-03-14"}
    response = post(front_desk_client, URL, same)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "possible_duplicate"
    assert error["fields"] == {}
    assert [d["id"] for d in error["duplicates"]] == [patient.pk]
    assert Patient.objects.count() == 1
    confirmed = post(front_desk_client, URL, same | {"confirm_distinct": True})
    assert confirmed.status_code == 201
    assert Patient.objects.count() == 2


def test_register_service_validation_is_400(front_desk_client: Client) -> None:
    response = post(front_desk_client, URL, NEW | {"date_of_birth": "2150-01-01"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error == {
        "code": "invalid",
        "message": DOB_IN_FUTURE,
        "fields": {"date_of_birth": [DOB_IN_FUTURE]},
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_name": ""}, "given_name"),
        ({"given_name": "x" * 101}, "given_name"),
        ({"given_name": 12}, "given_name"),
        ({"given_name": "Ada\x00"}, "given_name"),
        ({"date_of_birth": "10/12/1990"}, "date_of_birth"),
        ({"date_of_birth": 10**30}, "date_of_birth"),
        ({"date_of_birth": "0001-01-01"}, "date_of_birth"),
        ({"sex": "robot"}, "sex"),
        ({"preferred_contact": "pigeon"}, "preferred_contact"),
        ({"confirm_distinct": "perhaps"}, "confirm_distinct"),
        ({"is_admin": True}, "is_admin"),
        ({"id": 5}, "id"),
    ],
)
def test_register_bad_input_is_422(
    front_desk_client: Client, change: dict[str, Any], field: str
) -> None:
    response = post(front_desk_client, URL, NEW | change)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert not Patient.objects.exists()


def test_register_invalid_email_is_400(front_desk_client: Client) -> None:
    response = post(front_desk_client, URL, NEW | {"email": "not-an-email"})
    assert response.status_code == 400
    assert "email" in response.json()["error"]["fields"]


def test_detail_is_audited(
    aesthetician_client: Client, aesthetician: Any, patient: Patient
) -> None:
    response = aesthetician_client.get(f"{URL}/{patient.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == patient.pk
    assert data["date_of_birth"] == "1996-03-14"
    assert "age" in data and "notes" in data
    assert "created_by" not in data and "phone_digits" not in data
    assert AuditEvent.objects.filter(
        action="patient.view", patient_id=patient.pk, actor_id=aesthetician.pk
    ).exists()


@pytest.mark.parametrize("patient_id", ["999999", str(10**30), "0", "-1", "abc"])
def test_detail_missing_is_404_or_422(clinician_client: Client, patient_id: str) -> None:
    response = clinician_client.get(f"{URL}/{patient_id}")
    assert response.status_code in {404, 422}
    assert response.json()["error"]["code"] in {"not_found", "invalid"}

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from needlechart.patients.forms import CONFIRM_DIFFERENT
from needlechart.patients.models import DOB_IN_FUTURE, PHONE_NEEDED, Patient

pytestmark = pytest.mark.django_db

VALID = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth": "10/12/1990",
    "sex": "female",
    "phone": "07700 900001",
    "email": "ada@example.org",
    "preferred_contact": "sms",
    "notes": "",
}


def test_register_and_redirect_to_chart(front_desk_client: Client) -> None:
    response = front_desk_client.post(reverse("patients:register"), VALID, follow=True)
    patient = Patient.objects.get()
    assert patient.date_of_birth == date(1990, 12, 10)
    assert response.redirect_chain[-1][0] == reverse("patients:detail", args=[patient.pk])
    assert b"Ada Lovelace is registered." in response.content


def test_form_errors_keep_input_and_sit_beside_field(front_desk_client: Client) -> None:
    data = VALID | {"date_of_birth": "01/01/2999", "phone": "", "given_name": "Ada<b>"}
    response = front_desk_client.post(reverse("patients:register"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert not Patient.objects.exists()
    # input kept (and escaped)
    assert 'value="Ada&lt;b&gt;"' in html
    assert 'value="ada@example.org"' in html
    # each message sits in its field's error block, linked from the input
    assert f'<div class="field__error" id="id_date_of_birth_error">\n    <p>{DOB_IN_FUTURE}' in html
    assert f'id="id_phone_error">\n    <p>{PHONE_NEEDED}' in html
    assert 'aria-describedby="id_phone_error' in html
    assert 'aria-invalid="true"' in html


def test_duplicate_warning_requires_confirmation(
    front_desk_client: Client, patient: Patient
) -> None:
    data = VALID | {"given_name": "Olivia", "family_name": "Bennett", "date_of_birth": "1996-03-14"}
    response = front_desk_client.post(reverse("patients:register"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="possible-duplicates"' in html
    assert reverse("patients:detail", args=[patient.pk]) in html
    assert CONFIRM_DIFFERENT in html
    assert Patient.objects.count() == 1

    response = front_desk_client.post(
        reverse("patients:register"), data | {"confirm_different_person": "on"}
    )
    assert response.status_code == 302
    assert Patient.objects.count() == 2


def test_list_search_and_htmx_partial(
    front_desk_client: Client, make_patient: Callable[..., Patient]
) -> None:
    make_patient(given_name="Grace", family_name="Hopper")
    make_patient(given_name="Alan", family_name="Turing")
    full = front_desk_client.get(reverse("patients:list"), {"q": "hopper"})
    assert b"Hopper, Grace" in full.content
    assert b"Turing" not in full.content
    assert b"<html" in full.content
    partial = front_desk_client.get(
        reverse("patients:list"), {"q": "turing"}, HTTP_HX_REQUEST="true"
    )
    assert b"Turing, Alan" in partial.content
    assert b"<html" not in partial.content


def test_empty_search_shows_empty_state(front_desk_client: Client) -> None:
    response = front_desk_client.get(reverse("patients:list"), {"q": "zzz"})
    assert b"No patients match your search" in response.content


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1" * 40])
def test_bad_page_numbers_do_not_500(
    front_desk_client: Client, make_patient: Callable[..., Patient], page: str
) -> None:
    make_patient()
    assert front_desk_client.get(reverse("patients:list"), {"page": page}).status_code == 200


def test_very_long_query_is_fine(front_desk_client: Client) -> None:
    response = front_desk_client.get(reverse("patients:list"), {"q": "x" * 5000})
    assert response.status_code == 200


def test_edit_patient(front_desk_client: Client, patient: Patient) -> None:
    url = reverse("patients:edit", args=[patient.pk])
    assert front_desk_client.get(url).status_code == 200
    data = VALID | {
        "given_name": "Olivia",
        "family_name": "Bennett-Jones",
        "date_of_birth": "1996-03-14",
    }
    response = front_desk_client.post(url, data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.family_name == "Bennett-Jones"


def test_archive_through_ui(clinician_client: Client, patient: Patient) -> None:
    url = reverse("patients:archive", args=[patient.pk])
    response = clinician_client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert b"id_reason_error" in response.content
    response = clinician_client.post(url, {"reason": "Registered twice"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.is_archived


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow(
    front_desk_client: Client, make_patient: Callable[..., Patient]
) -> None:
    for _ in range(3):
        make_patient()
    few = _queries(front_desk_client, reverse("patients:list"))
    for _ in range(27):
        make_patient()
    assert _queries(front_desk_client, reverse("patients:list")) == few
    assert few <= 6


def test_chart_query_count_does_not_grow(
    clinician_client: Client, make_patient: Callable[..., Patient], patient: Patient
) -> None:
    url = reverse("patients:detail", args=[patient.pk])
    few = _queries(clinician_client, url)
    for _ in range(30):
        make_patient()
    assert _queries(clinician_client, url) == few
    # One query per timeline provider, none per row: 8 before the course apps; consents +1;
    # scheduling +1; treatments +3 (sessions, symptom reports, adverse events); outcomes +4
    # (follow-up timeline, course status and the compact progress chart); imaging +1 (photos);
    # portal +1 (check-ins); the safety banner +5 (open adverse events, latest screening,
    # approved plan, consultations, latest Fitzpatrick type).
    assert few <= 24


def test_audit_list_filters_and_query_count(
    admin_client_: Client, front_desk_client: Client, make_patient: Callable[..., Patient]
) -> None:
    patients = [make_patient() for _ in range(3)]
    for p in patients:
        front_desk_client.get(reverse("patients:detail", args=[p.pk]))
    url = reverse("audit:list")
    response = admin_client_.get(url, {"action": "patient.view", "patient_id": str(patients[0].pk)})
    assert response.status_code == 200
    assert response.content.decode().count("<code>patient.view</code>") == 1
    response = admin_client_.get(url, {"action": "patient."})
    assert response.content.decode().count("<code>patient.") == 6
    response = admin_client_.get(url, {"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert b"id_date_to_error" in response.content
    assert admin_client_.get(url, {"patient_id": "9" * 40}).status_code == 200
    assert admin_client_.get(url, {"page": "nope"}).status_code == 200
    few = _queries(admin_client_, url)
    for _ in range(20):
        make_patient()
    assert _queries(admin_client_, url) == few

"""Authentication (token, session, CSRF), role refusals, the one error shape, the schema."""

import json
from typing import Any

import pytest
from django.test import Client

from needlechart.accounts.models import User
from needlechart.api.errors import CSRF_FAILED, MALFORMED_BODY, NOT_AUTHENTICATED
from needlechart.api.models import ApiToken
from needlechart.api.services import api_token_create, api_token_revoke
from needlechart.patients.models import Patient

pytestmark = pytest.mark.django_db

PROTOCOL = "/api/v1/engine/protocol"
PATIENTS = "/api/v1/patients"
NEW = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "date_of_birth": "1990-12-10",
    "phone": "07700 900001",
}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert {"code", "message", "fields"} <= set(error)
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    for path, messages in error["fields"].items():
        assert isinstance(path, str)
        assert messages and all(isinstance(m, str) for m in messages)
    return error


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# ---------------------------------------------------------------- authentication


ENDPOINTS = [
    ("get", "/api/v1/screenings/1"),
    ("post", "/api/v1/screenings/1/override"),
    ("get", "/api/v1/plans/1"),
    ("post", "/api/v1/plans/1/approve"),
    ("post", "/api/v1/patients/1/consultations"),
    ("get", PROTOCOL),
    ("get", PATIENTS),
    ("post", PATIENTS),
    ("get", f"{PATIENTS}/1"),
    ("post", "/api/v1/engine/screen"),
    ("post", "/api/v1/engine/triage"),
    ("get", "/api/v1/engine/aftercare"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_is_401(client: Client, method: str, url: str) -> None:
    response = getattr(client, method)(url)
    error = assert_error(response, 401, "not_authenticated")
    assert error["message"] == NOT_AUTHENTICATED
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
def test_no_credentials_is_401_not_csrf(method: str, url: str, headers: dict[str, str]) -> None:
    """As curl or a script calls: CSRF enforced, no session, no (valid) token, a JSON body.
    Once, every POST here answered 403 "CSRF check failed" — the session check ran its CSRF
    test before noticing there was no session — so the caller was told the wrong fix."""
    client = Client(enforce_csrf_checks=True)
    kwargs = {"data": json.dumps(NEW), "content_type": "application/json"}
    response = getattr(client, method)(url, headers=headers, **(kwargs if method == "post" else {}))
    assert response.json() == {
        "error": {"code": "not_authenticated", "message": NOT_AUTHENTICATED, "fields": {}}
    }
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert not Patient.objects.exists()


def test_expired_session_cookie_is_401(clinician: User) -> None:
    """A browser whose session ended (cookie still sent, CSRF cookie too) is told to sign in."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinician)
    client.get("/patients/")
    client.logout()
    client.cookies["sessionid"] = "ended-session-key"
    response = client.post(PATIENTS, json.dumps(NEW), content_type="application/json")
    assert_error(response, 401, "not_authenticated")


def test_token_authenticates_and_records_use(client: Client, clinician: User) -> None:
    token, secret = api_token_create(user=clinician, name="script")
    assert token.last_used_at is None
    response = client.get(PROTOCOL, headers=bearer(secret))
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_post_needs_no_csrf(front_desk: User) -> None:
    client = Client(enforce_csrf_checks=True)
    _, secret = api_token_create(user=front_desk, name="booking")
    response = client.post(
        PATIENTS, json.dumps(NEW), content_type="application/json", headers=bearer(secret)
    )
    assert response.status_code == 201, response.content
    assert Patient.objects.get().created_by == front_desk


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nc_wrong",
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "Bearer " + "nc_" + "x" * 5000,
        "Bearer nc_\u00e9\u00e9",
    ],
)
def test_bad_tokens_are_401(client: Client, clinician: User, header: str) -> None:
    api_token_create(user=clinician, name="real")
    response = client.get(PROTOCOL, headers={"Authorization": header})
    assert_error(response, 401, "not_authenticated")


def test_revoked_token_is_401(client: Client, clinician: User) -> None:
    token, secret = api_token_create(user=clinician, name="script")
    assert client.get(PROTOCOL, headers=bearer(secret)).status_code == 200
    api_token_revoke(token=token)
    assert_error(client.get(PROTOCOL, headers=bearer(secret)), 401, "not_authenticated")


def test_token_of_deactivated_user_is_401(client: Client, clinician: User) -> None:
    _, secret = api_token_create(user=clinician, name="script")
    clinician.is_active = False
    clinician.save()
    assert_error(client.get(PROTOCOL, headers=bearer(secret)), 401, "not_authenticated")


def test_token_secret_is_never_stored(clinician: User) -> None:
    token, secret = api_token_create(user=clinician, name="script")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(secret not in str(value) for value in stored.values())
    assert len(token.token_hash) == 64 and token.token_hash != secret


def test_session_get_works(clinician_client: Client) -> None:
    assert clinician_client.get(PROTOCOL).status_code == 200


def test_session_post_requires_csrf(front_desk: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk)
    refused = client.post(PATIENTS, json.dumps(NEW), content_type="application/json")
    error = assert_error(refused, 403, "csrf_failed")
    assert error["message"] == CSRF_FAILED
    assert not Patient.objects.exists()
    # A page of the app sets the CSRF cookie; a browser script sends it back in a header.
    client.get("/patients/")
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        PATIENTS, json.dumps(NEW), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201, accepted.content


# ---------------------------------------------------------------- roles

# The clinical endpoints (consultations, screenings, plans) refuse front desk with 403; those
# tests live with the endpoints. Here: a role outside can_manage_patients.


def test_role_without_patient_access_refused(client: Client, make_user: Any) -> None:
    user = make_user("nobody", "no_such_role")
    _, secret = api_token_create(user=user, name="x")
    assert_error(client.get(PATIENTS, headers=bearer(secret)), 403, "permission_denied")
    response = client.post(
        PATIENTS, json.dumps(NEW), content_type="application/json", headers=bearer(secret)
    )
    assert_error(response, 403, "permission_denied")
    assert not Patient.objects.exists()


# ---------------------------------------------------------------- the error shape


@pytest.mark.parametrize(
    "raw",
    [b"{", b"not json", b"\xff\xfe\x00", b'{"age": }', b"[1, 2", b"\x00" * 10, b"{" * 10000],
)
def test_malformed_json_is_400(clinician_client: Client, raw: bytes) -> None:
    response = clinician_client.post("/api/v1/engine/screen", raw, content_type="application/json")
    error = assert_error(response, 400, "malformed_body")
    assert error["message"] == MALFORMED_BODY


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        "[1, 2]",
        '"text"',
        "123",
        "null",
        "true",
        '{"age": null}',
        "{}",
        '{"age": 1e308, "zones": ["cheeks"]}',
    ],
)
def test_wrong_json_types_are_422(clinician_client: Client, body: str) -> None:
    response = clinician_client.post("/api/v1/engine/screen", body, content_type="application/json")
    assert_error(response, 422, "invalid")


def test_empty_body_is_422(clinician_client: Client) -> None:
    response = clinician_client.post("/api/v1/engine/screen", b"", content_type="application/json")
    assert_error(response, 422, "invalid")


def test_huge_integer_literal_is_400(clinician_client: Client) -> None:
    # Python refuses to parse integers of more than 4300 digits (a denial-of-service guard).
    raw = b'{"age": ' + b"9" * 5000 + b', "zones": ["cheeks"]}'
    response = clinician_client.post("/api/v1/engine/screen", raw, content_type="application/json")
    assert_error(response, 400, "malformed_body")


def test_form_encoded_body_is_400(clinician_client: Client) -> None:
    response = clinician_client.post("/api/v1/engine/triage", {"symptom": "redness"})
    assert_error(response, 400, "malformed_body")


def test_unknown_address_is_404_in_shape(clinician_client: Client) -> None:
    assert_error(clinician_client.get("/api/v1/nothing/here"), 404, "not_found")
    assert_error(clinician_client.post("/api/v2/patients"), 404, "not_found")


def test_wrong_method_is_405_in_shape(clinician_client: Client) -> None:
    response = clinician_client.delete(PROTOCOL)
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_not_found_is_404_in_shape(clinician_client: Client) -> None:
    assert_error(clinician_client.get(f"{PATIENTS}/987654"), 404, "not_found")


def test_django_validation_error_is_400_in_shape(front_desk_client: Client) -> None:
    response = front_desk_client.post(
        PATIENTS,
        json.dumps(NEW | {"phone": "", "preferred_contact": "phone"}),
        content_type="application/json",
    )
    error = assert_error(response, 400, "invalid")
    assert "phone" in error["fields"]


def test_ninja_validation_error_is_422_in_shape(front_desk_client: Client) -> None:
    response = front_desk_client.post(
        PATIENTS,
        json.dumps(NEW | {"given_name": ["a"], "unknown": 1}),
        content_type="application/json",
    )
    error = assert_error(response, 422, "invalid")
    assert set(error["fields"]) == {"given_name", "unknown"}


# ---------------------------------------------------------------- OpenAPI


def test_openapi_schema_lists_the_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/engine/screen", "post"),
        ("/api/v1/engine/triage", "post"),
        ("/api/v1/engine/protocol", "get"),
        ("/api/v1/engine/aftercare", "get"),
        ("/api/v1/patients", "get"),
        ("/api/v1/patients", "post"),
        ("/api/v1/patients/{patient_id}", "get"),
        ("/api/v1/patients/{patient_id}/consultations", "post"),
        ("/api/v1/screenings/{screening_id}", "get"),
        ("/api/v1/screenings/{screening_id}/override", "post"),
        ("/api/v1/plans/{plan_id}", "get"),
        ("/api/v1/plans/{plan_id}/approve", "post"),
    ]:
        assert method in paths[path], path
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_openapi_schema_describes_the_new_intake_questions(client: Client) -> None:
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for intake in ("IntakeAnswers", "ScreenIn"):
        properties = components[intake]["properties"]
        assert {"products_to_apply", "other_products"} <= set(properties), intake
        assert "charting.glide_products" in properties["products_to_apply"]["description"]
    history = components["MedicalHistory"]["properties"]
    for name in (
        "implanted_electronic_device",
        "metal_implants_in_area",
        "previous_microneedling_reaction",
    ):
        assert history[name]["default"] == "unknown"
        assert history[name]["description"]


def test_docs_page_loads(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content

"""Engine endpoints through URLs and middleware: results equal the engine's own."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client

from needlechart.protocol import Intake, Verdict, default_protocol, screen

pytestmark = pytest.mark.django_db

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
TODAY = "2026-06-01"


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    # Round-trip through the model so YAML's dates become JSON strings.
    return Intake.model_validate(data).model_dump(mode="json")


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def intake() -> dict[str, Any]:
    return load(EXAMPLES[0])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_screen_every_example_matches_the_engine(clinician_client: Client, path: Path) -> None:
    body = load(path)
    response = post(clinician_client, "/api/v1/engine/screen", body | {"today": TODAY})
    assert response.status_code == 200, response.content
    data = response.json()
    expected = screen(Intake.model_validate(body), today=date(2026, 6, 1))
    assert data["verdict"] == expected.verdict
    assert data["screened_on"] == TODAY
    assert [f["code"] for f in data["findings"]] == [f.code for f in expected.findings]
    assert data["protocol"] == expected.protocol.model_dump(mode="json")
    treatable = Verdict(expected.verdict).treatable
    assert data["treatable"] is treatable
    assert (data["plan"] is not None) is treatable
    assert {"qualitative", "quantitative", "acne"} <= set(data["grading"])
    if data["grading"]["quantitative"] is not None:
        # The unverified G&B point table is always labelled.
        assert data["grading"]["quantitative"]["label"]


def test_screen_defaults_today_to_clinic_date(
    clinician_client: Client, intake: dict[str, Any]
) -> None:
    response = post(clinician_client, "/api/v1/engine/screen", intake)
    assert response.status_code == 200
    assert response.json()["screened_on"]


def test_front_desk_may_use_the_stateless_engine(
    front_desk_client: Client, intake: dict[str, Any]
) -> None:
    assert post(front_desk_client, "/api/v1/engine/screen", intake).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"age": "old"}, "age"),
        ({"age": 10**40}, "age"),
        ({"zones": []}, "zones"),
        ({"zones": ["moon"]}, "zones[0]"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"scars": {"counts": {"ice_pick": -1}}}, "scars.counts.ice_pick"),
        ({"today": "yesterday"}, "today"),
        ({"today": 10**30}, "today"),
        ({"today": "9999-12-31"}, "today"),
        (
            {"medications": {"isotretinoin": {"status": "past", "last_date": "9999-12-31"}}},
            "medications.isotretinoin.last_date",
        ),
        ({"scars": {"quantitative_counts": {"no_such_category": 3}}}, "scars.quantitative_counts"),
    ],
)
def test_screen_bad_input_is_422_naming_the_field(
    clinician_client: Client, intake: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    response = post(clinician_client, "/api/v1/engine/screen", intake | change)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error


def test_screen_model_rule_error_is_on_the_whole_input(
    clinician_client: Client, intake: dict[str, Any]
) -> None:
    response = post(
        clinician_client, "/api/v1/engine/screen", intake | {"zones": ["cheeks", "cheeks"]}
    )
    assert response.status_code == 422
    assert "zones: each zone may be listed once" in response.json()["error"]["fields"]["__all__"]


def test_triage(aesthetician_client: Client) -> None:
    body = {"symptom": "redness", "severity": "mild", "days_since_session": 9}
    response = post(aesthetician_client, "/api/v1/engine/triage", body)
    assert response.status_code == 200
    data = response.json()
    assert data["level"] in {"expected", "contact_clinic", "urgent"}
    assert data["advice"] and data["reason"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"symptom": "itch", "days_since_session": 1}, "symptom"),
        ({"symptom": "redness", "days_since_session": -1}, "days_since_session"),
        ({"symptom": "redness", "days_since_session": 10**20}, "days_since_session"),
        ({"symptom": "redness"}, "days_since_session"),
        ({"symptom": "redness", "days_since_session": 1, "extra": 1}, "extra"),
    ],
)
def test_triage_bad_input(clinician_client: Client, body: dict[str, Any], field: str) -> None:
    response = post(clinician_client, "/api/v1/engine/triage", body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


def test_protocol(front_desk_client: Client) -> None:
    response = front_desk_client.get("/api/v1/engine/protocol")
    assert response.status_code == 200
    data = response.json()
    ref = default_protocol().ref
    assert (data["id"], data["version"], data["hash"]) == (ref.id, ref.version, ref.hash)
    assert data["counts"]["screening_rules"] == len(default_protocol().document.screening_rules)


def test_aftercare_with_and_without_date(clinician_client: Client) -> None:
    dated = clinician_client.get("/api/v1/engine/aftercare", {"session_date": "2026-12-01"}).json()
    assert dated["timeline"][0] == dated["timeline"][0] | {"day": 0, "date": "2026-12-01"}
    assert dated["timeline"][1]["date"] == "2026-12-02"
    undated = clinician_client.get("/api/v1/engine/aftercare").json()
    assert undated["timeline"][0]["date"] is None
    assert undated["check_in_days"] == dated["check_in_days"]


@pytest.mark.parametrize("value", ["tomorrow", "2026-02-30", "9999-12-31", "0001-01-01", "1" * 60])
def test_aftercare_bad_date(clinician_client: Client, value: str) -> None:
    response = clinician_client.get("/api/v1/engine/aftercare", {"session_date": value})
    assert response.status_code == 422
    assert "session_date" in response.json()["error"]["fields"]


def test_screen_warns_about_a_product_the_protocol_does_not_list(
    clinician_client: Client, intake: dict[str, Any]
) -> None:
    # The stateless engine takes any product code and warns; only a clinic record refuses one.
    body = intake | {"products_to_apply": ["vitamin_c_serum"], "today": TODAY}
    response = post(clinician_client, "/api/v1/engine/screen", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["verdict"] == "proceed_with_precautions"
    assert [f["code"] for f in data["findings"]] == ["unlisted_product_to_apply"]
    assert [p["code"] for p in data["precautions"]] == ["approved_topicals_only"]

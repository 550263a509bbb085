"""Nothing a client sends yields a 500: random JSON, and valid intakes with one value swapped
for random JSON, against every POST endpoint."""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needlechart.accounts.models import User
from needlechart.protocol import Intake

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "11-unknowns-first-visit.yaml"
INTAKE = Intake.model_validate(yaml.safe_load(EXAMPLE.read_text())).model_dump(mode="json")

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["2026-01-01", "9999-12-31", "0001-01-01", "yes", "no", "unknown", "\x00"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def leaf_paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict) and data:
        return [p for k, v in data.items() for p in leaf_paths(v, (*path, k))]
    if isinstance(data, list) and data:
        return [p for i, v in enumerate(data) for p in leaf_paths(v, (*path, i))]
    return [path]


PATHS = leaf_paths(INTAKE)


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(data))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


@pytest.fixture
def signed_in(clinician: User, patient: Any) -> Client:
    client = Client()
    client.force_login(clinician)
    return client


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(body=json_values)
def test_random_bodies_never_500(signed_in: Client, body: Any) -> None:
    for url in (
        "/api/v1/engine/screen",
        "/api/v1/engine/triage",
        "/api/v1/patients",
        "/api/v1/screenings/1/override",
        "/api/v1/plans/1/approve",
    ):
        response = signed_in.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code < 500, (url, body, response.content)
        assert "error" in response.json() or response.status_code in (200, 201)


@FUZZ
@given(path=st.sampled_from(PATHS), value=json_values)
def test_intake_with_one_value_swapped_never_500(
    signed_in: Client, patient: Any, path: tuple[Any, ...], value: Any
) -> None:
    body = replaced(INTAKE, path, value)
    response = signed_in.post(
        "/api/v1/engine/screen", json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (200, 422), (path, value, response.content)
    answers = {k: v for k, v in body.items() if k not in ("age", "sex")}
    response = signed_in.post(
        f"/api/v1/patients/{patient.pk}/consultations",
        json.dumps({"intake": answers}),
        content_type="application/json",
    )
    assert response.status_code in (201, 400, 422), (path, value, response.content)

"""Override pages and API by severity: the hard-stop note, the refusal for an aesthetician, the
second clinician's confirm page (no JavaScript needed), the dashboard list, the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from needlechart.accounts.models import Role, User
from needlechart.patients.models import Patient
from needlechart.screenings.models import Screening
from needlechart.screenings.services import (
    CONFIRM_OWN,
    HARD_STOP_CLINICIAN_ONLY,
    PENDING_NOTE,
    screening_override,
)
from tests.factories.plans import DEFER, screen_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_clinician(make_user: Callable[..., User]) -> User:
    return make_user("clin2", Role.CLINICIAN, display_name="Dr Second")


@pytest.fixture
def second_client(second_clinician: User) -> Client:
    client = Client()
    client.force_login(second_clinician)
    return client


@pytest.fixture
def pregnant(patient: Patient, clinician: User) -> Screening:
    return screen_patient(patient=patient, by=clinician, example=DEFER)


def page(client: Client, screening: Screening) -> str:
    response = client.get(reverse("screenings:detail", args=[screening.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_override_form_says_a_second_clinician_must_confirm(
    clinician_client: Client, aesthetician_client: Client, pregnant: Screening
) -> None:
    html = page(clinician_client, pregnant)
    assert 'id="override-needs-second"' in html and escape(PENDING_NOTE) in html
    assert "hard stop" in html
    aesthetician = page(aesthetician_client, pregnant)
    assert 'id="override-form"' not in aesthetician
    assert escape(HARD_STOP_CLINICIAN_ONLY) in aesthetician
    # A hand-made POST is refused too, and the refusal is audited.
    refused = aesthetician_client.post(
        reverse("screenings:override", args=[pregnant.pk]),
        {"verdict": "proceed", "reason": "x"},
    )
    assert refused.status_code == 403


def test_override_then_confirm_by_a_second_clinician(
    clinician_client: Client,
    second_client: Client,
    aesthetician_client: Client,
    pregnant: Screening,
) -> None:
    response = clinician_client.post(
        reverse("screenings:override", args=[pregnant.pk]),
        {"verdict": "proceed", "reason": "Pregnancy test negative today"},
        follow=True,
    )
    html = response.content.decode()
    assert 'id="override-pending"' in html
    assert "not yet in effect" in html
    assert 'id="create-plan"' not in html  # the engine's deferral still applies
    # The overrider sees no confirm button; the confirm page refuses them.
    assert 'id="confirm-override"' not in html
    confirm_url = reverse("screenings:override_confirm", args=[pregnant.pk])
    own = clinician_client.get(confirm_url).content.decode()
    assert CONFIRM_OWN in own and 'id="confirm-submit"' not in own
    assert clinician_client.post(confirm_url, {"confirm": "on"}).status_code == 403
    assert aesthetician_client.post(confirm_url, {"confirm": "on"}).status_code == 403
    # The dashboard lists it for clinical staff.
    dashboard = second_client.get(reverse("dashboard")).content.decode()
    assert 'id="pending-confirmations"' in dashboard and confirm_url in dashboard
    # The second clinician: the page shows the hard stop and the reason; the box is required.
    other = second_client.get(reverse("screenings:detail", args=[pregnant.pk])).content.decode()
    assert 'id="confirm-override"' in other
    form = second_client.get(confirm_url).content.decode()
    assert "Pregnancy test negative today" in form and 'id="confirm-hard-stops"' in form
    unticked = second_client.post(confirm_url, {"note": ""})
    assert unticked.status_code == 200 and "Tick the box" in unticked.content.decode()
    done = second_client.post(confirm_url, {"confirm": "on", "note": "Seen the result"})
    assert done.status_code == 302
    after = page(second_client, pregnant)
    assert 'id="override-pending"' not in after and "Confirmed by Dr Second" in after
    assert 'id="create-plan"' in after
    assert (
        'id="pending-confirmations"' not in second_client.get(reverse("dashboard")).content.decode()
    )


def test_front_desk_cannot_reach_the_confirm_page(
    front_desk_client: Client, pregnant: Screening, clinician: User
) -> None:
    screening_override(screening=pregnant, verdict="proceed", reason="Negative", by=clinician)
    url = reverse("screenings:override_confirm", args=[pregnant.pk])
    assert front_desk_client.get(url).status_code == 403


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_override_pending_then_confirmed(
    clinician_client: Client, second_client: Client, pregnant: Screening
) -> None:
    created = post(
        clinician_client,
        f"/api/v1/screenings/{pregnant.pk}/override",
        {"verdict": "proceed", "reason": "Negative test"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["override_level"] == "second_clinician"
    assert body["override"]["pending"] is True
    assert body["effective_verdict"] == "defer" and body["treatable"] is False
    url = f"/api/v1/screenings/{pregnant.pk}/override/confirm"
    own = post(clinician_client, url, {})
    assert own.status_code == 403 and own.json()["error"]["message"] == CONFIRM_OWN
    confirmed = post(second_client, url, {"note": "Agree"})
    assert confirmed.status_code == 200, confirmed.content
    out = confirmed.json()
    assert out["override"]["pending"] is False
    assert out["override"]["confirmed_by"]["name"] == "Dr Second"
    assert out["effective_verdict"] == "proceed" and out["treatable"] is True
    again = post(second_client, url, {})
    assert again.status_code == 400

"""The protocol reference page: clinical staff read every rule and source; others may not."""

from __future__ import annotations

import pytest
from django.test import Client

from needlechart.protocol import default_protocol


def test_clinician_reads_every_rule_and_source(clinician_client: Client) -> None:
    response = clinician_client.get("/protocol/")
    assert response.status_code == 200
    body = response.content.decode()
    protocol = default_protocol()
    for rule in protocol.document.screening_rules:
        assert f'id="rule-{rule.code}"' in body
    for key in protocol.document.sources:
        assert f'id="source-{key}"' in body
    assert protocol.ref.version in body


def test_aesthetician_reads_it_too(aesthetician_client: Client) -> None:
    assert aesthetician_client.get("/protocol/").status_code == 200


@pytest.mark.parametrize("who", ["front_desk_client", "admin_client_"])
def test_non_clinical_roles_are_refused(who: str, request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(who)
    assert client.get("/protocol/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/protocol/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

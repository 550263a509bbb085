"""A refused request is logged as one warning line, not as a crash with a traceback; a
server error keeps its traceback."""

from __future__ import annotations

import logging
import sys

import pytest
from django.test import Client
from django.urls import reverse

from needlechart.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_a_403_is_one_warning_line_without_traceback(
    front_desk_client: Client, patient: Patient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    url = reverse("imaging:compare", args=[patient.pk])  # clinical: front desk is refused
    response = front_desk_client.get(url)
    assert response.status_code == 403
    refused = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.getMessage()) for r in refused] == [
        ("WARNING", f"Forbidden (Permission denied): {url}")
    ]
    assert all(r.exc_info is None for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """The filter sits on django.request; what Django logs for a 500 passes untouched."""
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", "/x/", exc_info=sys.exc_info(), extra={"status_code": 500}
        )
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None
    assert "Traceback" in caplog.text and "RuntimeError: boom" in caplog.text

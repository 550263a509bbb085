"""Symptom report pages: triage shown with advice, the dashboard panel until a clinician
resolves, roles, garbage input, query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient
from needlechart.protocol import default_protocol
from needlechart.protocol.vocabulary import Symptom
from needlechart.treatments.models import SessionRecord, SymptomReport
from needlechart.treatments.services import symptom_report_record
from tests.factories.treatments import charted_session, consented_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(clinician: User, patient: Patient) -> SessionRecord:
    plan = consented_plan(patient=patient, by=clinician)
    return charted_session(
        plan=plan, by=clinician, sign=True, today=timezone.localdate() - timedelta(days=2)
    )


def report_form(record: SessionRecord, /, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "session": record.pk,
        "symptom": "redness",
        "severity": "mild",
        "reported_on": timezone.localdate().isoformat(),
        "days_since_session": "",
        "channel": "phone",
    }
    data.update(changes)
    return data


def test_expected_report_shows_advice(aesthetician_client: Client, session: SessionRecord) -> None:
    url = reverse("treatments:symptom_new", args=[session.patient_id])
    page = aesthetician_client.get(url).content.decode()
    assert f'value="{session.pk}" selected' in page
    response = aesthetician_client.post(url, report_form(session))
    report = SymptomReport.objects.get()
    assert response.status_code == 302
    assert report.days_since_session == 2 and report.triage_level == "expected"
    body = aesthetician_client.get(response["Location"]).content.decode()
    advice = default_protocol().document.aftercare.symptoms[Symptom.REDNESS].advice
    assert escape(next(iter(advice.values()))) in body
    assert 'id="triage-reason"' in body
    assert AuditEvent.objects.filter(action="symptom.view").exists()


def test_urgent_stays_on_dashboard_until_resolved(
    aesthetician_client: Client, clinician_client: Client, session: SessionRecord
) -> None:
    url = reverse("treatments:symptom_new", args=[session.patient_id])
    response = aesthetician_client.post(
        url, report_form(session, symptom="fever", severity="moderate")
    )
    report = SymptomReport.objects.get()
    assert report.triage_level == "urgent"
    detail = reverse("treatments:symptom_detail", args=[report.pk])
    assert response["Location"] == detail
    for client in (aesthetician_client, clinician_client):
        dashboard = client.get(reverse("dashboard")).content.decode()
        assert "Reported symptoms to review" in dashboard and detail in dashboard
    assert detail in clinician_client.get(reverse("treatments:symptom_review")).content.decode()
    # the aesthetician cannot resolve
    body = aesthetician_client.get(detail).content.decode()
    assert 'id="resolve-button"' not in body
    aesthetician_client.post(
        reverse("treatments:symptom_resolve", args=[report.pk]), {"resolution_note": "ok"}
    )
    report.refresh_from_db()
    assert report.resolved_at is None
    # a clinician must write a note
    response = clinician_client.post(
        reverse("treatments:symptom_resolve", args=[report.pk]), {"resolution_note": "  "}
    )
    assert response.status_code == 200 and "field--error" in response.content.decode()
    response = clinician_client.post(
        reverse("treatments:symptom_resolve", args=[report.pk]),
        {"resolution_note": "Advised A&E; seen same day"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.resolved_at is not None
    dashboard = clinician_client.get(reverse("dashboard")).content.decode()
    assert detail not in dashboard
    assert "Advised A&amp;E" in clinician_client.get(detail).content.decode()


def test_expected_reports_not_on_dashboard(
    clinician: User, clinician_client: Client, session: SessionRecord
) -> None:
    report = symptom_report_record(
        session=session, by=clinician, symptom="redness", severity="mild"
    )
    dashboard = clinician_client.get(reverse("dashboard")).content.decode()
    assert reverse("treatments:symptom_detail", args=[report.pk]) not in dashboard


@pytest.mark.parametrize(
    "changes",
    [
        {"symptom": "itching"},
        {"severity": "extreme"},
        {"session": "999999"},
        {"session": "abc"},
        {"reported_on": "yesterday"},
        {"days_since_session": "-1"},
        {"days_since_session": "99999"},
        {"channel": "carrier pigeon"},
    ],
)
def test_bad_input(
    clinician_client: Client, session: SessionRecord, changes: dict[str, str]
) -> None:
    response = clinician_client.post(
        reverse("treatments:symptom_new", args=[session.patient_id]),
        report_form(session, **changes),
    )
    assert response.status_code == 200
    assert "field--error" in response.content.decode()
    assert not SymptomReport.objects.exists()


def test_report_before_session_refused(clinician_client: Client, session: SessionRecord) -> None:
    response = clinician_client.post(
        reverse("treatments:symptom_new", args=[session.patient_id]),
        report_form(session, reported_on=(session.performed_on - timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 200 and "field--error" in response.content.decode()


def test_other_patients_session_not_offered(
    clinician_client: Client, clinician: User, session: SessionRecord, make_patient: Any
) -> None:
    other = make_patient()
    response = clinician_client.post(
        reverse("treatments:symptom_new", args=[other.pk]), report_form(session)
    )
    assert response.status_code == 200
    assert not SymptomReport.objects.exists()


def test_front_desk_403(front_desk_client: Client, clinician: User, session: SessionRecord) -> None:
    report = symptom_report_record(session=session, by=clinician, symptom="fever", severity="mild")
    for url in [
        reverse("treatments:symptom_new", args=[session.patient_id]),
        reverse("treatments:symptom_list", args=[session.patient_id]),
        reverse("treatments:symptom_detail", args=[report.pk]),
        reverse("treatments:symptom_review"),
    ]:
        assert front_desk_client.get(url).status_code == 403, url
    response = front_desk_client.post(
        reverse("treatments:symptom_new", args=[session.patient_id]), report_form(session)
    )
    assert response.status_code == 403
    dashboard = front_desk_client.get(reverse("dashboard")).content.decode()
    assert "Reported symptoms to review" not in dashboard


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts(clinician: User, clinician_client: Client, session: SessionRecord) -> None:
    symptom_report_record(session=session, by=clinician, symptom="fever", severity="mild")
    pages = [
        reverse("dashboard"),
        reverse("treatments:symptom_review"),
        reverse("treatments:symptom_list", args=[session.patient_id]),
        reverse("treatments:detail", args=[session.pk]),
    ]
    before = [_count(clinician_client, url) for url in pages]
    for symptom in ("pus_drainage", "burns", "dark_patches", "redness"):
        symptom_report_record(session=session, by=clinician, symptom=symptom, severity="severe")
    assert [_count(clinician_client, url) for url in pages] == before

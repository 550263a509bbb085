"""Adverse event pages: record with device and lot copied, follow-up until resolved, list per
patient, roles, garbage input, query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient
from needlechart.treatments.models import AdverseEvent, AdverseStatus, SessionRecord
from needlechart.treatments.services import adverse_event_record
from tests.factories.treatments import LOT, charted_session, consented_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(clinician: User, patient: Patient) -> SessionRecord:
    plan = consented_plan(patient=patient, by=clinician)
    return charted_session(
        plan=plan, by=clinician, sign=True, today=timezone.localdate() - timedelta(days=4)
    )


def event_form(record: SessionRecord, /, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event_type": "infection",
        "event_type_other": "",
        "severity": "moderate",
        "onset_on": timezone.localdate().isoformat(),
        "session": record.pk,
        "actions_taken": "Swab, antibiotics",
        "outcome": "",
    }
    data.update(changes)
    return data


def test_lifecycle(clinician_client: Client, session: SessionRecord) -> None:
    new = reverse("treatments:adverse_new", args=[session.patient_id])
    assert clinician_client.get(new + f"?session={session.pk}").status_code == 200
    response = clinician_client.post(new, event_form(session))
    event = AdverseEvent.objects.get()
    assert response.status_code == 302
    assert (event.device, event.cartridge_lot, event.status) == (
        session.device,
        LOT,
        AdverseStatus.OPEN,
    )
    detail = reverse("treatments:adverse_detail", args=[event.pk])
    body = clinician_client.get(detail).content.decode()
    assert LOT in body and "Infection" in body
    response = clinician_client.post(detail, {"note": "Improving", "outcome": ""})
    assert response.status_code == 302
    response = clinician_client.post(
        detail, {"note": "Cleared", "outcome": "Recovered", "resolve": "on", "resolved_on": ""}
    )
    event.refresh_from_db()
    assert event.status == AdverseStatus.RESOLVED and event.resolved_on == timezone.localdate()
    body = clinician_client.get(detail).content.decode()
    assert "Improving" in body and "Cleared" in body and "Add follow-up" not in body
    listing = clinician_client.get(
        reverse("treatments:adverse_list", args=[session.patient_id])
    ).content.decode()
    assert detail in listing and "Resolved" in listing
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"adverse_event.record", "adverse_event.update", "adverse_event.view"} <= actions


@pytest.mark.parametrize(
    "changes",
    [
        {"event_type": "nonsense"},
        {"event_type": "other"},
        {"severity": "catastrophic"},
        {"onset_on": "2999-01-01"},
        {"onset_on": "garbage"},
        {"session": "999999"},
    ],
)
def test_bad_input(
    clinician_client: Client, session: SessionRecord, changes: dict[str, str]
) -> None:
    response = clinician_client.post(
        reverse("treatments:adverse_new", args=[session.patient_id]),
        event_form(session, **changes),
    )
    assert response.status_code == 200
    assert "field--error" in response.content.decode()
    assert not AdverseEvent.objects.exists()


def test_update_bad_input(
    clinician: User, clinician_client: Client, session: SessionRecord
) -> None:
    event = adverse_event_record(
        patient=session.patient,
        by=clinician,
        event_type="pih",
        severity="mild",
        onset_on=timezone.localdate(),
    )
    detail = reverse("treatments:adverse_detail", args=[event.pk])
    for data in [
        {"note": ""},
        {"note": "x", "resolve": "on", "resolved_on": "2999-01-01"},
        {"note": "x", "resolve": "on", "resolved_on": "bad"},
    ]:
        response = clinician_client.post(detail, data)
        assert response.status_code == 200
        assert "field--error" in response.content.decode()
    event.refresh_from_db()
    assert event.status == AdverseStatus.OPEN and not event.updates.exists()


def test_front_desk_403(front_desk_client: Client, clinician: User, session: SessionRecord) -> None:
    event = adverse_event_record(
        patient=session.patient,
        by=clinician,
        event_type="pih",
        severity="mild",
        onset_on=timezone.localdate(),
    )
    for url in [
        reverse("treatments:adverse_list", args=[session.patient_id]),
        reverse("treatments:adverse_new", args=[session.patient_id]),
        reverse("treatments:adverse_detail", args=[event.pk]),
    ]:
        assert front_desk_client.get(url).status_code == 403
    response = front_desk_client.post(
        reverse("treatments:adverse_detail", args=[event.pk]), {"note": "x"}
    )
    assert response.status_code == 403


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts(clinician: User, clinician_client: Client, session: SessionRecord) -> None:
    from needlechart.treatments.services import adverse_event_update

    event = adverse_event_record(
        patient=session.patient,
        by=clinician,
        session=session,
        event_type="pih",
        severity="mild",
        onset_on=timezone.localdate(),
    )
    pages = [
        reverse("treatments:adverse_list", args=[session.patient_id]),
        reverse("treatments:adverse_detail", args=[event.pk]),
        reverse("patients:detail", args=[session.patient_id]),
    ]
    before = [_count(clinician_client, url) for url in pages]
    for n in range(3):
        adverse_event_record(
            patient=session.patient,
            by=clinician,
            session=session,
            event_type="infection",
            severity="mild",
            onset_on=timezone.localdate(),
        )
        adverse_event_update(event=event, by=clinician, note=f"note {n}")
    assert [_count(clinician_client, url) for url in pages] == before

"""Adverse events: protocol types, device and lot copied from the session, follow-up updates
until resolved (with a date), roles, validation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient
from needlechart.patients.timeline import timeline_for
from needlechart.treatments.models import AdverseStatus, SessionRecord
from needlechart.treatments.services import (
    EVENT_RESOLVED,
    adverse_event_record,
    adverse_event_types,
    adverse_event_update,
)
from tests.factories.treatments import LOT, signed_session_days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(clinician: User, patient: Patient) -> SessionRecord:
    return signed_session_days_ago(patient=patient, by=clinician, days=5)


def test_types_come_from_protocol() -> None:
    types = adverse_event_types()
    assert "infection" in types and "other" in types


def test_lifecycle(clinician: User, aesthetician: User, session: SessionRecord) -> None:
    event = adverse_event_record(
        patient=session.patient,
        by=aesthetician,
        session=session,
        event_type="infection",
        severity="moderate",
        onset_on=session.performed_on + timedelta(days=2),
        actions_taken="Swab taken",
    )
    assert (event.device, event.cartridge_lot) == (session.device, LOT)
    assert event.status == AdverseStatus.OPEN
    adverse_event_update(event=event, by=aesthetician, note="Antibiotics started")
    adverse_event_update(
        event=event, by=clinician, note="Healed", outcome="Full recovery", resolve=True
    )
    event.refresh_from_db()
    assert event.status == AdverseStatus.RESOLVED
    assert event.resolved_on == timezone.localdate()
    assert event.outcome == "Full recovery"
    assert [u.note for u in event.updates.all()] == ["Antibiotics started", "Healed"]
    with pytest.raises(ValidationError) as exc:
        adverse_event_update(event=event, by=clinician, note="late")
    assert EVENT_RESOLVED in exc.value.messages
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"adverse_event.record", "adverse_event.update"} <= actions
    kinds = [e.kind for e in timeline_for(user=clinician, patient=session.patient)]
    assert "adverse_event" in kinds and "adverse_event_resolved" in kinds


def test_validation(clinician: User, session: SessionRecord, make_patient: object) -> None:
    base: dict[str, Any] = {
        "patient": session.patient,
        "by": clinician,
        "event_type": "infection",
        "severity": "mild",
        "onset_on": timezone.localdate(),
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"event_type": "made_up"}, "event_type"),
        ({"event_type": "other"}, "event_type_other"),
        ({"severity": "fatal"}, "severity"),
        ({"onset_on": timezone.localdate() + timedelta(days=1)}, "onset_on"),
        ({"session": session, "onset_on": session.performed_on - timedelta(days=1)}, "onset_on"),
    ]
    for change, key in cases:
        with pytest.raises(ValidationError) as exc:
            adverse_event_record(**(base | change))
        assert key in exc.value.message_dict, change
    event = adverse_event_record(**base)
    assert event.device == "" and event.session is None
    with pytest.raises(ValidationError) as exc:
        adverse_event_update(event=event, by=clinician, note=" ")
    assert "note" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        adverse_event_update(
            event=event,
            by=clinician,
            note="ok",
            resolve=True,
            resolved_on=event.onset_on - timedelta(days=1),
        )
    assert "resolved_on" in exc.value.message_dict


def test_other_patients_session_refused(
    clinician: User, session: SessionRecord, make_patient: object
) -> None:
    other = make_patient()  # type: ignore[operator]
    with pytest.raises(ValidationError) as exc:
        adverse_event_record(
            patient=other,
            by=clinician,
            session=session,
            event_type="infection",
            severity="mild",
            onset_on=timezone.localdate(),
        )
    assert "session" in exc.value.message_dict


def test_front_desk_refused(front_desk: User, session: SessionRecord) -> None:
    with pytest.raises(PermissionDenied):
        adverse_event_record(
            patient=session.patient,
            by=front_desk,
            event_type="infection",
            severity="mild",
            onset_on=timezone.localdate(),
        )

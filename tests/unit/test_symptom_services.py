"""Symptom reports: engine triage levels, days counted from the session, review until a
clinician resolves (note required), roles, the dashboard selector."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient
from needlechart.patients.timeline import timeline_for
from needlechart.protocol.aftercare import SymptomReport as EngineReport
from needlechart.protocol.aftercare import triage
from needlechart.protocol.vocabulary import Symptom, SymptomSeverity
from needlechart.treatments.models import SessionRecord
from needlechart.treatments.selectors import symptom_reports_to_review
from needlechart.treatments.services import (
    REPORT_NOT_FOR_REVIEW,
    REPORT_RESOLVED,
    symptom_report_record,
    symptom_report_resolve,
)
from tests.factories.treatments import signed_session_days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(clinician: User, patient: Patient) -> SessionRecord:
    return signed_session_days_ago(patient=patient, by=clinician, days=3)


@pytest.mark.parametrize(
    ("symptom", "severity", "worsening", "level"),
    [
        ("redness", "mild", False, "expected"),
        ("redness", "severe", False, "contact_clinic"),
        ("redness", "mild", True, "contact_clinic"),
        ("fever", "mild", False, "urgent"),
        ("pus_drainage", "severe", False, "urgent"),
    ],
)
def test_triage_levels(
    clinician: User,
    session: SessionRecord,
    symptom: str,
    severity: str,
    worsening: bool,
    level: str,
) -> None:
    report = symptom_report_record(
        session=session, by=clinician, symptom=symptom, severity=severity, worsening=worsening
    )
    assert report.triage_level == level
    assert report.days_since_session == 3
    engine = triage(
        EngineReport(
            symptom=Symptom(symptom),
            severity=SymptomSeverity(severity),
            days_since_session=3,
            worsening=worsening,
        )
    )
    assert report.engine_triage().advice == engine.advice
    assert report.engine_triage().reason == engine.reason
    assert AuditEvent.objects.filter(action="symptom.report", object_id=str(report.pk)).exists()


def test_redness_beyond_expected_course(clinician: User, session: SessionRecord) -> None:
    report = symptom_report_record(
        session=session, by=clinician, symptom="redness", severity="mild", days_since_session=9
    )
    assert report.triage_level == "contact_clinic"
    assert "beyond the expected course" in report.triage["reason"]


def test_bad_input(clinician: User, session: SessionRecord) -> None:
    with pytest.raises(ValidationError) as exc:
        symptom_report_record(session=session, by=clinician, symptom="itch", severity="mild")
    assert "symptom" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        symptom_report_record(
            session=session,
            by=clinician,
            symptom="redness",
            severity="mild",
            reported_on=session.performed_on - timedelta(days=1),
        )
    assert "reported_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        symptom_report_record(
            session=session,
            by=clinician,
            symptom="redness",
            severity="mild",
            reported_on=timezone.localdate() + timedelta(days=1),
        )
    assert "reported_on" in exc.value.message_dict


def test_front_desk_cannot_report(front_desk: User, session: SessionRecord) -> None:
    with pytest.raises(PermissionDenied):
        symptom_report_record(session=session, by=front_desk, symptom="redness", severity="mild")


def test_review_until_resolved(clinician: User, aesthetician: User, session: SessionRecord) -> None:
    expected = symptom_report_record(
        session=session, by=aesthetician, symptom="redness", severity="mild"
    )
    urgent = symptom_report_record(
        session=session, by=aesthetician, symptom="fever", severity="mild"
    )
    call = symptom_report_record(
        session=session, by=aesthetician, symptom="dark_patches", severity="mild"
    )
    assert list(symptom_reports_to_review(user=clinician)) == [urgent, call]
    with pytest.raises(PermissionDenied):
        symptom_report_resolve(report=urgent, by=aesthetician, note="Called back")
    with pytest.raises(ValidationError) as exc:
        symptom_report_resolve(report=urgent, by=clinician, note="  ")
    assert "resolution_note" in exc.value.message_dict
    symptom_report_resolve(report=urgent, by=clinician, note="Sent to A&E")
    urgent.refresh_from_db()
    assert urgent.resolved_by == clinician and urgent.resolution_note == "Sent to A&E"
    assert list(symptom_reports_to_review(user=clinician)) == [call]
    with pytest.raises(ValidationError) as exc:
        symptom_report_resolve(report=urgent, by=clinician, note="again")
    assert REPORT_RESOLVED in exc.value.messages
    with pytest.raises(ValidationError) as exc:
        symptom_report_resolve(report=expected, by=clinician, note="n/a")
    assert REPORT_NOT_FOR_REVIEW in exc.value.messages


def test_timeline(clinician: User, session: SessionRecord) -> None:
    symptom_report_record(session=session, by=clinician, symptom="fever", severity="mild")
    entries = [
        e for e in timeline_for(user=clinician, patient=session.patient) if e.kind == "symptom"
    ]
    assert len(entries) == 1 and entries[0].status == "urgent"

"""Screening services (run, override) and selectors, timeline and dashboard data."""

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from needlechart.accounts.models import Role, User
from needlechart.audit.models import AuditEvent
from needlechart.consultations.models import Consultation
from needlechart.consultations.services import consultation_start
from needlechart.patients.models import Patient
from needlechart.patients.services import patient_archive
from needlechart.patients.timeline import timeline_for
from needlechart.protocol import Verdict
from needlechart.screenings.models import Screening, ScreeningOverride
from needlechart.screenings.selectors import screenings_due_for_rescreen
from needlechart.screenings.services import (
    ALREADY_OVERRIDDEN,
    NOT_COMPLETED,
    NOT_CURRENT,
    REASON_REQUIRED,
    SAME_VERDICT,
    UNKNOWN_VERDICT,
    consultation_complete,
    screening_override,
    screening_run,
)

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def base_intake() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "01-proceed-rolling-scars.yaml").read_text())
    return {k: v for k, v in data.items() if k not in ("age", "sex")}


def intake_for(verdict: str) -> dict[str, Any]:
    """A full intake whose screening today gives `verdict`."""
    data = base_intake()
    if verdict == "proceed_with_precautions":
        data["fitzpatrick"] = "V"
    elif verdict == "defer":
        last = (timezone.localdate() - timedelta(days=30)).isoformat()
        data["medications"]["isotretinoin"] = {"status": "past", "last_date": last}
    elif verdict == "refer_to_physician":
        data["medications"]["anticoagulants"] = "yes"
    elif verdict == "not_a_candidate":  # with a patient under the minimum age (see below)
        data["guardian_present"] = "yes"
    return data


@pytest.fixture
def screen_patient(clinician: User) -> Callable[..., Screening]:
    def make(patient: Patient, verdict: str = "proceed", today: date | None = None) -> Screening:
        if verdict == "not_a_candidate":  # the only not-a-candidate rule: under the minimum age
            patient.date_of_birth = timezone.localdate().replace(
                year=timezone.localdate().year - 12
            )
            patient.save(update_fields=["date_of_birth"])
        consultation = consultation_start(patient=patient, by=clinician)
        return consultation_complete(
            consultation=consultation, by=clinician, data=intake_for(verdict), today=today
        )

    return make


@pytest.mark.parametrize("verdict", [v.value for v in Verdict])
def test_run_stores_the_engine_result(
    patient: Patient, screen_patient: Callable[..., Screening], verdict: str
) -> None:
    screening = screen_patient(patient, verdict)
    assert screening.verdict == verdict
    assert screening.effective_verdict == verdict
    result = screening.engine_result()
    assert result.verdict.value == verdict
    assert screening.protocol_hash == result.protocol.hash.strip() and screening.protocol_id
    assert (screening.rescreen_on is not None) == (verdict == "defer")
    event = AuditEvent.objects.get(action="screening.run", object_id=str(screening.pk))
    assert event.patient_id == patient.pk and event.detail["verdict"] == verdict


def test_run_needs_a_completed_consultation(patient: Patient, clinician: User) -> None:
    consultation = consultation_start(patient=patient, by=clinician)
    with pytest.raises(ValidationError, match=NOT_COMPLETED):
        screening_run(consultation=consultation, by=clinician)


def test_run_refuses_front_desk(
    patient: Patient, screen_patient: Callable[..., Screening], front_desk: User
) -> None:
    screening = screen_patient(patient)
    with pytest.raises(PermissionDenied):
        screening_run(consultation=screening.consultation, by=front_desk)


def test_rerun_keeps_history(
    patient: Patient, screen_patient: Callable[..., Screening], aesthetician: User
) -> None:
    first = screen_patient(patient, "defer")
    second = screening_run(consultation=first.consultation, by=aesthetician)
    assert Screening.objects.filter(consultation=first.consultation).count() == 2
    assert second.is_current and not Screening.objects.get(pk=first.pk).is_current


ALL = [v.value for v in Verdict]


@pytest.mark.parametrize(
    ("role", "original", "allowed"),
    [(Role.CLINICIAN, v, True) for v in ALL]
    + [(Role.AESTHETICIAN, v, v in {"proceed_with_precautions", "defer"}) for v in ALL]
    + [(Role.FRONT_DESK, v, False) for v in ALL]
    + [(Role.ADMIN, v, False) for v in ALL],
)
def test_override_permissions(
    make_user: Callable[..., User],
    patient: Patient,
    screen_patient: Callable[..., Screening],
    role: Role,
    original: str,
    allowed: bool,
) -> None:
    user = make_user(f"u-{role}", role)
    screening = screen_patient(patient, original)
    target = "not_a_candidate" if original != "not_a_candidate" else "refer_to_physician"
    if allowed:
        override = screening_override(screening=screening, verdict=target, reason="Seen.", by=user)
        assert override.created_by == user
    else:
        with pytest.raises(PermissionDenied):
            screening_override(screening=screening, verdict=target, reason="Seen.", by=user)
        assert not ScreeningOverride.objects.exists()


def test_override_keeps_the_original_verdict_and_is_audited(
    patient: Patient, screen_patient: Callable[..., Screening], clinician: User
) -> None:
    screening = screen_patient(patient, "refer_to_physician")
    screening_override(
        screening=screening, verdict="proceed", reason="  GP letter: INR stable.  ", by=clinician
    )
    screening = Screening.objects.get(pk=screening.pk)
    assert screening.verdict == "refer_to_physician"
    assert screening.effective_verdict == "proceed"
    assert screening.override.reason == "GP letter: INR stable."
    event = AuditEvent.objects.get(action="screening.override")
    assert event.detail["from"] == "refer_to_physician" and event.detail["to"] == "proceed"
    assert event.actor_id == clinician.pk and event.patient_id == patient.pk


@pytest.mark.parametrize(
    ("verdict", "reason", "errors"),
    [
        ("proceed", "   ", {"reason": [REASON_REQUIRED]}),
        ("maybe", "why", {"verdict": [UNKNOWN_VERDICT]}),
        ("defer", "why", {"verdict": [SAME_VERDICT]}),
        ("", "", {"verdict": [UNKNOWN_VERDICT], "reason": [REASON_REQUIRED]}),
    ],
)
def test_override_validation(
    patient: Patient,
    screen_patient: Callable[..., Screening],
    clinician: User,
    verdict: str,
    reason: str,
    errors: dict[str, list[str]],
) -> None:
    screening = screen_patient(patient, "defer")
    with pytest.raises(ValidationError) as exc:
        screening_override(screening=screening, verdict=verdict, reason=reason, by=clinician)
    assert exc.value.message_dict == errors
    assert not AuditEvent.objects.filter(action="screening.override").exists()


def test_override_only_once_and_only_the_current(
    patient: Patient, screen_patient: Callable[..., Screening], clinician: User
) -> None:
    first = screen_patient(patient, "defer")
    screening_override(screening=first, verdict="proceed", reason="ok", by=clinician)
    with pytest.raises(ValidationError, match=ALREADY_OVERRIDDEN):
        screening_override(screening=first, verdict="not_a_candidate", reason="x", by=clinician)
    screening_run(consultation=first.consultation, by=clinician)
    old = Screening.objects.get(pk=first.pk)
    ScreeningOverride.objects.filter(screening=old).delete()  # simulate an old, un-overridden one
    with pytest.raises(ValidationError, match=NOT_CURRENT):
        screening_override(screening=old, verdict="proceed", reason="x", by=clinician)


# ---------------------------------------------------------------- selectors, timeline


def test_due_for_rescreen_uses_each_patients_latest_effective_verdict(
    make_patient: Callable[..., Patient],
    screen_patient: Callable[..., Screening],
    clinician: User,
    front_desk: User,
) -> None:
    due = screen_patient(make_patient(), "defer")
    later = timezone.localdate() + timedelta(days=400)
    overridden = screen_patient(make_patient(), "defer")
    screening_override(screening=overridden, verdict="proceed", reason="ok", by=clinician)
    rescreened = screen_patient(make_patient(), "defer")
    screen_patient(rescreened.patient, "proceed")  # a newer consultation supersedes it
    archived = screen_patient(make_patient(), "defer")
    patient_archive(by=clinician, patient=archived.patient, reason="moved away")
    assert due.rescreen_on is not None
    today = max(due.rescreen_on, later)
    found = list(screenings_due_for_rescreen(user=clinician, today=today))
    assert found == [due]
    assert list(screenings_due_for_rescreen(user=clinician, today=timezone.localdate())) == []
    with pytest.raises(PermissionDenied):
        screenings_due_for_rescreen(user=front_desk, today=today)


def test_timeline_shows_consultations_screenings_and_overrides_to_clinical_roles(
    patient: Patient,
    screen_patient: Callable[..., Screening],
    clinician: User,
    front_desk: User,
) -> None:
    screening = screen_patient(patient, "defer")
    consultation_start(patient=patient, by=clinician)
    screening_override(screening=screening, verdict="proceed", reason="ok", by=clinician)
    with CaptureQueriesContext(connection) as ctx:
        entries = timeline_for(user=clinician, patient=patient)
    kinds = [e.kind for e in entries]
    assert kinds.count("consultation") == 2
    assert "screening" in kinds and "screening_override" in kinds
    assert {e.status for e in entries if e.kind == "consultation"} == {"draft", "completed"}
    queries = len(ctx.captured_queries)
    screen_patient(patient, "refer_to_physician")
    with CaptureQueriesContext(connection) as ctx:
        timeline_for(user=clinician, patient=patient)
    assert len(ctx.captured_queries) == queries
    desk = {e.kind for e in timeline_for(user=front_desk, patient=patient)}
    assert not desk & {"consultation", "screening", "screening_override"}


def test_consultation_intake_model_raises_while_incomplete(
    patient: Patient, clinician: User
) -> None:
    import pydantic

    consultation: Consultation = consultation_start(patient=patient, by=clinician)
    with pytest.raises(pydantic.ValidationError):
        consultation.intake_model()

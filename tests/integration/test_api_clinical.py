"""Clinical endpoints (consultations, screenings, plans): roles come from the same selectors
and services as the web pages; front desk is refused everywhere."""

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consultations.models import Consultation
from needlechart.consultations.services import OTHER_PRODUCT_UNNAMED, PRODUCT_NOT_LISTED
from needlechart.patients.models import Patient
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.plans.services import APPROVE_ROLE, START_IN_PAST, plan_adjust, plan_draft
from needlechart.screenings.models import Screening, ScreeningOverride
from needlechart.screenings.services import AESTHETICIAN_LIMIT

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def answers(verdict: str = "proceed") -> dict[str, Any]:
    """The intake answers (no age/sex) of an example whose screening today gives `verdict`."""
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "01-proceed-rolling-scars.yaml").read_text())
    data = {k: v for k, v in data.items() if k not in ("age", "sex")}
    if verdict == "defer":
        last = (timezone.localdate() - timedelta(days=30)).isoformat()
        data["medications"]["isotretinoin"] = {"status": "past", "last_date": last}
    elif verdict == "refer_to_physician":
        data["medications"]["anticoagulants"] = "yes"
    # YAML reads dates as date objects; a client sends strings.
    as_json: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return as_json


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def consult(client: Client, patient: Patient, verdict: str = "proceed", **extra: Any) -> Any:
    return post(
        client, f"/api/v1/patients/{patient.pk}/consultations", {"intake": answers(verdict)} | extra
    )


@pytest.fixture
def screened(clinician_client: Client, patient: Patient) -> Callable[[str], Screening]:
    def make(verdict: str) -> Screening:
        response = consult(clinician_client, patient, verdict)
        assert response.status_code == 201, response.content
        return Screening.objects.get(pk=response.json()["screening"]["id"])

    return make


# ---------------------------------------------------------------- consultations


def test_consultation_is_completed_and_screened(
    aesthetician_client: Client, aesthetician: User, patient: Patient
) -> None:
    response = consult(aesthetician_client, patient, "defer", notes="first visit")
    assert response.status_code == 201, response.content
    data = response.json()
    consultation = Consultation.objects.get(pk=data["id"])
    assert consultation.status == "completed" and consultation.notes == "first visit"
    # age and sex come from the patient record
    assert consultation.intake["age"] == patient.age_on(consultation.consulted_on)
    screening = data["screening"]
    assert screening["verdict"] == screening["effective_verdict"] == "defer"
    assert screening["treatable"] is False and screening["is_current"] is True
    assert screening["override"] is None
    assert screening["result"]["findings"]
    assert screening["created_by"] == {"id": aesthetician.pk, "name": "Test Aesthetician"}
    actions = set(AuditEvent.objects.filter(patient_id=patient.pk).values_list("action", flat=True))
    assert {"consultation.create", "consultation.complete", "screening.run"} <= actions


def test_consultation_front_desk_refused(front_desk_client: Client, patient: Patient) -> None:
    response = consult(front_desk_client, patient)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"age": 30}, "intake.age"),
        ({"sex": "female"}, "intake.sex"),
        ({"zones": []}, "intake.zones"),
        ({"pregnant": "maybe"}, "intake.pregnant"),
        ({"unknown_answer": 1}, "intake.unknown_answer"),
        (
            {"medications": {"isotretinoin": {"status": "past", "last_date": "9999-12-31"}}},
            "intake.medications.isotretinoin.last_date",
        ),
        ({"medications": {"other": ["aspirin\x00"]}}, "intake.medications.other[0]"),
    ],
)
def test_consultation_bad_intake_is_422_and_saves_nothing(
    clinician_client: Client, patient: Patient, change: dict[str, Any], field: str
) -> None:
    body = {"intake": answers() | change}
    response = post(clinician_client, f"/api/v1/patients/{patient.pk}/consultations", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert not Consultation.objects.exists()


def test_consultation_future_date_is_400_and_saves_nothing(
    clinician_client: Client, patient: Patient
) -> None:
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = consult(clinician_client, patient, consulted_on=future)
    assert response.status_code == 400
    assert "consulted_on" in response.json()["error"]["fields"]
    assert not Consultation.objects.exists()


def test_consultation_missing_intake_and_missing_patient(
    clinician_client: Client, patient: Patient
) -> None:
    response = post(clinician_client, f"/api/v1/patients/{patient.pk}/consultations", {})
    assert response.status_code == 422
    assert "intake" in response.json()["error"]["fields"]
    missing = post(clinician_client, "/api/v1/patients/999999/consultations", {"intake": answers()})
    assert missing.status_code == 404


def test_consultation_with_new_answers_is_screened(
    clinician_client: Client, patient: Patient
) -> None:
    body = answers()
    body["device"] = "rf_microneedling"
    body["history"]["implanted_electronic_device"] = "yes"
    body["products_to_apply"] = ["kit_hyaluronic_gel", "other"]
    body["other_products"] = ["Vitamin C serum"]
    response = post(
        clinician_client, f"/api/v1/patients/{patient.pk}/consultations", {"intake": body}
    )
    assert response.status_code == 201, response.content
    result = response.json()["screening"]["result"]
    assert result["verdict"] == "refer_to_physician"
    findings = {f["code"]: f for f in result["findings"]}
    assert findings["rf_implanted_electronic_device"]["evidence"] == "unsourced"
    assert "Vitamin C serum" in findings["unlisted_product_to_apply"]["fact"]
    stored = Consultation.objects.get().intake
    assert stored["other_products"] == ["Vitamin C serum"]


def test_consultation_without_products_asks_which(
    clinician_client: Client, patient: Patient
) -> None:
    body = answers()
    del body["products_to_apply"]
    response = post(
        clinician_client, f"/api/v1/patients/{patient.pk}/consultations", {"intake": body}
    )
    assert response.status_code == 201, response.content
    result = response.json()["screening"]["result"]
    assert result["verdict"] == "proceed_with_precautions"
    assert [q["code"] for q in result["questions"]] == ["unlisted_product_to_apply"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"products_to_apply": ["vitamin_c_serum"]},
            "intake.products_to_apply",
            PRODUCT_NOT_LISTED.format(codes="vitamin_c_serum", listed="kit_hyaluronic_gel"),
        ),
        ({"products_to_apply": ["other"]}, "intake.other_products", OTHER_PRODUCT_UNNAMED),
        (
            {"products_to_apply": ["Vitamin C"]},
            "intake.products_to_apply[0]",
            "String should match pattern '^[a-z][a-z0-9_]*$'",
        ),
        (
            {"products_to_apply": "kit_hyaluronic_gel"},
            "intake.products_to_apply",
            "Input should be a valid tuple",
        ),
        (
            {"other_products": ["Serum"]},
            "intake",
            "other_products: named products need 'other' in products_to_apply",
        ),
        (
            {"products_to_apply": ["other"], "other_products": ["x" * 201]},
            "intake.other_products[0]",
            "String should have at most 200 characters",
        ),
        (
            {"products_to_apply": ["other"], "other_products": ["serum\x00"]},
            "intake.other_products[0]",
            "Text may not contain NUL characters.",
        ),
        (
            {"history": {"implanted_electronic_device": "maybe"}},
            "intake.history.implanted_electronic_device",
            "Input should be 'yes', 'no' or 'unknown'",
        ),
    ],
)
def test_consultation_bad_products_or_implant_answers_are_422(
    clinician_client: Client, patient: Patient, change: dict[str, Any], field: str, message: str
) -> None:
    response = post(
        clinician_client,
        f"/api/v1/patients/{patient.pk}/consultations",
        {"intake": answers() | change},
    )
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert message in error["fields"][field], error
    assert not Consultation.objects.exists()


# ---------------------------------------------------------------- screenings


def test_screening_detail_is_audited(
    aesthetician_client: Client, screened: Callable[[str], Screening]
) -> None:
    screening = screened("proceed")
    response = aesthetician_client.get(f"/api/v1/screenings/{screening.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == screening.pk
    assert data["protocol"]["hash"] == screening.protocol_hash
    assert AuditEvent.objects.filter(action="screening.view", object_id=str(screening.pk)).exists()


def test_screening_front_desk_refused(
    front_desk_client: Client, screened: Callable[[str], Screening]
) -> None:
    screening = screened("proceed")
    response = front_desk_client.get(f"/api/v1/screenings/{screening.pk}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("screening_id", ["999999", str(10**30), "0"])
def test_screening_missing_is_404(clinician_client: Client, screening_id: str) -> None:
    response = clinician_client.get(f"/api/v1/screenings/{screening_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_override_by_clinician_keeps_engine_verdict(
    clinician_client: Client, screened: Callable[[str], Screening]
) -> None:
    screening = screened("refer_to_physician")
    body = {"verdict": "proceed_with_precautions", "reason": "Haematologist cleared treatment."}
    response = post(clinician_client, f"/api/v1/screenings/{screening.pk}/override", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["verdict"] == "refer_to_physician"
    assert data["effective_verdict"] == "proceed_with_precautions"
    assert data["treatable"] is True
    assert data["override"]["reason"] == body["reason"]
    assert data["override"]["by"]["name"] == "Dr Test Clinician"
    assert AuditEvent.objects.filter(action="screening.override").count() == 1


def test_override_limits_for_aesthetician_and_front_desk(
    aesthetician_client: Client, front_desk_client: Client, screened: Callable[[str], Screening]
) -> None:
    screening = screened("refer_to_physician")
    body = {"verdict": "proceed", "reason": "I think it is fine."}
    refused = post(aesthetician_client, f"/api/v1/screenings/{screening.pk}/override", body)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == AESTHETICIAN_LIMIT
    desk = post(front_desk_client, f"/api/v1/screenings/{screening.pk}/override", body)
    assert desk.status_code == 403
    assert not ScreeningOverride.objects.exists()


def test_aesthetician_may_override_a_deferral(
    aesthetician_client: Client, screened: Callable[[str], Screening]
) -> None:
    screening = screened("defer")
    body = {"verdict": "proceed_with_precautions", "reason": "Dermatologist letter on file."}
    response = post(aesthetician_client, f"/api/v1/screenings/{screening.pk}/override", body)
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"verdict": "sure", "reason": "x"}, 422, "verdict"),
        ({"verdict": "proceed", "reason": ""}, 422, "reason"),
        ({"verdict": "proceed"}, 422, "reason"),
        ({"verdict": "proceed", "reason": "x" * 5001}, 422, "reason"),
        ({"verdict": "proceed", "reason": "a\x00b"}, 422, "reason"),
        ({"verdict": "proceed", "reason": "ok", "by": 1}, 422, "by"),
        ({"verdict": "proceed", "reason": "   "}, 400, "reason"),
        ({"verdict": "refer_to_physician", "reason": "same"}, 400, "verdict"),
    ],
)
def test_override_bad_input(
    clinician_client: Client,
    screened: Callable[[str], Screening],
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    screening = screened("refer_to_physician")
    response = post(clinician_client, f"/api/v1/screenings/{screening.pk}/override", body)
    assert response.status_code == status, response.content
    assert field in response.json()["error"]["fields"]
    assert not ScreeningOverride.objects.exists()


def test_second_override_is_400(
    clinician_client: Client, screened: Callable[[str], Screening]
) -> None:
    screening = screened("defer")
    url = f"/api/v1/screenings/{screening.pk}/override"
    assert post(clinician_client, url, {"verdict": "proceed", "reason": "a"}).status_code == 201
    again = post(clinician_client, url, {"verdict": "not_a_candidate", "reason": "b"})
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid"


# ---------------------------------------------------------------- plans


@pytest.fixture
def draft(screened: Callable[[str], Screening], clinician: User) -> TreatmentPlan:
    return plan_draft(screening=screened("proceed"), by=clinician)


def test_plan_detail(aesthetician_client: Client, draft: TreatmentPlan) -> None:
    response = aesthetician_client.get(f"/api/v1/plans/{draft.pk}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "draft"
    assert data["recommendation"]["sessions"]["unit"]
    assert data["protocol"]["hash"] == draft.protocol_hash
    assert AuditEvent.objects.filter(action="plan.view", object_id=str(draft.pk)).exists()


def test_plan_front_desk_refused(front_desk_client: Client, draft: TreatmentPlan) -> None:
    assert front_desk_client.get(f"/api/v1/plans/{draft.pk}").status_code == 403
    assert front_desk_client.post(f"/api/v1/plans/{draft.pk}/approve").status_code == 403


def test_plan_approve_needs_values_then_clinician(
    clinician_client: Client,
    aesthetician_client: Client,
    clinician: User,
    draft: TreatmentPlan,
) -> None:
    url = f"/api/v1/plans/{draft.pk}/approve"
    incomplete = clinician_client.post(url)
    assert incomplete.status_code == 400
    assert "start_date" in incomplete.json()["error"]["fields"]

    plan_adjust(
        plan=draft,
        by=clinician,
        sessions_planned=draft.sessions_planned,
        interval_weeks=draft.interval_weeks,
        start_date=timezone.localdate() + timedelta(days=14),
        depths=draft.depths,
    )
    refused = aesthetician_client.post(url)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == APPROVE_ROLE
    assert AuditEvent.objects.filter(action="plan.approve_refused").exists()

    approved = clinician_client.post(url)
    assert approved.status_code == 200, approved.content
    data = approved.json()
    assert data["status"] == PlanStatus.APPROVED
    assert data["approved_by"]["id"] == clinician.pk
    again = clinician_client.post(url)
    assert again.status_code == 400


@pytest.mark.parametrize("plan_id", ["999999", str(10**30)])
def test_plan_missing_is_404(clinician_client: Client, plan_id: str) -> None:
    assert clinician_client.get(f"/api/v1/plans/{plan_id}").status_code == 404
    assert clinician_client.post(f"/api/v1/plans/{plan_id}/approve").status_code == 404


def test_plan_api_refuses_a_start_date_in_the_past(
    clinician_client: Client, draft: TreatmentPlan
) -> None:
    today = timezone.localdate()
    body = {
        "sessions_planned": draft.sessions_planned,
        "interval_weeks": draft.interval_weeks,
        "start_date": (today - timedelta(days=1)).isoformat(),
        "depths": draft.depths,
    }
    response = clinician_client.put(
        f"/api/v1/plans/{draft.pk}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    assert fields["start_date"] == [START_IN_PAST.format(today=today.isoformat())]
    body["start_date"] = today.isoformat()
    ok = clinician_client.put(
        f"/api/v1/plans/{draft.pk}", json.dumps(body), content_type="application/json"
    )
    assert ok.status_code == 200, ok.content

"""Consent services: the text and its hash, sign order, clinician-only countersign, frozen
after signing, withdrawal keeps the record, validity when the plan changes."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consents.document import consent_text, render_consent_html
from needlechart.consents.models import Consent, ConsentStatus
from needlechart.consents.selectors import consent_status_for, consent_valid_for
from needlechart.consents.services import (
    ALREADY_OPEN,
    ALREADY_VALID,
    ALREADY_WITHDRAWN,
    FROZEN,
    NAME_REQUIRED,
    PATIENT_FIRST,
    PLAN_NOT_APPROVED,
    REASON_REQUIRED,
    consent_countersign,
    consent_create,
    consent_sign_patient,
    consent_withdraw,
)
from needlechart.consents.signature import BLANK, EMPTY
from needlechart.patients.models import Patient
from needlechart.patients.timeline import timeline_for
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.plans.services import plan_draft
from needlechart.protocol import default_protocol
from needlechart.protocol.charting import consent_risks
from needlechart.protocol.vocabulary import Device
from tests.factories.consents import (
    approve_plan,
    data_url,
    png_bytes,
    signature_url,
    signed_consent,
    signed_consent_row,
)
from tests.factories.plans import NECK, screen_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(clinician: User, patient: Patient) -> TreatmentPlan:
    return approve_plan(patient=patient, by=clinician)


def _sign_patient(consent: Consent, by: User, **changes: object) -> Consent:
    data: dict[str, object] = {
        "full_name": "Olivia Bennett",
        "signature": signature_url(),
        "photo_clinical": True,
        "photo_marketing": False,
    }
    data.update(changes)
    return consent_sign_patient(consent=consent, by=by, **data)  # type: ignore[arg-type]


def _actions(consent: Consent) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(consent.pk), object_type="consents.consent")
        .order_by("id")
        .values_list("action", flat=True)
    )


# ---------------------------------------------------------------- the document


@override_settings(CLINIC_NAME="Test Skin Clinic")
def test_create_stores_text_and_its_hash(
    aesthetician: User, plan: TreatmentPlan, patient: Patient
) -> None:
    consent = consent_create(plan=plan, by=aesthetician)
    assert consent.status == ConsentStatus.DRAFT
    assert consent.text_hash == hashlib.sha256(consent.text.encode("utf-8")).hexdigest()
    assert consent.text == consent_text(plan=plan, patient=patient)
    assert consent.device == plan.device == "automated_pen"
    assert consent.zones == sorted(plan.depths) == ["cheeks", "forehead"]
    text = consent.text
    protocol = default_protocol().document.consent
    for expected in (
        "Test Skin Clinic",
        "Olivia Bennett",
        "14 March 1996",
        "Automated pen",
        "cheeks, forehead",
        f"{plan.sessions_planned}, about {plan.interval_weeks} weeks apart",
        " ".join(protocol.procedure.text.split()),
        " ".join(protocol.photo_consent.split()),
        "Photographs may be kept in my clinical record.",
        "Photographs may be used, without my name, for teaching or marketing.",
    ):
        assert expected in text, expected
    for item in [*protocol.expected_effects, *protocol.alternatives]:
        assert item.title in text and item.text in text
    assert AuditEvent.objects.filter(action="consent.create", object_id=str(consent.pk)).exists()


def test_risks_are_device_specific(clinician: User, make_patient: object) -> None:
    pen = approve_plan(patient=make_patient(), by=clinician)  # type: ignore[operator]
    rf = approve_plan(
        patient=make_patient(),  # type: ignore[operator]
        by=clinician,
        example="14-rf-microneedling-deep-boxcar.yaml",
    )
    rf_only = [r for r in consent_risks(Device.RF) if r.applies_to_devices == [Device.RF]]
    assert rf_only, "the protocol has an RF-only risk"
    pen_text = consent_create(plan=pen, by=clinician).text
    rf_text = consent_create(plan=rf, by=clinician).text
    for risk in rf_only:
        assert risk.text not in pen_text
        assert risk.text in rf_text
    for risk in consent_risks(Device.PEN):
        assert risk.text in pen_text
    assert "RF microneedling" in rf_text


def test_html_rendering_escapes_and_structures(plan: TreatmentPlan, patient: Patient) -> None:
    html = str(render_consent_html(consent_text(plan=plan, patient=patient)))
    assert "<h1>Consent to microneedling for acne scars</h1>" in html
    assert "<h2>Risks</h2>" in html and "<ul>" in html and "<strong>Infection:</strong>" in html
    assert "<dt>Patient</dt><dd>Olivia Bennett</dd>" in html
    hostile = render_consent_html("# <script>x</script>\n\n- A: <b>b</b>\n")
    assert "<script>" not in hostile and "&lt;b&gt;" in hostile


def test_only_an_approved_plan(clinician: User, plan: TreatmentPlan) -> None:
    draft = plan_draft(screening=plan.screening, by=clinician)
    with pytest.raises(ValidationError) as exc:
        consent_create(plan=draft, by=clinician)
    assert PLAN_NOT_APPROVED in exc.value.messages


def test_front_desk_cannot_create(front_desk: User, plan: TreatmentPlan) -> None:
    with pytest.raises(PermissionDenied):
        consent_create(plan=plan, by=front_desk)


def test_one_open_consent_per_plan(clinician: User, plan: TreatmentPlan) -> None:
    consent_create(plan=plan, by=clinician)
    with pytest.raises(ValidationError) as exc:
        consent_create(plan=plan, by=clinician)
    assert ALREADY_OPEN in exc.value.messages


# ---------------------------------------------------------------- signing


def test_sign_order_and_aesthetician_witness(
    clinician: User, aesthetician: User, plan: TreatmentPlan
) -> None:
    consent = consent_create(plan=plan, by=aesthetician)
    with pytest.raises(ValidationError) as exc:
        consent_countersign(consent=consent, by=clinician, signature=signature_url())
    assert PATIENT_FIRST in exc.value.messages

    _sign_patient(consent, aesthetician, photo_clinical=False, photo_marketing=True)
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.DRAFT and consent.awaiting_countersign
    assert consent.patient_name_signed == "Olivia Bennett"
    assert consent.patient_witnessed_by == aesthetician
    assert (consent.photo_clinical, consent.photo_marketing) == (False, True)
    assert consent.patient_signature.startswith("data:image/png;base64,")
    assert consent_valid_for(plan=plan) is None  # not yet countersigned

    with pytest.raises(PermissionDenied):
        consent_countersign(consent=consent, by=aesthetician, signature=signature_url())
    consent_countersign(consent=consent, by=clinician, signature=signature_url())
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.SIGNED
    assert consent.clinician == clinician and consent.clinician_signed_at is not None
    assert consent.clinician_signed_at >= consent.patient_signed_at  # type: ignore[operator]
    assert consent_valid_for(plan=plan) == consent
    assert _actions(consent) == ["consent.create", "consent.sign_patient", "consent.countersign"]


def test_patient_cannot_sign_twice(clinician: User, plan: TreatmentPlan) -> None:
    consent = consent_create(plan=plan, by=clinician)
    _sign_patient(consent, clinician)
    with pytest.raises(ValidationError):
        _sign_patient(consent, clinician, full_name="Someone Else")
    consent.refresh_from_db()
    assert consent.patient_name_signed == "Olivia Bennett"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"full_name": "   "}, "full_name", NAME_REQUIRED),
        ({"signature": ""}, "signature", EMPTY),
        ({"signature": data_url(png_bytes(blank=True))}, "signature", BLANK),
        ({"signature": "data:image/jpeg;base64,AAAA"}, "signature", None),
    ],
)
def test_patient_signature_errors_name_the_field(
    clinician: User,
    plan: TreatmentPlan,
    changes: dict[str, object],
    field: str,
    message: str | None,
) -> None:
    consent = consent_create(plan=plan, by=clinician)
    with pytest.raises(ValidationError) as exc:
        _sign_patient(consent, clinician, **changes)
    assert field in exc.value.message_dict
    if message:
        assert exc.value.message_dict[field] == [message]
    consent.refresh_from_db()
    assert consent.patient_signed_at is None


def test_frozen_after_signing(clinician: User, aesthetician: User, plan: TreatmentPlan) -> None:
    consent = signed_consent(plan=plan, witness=aesthetician, clinician=clinician)
    before = Consent.objects.values().get(pk=consent.pk)
    with pytest.raises(ValidationError) as exc:
        _sign_patient(consent, clinician, full_name="Changed Name")
    assert FROZEN in exc.value.messages
    with pytest.raises(ValidationError) as exc:
        consent_countersign(consent=consent, by=clinician, signature=signature_url(200, 60))
    assert FROZEN in exc.value.messages
    assert Consent.objects.values().get(pk=consent.pk) == before


def test_countersign_bad_signature(clinician: User, plan: TreatmentPlan) -> None:
    consent = consent_create(plan=plan, by=clinician)
    _sign_patient(consent, clinician)
    with pytest.raises(ValidationError) as exc:
        consent_countersign(consent=consent, by=clinician, signature="not a drawing")
    assert "signature" in exc.value.message_dict
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.DRAFT


# ---------------------------------------------------------------- withdrawal


def test_withdraw_keeps_the_record(
    clinician: User, aesthetician: User, plan: TreatmentPlan, patient: Patient
) -> None:
    consent = signed_consent(plan=plan, witness=aesthetician, clinician=clinician)
    text, signature = consent.text, consent.patient_signature
    with pytest.raises(ValidationError) as exc:
        consent_withdraw(consent=consent, by=aesthetician, reason="  ")
    assert exc.value.message_dict == {"reason": [REASON_REQUIRED]}
    consent_withdraw(consent=consent, by=aesthetician, reason="Changed her mind.")
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN and consent.is_withdrawn
    assert consent.withdrawn_at is not None and consent.withdrawn_reason == "Changed her mind."
    assert consent.withdrawn_by == aesthetician
    assert (consent.text, consent.patient_signature) == (text, signature)
    assert consent.clinician_signed_at is not None
    assert Consent.objects.filter(pk=consent.pk).exists()
    assert consent_valid_for(plan=plan) is None
    status = consent_status_for(plan=plan)
    assert status.state == "withdrawn" and status.can_create
    with pytest.raises(ValidationError) as exc:
        consent_withdraw(consent=consent, by=clinician, reason="again")
    assert ALREADY_WITHDRAWN in exc.value.messages
    assert "consent.withdraw" in _actions(consent)
    # A new consent can then be taken for the same plan.
    assert consent_create(plan=plan, by=clinician).status == ConsentStatus.DRAFT


def test_timeline_entries(
    clinician: User, aesthetician: User, plan: TreatmentPlan, patient: Patient, front_desk: User
) -> None:
    consent = signed_consent(plan=plan, witness=aesthetician, clinician=clinician)
    consent_withdraw(consent=consent, by=clinician, reason="Moving abroad.")
    titles = [e.title for e in timeline_for(user=clinician, patient=patient)]
    assert "Consent signed" in titles and "Consent withdrawn" in titles
    desk = [e.title for e in timeline_for(user=front_desk, patient=patient)]
    assert "Consent signed" not in desk


# ---------------------------------------------------------------- validity


def test_validity_follows_device_and_zones(
    clinician: User, aesthetician: User, plan: TreatmentPlan, patient: Patient
) -> None:
    consent = signed_consent(plan=plan, witness=aesthetician, clinician=clinician)
    assert consent_valid_for(plan=plan) == consent
    assert consent_status_for(plan=plan).state == "valid"
    with pytest.raises(ValidationError) as exc:
        consent_create(plan=plan, by=clinician)
    assert ALREADY_VALID in exc.value.messages

    # A new plan with the same device and zones: the consent still covers it.
    same = approve_plan(patient=patient, by=clinician)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    assert (same.device, sorted(same.depths)) == (plan.device, sorted(plan.depths))
    assert consent_valid_for(plan=same) == consent

    # Different zones (the neck added): new consent needed.
    neck = approve_plan(patient=patient, by=clinician, example=NECK)
    assert "neck" in neck.depths
    assert consent_valid_for(plan=neck) is None
    status = consent_status_for(plan=neck)
    assert status.state == "new_needed" and status.previous == consent and status.can_create

    # Different device: new consent needed.
    rf = approve_plan(patient=patient, by=clinician, example="14-rf-microneedling-deep-boxcar.yaml")
    assert rf.device != consent.device
    assert consent_valid_for(plan=rf) is None
    new = signed_consent(plan=rf, witness=clinician, clinician=clinician)
    assert consent_valid_for(plan=rf) == new
    assert consent_valid_for(plan=same) == consent  # the old consent keeps its own scope


def test_status_states(clinician: User, patient: Patient, plan: TreatmentPlan) -> None:
    assert consent_status_for(plan=plan).state == "none"
    consent = consent_create(plan=plan, by=clinician)
    status = consent_status_for(plan=plan)
    assert (status.state, status.consent) == ("awaiting_patient", consent)
    _sign_patient(consent, clinician)
    assert consent_status_for(plan=plan).state == "awaiting_countersign"
    draft = plan_draft(screening=screen_patient(patient=patient, by=clinician), by=clinician)
    assert consent_status_for(plan=draft).state == "not_approved"


def test_declined_before_signing_can_be_withdrawn(clinician: User, plan: TreatmentPlan) -> None:
    consent = consent_create(plan=plan, by=clinician)
    consent_withdraw(consent=consent, by=clinician, reason="Wants to think about it.")
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN and consent.patient_signed_at is None
    with pytest.raises(ValidationError):
        _sign_patient(consent, clinician)
    assert consent_status_for(plan=plan).state == "none"


def test_withdrawing_the_latest_consent_ends_an_older_one_too(
    clinician: User, aesthetician: User, plan: TreatmentPlan
) -> None:
    """The patient's latest word stands: an older consent for the same device and zones does
    not come back into force when the newer one is withdrawn."""
    older = signed_consent_row(plan=plan, by=clinician)
    newer = signed_consent_row(plan=plan, by=clinician)
    assert newer.clinician_signed_at is not None
    Consent.objects.filter(pk=older.pk).update(
        clinician_signed_at=newer.clinician_signed_at - timedelta(days=30)
    )
    assert consent_valid_for(plan=plan) is not None
    consent_withdraw(consent=newer, by=aesthetician, reason="Does not want treatment now.")
    assert consent_valid_for(plan=plan) is None

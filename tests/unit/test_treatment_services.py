"""Session services: consent gate, day-of re-screen, record validation (lot, expiry, depth
reasons, glide warning), sign locks, amendments keep the original, countersign rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consents.models import Consent, ConsentStatus
from needlechart.patients.models import Patient
from needlechart.patients.timeline import timeline_for
from needlechart.plans.models import TreatmentPlan
from needlechart.protocol import default_protocol, within_protocol
from needlechart.protocol.aftercare import aftercare_timeline
from needlechart.treatments.models import SessionRecord, SessionStatus
from needlechart.treatments.services import (
    AMEND_REASON_REQUIRED,
    NO_CONSENT,
    NOT_DRAFT,
    PLAN_NOT_APPROVED,
    PROCEED_REASON_REQUIRED,
    rescreen_evaluate,
    session_amend,
    session_countersign,
    session_sign,
    session_start,
    session_update,
    zone_ranges,
)
from tests.factories.treatments import (
    LOT,
    all_no,
    approved_plan,
    charted_session,
    consented_plan,
    record_values,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(clinician: User, patient: Patient) -> TreatmentPlan:
    return consented_plan(patient=patient, by=clinician)


def _zone_with_range(plan: TreatmentPlan) -> tuple[str, float, float]:
    for zone, rng in zone_ranges(plan).items():
        if rng.known and rng.low is not None and rng.high is not None:
            return zone, rng.low, rng.high
    pytest.skip("the example plan has no zone with a sourced depth range")


# ---------------------------------------------------------------- consent gate


def test_no_consent_refuses(clinician: User, patient: Patient) -> None:
    plan = approved_plan(patient=patient, by=clinician)
    with pytest.raises(ValidationError) as exc:
        session_start(plan=plan, by=clinician, answers=all_no())
    assert NO_CONSENT in exc.value.messages
    assert not SessionRecord.objects.exists()


def test_withdrawn_consent_refuses(clinician: User, plan: TreatmentPlan) -> None:
    Consent.objects.filter(plan=plan).update(
        status=ConsentStatus.WITHDRAWN, withdrawn_at=timezone.now()
    )
    with pytest.raises(ValidationError):
        session_start(plan=plan, by=clinician, answers=all_no())


def test_draft_plan_refuses(clinician: User, plan: TreatmentPlan) -> None:
    TreatmentPlan.objects.filter(pk=plan.pk).update(status=TreatmentPlan.Status.SUPERSEDED)
    plan.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        session_start(plan=plan, by=clinician, answers=all_no())
    assert PLAN_NOT_APPROVED in exc.value.messages


def test_front_desk_cannot_start(front_desk: User, plan: TreatmentPlan) -> None:
    with pytest.raises(PermissionDenied):
        session_start(plan=plan, by=front_desk, answers=all_no())


def test_start_prefills_from_plan_and_audits(clinician: User, plan: TreatmentPlan) -> None:
    record = session_start(plan=plan, by=clinician, answers=all_no())
    assert record.status == SessionStatus.DRAFT
    assert record.device == plan.device
    assert record.depths == plan.depths
    assert record.session_number == 1
    assert record.consent.plan_id == plan.pk
    assert record.rescreen_verdict in ("proceed", "proceed_with_precautions")
    assert record.rescreen["answers"] == all_no()
    assert AuditEvent.objects.filter(action="session.start", object_id=str(record.pk)).exists()
    second = session_start(plan=plan, by=clinician, answers=all_no())
    assert second.session_number == 2


# ---------------------------------------------------------------- day-of re-screen


def test_cold_sore_today_defers_and_blocks(
    clinician: User, aesthetician: User, plan: TreatmentPlan
) -> None:
    answers = all_no() | {"cold_sore": True}
    result = rescreen_evaluate(plan=plan, answers=answers, today=timezone.localdate())
    assert result.verdict == "defer"
    assert not result.treatable
    assert any(f["code"] for f in result.data["screening"]["findings"])
    with pytest.raises(ValidationError):
        session_start(plan=plan, by=aesthetician, answers=answers)
    with pytest.raises(ValidationError) as exc:
        session_start(plan=plan, by=clinician, answers=answers)
    assert PROCEED_REASON_REQUIRED in exc.value.messages
    assert not SessionRecord.objects.exists()


def test_clinician_may_proceed_with_reason(clinician: User, plan: TreatmentPlan) -> None:
    answers = all_no() | {"cold_sore": True}
    record = session_start(
        plan=plan, by=clinician, answers=answers, proceed_reason="  Lesion far from the zone "
    )
    assert record.rescreen_verdict == "defer"
    assert record.rescreen["proceed_reason"] == "Lesion far from the zone"


@pytest.mark.parametrize(
    ("example", "code", "verdict", "rule"),
    [
        (
            "14-rf-microneedling-deep-boxcar.yaml",
            "implanted_device",
            "refer_to_physician",
            "rf_implanted_electronic_device",
        ),
        (
            "14-rf-microneedling-deep-boxcar.yaml",
            "metal_implants",
            "refer_to_physician",
            "rf_metal_implants_in_area",
        ),
        (
            "01-proceed-rolling-scars.yaml",
            "implanted_device",
            "proceed_with_precautions",
            "implanted_electronic_device",
        ),
        (
            "01-proceed-rolling-scars.yaml",
            "product_reaction",
            "refer_to_physician",
            "previous_microneedling_reaction",
        ),
        (
            "01-proceed-rolling-scars.yaml",
            "unlisted_product",
            "proceed_with_precautions",
            "unlisted_product_to_apply",
        ),
    ],
)
def test_day_of_yes_to_a_new_question_is_screened_again(
    clinician: User, patient: Patient, example: str, code: str, verdict: str, rule: str
) -> None:
    plan = approved_plan(patient=patient, by=clinician, example=example)
    result = rescreen_evaluate(
        plan=plan, answers=all_no() | {code: True}, today=timezone.localdate()
    )
    assert result.verdict == verdict
    assert rule in {f["code"] for f in result.data["screening"]["findings"]}
    assert result.data["needs_review"] == []


def test_a_day_of_no_answers_what_an_older_consultation_never_asked(
    clinician: User, patient: Patient
) -> None:
    plan = approved_plan(
        patient=patient, by=clinician, example="14-rf-microneedling-deep-boxcar.yaml"
    )
    consultation = plan.screening.consultation
    for name in ("implanted_electronic_device", "metal_implants_in_area"):
        del consultation.intake["history"][name]  # recorded before the question existed
    consultation.save(update_fields=["intake"])
    plan.refresh_from_db()
    today = timezone.localdate()
    result = rescreen_evaluate(plan=plan, answers=all_no(), today=today)
    assert result.verdict == "proceed_with_precautions"
    assert not result.data["screening"]["questions"]
    # A "yes" on the day still refers, as it would at the consultation.
    refer = rescreen_evaluate(plan=plan, answers=all_no() | {"implanted_device": True}, today=today)
    assert refer.verdict == "refer_to_physician"


def test_items_without_intake_fact_need_review(clinician: User, plan: TreatmentPlan) -> None:
    answers = all_no() | {"new_medication": True}
    result = rescreen_evaluate(plan=plan, answers=answers, today=timezone.localdate())
    assert result.data["needs_review"] == ["new_medication"]


def test_unanswered_checklist_is_an_error(clinician: User, plan: TreatmentPlan) -> None:
    with pytest.raises(ValidationError) as exc:
        rescreen_evaluate(plan=plan, answers={}, today=timezone.localdate())
    assert "cold_sore" in exc.value.message_dict


# ---------------------------------------------------------------- the record


def test_valid_record_saves(clinician: User, plan: TreatmentPlan) -> None:
    record = charted_session(plan=plan, by=clinician, cartridge_lot="  LOT-9  ")
    assert record.cartridge_lot == "LOT-9"
    assert record.glide_warning is False
    assert AuditEvent.objects.filter(action="session.update").exists()


def test_lot_required_and_max_length(clinician: User, plan: TreatmentPlan) -> None:
    record = session_start(plan=plan, by=clinician, answers=all_no())
    with pytest.raises(ValidationError) as exc:
        session_update(session=record, by=clinician, **record_values(record, cartridge_lot="  "))
    assert "cartridge_lot" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        session_update(
            session=record, by=clinician, **record_values(record, cartridge_lot="X" * 65)
        )
    assert "cartridge_lot" in exc.value.message_dict


def test_expired_cartridge_refused(clinician: User, plan: TreatmentPlan) -> None:
    record = session_start(plan=plan, by=clinician, answers=all_no())
    expired = record.performed_on - timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        session_update(
            session=record, by=clinician, **record_values(record, cartridge_expiry=expired)
        )
    assert "expired" in exc.value.message_dict["cartridge_expiry"][0]
    # expiring on the session day itself is still in date
    session_update(
        session=record,
        by=clinician,
        **record_values(record, cartridge_expiry=record.performed_on),
    )


def test_depth_outside_range_needs_reason(clinician: User, plan: TreatmentPlan) -> None:
    zone, _low, high = _zone_with_range(plan)
    record = session_start(plan=plan, by=clinician, answers=all_no())
    deep = round(high + 0.5, 2)
    assert within_protocol(deep, zone_ranges(plan)[zone]) is False
    depths = dict(plan.depths) | {zone: deep}
    with pytest.raises(ValidationError) as exc:
        session_update(session=record, by=clinician, **record_values(record, depths=depths))
    assert f"depth_{zone}_reason" in exc.value.message_dict
    saved = session_update(
        session=record,
        by=clinician,
        **record_values(record, depths=depths, depth_reasons={zone: "Thick scar"}),
    )
    assert saved.depths[zone] == deep
    assert saved.depth_reasons == {zone: "Thick scar"}


def test_missing_or_zero_depth_and_passes(clinician: User, plan: TreatmentPlan) -> None:
    zone = next(iter(plan.depths))
    record = session_start(plan=plan, by=clinician, answers=all_no())
    depths = dict(plan.depths) | {zone: 0}
    with pytest.raises(ValidationError) as exc:
        session_update(
            session=record, by=clinician, **record_values(record, depths=depths, passes=0)
        )
    assert f"depth_{zone}" in exc.value.message_dict
    assert "passes" in exc.value.message_dict


def test_glide_other_needs_name_and_sets_warning(clinician: User, plan: TreatmentPlan) -> None:
    record = session_start(plan=plan, by=clinician, answers=all_no())
    with pytest.raises(ValidationError) as exc:
        session_update(session=record, by=clinician, **record_values(record, glide_product="other"))
    assert "glide_product_other" in exc.value.message_dict
    saved = session_update(
        session=record,
        by=clinician,
        **record_values(record, glide_product="other", glide_product_other="Vitamin C serum"),
    )
    assert saved.glide_warning is True
    with pytest.raises(ValidationError) as exc:
        session_update(session=record, by=clinician, **record_values(record, glide_product="x"))
    assert "glide_product" in exc.value.message_dict


def test_device_must_match_consent(clinician: User, plan: TreatmentPlan) -> None:
    record = session_start(plan=plan, by=clinician, answers=all_no())
    other = "rf_microneedling" if plan.device != "rf_microneedling" else "roller"
    with pytest.raises(ValidationError) as exc:
        session_update(session=record, by=clinician, **record_values(record, device=other))
    assert "device" in exc.value.message_dict


def test_practitioner_must_be_clinical(
    clinician: User, front_desk: User, plan: TreatmentPlan
) -> None:
    record = session_start(plan=plan, by=clinician, answers=all_no())
    with pytest.raises(ValidationError) as exc:
        session_update(
            session=record, by=clinician, **record_values(record, practitioner=front_desk)
        )
    assert "practitioner" in exc.value.message_dict


# ---------------------------------------------------------------- signing and amendments


def test_sign_locks_and_stores_aftercare(clinician: User, plan: TreatmentPlan) -> None:
    record = charted_session(plan=plan, by=clinician, sign=True)
    record.refresh_from_db()
    assert record.status == SessionStatus.SIGNED
    assert record.signed_by == clinician
    assert record.countersign_required is False
    expected = aftercare_timeline(session_date=record.performed_on)
    assert record.aftercare == [d.model_dump(mode="json") for d in expected]
    with pytest.raises(ValidationError) as exc:
        session_update(session=record, by=clinician, **record_values(record))
    assert NOT_DRAFT in exc.value.messages
    with pytest.raises(ValidationError):
        session_sign(session=record, by=clinician)


def test_unfilled_draft_cannot_be_signed(clinician: User, plan: TreatmentPlan) -> None:
    record = session_start(plan=plan, by=clinician, answers=all_no())
    with pytest.raises(ValidationError) as exc:
        session_sign(session=record, by=clinician)
    assert "cartridge lot" in exc.value.messages[0]


def test_amendment_keeps_original(clinician: User, plan: TreatmentPlan) -> None:
    record = charted_session(plan=plan, by=clinician, sign=True)
    amendment = session_amend(
        session=record, by=clinician, field="cartridge_lot", new_value="LOT-B2", reason="Typo"
    )
    record.refresh_from_db()
    assert record.cartridge_lot == LOT  # the signed value is unchanged
    assert (amendment.old_value, amendment.new_value) == (LOT, "LOT-B2")
    second = session_amend(
        session=record, by=clinician, field="cartridge_lot", new_value="LOT-B3", reason="Again"
    )
    assert second.old_value == "LOT-B2"
    assert AuditEvent.objects.filter(action="session.amend").count() == 2


def test_amendment_validation(clinician: User, plan: TreatmentPlan) -> None:
    draft = session_start(plan=plan, by=clinician, answers=all_no())
    with pytest.raises(ValidationError):
        session_amend(session=draft, by=clinician, field="notes", new_value="x", reason="r")
    record = charted_session(plan=plan, by=clinician, sign=True)
    cases = [
        ({"field": "notes", "new_value": "x", "reason": " "}, "reason"),
        ({"field": "status", "new_value": "draft", "reason": "r"}, "field"),
        ({"field": "cartridge_expiry", "new_value": "soon", "reason": "r"}, "new_value"),
        ({"field": "passes", "new_value": "0", "reason": "r"}, "new_value"),
        ({"field": "cartridge_lot", "new_value": LOT, "reason": "r"}, "new_value"),
    ]
    for kwargs, key in cases:
        with pytest.raises(ValidationError) as exc:
            session_amend(session=record, by=clinician, **kwargs)
        assert key in exc.value.message_dict, kwargs
    with pytest.raises(ValidationError) as exc:
        session_amend(session=record, by=clinician, field="notes", new_value="x", reason="")
    assert AMEND_REASON_REQUIRED in exc.value.message_dict["reason"]


@override_settings(REQUIRE_COUNTERSIGN=True)
def test_countersign_required_for_aesthetician(
    clinician: User, aesthetician: User, make_user: object, plan: TreatmentPlan
) -> None:
    record = charted_session(plan=plan, by=aesthetician, sign=True)
    assert record.countersign_required and record.awaiting_countersign
    with pytest.raises(PermissionDenied):
        session_countersign(session=record, by=aesthetician)
    done = session_countersign(session=record, by=clinician)
    assert done.status == SessionStatus.COUNTERSIGNED
    assert done.countersigned_by == clinician
    with pytest.raises(ValidationError):
        session_countersign(session=record, by=clinician)


@override_settings(REQUIRE_COUNTERSIGN=True)
def test_clinician_signature_needs_no_countersign(clinician: User, plan: TreatmentPlan) -> None:
    record = charted_session(plan=plan, by=clinician, sign=True)
    assert not record.countersign_required
    with pytest.raises(ValidationError):
        session_countersign(session=record, by=clinician)


@override_settings(REQUIRE_COUNTERSIGN=False)
def test_setting_off_no_countersign(aesthetician: User, plan: TreatmentPlan) -> None:
    record = charted_session(plan=plan, by=aesthetician, sign=True)
    assert record.status == SessionStatus.SIGNED
    assert not record.awaiting_countersign


def test_timeline_entries(clinician: User, plan: TreatmentPlan) -> None:
    charted_session(plan=plan, by=clinician, sign=True)
    kinds = {e.kind for e in timeline_for(user=clinician, patient=plan.patient)}
    assert {"session", "session_signed"} <= kinds


def test_protocol_texts_are_not_in_code() -> None:
    charting = default_protocol().document.charting
    assert charting.glide_warning.text
    assert charting.passes.text


def test_a_day_of_no_to_pregnancy_answers_pregnant_and_breastfeeding(
    clinician: User, patient: Patient
) -> None:
    plan = approved_plan(patient=patient, by=clinician)
    consultation = plan.screening.consultation
    consultation.intake |= {"sex": "female", "pregnant": "unknown", "breastfeeding": "unknown"}
    consultation.save(update_fields=["intake"])
    plan.refresh_from_db()
    result = rescreen_evaluate(plan=plan, answers=all_no(), today=timezone.localdate())
    open_facts = {q["fact"] for q in result.data["screening"]["questions"]} | {
        f["fact"] for f in result.data["screening"]["findings"] if f["unanswered"]
    }
    assert not {f for f in open_facts if f.startswith(("pregnant", "breastfeeding"))}
    # A "yes" recorded at the consultation stays, whatever the day's "no".
    consultation.intake["breastfeeding"] = "yes"
    consultation.save(update_fields=["intake"])
    plan.refresh_from_db()
    kept = rescreen_evaluate(plan=plan, answers=all_no(), today=timezone.localdate())
    assert kept.verdict == "defer"
    assert "breastfeeding" in {f["code"] for f in kept.data["screening"]["findings"]}

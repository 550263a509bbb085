"""plan_draft / plan_adjust / plan_approve: recommendation stored, deviations need reasons,
approval is clinician-only with preconditions, an approved plan is frozen."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.assessments.services import assessment_record
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.plans.services import (
    CLINICIAN_SET,
    DEPTH_REQUIRED,
    NO_SOURCED_RANGE,
    NOT_CURRENT,
    NOT_DRAFT,
    OUTSIDE_RANGE,
    OVERRIDE_NOT_CLINICIAN,
    START_BEFORE_RESCREEN,
    START_DATE_REQUIRED,
    START_IN_PAST,
    plan_adjust,
    plan_approve,
    plan_draft,
    plan_intake,
)
from needlechart.protocol import default_protocol, plan
from needlechart.screenings.models import Screening
from needlechart.screenings.services import screening_override, screening_run
from tests.factories.plans import DEFER, NECK, PRECAUTIONS, example_intake, screen_patient

pytestmark = pytest.mark.django_db

START = date(2030, 3, 2)


def values(p: TreatmentPlan, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sessions_planned": p.sessions_planned,
        "interval_weeks": p.interval_weeks,
        "start_date": START,
        "depths": dict(p.depths),
        "reasons": {},
    }
    data.update(changes)
    return data


@pytest.fixture
def screening(clinician: User, patient: Patient) -> Screening:
    return screen_patient(patient=patient, by=clinician)


def test_draft_stores_recommendation_and_prefills_range_lows(
    clinician: User, screening: Screening
) -> None:
    p = plan_draft(screening=screening, by=clinician)
    rec = p.engine_plan()
    expected = plan(
        screening.consultation.intake_model(),
        today=screening.screened_on,
        screening=screening.engine_result(),
    )
    assert p.recommendation == expected.model_dump(mode="json")
    assert p.status == PlanStatus.DRAFT
    assert p.device == rec.device.value
    assert p.sessions_planned == rec.sessions.low
    assert p.interval_weeks == rec.interval_weeks.low
    assert p.depths == {d.zone.value: d.depth_mm.low for d in rec.depths}
    assert p.start_date is None
    assert p.deviations == []
    ref = default_protocol().ref
    assert (p.protocol_id, p.protocol_version, p.protocol_hash) == (ref.id, ref.version, ref.hash)
    assert AuditEvent.objects.filter(action="plan.draft", object_id=str(p.pk)).exists()


def test_unsourced_zone_stays_blank(clinician: User, patient: Patient) -> None:
    p = plan_draft(
        screening=screen_patient(patient=patient, by=clinician, example=NECK), by=clinician
    )
    assert p.depths["neck"] is None
    neck = p.engine_plan().depths[[d.zone.value for d in p.engine_plan().depths].index("neck")]
    assert not neck.depth_mm.known


def test_latest_assessment_replaces_scars_fitzpatrick_and_acne(
    clinician: User, patient: Patient, screening: Screening
) -> None:
    old = assessment_record(patient=patient, by=clinician, assessed_on=date(2020, 1, 1))
    latest = assessment_record(
        patient=patient,
        by=clinician,
        fitzpatrick="V",
        scar_counts={"cheeks": {"ice_pick": 3}},
        visible_at_social_distance="yes",
        flatten_on_stretch="no",
        iga=0,
    )
    p = plan_draft(screening=screening, by=clinician)
    assert p.assessment == latest != old
    intake = plan_intake(screening, latest)
    assert intake.fitzpatrick is not None and intake.fitzpatrick.value == "V"
    assert intake.scars.counts.ice_pick == 3
    assert intake.scars.counts.rolling == 0
    assert intake.active_acne.iga == 0
    # without an assessment the consultation's own facts stand
    assert plan_intake(screening, None) == screening.consultation.intake_model()


def test_an_assessment_that_finds_more_sends_the_patient_back_to_screening(
    clinician: User, patient: Patient, screening: Screening
) -> None:
    """GAGS recorded at assessment counts: moderate acne found there is not planned around."""
    assessment_record(
        patient=patient,
        by=clinician,
        iga=1,
        gags={
            "forehead": "pustule",
            "right_cheek": "pustule",
            "left_cheek": "pustule",
            "nose": "comedone",
        },
    )
    with pytest.raises(ValidationError, match="Re-screen"):
        plan_draft(screening=screening, by=clinician)


def test_precautions_found_at_assessment_reach_the_plan(
    clinician: User, patient: Patient, screening: Screening
) -> None:
    assessment_record(patient=patient, by=clinician, fitzpatrick="V", iga=0)
    p = plan_draft(screening=screening, by=clinician)
    codes = {advice["code"] for advice in p.recommendation["precautions"]}
    assert "strict_photoprotection" in codes


def test_not_treatable_screening_refused(clinician: User, patient: Patient) -> None:
    deferred = screen_patient(patient=patient, by=clinician, example=DEFER)
    with pytest.raises(ValidationError):
        plan_draft(screening=deferred, by=clinician)
    assert not TreatmentPlan.objects.exists()


def washout_deferral(patient: Patient, by: User) -> Screening:
    """Deferred by an isotretinoin wash-out: not a hard stop (an aesthetician may override)."""
    medications = example_intake()["medications"]
    last = timezone.localdate() - timedelta(days=30)
    medications["isotretinoin"] = {"status": "past", "last_date": last.isoformat()}
    return screen_patient(patient=patient, by=by, medications=medications)


def test_override_to_treatable_by_clinician_allows_plan(clinician: User, patient: Patient) -> None:
    deferred = washout_deferral(patient, clinician)
    screening_override(
        screening=deferred, verdict="proceed_with_precautions", reason="Reviewed", by=clinician
    )
    deferred.refresh_from_db()
    assert plan_draft(screening=deferred, by=clinician).status == PlanStatus.DRAFT


def test_override_to_treatable_by_aesthetician_needs_a_clinician(
    aesthetician: User, clinician: User, patient: Patient
) -> None:
    deferred = washout_deferral(patient, clinician)
    screening_override(
        screening=deferred, verdict="proceed_with_precautions", reason="Seen", by=aesthetician
    )
    deferred = Screening.objects.get(pk=deferred.pk)
    with pytest.raises(ValidationError) as exc:
        plan_draft(screening=deferred, by=clinician)
    assert exc.value.messages == [OVERRIDE_NOT_CLINICIAN]


def test_superseded_screening_refused(clinician: User, screening: Screening) -> None:
    screening_run(consultation=screening.consultation, by=clinician)
    with pytest.raises(ValidationError) as exc:
        plan_draft(screening=screening, by=clinician)
    assert exc.value.messages == [NOT_CURRENT]


@pytest.mark.parametrize("who", ["front_desk", "admin_user"])
def test_non_clinical_cannot_draft(
    who: str, request: pytest.FixtureRequest, screening: Screening
) -> None:
    with pytest.raises(PermissionDenied):
        plan_draft(screening=screening, by=request.getfixturevalue(who))


def test_values_within_range_have_no_deviation(clinician: User, screening: Screening) -> None:
    p = plan_draft(screening=screening, by=clinician)
    rec = p.engine_plan()
    assert rec.sessions.high is not None
    p = plan_adjust(plan=p, by=clinician, **values(p, sessions_planned=int(rec.sessions.high)))
    assert p.deviations == []
    assert p.start_date == START


def test_deviation_needs_a_reason_and_is_stored(clinician: User, screening: Screening) -> None:
    p = plan_draft(screening=screening, by=clinician)
    rec = p.engine_plan()
    assert rec.sessions.high is not None and rec.depths[0].depth_mm.high is not None
    # Below the range: above it would pass the absolute session limit (no reason can).
    assert rec.sessions.low is not None
    too_many = int(rec.sessions.low) - 1
    assert too_many >= 1
    zone = rec.depths[0].zone.value
    too_deep = rec.depths[0].depth_mm.high + 0.5
    data = values(p, sessions_planned=too_many)
    data["depths"][zone] = too_deep
    with pytest.raises(ValidationError) as exc:
        plan_adjust(plan=p, by=clinician, **data)
    assert set(exc.value.message_dict) == {"sessions_planned_reason", f"depth_{zone}_reason"}
    p.refresh_from_db()
    assert p.sessions_planned == rec.sessions.low  # nothing saved

    data["reasons"] = {"sessions_planned": "Deep boxcar scars", f"depth_{zone}": "Thick skin"}
    p = plan_adjust(plan=p, by=clinician, **data)
    by_field = {d["field"]: d for d in p.deviations}
    assert by_field["sessions_planned"] == {
        "field": "sessions_planned",
        "value": too_many,
        "recommended": f"{rec.sessions.low:g}-{rec.sessions.high:g} sessions",
        "reason": "Deep boxcar scars",
        "kind": OUTSIDE_RANGE,
    }
    assert by_field[f"depth_{zone}"]["reason"] == "Thick skin"
    assert AuditEvent.objects.filter(action="plan.adjust").count() == 1

    # back inside the range: that deviation goes away; the other still needs its reason
    data = values(p, sessions_planned=int(rec.sessions.high))
    with pytest.raises(ValidationError):
        plan_adjust(plan=p, by=clinician, **data)
    data["reasons"] = {f"depth_{zone}": "Thick skin"}
    p = plan_adjust(plan=p, by=clinician, **data)
    assert [d["field"] for d in p.deviations] == [f"depth_{zone}"]


def test_value_without_sourced_range_is_clinician_set(clinician: User, patient: Patient) -> None:
    p = plan_draft(
        screening=screen_patient(patient=patient, by=clinician, example=NECK), by=clinician
    )
    data = values(p)
    data["depths"]["neck"] = 0.5
    p = plan_adjust(plan=p, by=clinician, **data)
    (neck,) = [d for d in p.deviations if d["field"] == "depth_neck"]
    assert neck["kind"] == NO_SOURCED_RANGE
    assert neck["reason"] == CLINICIAN_SET
    assert "neck" in neck["recommended"]


def test_zero_or_unknown_zone_refused(clinician: User, screening: Screening) -> None:
    p = plan_draft(screening=screening, by=clinician)
    with pytest.raises(ValidationError) as exc:
        plan_adjust(plan=p, by=clinician, **values(p, interval_weeks=0))
    assert "interval_weeks" in exc.value.message_dict
    with pytest.raises(ValidationError):
        plan_adjust(plan=p, by=clinician, **values(p, depths={"elbow": 1}))


def test_approval_is_clinician_only(
    clinician: User, aesthetician: User, front_desk: User, screening: Screening
) -> None:
    p = plan_draft(screening=screening, by=aesthetician)
    p = plan_adjust(plan=p, by=aesthetician, **values(p))
    for user in (aesthetician, front_desk):
        with pytest.raises(PermissionDenied):
            plan_approve(plan=p, by=user)
    p = plan_approve(plan=p, by=clinician)
    assert p.status == PlanStatus.APPROVED
    assert p.approved_by == clinician and p.approved_at is not None
    assert AuditEvent.objects.filter(action="plan.approve", object_id=str(p.pk)).exists()


def test_approval_needs_start_date_and_every_depth(clinician: User, patient: Patient) -> None:
    p = plan_draft(
        screening=screen_patient(patient=patient, by=clinician, example=NECK), by=clinician
    )
    with pytest.raises(ValidationError) as exc:
        plan_approve(plan=p, by=clinician)
    assert exc.value.message_dict == {
        "start_date": [START_DATE_REQUIRED],
        "depth_neck": [DEPTH_REQUIRED],
    }
    data = values(p)
    data["depths"]["neck"] = 0.5
    plan_adjust(plan=p, by=clinician, **data)
    assert plan_approve(plan=p, by=clinician).status == PlanStatus.APPROVED


def test_approval_needs_the_screening_still_current(clinician: User, screening: Screening) -> None:
    p = plan_draft(screening=screening, by=clinician)
    plan_adjust(plan=p, by=clinician, **values(p))
    screening_run(consultation=screening.consultation, by=clinician)
    with pytest.raises(ValidationError) as exc:
        plan_approve(plan=p, by=clinician)
    assert exc.value.messages == [NOT_CURRENT]


def test_approved_plan_is_immutable(clinician: User, screening: Screening) -> None:
    p = plan_draft(screening=screening, by=clinician)
    plan_adjust(plan=p, by=clinician, **values(p))
    plan_approve(plan=p, by=clinician)
    with pytest.raises(ValidationError) as exc:
        plan_adjust(
            plan=p, by=clinician, **values(p, sessions_planned=1, reasons={"sessions_planned": "x"})
        )
    assert exc.value.messages == [NOT_DRAFT]
    with pytest.raises(ValidationError):
        plan_approve(plan=p, by=clinician)
    p.refresh_from_db()
    assert p.status == PlanStatus.APPROVED and p.sessions_planned != 1


def test_new_draft_supersedes_drafts_and_its_approval_supersedes_the_approved(
    clinician: User, patient: Patient
) -> None:
    first = plan_draft(screening=screen_patient(patient=patient, by=clinician), by=clinician)
    plan_adjust(plan=first, by=clinician, **values(first))
    plan_approve(plan=first, by=clinician)
    screening = screen_patient(patient=patient, by=clinician, example=PRECAUTIONS)
    second = plan_draft(screening=screening, by=clinician)
    third = plan_draft(screening=screening, by=clinician)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == PlanStatus.SUPERSEDED and second.superseded_by == third
    assert first.status == PlanStatus.APPROVED  # stays in force until a new approval
    plan_adjust(plan=third, by=clinician, **values(third))
    plan_approve(plan=third, by=clinician)
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED and first.superseded_by == third
    assert TreatmentPlan.objects.filter(status=PlanStatus.APPROVED).get() == third


# ---------------------------------------------------------------- the start date


@pytest.mark.parametrize(("offset", "refused"), [(-1, True), (0, False)])
def test_start_date_in_the_past_is_refused(
    clinician: User, screening: Screening, offset: int, refused: bool
) -> None:
    today = date(2030, 3, 2)
    p = plan_draft(screening=screening, by=clinician)
    start = today + timedelta(days=offset)
    if refused:
        with pytest.raises(ValidationError) as exc:
            plan_adjust(plan=p, by=clinician, today=today, **values(p, start_date=start))
        assert exc.value.message_dict["start_date"] == [
            START_IN_PAST.format(today=today.isoformat())
        ]
    else:
        plan_adjust(plan=p, by=clinician, today=today, **values(p, start_date=start))
        assert plan_approve(plan=p, by=clinician, today=today).status == PlanStatus.APPROVED


def test_approval_refuses_a_draft_whose_start_date_has_passed(
    clinician: User, screening: Screening
) -> None:
    p = plan_draft(screening=screening, by=clinician)
    plan_adjust(plan=p, by=clinician, today=START, **values(p))
    with pytest.raises(ValidationError) as exc:
        plan_approve(plan=p, by=clinician, today=START + timedelta(days=1))
    assert exc.value.message_dict["start_date"] == [START_IN_PAST.format(today="2030-03-03")]
    p.refresh_from_db()
    assert p.status == PlanStatus.DRAFT


@pytest.mark.parametrize(("offset", "refused"), [(-1, True), (0, False)])
def test_start_date_before_the_rescreen_date_is_refused(
    clinician: User, screening: Screening, offset: int, refused: bool
) -> None:
    rescreen_on = START + timedelta(days=10)
    Screening.objects.filter(pk=screening.pk).update(rescreen_on=rescreen_on)
    p = plan_draft(screening=screening, by=clinician)
    start = rescreen_on + timedelta(days=offset)
    if refused:
        with pytest.raises(ValidationError) as exc:
            plan_adjust(plan=p, by=clinician, today=START, **values(p, start_date=start))
        assert exc.value.message_dict["start_date"] == [
            START_BEFORE_RESCREEN.format(rescreen_on=rescreen_on.isoformat())
        ]
        # A draft stored before the rule (or the date) changed is refused at approval too.
        TreatmentPlan.objects.filter(pk=p.pk).update(start_date=start)
        with pytest.raises(ValidationError) as approval:
            plan_approve(plan=p, by=clinician, today=START)
        assert "start_date" in approval.value.message_dict
    else:
        plan_adjust(plan=p, by=clinician, today=START, **values(p, start_date=start))
        assert plan_approve(plan=p, by=clinician, today=START).status == PlanStatus.APPROVED

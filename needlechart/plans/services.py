"""State changes of a treatment plan. Each: keyword-only, validates, one transaction, audited.

The engine recommends (ranges with sources); the clinician sets the values. A value outside
the protocol's range is a deviation and needs a reason; a value where the protocol has no
range is recorded as clinician-set. Nothing here invents a clinical number: pre-filled values
are the protocol's own lower bounds, and unsourced ones stay blank for the clinician.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pydantic
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical, require_clinician
from needlechart.assessments.models import Assessment
from needlechart.assessments.selectors import assessment_latest
from needlechart.audit.services import audit_record
from needlechart.core import dates
from needlechart.core.limits import limit_error
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.plans.selectors import plan_screening_change
from needlechart.protocol import (
    Intake,
    Limit,
    Verdict,
    depth_limit,
    interval_limit,
    plan,
    screen,
    session_limit,
    within_protocol,
)
from needlechart.protocol.loader import format_validation_error
from needlechart.protocol.results import Plan, SourcedRange
from needlechart.protocol.vocabulary import Zone
from needlechart.screenings.models import Screening

NOT_CLINICAL = "Only clinicians and aestheticians can prepare treatment plans."
APPROVE_ROLE = "Only a clinician can approve a treatment plan."
NOT_TREATABLE = (
    "The screening's verdict is “{verdict}”: a plan can only be made when the verdict is "
    "proceed or proceed with precautions (or a clinician has overridden it to one of them)."
)
OVERRIDE_NOT_CLINICIAN = (
    "The screening was overridden to a treatable verdict by someone who is not a clinician; "
    "a clinician must review it before a plan is made."
)
NOT_CURRENT = "This screening has been superseded by a newer one; plan from the latest screening."
PATIENT_ARCHIVED = "This patient's record is archived; no new plan can be made."
WRONG_ASSESSMENT = "This assessment belongs to another patient."
INTAKE_INVALID = "The consultation's intake is incomplete or invalid: {detail}"
ASSESSMENT_FINDS_MORE = (
    "The assessment finds what the screening did not: {findings}. Re-screen the consultation "
    "with these findings before making a plan."
)
NOT_DRAFT = "Only a draft plan can be changed. Create a new draft to change an approved plan."
REASON_REQUIRED = "This value is outside the protocol's range ({recommended}): give a reason."
VALUE_REQUIRED = "Set this value before approval."
START_DATE_REQUIRED = "Choose the date of the first session before approval."
SCREENING_CHANGED = (
    "Screening changed since approval — a clinician must review the plan against the new "
    "screening before the next session."
)
REVIEW_ROLE = "Only a clinician can review a plan against a changed screening."
REVIEW_NOTHING = "This plan has no changed screening to review."
REVIEW_NOT_TREATABLE = (
    "The new screening's verdict ({verdict}) does not allow treatment: override it, or make "
    "a new plan."
)
START_IN_PAST = "The first session cannot be in the past (today is {today})."
START_BEFORE_RESCREEN = (
    "The first session cannot be before the screening's re-screen date ({rescreen_on})."
)
DEPTH_REQUIRED = "Set the needle depth for this zone before approval."
POSITIVE_REQUIRED = "Enter a value above 0."
CLINICIAN_SET = "clinician-set (no sourced range)"

DAYS_PER_WEEK = 7  # calendar arithmetic: the plan counts weeks, the limit days

OUTSIDE_RANGE = "outside_range"
NO_SOURCED_RANGE = "no_sourced_range"


def depth_key(zone: str) -> str:
    return f"depth_{zone}"


def format_range(rng: SourcedRange) -> str:
    if not rng.known or rng.low is None or rng.high is None:
        return "no sourced range"
    low, high = f"{rng.low:g}", f"{rng.high:g}"
    span = low if low == high else f"{low}-{high}"
    return f"{span} {rng.unit}".strip()


def plan_refusal(screening: Screening) -> str | None:
    """Why no plan may be made from this screening, or None when one may."""
    effective = Verdict(screening.effective_verdict)
    if not effective.treatable:
        return NOT_TREATABLE.format(verdict=effective.label)
    override = screening.override_or_none
    if (
        override is not None
        and not Verdict(screening.verdict).treatable
        and not override.created_by.is_clinician
    ):
        return OVERRIDE_NOT_CLINICIAN
    return None


def plan_intake(screening: Screening, assessment: Assessment | None) -> Intake:
    """The consultation's intake, with scars, Fitzpatrick type and active acne taken from
    the assessment where it recorded them (the later, more careful examination)."""
    data: dict[str, Any] = dict(screening.consultation.intake or {})
    if assessment is not None:
        data["scars"] = assessment.scars_model().model_dump(mode="json")
        if assessment.fitzpatrick:
            data["fitzpatrick"] = assessment.fitzpatrick
        if assessment.has_acne_findings:
            data["active_acne"] = assessment.acne_model().model_dump(mode="json")
    try:
        return Intake.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationError(INTAKE_INVALID.format(detail=format_validation_error(exc))) from None


def _whole_low(rng: SourcedRange) -> int | None:
    """The range's lower bound when it is a whole number (sessions, weeks); else blank."""
    if not rng.known or rng.low is None or rng.low != int(rng.low):
        return None
    return int(rng.low)


@transaction.atomic
def plan_draft(
    *,
    screening: Screening,
    by: User,
    assessment: Assessment | None = None,
    today: date | None = None,
) -> TreatmentPlan:
    """A new draft from the engine's recommendation. Earlier drafts of the patient are
    superseded; an approved plan stays in force until the new draft is approved."""
    require_clinical(by, NOT_CLINICAL)
    patient = screening.patient
    if patient.is_archived:
        raise ValidationError(PATIENT_ARCHIVED)
    refusal = plan_refusal(screening)
    if refusal:
        raise ValidationError(refusal)
    if not screening.is_current:
        raise ValidationError(NOT_CURRENT)
    if assessment is None:
        assessment = assessment_latest(patient=patient)
    elif assessment.patient_id != patient.pk:
        raise ValidationError({"assessment": WRONG_ASSESSMENT})
    intake = plan_intake(screening, assessment)
    today = today or timezone.localdate()
    # The assessment (GAGS, scar types, phototype) may reveal what the consultation did not:
    # the plan is made from a fresh screening of what is known now, and a new finding that
    # stops treatment sends the patient back to screening rather than into a plan.
    fresh = screen(intake, today=today)
    screened = {f.code for f in screening.engine_result().findings}
    stopping = [f for f in fresh.findings if f.code not in screened and not f.severity.treatable]
    if stopping:
        titles = "; ".join(f.title.lower() for f in stopping)
        raise ValidationError(ASSESSMENT_FINDS_MORE.format(findings=titles))
    recommendation = plan(intake, today=today, screening=fresh)

    depths: dict[str, float | None] = {}
    for zone_depth in recommendation.depths:
        rng = zone_depth.depth_mm
        depths[zone_depth.zone.value] = rng.low if rng.known else None
    draft = TreatmentPlan(
        patient=patient,
        consultation_id=screening.consultation_id,
        screening=screening,
        assessment=assessment,
        status=PlanStatus.DRAFT,
        recommendation=recommendation.model_dump(mode="json"),
        protocol_id=recommendation.protocol.id,
        protocol_version=recommendation.protocol.version,
        protocol_hash=recommendation.protocol.hash,
        device=recommendation.device.value,
        sessions_planned=_whole_low(recommendation.sessions),
        interval_weeks=_whole_low(recommendation.interval_weeks),
        depths=depths,
        deviations=[],
        created_by=by,
    )
    draft.full_clean()
    draft.save()
    # Lock the patient's open drafts so two drafters cannot leave two live drafts.
    older = list(
        TreatmentPlan.objects.select_for_update()
        .filter(patient=patient, status=PlanStatus.DRAFT)
        .exclude(pk=draft.pk)
        .values_list("pk", flat=True)
    )
    if older:
        TreatmentPlan.objects.filter(pk__in=older).update(
            status=PlanStatus.SUPERSEDED, superseded_by=draft, updated_at=timezone.now()
        )
    audit_record(
        actor=by,
        action="plan.draft",
        obj=draft,
        patient_id=patient.pk,
        detail={
            "screening_id": screening.pk,
            "assessment_id": assessment.pk if assessment else None,
            "indication": recommendation.indication,
            "superseded": older,
        },
    )
    return draft


def _deviation(
    *,
    key: str,
    value: float | int,
    rng: SourcedRange,
    reason: str,
    errors: dict[str, str],
) -> dict[str, Any] | None:
    inside = within_protocol(float(value), rng)
    if inside is True:
        return None
    if inside is None:
        return {
            "field": key,
            "value": value,
            "recommended": rng.unsourced or "",
            "reason": reason or CLINICIAN_SET,
            "kind": NO_SOURCED_RANGE,
        }
    if not reason:
        errors[f"{key}_reason"] = REASON_REQUIRED.format(recommended=format_range(rng))
        return None
    return {
        "field": key,
        "value": value,
        "recommended": format_range(rng),
        "reason": reason,
        "kind": OUTSIDE_RANGE,
    }


def value_limit(plan: TreatmentPlan, key: str) -> tuple[Limit, float] | None:
    """The absolute limit of a plan value and the factor from the value's unit to the
    limit's (weeks to days for the interval), or None for a value without one."""
    if key == "sessions_planned":
        return session_limit(), 1
    if key == "interval_weeks":
        return interval_limit(), DAYS_PER_WEEK
    zone = key.removeprefix("depth_")
    if key.startswith("depth_") and zone in Zone._value2member_map_:
        return depth_limit(plan.device, zone), 1
    return None


def limit_refusal(plan: TreatmentPlan, key: str, value: float) -> ValidationError | None:
    """The refusal when `value` passes the protocol's absolute limit, else None."""
    found = value_limit(plan, key)
    if found is None:
        return None
    limit, factor = found
    in_limit_unit = value * factor
    return limit_error(limit, in_limit_unit) if limit.exceeded_by(in_limit_unit) else None


def start_date_refusal(*, start_date: date, screening: Screening, today: date) -> str | None:
    """Why the first session cannot be on `start_date`: a day already gone, or a day before
    the screening says the patient may be seen again."""
    if start_date < today:
        return START_IN_PAST.format(today=today.isoformat())
    if screening.rescreen_on is not None and start_date < screening.rescreen_on:
        return START_BEFORE_RESCREEN.format(rescreen_on=screening.rescreen_on.isoformat())
    return None


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    number = float(Decimal(str(value)))
    return int(number) if number == int(number) else number


@transaction.atomic
def plan_adjust(
    *,
    plan: TreatmentPlan,
    by: User,
    sessions_planned: int | None,
    interval_weeks: int | None,
    start_date: date | None,
    depths: dict[str, Any],
    reasons: dict[str, str] | None = None,
    today: date | None = None,
) -> TreatmentPlan:
    """Set the clinician's values on a draft. `reasons` maps a field key
    ("sessions_planned", "interval_weeks", "depth_<zone>") to why it departs from the
    protocol; a departure without a reason is refused (error under "<key>_reason"). A value
    beyond the protocol's absolute limit is refused whatever the reason (`Limit.refusal`)."""
    require_clinical(by, NOT_CLINICAL)
    locked = (
        TreatmentPlan.objects.select_for_update()
        .select_related("patient", "screening")
        .get(pk=plan.pk)
    )
    if locked.status != PlanStatus.DRAFT:
        raise ValidationError(NOT_DRAFT)
    recommendation: Plan = locked.engine_plan()
    reasons = {k: (v or "").strip() for k, v in (reasons or {}).items()}
    zones = [d.zone.value for d in recommendation.depths]
    unknown = set(depths) - set(zones)
    if unknown:
        raise ValidationError({"depths": f"Unknown zone(s): {', '.join(sorted(unknown))}"})

    # The first session may be ahead (planning), but not before the patient was born.
    errors: dict[str, Any] = dates.date_errors(
        {"start_date": start_date}, born=locked.patient.date_of_birth
    )
    if start_date is not None and "start_date" not in errors:
        too_early = start_date_refusal(
            start_date=start_date,
            screening=locked.screening,
            today=today or timezone.localdate(),
        )
        if too_early:
            errors["start_date"] = too_early
    deviations: list[dict[str, Any]] = []
    values: list[tuple[str, Any, SourcedRange]] = [
        ("sessions_planned", sessions_planned, recommendation.sessions),
        ("interval_weeks", interval_weeks, recommendation.interval_weeks),
    ]
    new_depths: dict[str, float | None] = {}
    for zone_depth in recommendation.depths:
        zone = zone_depth.zone.value
        new_depths[zone] = _number(depths.get(zone))
        values.append((depth_key(zone), new_depths[zone], zone_depth.depth_mm))
    for key, value, rng in values:
        if value is None:
            continue
        if value <= 0:
            errors[key] = POSITIVE_REQUIRED
            continue
        refusal = limit_refusal(locked, key, value)
        if refusal is not None:
            errors[key] = refusal  # no reason can pass an absolute limit
            continue
        deviation = _deviation(
            key=key, value=value, rng=rng, reason=reasons.get(key, ""), errors=errors
        )
        if deviation is not None:
            deviations.append(deviation)
    if errors:
        raise ValidationError(errors)

    before = {
        "sessions_planned": locked.sessions_planned,
        "interval_weeks": locked.interval_weeks,
        "start_date": locked.start_date,
        "depths": locked.depths,
    }
    locked.sessions_planned = sessions_planned
    locked.interval_weeks = interval_weeks
    locked.start_date = start_date
    locked.depths = new_depths
    locked.deviations = deviations
    locked.full_clean()
    locked.save()
    changed = sorted(k for k, v in before.items() if getattr(locked, k) != v)
    audit_record(
        actor=by,
        action="plan.adjust",
        obj=locked,
        patient_id=locked.patient_id,
        detail={
            "fields": changed,
            "deviations": [
                {"field": d["field"], "kind": d["kind"], "value": d["value"]} for d in deviations
            ],
        },
    )
    return locked


def _approval_errors(plan: TreatmentPlan) -> dict[str, Any]:
    """What keeps a draft from approval: a missing start date or value, or a value beyond
    an absolute limit."""
    errors: dict[str, Any] = {}
    if plan.start_date is None:
        errors["start_date"] = START_DATE_REQUIRED
    if plan.sessions_planned is None:
        errors["sessions_planned"] = VALUE_REQUIRED
    if plan.interval_weeks is None:
        errors["interval_weeks"] = VALUE_REQUIRED
    for zone, depth in (plan.depths or {}).items():
        if depth is None:
            errors[depth_key(zone)] = DEPTH_REQUIRED
    # A draft saved before the limits existed may hold a value beyond one: never approved.
    stored: list[tuple[str, Any]] = [
        ("sessions_planned", plan.sessions_planned),
        ("interval_weeks", plan.interval_weeks),
        *[(depth_key(z), d) for z, d in (plan.depths or {}).items()],
    ]
    for key, value in stored:
        if key not in errors and value is not None:
            beyond = limit_refusal(plan, key, value)
            if beyond is not None:
                errors[key] = beyond
    return errors


@transaction.atomic
def plan_approve(*, plan: TreatmentPlan, by: User, today: date | None = None) -> TreatmentPlan:
    """Freeze a draft. Clinician only; needs a treatable (current) screening, a start date
    and every value set. The patient's previously approved plan is superseded."""
    require_clinician(by, APPROVE_ROLE)
    locked = (
        TreatmentPlan.objects.select_for_update()
        .select_related("screening", "screening__consultation")
        .get(pk=plan.pk)
    )
    if locked.status != PlanStatus.DRAFT:
        raise ValidationError(NOT_DRAFT)
    screening = locked.screening
    refusal = plan_refusal(screening)
    if refusal:
        raise ValidationError(refusal)
    if not screening.is_current:
        raise ValidationError(NOT_CURRENT)
    errors = _approval_errors(locked)
    if "start_date" not in errors and locked.start_date is not None:
        # A draft saved days ago may now start in the past: choose the date again.
        too_early = start_date_refusal(
            start_date=locked.start_date, screening=screening, today=today or timezone.localdate()
        )
        if too_early:
            errors["start_date"] = too_early
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    previous = list(
        TreatmentPlan.objects.select_for_update()
        .filter(patient_id=locked.patient_id, status=PlanStatus.APPROVED)
        .values_list("pk", flat=True)
    )
    if previous:
        TreatmentPlan.objects.filter(pk__in=previous).update(
            status=PlanStatus.SUPERSEDED, superseded_by=locked, updated_at=now
        )
    locked.status = PlanStatus.APPROVED
    locked.approved_by = by
    locked.approved_at = now
    locked.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_record(
        actor=by,
        action="plan.approve",
        obj=locked,
        patient_id=locked.patient_id,
        detail={"superseded": previous, "deviations": len(locked.deviations or [])},
    )
    plan.status, plan.approved_by, plan.approved_at = locked.status, by, now
    return locked


@transaction.atomic
def plan_screening_review(*, plan: TreatmentPlan, by: User) -> TreatmentPlan:
    """A clinician confirms the approved plan still stands against the patient's newer,
    different screening (`plan_screening_change`); charting may then go on. A new screening
    that does not allow treatment cannot be reviewed away: override it or re-plan."""
    require_clinician(by, REVIEW_ROLE)
    locked = (
        # Lock the plan row only: PostgreSQL cannot lock the outer-joined override.
        TreatmentPlan.objects.select_for_update(of=("self",))
        .select_related("screening", "screening__override")
        .get(pk=plan.pk)
    )
    change = plan_screening_change(plan=locked)
    if change is None:
        raise ValidationError(REVIEW_NOTHING)
    if not change.current.is_treatable:
        label = change.current.get_effective_verdict_display()
        raise ValidationError(REVIEW_NOT_TREATABLE.format(verdict=label))
    locked.screening_reviewed = change.current
    locked.screening_reviewed_by = by
    locked.screening_reviewed_at = timezone.now()
    locked.save(
        update_fields=[
            "screening_reviewed",
            "screening_reviewed_by",
            "screening_reviewed_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=by,
        action="plan.screening_review",
        obj=locked,
        patient_id=locked.patient_id,
        detail={
            "approved_on_screening": change.approved_on.pk,
            "reviewed_screening": change.current.pk,
            "verdict": change.current.effective_verdict,
            "added": change.added,
            "removed": change.removed,
        },
    )
    return locked

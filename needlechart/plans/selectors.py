"""Reads of treatment plans, scoped by the acting user. Fixed query counts."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.screenings.models import Screening


def current_plan(*, patient: Patient) -> TreatmentPlan | None:
    """The patient's current course: the approved plan (approving a new plan supersedes the
    old one; the latest approval wins should two ever be approved). One query. The chart,
    the diary, the documents and the portal all read this."""
    return (
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.APPROVED)
        .select_related("screening", "screening__override")  # `plan_screening_change` reads
        .order_by("-approved_at", "-id")
        .first()
    )


def plan_get_for(*, user: User, plan_id: int) -> TreatmentPlan:
    """The plan with everything its page shows, in one query."""
    require_clinical(user)
    if not 0 < plan_id <= MAX_DB_ID:
        raise Http404("No such plan.")
    try:
        return TreatmentPlan.objects.select_related(
            "patient",
            "consultation",
            "screening",
            "screening__override",
            "screening__override__created_by",
            "assessment",
            "created_by",
            "approved_by",
            "superseded_by",
        ).get(pk=plan_id)
    except TreatmentPlan.DoesNotExist:
        raise Http404("No such plan.") from None


def plan_list_for(*, user: User, patient: Patient) -> QuerySet[TreatmentPlan]:
    require_clinical(user)
    return (
        TreatmentPlan.objects.filter(patient=patient)
        .select_related("created_by", "approved_by")
        .order_by("-created_at", "-id")
    )


def plans_awaiting_approval(*, user: User) -> QuerySet[TreatmentPlan]:
    """Drafts of active patients, oldest first (the longest waiting at the top)."""
    require_clinical(user)
    return (
        TreatmentPlan.objects.filter(status=PlanStatus.DRAFT, patient__archived_at__isnull=True)
        .select_related("patient", "created_by")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class ScreeningChange:
    """A screening newer than the one an approved plan rests on, differing from it in verdict
    or findings, that no clinician has reviewed the plan against yet."""

    approved_on: Screening  # the screening the plan was approved on
    current: Screening  # the patient's latest screening
    verdict_changed: bool
    added: list[str]  # titles of findings the new screening has and the old one had not
    removed: list[str]


def _findings(screening: Screening) -> dict[str, str]:
    return {f.code: f.title for f in screening.engine_result().findings}


def plan_screening_change(
    *, plan: TreatmentPlan, latest: Screening | None = None
) -> ScreeningChange | None:
    """Whether the approved `plan` waits for a clinician's review of a newer screening. One
    query (none when the caller passes the patient's `latest` screening, with its override)."""
    if plan.status != PlanStatus.APPROVED:
        return None
    if latest is None:
        latest = (
            Screening.objects.filter(patient_id=plan.patient_id)
            .select_related("override")
            .newest_first()
            .first()
        )
    if latest is None or latest.pk in (plan.screening_id, plan.screening_reviewed_id):
        return None
    before, after = _findings(plan.screening), _findings(latest)
    verdict_changed = plan.screening.effective_verdict != latest.effective_verdict
    if not verdict_changed and before.keys() == after.keys():
        return None  # the same result, screened again: nothing for the clinician to review
    return ScreeningChange(
        approved_on=plan.screening,
        current=latest,
        verdict_changed=verdict_changed,
        added=[title for code, title in after.items() if code not in before],
        removed=[title for code, title in before.items() if code not in after],
    )

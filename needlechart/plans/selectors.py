"""Reads of treatment plans, scoped by the acting user. Fixed query counts."""

from django.db.models import QuerySet
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID
from needlechart.plans.models import PlanStatus, TreatmentPlan


def current_plan(*, patient: Patient) -> TreatmentPlan | None:
    """The patient's current course: the approved plan (approving a new plan supersedes the
    old one; the latest approval wins should two ever be approved). One query. The chart,
    the diary, the documents and the portal all read this."""
    return (
        TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.APPROVED)
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

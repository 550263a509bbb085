"""Treatment plans on the patient's course timeline (clinical)."""

from django.urls import reverse

from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider
from needlechart.plans.models import TreatmentPlan


@register_timeline_provider
def plans(patient: Patient) -> list[TimelineEntry]:
    """One query: a drafted entry per plan and an approved entry where it was approved."""
    entries = []
    rows = TreatmentPlan.objects.filter(patient=patient).only(
        "id", "status", "created_at", "approved_at", "sessions_planned", "interval_weeks"
    )
    for plan in rows:
        url = reverse("plans:detail", args=[plan.pk])
        entries.append(
            TimelineEntry(
                date=plan.created_at,
                kind="plan",
                title="Treatment plan drafted",
                url=url,
                status=plan.status,
            )
        )
        if plan.approved_at is not None:
            course = ""
            if plan.sessions_planned and plan.interval_weeks:
                course = f": {plan.sessions_planned} sessions, every {plan.interval_weeks} weeks"
            entries.append(
                TimelineEntry(
                    date=plan.approved_at,
                    kind="plan_approved",
                    title=f"Treatment plan approved{course}",
                    url=url,
                    status="approved",
                )
            )
    return entries

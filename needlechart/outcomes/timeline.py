"""Follow-up visits on the patient's course timeline (clinical)."""

from django.urls import reverse

from needlechart.outcomes.models import FollowUp
from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider


@register_timeline_provider
def follow_ups(patient: Patient) -> list[TimelineEntry]:
    """One query, whatever the number of follow-ups."""
    rows = (
        FollowUp.objects.filter(patient=patient)
        .select_related("assessment")
        .only(
            "id",
            "followed_on",
            "patient_rating",
            "assessment__id",
            "assessment__quantitative_score",
            "assessment__qualitative_grade",
            "assessment__suggested_grade",
        )
    )
    entries = []
    for f in rows:
        parts = [f"patient rating {f.patient_rating}/10"]
        a = f.assessment
        if a.qualitative_grade is not None:
            parts.append(f"grade {a.qualitative_grade} (confirmed)")
        elif a.suggested_grade is not None:
            parts.append(f"grade {a.suggested_grade} suggested")
        if a.quantitative_score is not None:
            parts.append(f"score {a.quantitative_score} (UNVERIFIED table)")
        entries.append(
            TimelineEntry(
                date=f.followed_on,
                kind="follow_up",
                title=f"Follow-up: {', '.join(parts)}",
                url=reverse("outcomes:detail", args=[f.pk]),
                status="done",
            )
        )
    return entries

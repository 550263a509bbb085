"""Assessments on the patient's course timeline (clinical: hidden from non-clinical roles)."""

from django.urls import reverse

from needlechart.assessments.models import Assessment
from needlechart.patients.models import Patient
from needlechart.patients.timeline import TimelineEntry, register_timeline_provider


@register_timeline_provider
def assessments(patient: Patient) -> list[TimelineEntry]:
    """One query, whatever the number of assessments."""
    rows = Assessment.objects.filter(patient=patient).only(
        "id", "kind", "assessed_on", "qualitative_grade", "suggested_grade"
    )
    entries = []
    for a in rows:
        if a.qualitative_grade is not None:
            grade = f"grade {a.qualitative_grade} (confirmed)"
        elif a.suggested_grade is not None:
            grade = f"grade {a.suggested_grade} suggested, not confirmed"
        else:
            grade = "no grade"
        entries.append(
            TimelineEntry(
                date=a.assessed_on,
                kind="assessment",
                title=f"{a.get_kind_display()} assessment: {grade}",
                url=reverse("assessments:detail", args=[a.pk]),
            )
        )
    return entries

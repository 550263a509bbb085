"""The follow-up form: the assessments app's own form (re-grade) plus the patient's rating.

Reuses `AssessmentForm` rather than a second scar form: the kind is always follow_up, the
assessment date is the follow-up date, and no consultation is asked for."""

from __future__ import annotations

from typing import Any

from django import forms

from needlechart.assessments.forms import AssessmentForm
from needlechart.assessments.models import AssessmentKind
from needlechart.outcomes.models import RATING_MAX, RATING_MIN
from needlechart.outcomes.services import NOTES_MAX
from needlechart.patients.models import Patient

RATING_LOW_LABEL = "no improvement"
RATING_HIGH_LABEL = "best imaginable improvement"
RATING_REQUIRED = (
    f"Choose the patient's rating, {RATING_MIN} ({RATING_LOW_LABEL}) to "
    f"{RATING_MAX} ({RATING_HIGH_LABEL})."
)


def rating_choices() -> list[tuple[str, str]]:
    choices = []
    for value in range(RATING_MIN, RATING_MAX + 1):
        label = str(value)
        if value == RATING_MIN:
            label = f"{value} — {RATING_LOW_LABEL}"
        elif value == RATING_MAX:
            label = f"{value} — {RATING_HIGH_LABEL}"
        choices.append((str(value), label))
    return choices


class FollowUpForm(AssessmentForm):
    patient_rating = forms.TypedChoiceField(
        label="Patient's own rating of improvement since the course began",
        choices=rating_choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": RATING_REQUIRED, "invalid_choice": RATING_REQUIRED},
        help_text=f"Ask the patient: {RATING_MIN} = {RATING_LOW_LABEL}, "
        f"{RATING_MAX} = {RATING_HIGH_LABEL}.",
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, patient=patient, **kwargs)
        del self.fields["kind"]
        del self.fields["consultation"]
        self.fields["assessed_on"].label = "Follow-up date"

    def service_data(self) -> dict[str, Any]:
        """Keyword arguments for `follow_up_record` (besides patient/by/plan)."""
        self.cleaned_data["kind"] = AssessmentKind.FOLLOW_UP
        data = super().service_data()
        data.pop("kind")
        data.pop("consultation")
        followed_on = data.pop("assessed_on")
        return {
            **data,
            "followed_on": followed_on,
            "rating": self.cleaned_data["patient_rating"],
            "notes": self.cleaned_data.get("notes") or "",
        }

from typing import Any

from django import forms

from needlechart.accounts.models import User
from needlechart.screenings.models import VerdictChoices
from needlechart.screenings.services import AESTHETICIAN_LIMIT, REASON_REQUIRED, can_override


class ScreeningOverrideForm(forms.Form):
    verdict = forms.ChoiceField(label="Verdict to record instead", choices=VerdictChoices.choices)
    reason = forms.CharField(
        label="Reason for the override",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. Shown beside the engine's verdict on every page that uses it.",
        error_messages={"required": REASON_REQUIRED},
    )

    def __init__(self, *args: Any, original_verdict: str, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.original_verdict = original_verdict
        self.user = user
        field = self.fields["verdict"]
        assert isinstance(field, forms.ChoiceField)
        # The engine's own verdict is not an override.
        field.choices = [(v, label) for v, label in VerdictChoices.choices if v != original_verdict]

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(REASON_REQUIRED)
        return reason

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Same rule as the service, said on the form before the service refuses.
        if not can_override(self.user, self.original_verdict):
            raise forms.ValidationError(AESTHETICIAN_LIMIT)
        return cleaned

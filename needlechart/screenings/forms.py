from typing import Any

from django import forms

from needlechart.accounts.models import User
from needlechart.screenings.models import Screening, VerdictChoices
from needlechart.screenings.services import REASON_REQUIRED, override_refusal


class ScreeningOverrideForm(forms.Form):
    verdict = forms.ChoiceField(label="Verdict to record instead", choices=VerdictChoices.choices)
    reason = forms.CharField(
        label="Reason for the override",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. Shown beside the engine's verdict on every page that uses it.",
        error_messages={"required": REASON_REQUIRED},
    )

    def __init__(self, *args: Any, screening: Screening, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.screening = screening
        self.original_verdict = screening.verdict
        self.user = user
        field = self.fields["verdict"]
        assert isinstance(field, forms.ChoiceField)
        # The engine's own verdict is not an override.
        field.choices = [
            (v, label) for v, label in VerdictChoices.choices if v != screening.verdict
        ]

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(REASON_REQUIRED)
        return reason

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Same rule as the service (the screening's override level), said on the form.
        refusal = override_refusal(self.user, self.screening)
        if refusal is not None:
            raise forms.ValidationError(refusal or "Your role cannot override a screening.")
        return cleaned


class OverrideConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have reviewed the hard stop, the findings and the reason, and I confirm this "
        "override as the second clinician.",
        error_messages={"required": "Tick the box to confirm, or leave the page."},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

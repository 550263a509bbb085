"""Consent forms: the patient's signature (typed name, drawing, photo choices), the
clinician's countersignature, and withdrawal."""

from __future__ import annotations

from django import forms

from needlechart.consents.document import PHOTO_CLINICAL_CHOICE, PHOTO_MARKETING_CHOICE
from needlechart.consents.models import NAME_MAX_LENGTH
from needlechart.consents.signature import clean_signature
from needlechart.core.confirm import Confirmation


class SignatureField(forms.CharField):
    """A drawn signature: the canvas's PNG data URL in a hidden input, checked server-side."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("required", False)  # empty gets our own, clearer message
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def clean(self, value: object) -> str:
        value = super().clean(value)
        return clean_signature(str(value or ""))


class PatientSignForm(forms.Form):
    photo_clinical = forms.BooleanField(
        label=PHOTO_CLINICAL_CHOICE,
        required=False,
        initial=False,
        help_text="Tick only if you agree.",
    )
    photo_marketing = forms.BooleanField(
        label=PHOTO_MARKETING_CHOICE,
        required=False,
        initial=False,
        help_text="Tick only if you agree. This is a separate choice from the one above.",
    )
    full_name = forms.CharField(
        label="Patient's full name",
        max_length=NAME_MAX_LENGTH,
        help_text="Typed by the patient, as their name.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    signature = SignatureField(label="Patient's signature")


class CountersignForm(forms.Form):
    signature = SignatureField(label="Clinician's signature")


WITHDRAW = Confirmation(
    title="Withdraw this consent?",
    consequences=(
        "The consent is marked withdrawn from now on; its text, signatures and this reason "
        "are kept in the record.",
        "It no longer covers treatment: a session can be charted only under another signed "
        "consent for the same device and zones, or a new one.",
        "If it is the patient's latest signed consent, clinical photos can no longer be "
        "viewed or added until a new consent covers them.",
        "Booked appointments are not cancelled; cancel them separately if needed.",
    ),
    reason_label="Reason for withdrawal",
    reason_help="The patient may withdraw at any time. Recorded with the date and time.",
    submit="Record withdrawal",
    done="Withdrawal recorded. The consent is kept in the record.",
    back_label="Keep the consent",
)

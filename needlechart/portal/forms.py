from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from needlechart.imaging.processing import (
    PhotoRejected,
    ProcessedPhoto,
    process_photo,
    too_big_message,
)
from needlechart.portal.selectors import symptom_choices
from needlechart.protocol.vocabulary import SymptomSeverity

SEVERITY_CHOICES = [
    (SymptomSeverity.MILD.value, "Mild"),
    (SymptomSeverity.MODERATE.value, "Moderate"),
    (SymptomSeverity.SEVERE.value, "Severe"),
]


class RequestLinkForm(forms.Form):
    email = forms.EmailField(label="Your e-mail address", max_length=254)


class RescheduleForm(forms.Form):
    preferred_times = forms.CharField(
        label="Which days and times would suit you?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )
    message = forms.CharField(
        label="Anything else we should know? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class CheckInForm(forms.Form):
    """One row per symptom: do you have it, how bad, is it getting worse; plus an optional
    photo when the patient's consent allows clinical photos (`photo_allowed`)."""

    notes = forms.CharField(
        label="Anything else you want to tell us? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        photo_allowed: bool = False,
        device: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.processed_photo: ProcessedPhoto | None = None
        self.symptoms = symptom_choices(device)
        if photo_allowed:
            self.fields["photo"] = forms.FileField(
                label="Add a photo of the treated skin (optional)",
                required=False,
                widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
            )
        self.symptom_rows = []
        for code, label in self.symptoms:
            self.fields[f"{code}_present"] = forms.BooleanField(label=label, required=False)
            self.fields[f"{code}_severity"] = forms.ChoiceField(
                label=f"{label}: how bad?",
                choices=[("", "—"), *SEVERITY_CHOICES],
                required=False,
            )
            self.fields[f"{code}_worse"] = forms.BooleanField(
                label=f"{label}: getting worse?", required=False
            )
            self.symptom_rows.append(
                (
                    code,
                    self[f"{code}_present"],
                    self[f"{code}_severity"],
                    self[f"{code}_worse"],
                )
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code, _label in self.symptoms:
            if data.get(f"{code}_present") and not data.get(f"{code}_severity"):
                self.add_error(f"{code}_severity", "Please say how bad it is.")
        return data

    def clean_photo(self) -> UploadedFile[bytes] | None:
        upload: UploadedFile[bytes] | None = self.cleaned_data.get("photo")
        if not upload:
            return None
        max_bytes: int = settings.PHOTO_MAX_BYTES
        try:
            if upload.size is not None and upload.size > max_bytes:
                raise PhotoRejected(too_big_message(upload.size, max_bytes))
            data = bytearray()
            for chunk in upload.chunks():
                data += chunk
                if len(data) > max_bytes:
                    break
            self.processed_photo = process_photo(bytes(data), max_bytes=max_bytes)
        except PhotoRejected as exc:
            raise forms.ValidationError(
                f"This photo cannot be used: {exc.reason} "
                "Please choose another photo, or remove it to send the check-in without one."
            ) from None
        return upload

    def reports(self) -> list[dict[str, Any]]:
        return [
            {
                "symptom": code,
                "severity": self.cleaned_data[f"{code}_severity"],
                "worsening": bool(self.cleaned_data.get(f"{code}_worse")),
            }
            for code, _label in self.symptoms
            if self.cleaned_data.get(f"{code}_present")
        ]


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="Review note", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

"""Forms of the photo pages: batch upload (with the camera on phones/tablets), tag edit,
archive with a reason, the marketing flag. The services do the real validation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from needlechart.core.confirm import Confirmation
from needlechart.core.dates import ClinicalDateField
from needlechart.imaging.models import Photo, PhotoView, VisitKind
from needlechart.imaging.services import LIGHTING_MAX, MAX_BATCH, REASON_MAX
from needlechart.outcomes.models import FollowUp
from needlechart.patients.models import Patient
from needlechart.protocol.vocabulary import Zone
from needlechart.treatments.models import SessionRecord

ACCEPT = "image/jpeg,image/png,image/heic,image/heif,image/webp"
DATE_INVALID = "Enter a real date (for example 2030-03-02)."


def zone_choices() -> list[tuple[str, str]]:
    return [("", "— (not a close-up)"), *((z.value, z.value.replace("_", " ")) for z in Zone)]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """A list of uploaded files. No per-file checks here: the upload service judges each
    file by its content and reports each refusal by name, saving the others."""

    widget = MultipleFileInput

    def to_python(self, data: Any) -> list[UploadedFile[bytes]]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if isinstance(f, UploadedFile)]

    def validate(self, value: list[UploadedFile[bytes]]) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def bound_data(self, data: Any, initial: Any) -> Any:
        return initial  # a file input is never re-filled


class SessionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: SessionRecord) -> str:
        return f"Session {obj.session_number} — {obj.performed_on:%d %b %Y}"


class FollowUpChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: FollowUp) -> str:
        return f"Follow-up — {obj.followed_on:%d %b %Y}"


class PhotoTagsForm(forms.Form):
    """The tags of a photo (for a whole batch on upload, for one photo afterwards)."""

    visit_kind = forms.ChoiceField(label="Visit", choices=VisitKind.choices)
    session = SessionChoiceField(
        label="Session", queryset=SessionRecord.objects.none(), required=False
    )
    follow_up = FollowUpChoiceField(
        label="Follow-up", queryset=FollowUp.objects.none(), required=False
    )
    taken_on = ClinicalDateField(
        past=True,
        label="Date taken",
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": DATE_INVALID},
    )
    view = forms.ChoiceField(label="View", choices=PhotoView.choices)
    zone = forms.ChoiceField(
        label="Zone",
        choices=zone_choices,
        required=False,
        help_text="For close-ups only: the zone shown.",
    )
    lighting_notes = forms.CharField(
        label="Lighting notes",
        max_length=LIGHTING_MAX,
        required=False,
        help_text="e.g. ring light, cross-polarised, window light; same set-up each visit.",
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        session_field = self.fields["session"]
        assert isinstance(session_field, SessionChoiceField)
        session_field.queryset = SessionRecord.objects.filter(patient=patient).order_by(
            "-performed_on", "-session_number"
        )
        follow_up_field = self.fields["follow_up"]
        assert isinstance(follow_up_field, FollowUpChoiceField)
        follow_up_field.queryset = FollowUp.objects.filter(patient=patient).order_by(
            "-followed_on", "-id"
        )

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "visit_kind": data["visit_kind"],
            "session": data.get("session"),
            "follow_up": data.get("follow_up"),
            "taken_on": data["taken_on"],
            "view": data["view"],
            "zone": data.get("zone") or "",
            "lighting_notes": data.get("lighting_notes") or "",
        }

    @classmethod
    def initial_for(cls, photo: Photo) -> dict[str, Any]:
        return {
            "visit_kind": photo.visit_kind,
            "session": photo.session_id,
            "follow_up": photo.follow_up_id,
            "taken_on": photo.taken_on,
            "view": photo.view,
            "zone": photo.zone,
            "lighting_notes": photo.lighting_notes,
        }


class PhotoUploadForm(PhotoTagsForm):
    photos = MultipleFileField(
        label="Photos",
        help_text=f"Up to {MAX_BATCH} JPEG, PNG, WebP or HEIC files. On a phone or tablet "
        "this opens the camera. The tags below apply to every photo of this batch; each "
        "can be changed afterwards.",
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "capture": "environment"}),
        error_messages={"required": "Choose at least one photo."},
    )

    field_order = [
        "photos",
        "visit_kind",
        "session",
        "follow_up",
        "taken_on",
        "view",
        "zone",
        "lighting_notes",
    ]


ARCHIVE = Confirmation(
    title="Archive this photo?",
    consequences=(
        "The photo leaves the gallery and the comparisons; the photo, its file and this "
        "reason are kept in the record (the gallery can still show archived photos).",
        "It is no longer offered for teaching or marketing: that choice is switched off.",
    ),
    reason_label="Reason for archiving",
    reason_help="e.g. blurred, wrong patient, duplicate.",
    reason_max_length=REASON_MAX,
    submit="Archive the photo",
    done="Photo archived. It is kept in the record.",
    back_label="Keep the photo",
)


class PhotoMarketingForm(forms.Form):
    marketing_use = forms.BooleanField(
        label="May be used without name for teaching or marketing", required=False
    )


class GalleryFilterForm(forms.Form):
    """?view= on the gallery; an unknown value is ignored (all views), never a 500."""

    view = forms.ChoiceField(
        label="View", choices=[("", "All views"), *PhotoView.choices], required=False
    )

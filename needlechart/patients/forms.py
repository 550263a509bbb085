from typing import Any

from django import forms

from needlechart.core.confirm import Confirmation
from needlechart.patients.models import Patient
from needlechart.patients.selectors import DATE_FORMATS

CONFIRM_DIFFERENT = (
    "Possible existing records found. Open them to check, or tick this box if this is "
    "a different person."
)


class PatientForm(forms.ModelForm):  # type: ignore[type-arg]
    """Validates input only; the view hands cleaned_data to a service (never form.save())."""

    date_of_birth = forms.DateField(
        label="Date of birth",
        input_formats=list(DATE_FORMATS),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        help_text="YYYY-MM-DD or DD/MM/YYYY.",
    )

    class Meta:
        model = Patient
        fields = [
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "phone",
            "email",
            "preferred_contact",
            "notes",
        ]
        widgets = {
            "given_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PatientRegisterForm(PatientForm):
    confirm_different_person = forms.BooleanField(
        required=False,
        label="This is a different person from the records listed above",
    )


ARCHIVE = Confirmation(
    title="Archive this patient's record?",
    consequences=(
        "The record and everything on it are kept; the archive and this reason go into the "
        "audit trail.",
        "The patient no longer appears in the patient list or search.",
        "Nothing new can be added: no consultation, assessment, plan, consent, photo, "
        "appointment, session or follow-up.",
        "Booked appointments are not cancelled; cancel them first if needed.",
    ),
    reason_label="Reason for archiving",
    reason_help="e.g. duplicate of another record, registered in error.",
    reason_max_length=255,
    submit="Archive the record",
    done="The record is archived.",
    back_label="Keep the record",
)


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search patients",
        help_text="Name, date of birth (YYYY-MM-DD or DD/MM/YYYY) or phone number.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

from django import forms


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, label="Staff username", max_length=150)
    action = forms.CharField(
        required=False, label="Action", max_length=64, help_text='e.g. "patient.view" or "patient."'
    )
    patient_id = forms.IntegerField(
        required=False, label="Patient id", min_value=1, max_value=2**63 - 1
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "The end date is before the start date.")
        return data

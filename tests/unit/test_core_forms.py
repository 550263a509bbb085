"""The one helper that turns a service's ValidationError into form errors."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from needlechart.core.forms import add_service_errors, submit


class ReasonForm(forms.Form):
    reason = forms.CharField()
    appointment_date = forms.DateField()


def _form() -> ReasonForm:
    form = ReasonForm({"reason": "x", "appointment_date": "2030-01-01"})
    assert form.is_valid()
    return form


def test_field_errors_land_on_their_fields() -> None:
    form = _form()
    add_service_errors(form, ValidationError({"reason": "Give a reason."}))
    assert form.errors == {"reason": ["Give a reason."]}
    assert "reason" not in form.cleaned_data  # Django drops a field once it has an error


def test_unknown_keys_and_plain_errors_go_above_the_form() -> None:
    form = _form()
    add_service_errors(form, ValidationError({"not_a_field": "Something else."}))
    add_service_errors(form, ValidationError("Refused."))
    assert form.errors == {NON_FIELD_ERRORS: ["Something else.", "Refused."]}


def test_renamed_keys() -> None:
    form = _form()
    error = ValidationError({"date": "Closed that day.", "kind": "Not yours."})
    add_service_errors(form, error, fields={"date": "appointment_date", "kind": None})
    assert form.errors == {
        "appointment_date": ["Closed that day."],
        NON_FIELD_ERRORS: ["Not yours."],
    }


def test_submit_calls_the_service_only_with_a_valid_form() -> None:
    calls: list[str] = []

    def service() -> str:
        calls.append("called")
        return "done"

    assert submit(ReasonForm(), service) is None  # unbound (a GET)
    assert submit(ReasonForm({"reason": ""}), service) is None  # invalid
    assert calls == []
    assert submit(_form(), service) == "done"
    assert calls == ["called"]


def test_submit_puts_a_refusal_on_the_form() -> None:
    form = _form()

    def refuse() -> None:
        raise ValidationError({"reason": "Already done."})

    assert submit(form, refuse) is None
    assert form.errors == {"reason": ["Already done."]}

"""Consultation pages. Thin: parse -> selector -> service -> render/redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from needlechart.accounts.permissions import acting_user, clinical_required
from needlechart.audit.services import audit_record
from needlechart.consultations.completion import CONFIRM_REPLACE_CODE, complete
from needlechart.consultations.forms import ConsultationForm, StartConsultationForm, intake_initial
from needlechart.consultations.models import Consultation
from needlechart.consultations.selectors import consultation_get_for
from needlechart.consultations.services import consultation_save_draft, consultation_start
from needlechart.core.forms import submit
from needlechart.patients.selectors import patient_get_for

ACTION_DRAFT = "draft"
ACTION_COMPLETE = "complete"
DRAFT_SAVED = "Draft saved."
DRAFT_SAVED_WITH_ERRORS = (
    "Draft saved, except the highlighted answers: correct them and save again."
)


def _add_service_errors(form: ConsultationForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            if key == "consulted_on":
                form.add_error("consulted_on", errors)
            else:
                form.add_intake_errors({key: errors})
    else:
        form.add_error(None, exc)


@clinical_required
@require_http_methods(["GET", "POST"])
def consultation_start_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    form = StartConsultationForm(request.POST or None)
    consultation = submit(
        form,
        lambda: consultation_start(
            patient=patient, by=user, consulted_on=form.cleaned_data["consulted_on"]
        ),
    )
    if consultation is not None:
        return redirect("consultations:edit", consultation_id=consultation.pk)
    drafts = list(patient.consultations.filter(status=Consultation.Status.DRAFT).order_by("-id"))
    return render(
        request,
        "consultations/consultation_start.html",
        {"form": form, "patient": patient, "drafts": drafts},
    )


@clinical_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request: HttpRequest, consultation_id: int) -> HttpResponse:
    user = acting_user(request)
    consultation = consultation_get_for(user=user, consultation_id=consultation_id)
    initial = intake_initial(consultation.intake or {})
    initial |= {"consulted_on": consultation.consulted_on, "notes": consultation.notes}
    form = ConsultationForm(
        request.POST or None, initial=initial, consultation_date=consultation.consulted_on
    )
    confirm_replace = ""
    if request.method == "POST":
        action = request.POST.get("action", ACTION_DRAFT)
        valid = form.is_valid()
        cleaned = form.cleaned_data
        data = form.intake_from(consultation.intake or {})
        consulted_on = cleaned.get("consulted_on")
        notes = cleaned.get("notes") if "notes" in cleaned else None
        if action == ACTION_COMPLETE and valid:
            try:
                screened = complete(
                    consultation=consultation,
                    by=user,
                    data=data,
                    consulted_on=consulted_on,
                    notes=notes,
                    replace_confirmed=request.POST.get("replace_confirmed") == "yes",
                )
            except ValidationError as exc:
                if getattr(exc, "code", None) == CONFIRM_REPLACE_CODE:
                    confirm_replace = str(exc.message)  # the confirm step, not a form error
                else:
                    _add_service_errors(form, exc)
            else:
                messages.success(request, "Consultation completed and screened.")
                return redirect(screened.get_absolute_url())
            # Fall through: keep what is valid as a draft so nothing typed is lost.
        if consultation.is_draft:
            try:
                consultation_save_draft(
                    consultation=consultation,
                    by=user,
                    data=data,
                    consulted_on=consulted_on,
                    notes=notes,
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                if action == ACTION_DRAFT and not form.errors:
                    messages.success(request, DRAFT_SAVED)
                    return redirect("consultations:edit", consultation_id=consultation.pk)
                if action == ACTION_DRAFT:
                    messages.warning(request, DRAFT_SAVED_WITH_ERRORS)
    else:
        audit_record(
            actor=user,
            action="consultation.view",
            obj=consultation,
            patient_id=consultation.patient_id,
        )
    return render(
        request,
        "consultations/consultation_form.html",
        {
            "form": form,
            "consultation": consultation,
            "patient": consultation.patient,
            "age": consultation.patient.age_on(consultation.consulted_on),
            "confirm_replace": confirm_replace,
        },
    )

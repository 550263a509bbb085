"""Patient pages. Thin: parse -> selector -> service -> render/redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from needlechart.accounts.permissions import acting_user, has_role, require_role, staff_required
from needlechart.audit.services import audit_record
from needlechart.core.confirm import confirm_with_reason
from needlechart.core.forms import add_service_errors
from needlechart.core.http import HtmxHttpRequest
from needlechart.core.pagination import paginate, querystring_without_page
from needlechart.patients.forms import (
    ARCHIVE,
    CONFIRM_DIFFERENT,
    PatientForm,
    PatientRegisterForm,
    PatientSearchForm,
)
from needlechart.patients.selectors import (
    patient_get_for,
    patient_possible_duplicates,
    patient_search,
)
from needlechart.patients.services import (
    ARCHIVE_ROLE,
    ARCHIVE_ROLES,
    patient_archive,
    patient_register,
    patient_update,
)
from needlechart.patients.timeline import timeline_for

PER_PAGE = 25


@staff_required
def patient_list(request: HtmxHttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PatientSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = paginate(request, patient_search(user=user, query=query), PER_PAGE)
    context = {
        "form": form,
        "query": query,
        "page": page,
        "querystring": querystring_without_page(request),
    }
    # htmx live search swaps only the results; without JS the full page renders.
    template = (
        "patients/_results.html"
        if request.htmx and not request.htmx.boosted
        else "patients/patient_list.html"
    )
    return render(request, template, context)


@staff_required
@require_http_methods(["GET", "POST"])
def patient_register_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    duplicates = []
    form = PatientRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        duplicates = patient_possible_duplicates(
            data["given_name"], data["family_name"], data["date_of_birth"], data["phone"]
        )
        if duplicates and not form.cleaned_data["confirm_different_person"]:
            form.add_error("confirm_different_person", CONFIRM_DIFFERENT)
        else:
            try:
                patient = patient_register(by=user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{patient.full_name} is registered.")
                return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "duplicates": duplicates, "mode": "register"},
    )


@staff_required
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    audit_record(actor=user, action="patient.view", obj=patient, patient_id=patient.pk)
    return render(
        request,
        "patients/patient_detail.html",
        {
            "patient": patient,
            "timeline": timeline_for(user=user, patient=patient),
            "can_archive": has_role(user, ARCHIVE_ROLES) and not patient.is_archived,
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        # ModelForm validation has copied the input onto `patient`; reload a clean copy
        # so the service sees what actually changed.
        fresh = patient_get_for(user=user, patient_id=patient_id)
        try:
            patient_update(by=user, patient=fresh, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Details saved.")
            return redirect("patients:detail", patient_id=fresh.pk)
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "patient": patient, "mode": "edit", "duplicates": []},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def patient_archive_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    require_role(user, ARCHIVE_ROLES, ARCHIVE_ROLE)
    return confirm_with_reason(
        request,
        confirmation=ARCHIVE,
        act=lambda reason: patient_archive(by=user, patient=patient, reason=reason),
        back_url=reverse("patients:detail", args=[patient.pk]),
        done_url=reverse("patients:list"),
        context={"patient": patient, "heading": patient.full_name},
    )

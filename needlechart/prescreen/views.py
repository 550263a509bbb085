"""Pre-screen pages: the public questionnaire and request (no sign-in), and the staff side.

The public pages work without JavaScript: the questionnaire posts to itself and shows the
outcome with the request form; the answers travel to the request in a signed hidden field
(with the moment the form was rendered), so nothing is kept for a person who does not ask
for a consultation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pydantic
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from needlechart.accounts.models import User
from needlechart.accounts.permissions import acting_user, clinical_required, staff_required
from needlechart.audit.services import audit_record
from needlechart.core.forms import add_service_errors
from needlechart.core.pagination import paginate, querystring_without_page
from needlechart.patients.models import Patient
from needlechart.patients.selectors import parse_date, patient_possible_duplicates
from needlechart.prescreen.antispam import (
    count_request,
    filled_too_fast,
    ip_hash,
    make_token,
    rate_limited,
    read_token,
)
from needlechart.prescreen.explain import explain
from needlechart.prescreen.forms import (
    ConsultationRequestForm,
    LeadConvertForm,
    LeadFilterForm,
    LeadStatusForm,
    QuestionnaireForm,
)
from needlechart.prescreen.models import Lead, LeadStatus
from needlechart.prescreen.questionnaire import answers_in_words, build_intake
from needlechart.prescreen.selectors import lead_get_for, leads_for
from needlechart.prescreen.services import (
    CONSULTATION_EXISTS,
    lead_convert,
    lead_create,
    lead_set_status,
    lead_start_consultation,
)
from needlechart.protocol import Intake, screen
from needlechart.protocol.results import Screening

PER_PAGE = 25
EXPIRED = (
    "Sorry, we could not use your answers: the page was open for a long time or was changed. "
    "Please answer the questions again."
)
# Service error keys (scheduling's) -> this form's fields.
CONVERT_ERROR_FIELDS = {
    "date": "appointment_date",
    "starts": "appointment_time",
    "ends": "appointment_time",
    "practitioner": "practitioner",
}


def _screen(answers: dict[str, Any], today: date) -> tuple[dict[str, Any], Screening]:
    intake = build_intake(answers, today=today)
    return intake, screen(Intake.model_validate(intake), today=today)


def _result(
    request: HttpRequest,
    answers: dict[str, Any],
    screening: Screening,
    request_form: ConsultationRequestForm,
    token: str,
) -> HttpResponse:
    return render(
        request,
        "prescreen/result.html",
        {
            "outcome": explain(screening, answers),
            "request_form": request_form,
            "token": token,
        },
    )


def _questionnaire(
    request: HttpRequest, form: QuestionnaireForm, *, notice: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request, "prescreen/questionnaire.html", {"form": form, "notice": notice}, status=status
    )


# ---------------------------------------------------------------- public


@require_http_methods(["GET", "POST"])
def prescreen_start(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    if request.method == "POST" and "edit_token" in request.POST:
        # "Change my answers" from the result page: the questionnaire, filled in again.
        try:
            answers, _issued = read_token(request.POST.get("edit_token", ""))
        except signing.BadSignature:
            return _questionnaire(request, QuestionnaireForm(today=today), notice=EXPIRED)
        return _questionnaire(request, QuestionnaireForm(initial=answers, today=today))
    form = QuestionnaireForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        _intake, screening = _screen(answers, today)
        token = make_token(answers)
        request_form = ConsultationRequestForm(initial={"token": token})
        return _result(request, answers, screening, request_form, token)
    return _questionnaire(request, form)


def _rate_limited_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "prescreen/rate_limited.html",
        {"clinic_phone": settings.CLINIC_PHONE},
        status=429,
    )


@require_POST
def prescreen_request(request: HttpRequest) -> HttpResponse:
    hashed = ip_hash(request)
    if rate_limited(hashed):
        return _rate_limited_page(request)
    today = timezone.localdate()
    token = str(request.POST.get("token", ""))
    try:
        answers, issued = read_token(token)
        intake, screening = _screen(answers, today)
    except (signing.BadSignature, pydantic.ValidationError, KeyError, TypeError, ValueError):
        return _questionnaire(request, QuestionnaireForm(today=today), notice=EXPIRED, status=400)
    if request.POST.get("website") or filled_too_fast(issued):
        # A bot: it is told what a person would be told, and nothing is kept.
        count_request(hashed)
        return redirect("prescreen:thanks")
    form = ConsultationRequestForm(request.POST)
    if not form.is_valid():
        return _result(request, answers, screening, form, token)
    count_request(hashed)
    data = form.cleaned_data
    lead_create(
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        preferred_times=data["preferred_times"],
        answers=answers,
        intake=intake,
        screening=screening,
        ip_hash=hashed,
    )
    return redirect("prescreen:thanks")


def prescreen_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "prescreen/thanks.html", {"clinic_phone": settings.CLINIC_PHONE})


# ---------------------------------------------------------------- staff


@staff_required
def lead_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = LeadFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = paginate(request, leads_for(user=user, status=status), PER_PAGE)
    audit_record(actor=user, action="lead.list", detail={"status": status})
    return render(
        request,
        "prescreen/lead_list.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "clinical": user.can_view_clinical,
        },
    )


def _detail_context(user: User, lead: Lead) -> dict[str, Any]:
    context: dict[str, Any] = {
        "lead": lead,
        "clinical": user.can_view_clinical,
        "status_form": LeadStatusForm(
            initial={
                "status": lead.status if lead.status != LeadStatus.CONVERTED else "",
                "staff_notes": lead.staff_notes,
            }
        ),
        "converted": lead.status == LeadStatus.CONVERTED,
    }
    if user.can_view_clinical:
        try:
            engine = Screening.model_validate(lead.screening)
        except pydantic.ValidationError:
            engine = None
        context["engine"] = engine
        context["outcome"] = explain(engine, lead.answers) if engine is not None else None
        context["answers"] = answers_in_words(lead.answers or {})
    return context


@staff_required
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = acting_user(request)
    lead = lead_get_for(user=user, lead_id=lead_id)
    audit_record(
        actor=user,
        action="lead.view",
        obj=lead,
        patient_id=lead.converted_patient_id,
        detail={"clinical": user.can_view_clinical},
    )
    return render(request, "prescreen/lead_detail.html", _detail_context(user, lead))


@staff_required
@require_POST
def lead_status(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = acting_user(request)
    lead = lead_get_for(user=user, lead_id=lead_id)
    form = LeadStatusForm(request.POST)
    if form.is_valid():
        try:
            lead_set_status(
                lead=lead,
                by=user,
                status=form.cleaned_data["status"],
                staff_notes=form.cleaned_data["staff_notes"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Request updated.")
            return redirect("prescreen:lead_detail", lead_id=lead.pk)
    context = _detail_context(user, lead)
    context["status_form"] = form
    return render(request, "prescreen/lead_detail.html", context, status=200)


def _split_name(name: str) -> tuple[str, str]:
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), ""
    return " ".join(parts[:-1]), parts[-1]


@staff_required
@require_http_methods(["GET", "POST"])
def lead_convert_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = acting_user(request)
    lead = lead_get_for(user=user, lead_id=lead_id)
    if lead.status == LeadStatus.CONVERTED:
        messages.info(request, "This request has already been turned into a patient.")
        return redirect("prescreen:lead_detail", lead_id=lead.pk)
    given, family = _split_name(lead.name)
    sex = (lead.answers or {}).get("sex")
    if request.method == "POST":
        post = request.POST
        duplicates = patient_possible_duplicates(
            str(post.get("given_name", ""))[:100],
            str(post.get("family_name", ""))[:100],
            parse_date(str(post.get("date_of_birth", ""))[:20]),
            str(post.get("phone", ""))[:32],
        )
    else:
        duplicates = patient_possible_duplicates(given, family, None, lead.phone)
    form = LeadConvertForm(
        request.POST or None,
        duplicates=duplicates,
        initial={
            "given_name": given,
            "family_name": family,
            "phone": lead.phone,
            "email": lead.email,
            "sex": sex if sex in ("female", "male", "other") else "unknown",
            "preferred_contact": "phone" if lead.phone else "email",
        },
    )
    if request.method == "POST" and form.is_valid():
        existing_id = form.cleaned_data["existing_patient"]
        existing: Patient | None = next((p for p in duplicates if p.pk == existing_id), None)
        if existing_id is not None and existing is None:
            form.add_error("existing_patient", "Choose one of the records listed.")
        elif existing is None and duplicates and not form.cleaned_data["confirm_different_person"]:
            form.add_error(
                "confirm_different_person",
                "Possible existing records found. Choose one above, or tick this box if this "
                "is a different person.",
            )
        else:
            try:
                converted = lead_convert(
                    lead=lead,
                    by=user,
                    patient=existing,
                    patient_data=None if existing else form.patient_data(),
                    appointment=form.appointment(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc, fields=CONVERT_ERROR_FIELDS)
            else:
                if converted.converted_consultation_id:
                    messages.success(
                        request, "Patient ready; the draft consultation has the answers filled in."
                    )
                    return redirect("consultations:edit", converted.converted_consultation_id)
                messages.success(
                    request,
                    "Patient ready. A clinician can start the consultation from this request.",
                )
                return redirect("prescreen:lead_detail", lead_id=lead.pk)
    audit_record(actor=user, action="lead.convert_view", obj=lead)
    return render(
        request,
        "prescreen/lead_convert.html",
        {"lead": lead, "form": form, "duplicates": duplicates, "clinical": user.can_view_clinical},
    )


@clinical_required
@require_POST
def lead_start_consultation_view(request: HttpRequest, lead_id: int) -> HttpResponse:
    user = acting_user(request)
    lead = lead_get_for(user=user, lead_id=lead_id)
    try:
        consultation = lead_start_consultation(lead=lead, by=user)
    except ValidationError as exc:
        if CONSULTATION_EXISTS in exc.messages and lead.converted_consultation_id:
            return redirect("consultations:edit", lead.converted_consultation_id)
        messages.error(request, " ".join(exc.messages))
        return redirect("prescreen:lead_detail", lead_id=lead.pk)
    messages.success(request, "Draft consultation started with the answers filled in.")
    return redirect("consultations:edit", consultation.pk)

"""Assessment pages. Thin: parse -> selector -> service -> render/redirect."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from needlechart.accounts.permissions import acting_user, clinical_required
from needlechart.assessments.forms import (
    GAGS_REGION_LABELS,
    SCAR_TYPE_LABELS,
    AssessmentForm,
)
from needlechart.assessments.models import Assessment, AssessmentKind
from needlechart.assessments.selectors import assessment_get_for, assessment_list_for
from needlechart.assessments.services import assessment_build, assessment_record
from needlechart.audit.services import audit_record
from needlechart.consultations.models import Consultation
from needlechart.core.forms import add_service_errors
from needlechart.patients.selectors import MAX_DB_ID, patient_get_for
from needlechart.protocol import cite, default_protocol
from needlechart.protocol.results import Grading
from needlechart.protocol.vocabulary import GagsRegion, ScarType


def grading_context(grading: Grading) -> dict[str, Any]:
    """What the pages show beside a grading: descriptions and readable sources."""
    categories = {
        c.code: c for c in default_protocol().document.grading.goodman_baron_quantitative.categories
    }
    quantitative_rows = []
    if grading.quantitative is not None:
        for code, points in grading.quantitative.per_category.items():
            category = categories.get(code)
            quantitative_rows.append(
                {
                    "code": code,
                    "description": category.description if category else code,
                    "group": category.group if category else "",
                    "points": points,
                }
            )
    return {
        "grading": grading,
        "quantitative_rows": quantitative_rows,
        "qualitative_sources": cite(grading.qualitative.sources),
        "quantitative_sources": cite(grading.quantitative.sources) if grading.quantitative else [],
        "acne_sources": cite(grading.acne.sources),
    }


def _quantitative_label() -> str:
    return default_protocol().document.grading.goodman_baron_quantitative.label


@clinical_required
@require_http_methods(["GET", "POST"])
def assessment_new(
    request: HttpRequest, patient_id: int, consultation_id: int | None = None
) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    initial: dict[str, Any] = {
        "kind": AssessmentKind.FOLLOW_UP
        if patient.assessments.exists()
        else AssessmentKind.BASELINE
    }
    if consultation_id is not None:
        if not 0 < consultation_id <= MAX_DB_ID:
            raise Http404("No such consultation.")
        consultation = Consultation.objects.filter(pk=consultation_id, patient=patient).first()
        if consultation is None:
            raise Http404("No such consultation for this patient.")
        initial["consultation"] = consultation
    form = AssessmentForm(request.POST or None, patient=patient, initial=initial)
    preview: Grading | None = None
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        chosen = data.pop("consultation")
        try:
            if request.POST.get("action") == "preview":
                draft = assessment_build(patient=patient, by=user, consultation=chosen, **data)
                preview = draft.engine_grading()
            else:
                assessment = assessment_record(
                    patient=patient, by=user, consultation=chosen, **data
                )
                messages.success(request, "Assessment recorded.")
                return redirect("assessments:detail", assessment_id=assessment.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    context: dict[str, Any] = {
        "form": form,
        "patient": patient,
        "quantitative_label": _quantitative_label(),
        "preview": preview,
    }
    if preview is not None:
        context |= grading_context(preview)
    return render(request, "assessments/assessment_form.html", context)


@clinical_required
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    user = acting_user(request)
    assessment = assessment_get_for(user=user, assessment_id=assessment_id)
    audit_record(
        actor=user, action="assessment.view", obj=assessment, patient_id=assessment.patient_id
    )
    grading = assessment.engine_grading()
    gags: dict[str, str] = assessment.gags or {}
    context: dict[str, Any] = {
        "assessment": assessment,
        "patient": assessment.patient,
        "scar_type_labels": [SCAR_TYPE_LABELS[t] for t in ScarType],
        "zone_rows": assessment.zone_rows(),
        "type_totals": list(assessment.type_totals().values()),
        "gags_rows": [
            (GAGS_REGION_LABELS[r], gags[r.value]) for r in GagsRegion if r.value in gags
        ],
        "quantitative_label": grading.quantitative.label
        if grading.quantitative
        else _quantitative_label(),
        "confirmed_differs": assessment.qualitative_grade is not None
        and assessment.qualitative_grade != assessment.suggested_grade,
    }
    context |= grading_context(grading)
    return render(request, "assessments/assessment_detail.html", context)


@clinical_required
def assessment_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    assessments: list[Assessment] = list(assessment_list_for(user=user, patient=patient))
    audit_record(actor=user, action="assessment.list", patient_id=patient.pk)
    return render(
        request,
        "assessments/assessment_list.html",
        {"patient": patient, "assessments": assessments},
    )

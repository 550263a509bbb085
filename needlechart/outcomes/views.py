"""Follow-up and progress pages. Thin: parse -> selector -> service -> render/redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from needlechart.accounts.permissions import acting_user, clinical_required
from needlechart.assessments.models import AssessmentKind
from needlechart.assessments.services import assessment_build
from needlechart.assessments.views import grading_context
from needlechart.audit.services import audit_record
from needlechart.core.forms import add_service_errors
from needlechart.outcomes.forms import RATING_HIGH_LABEL, RATING_LOW_LABEL, FollowUpForm
from needlechart.outcomes.models import RATING_MAX, RATING_MIN
from needlechart.outcomes.selectors import follow_up_get_for
from needlechart.outcomes.services import follow_up_record
from needlechart.outcomes.templatetags.outcomes import outcomes_context
from needlechart.patients.selectors import patient_get_for
from needlechart.protocol import cite, default_protocol
from needlechart.protocol.results import Grading

# Service error keys -> the form's field names.
FIELD_FOR = {"rating": "patient_rating", "followed_on": "assessed_on", "kind": None}


def _rating_scale() -> dict[str, Any]:
    return {
        "rating_min": RATING_MIN,
        "rating_max": RATING_MAX,
        "rating_low": RATING_LOW_LABEL,
        "rating_high": RATING_HIGH_LABEL,
    }


@clinical_required
@require_http_methods(["GET", "POST"])
def follow_up_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    if patient.is_archived:
        messages.error(request, "This patient's record is archived; a follow-up cannot be added.")
        return redirect("patients:detail", patient_id=patient.pk)
    form = FollowUpForm(request.POST or None, patient=patient)
    preview: Grading | None = None
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            if request.POST.get("action") == "preview":
                assessment_data = {
                    k: v for k, v in data.items() if k not in ("followed_on", "rating", "notes")
                }
                draft = assessment_build(
                    patient=patient,
                    by=user,
                    kind=AssessmentKind.FOLLOW_UP,
                    assessed_on=data["followed_on"],
                    **assessment_data,
                )
                preview = draft.engine_grading()
            else:
                follow_up = follow_up_record(patient=patient, by=user, **data)
                messages.success(request, "Follow-up recorded.")
                return redirect("outcomes:detail", follow_up_id=follow_up.pk)
        except ValidationError as exc:
            add_service_errors(form, exc, fields=FIELD_FOR)
    context: dict[str, Any] = {
        "form": form,
        "patient": patient,
        "quantitative_label": default_protocol().document.grading.goodman_baron_quantitative.label,
        "preview": preview,
        **outcomes_context(user=user, patient=patient),
        **_rating_scale(),
    }
    context["rule_sources"] = cite(context["status"].rule.sources)
    if preview is not None:
        context |= grading_context(preview)
    return render(request, "outcomes/follow_up_form.html", context)


@clinical_required
def follow_up_detail(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    user = acting_user(request)
    follow_up = follow_up_get_for(user=user, follow_up_id=follow_up_id)
    audit_record(
        actor=user, action="follow_up.view", obj=follow_up, patient_id=follow_up.patient_id
    )
    assessment = follow_up.assessment
    grading = assessment.engine_grading()
    context: dict[str, Any] = {
        "follow_up": follow_up,
        "patient": follow_up.patient,
        "assessment": assessment,
        "quantitative_label": grading.quantitative.label
        if grading.quantitative
        else default_protocol().document.grading.goodman_baron_quantitative.label,
        **_rating_scale(),
    }
    context |= grading_context(grading)
    return render(request, "outcomes/follow_up_detail.html", context)


@clinical_required
def progress(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    audit_record(actor=user, action="outcomes.progress_view", patient_id=patient.pk)
    context: dict[str, Any] = {"patient": patient, **outcomes_context(user=user, patient=patient)}
    context["rule_sources"] = cite(context["status"].rule.sources)
    return render(request, "outcomes/progress.html", context)

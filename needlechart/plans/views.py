"""Treatment plan pages. Thin: parse -> selector -> service -> render/redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from needlechart.accounts.permissions import acting_user, clinical_required
from needlechart.assessments.selectors import assessment_latest
from needlechart.audit.refusal import refused
from needlechart.audit.services import audit_record
from needlechart.core.dates import in_span
from needlechart.core.forms import act_and_report, submit
from needlechart.core.pagination import paginate, querystring_without_page
from needlechart.patients.selectors import patient_get_for
from needlechart.plans.forms import PlanAdjustForm
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.selectors import (
    plan_get_for,
    plan_list_for,
    plan_screening_change,
    plans_awaiting_approval,
)
from needlechart.plans.services import (
    APPROVE_ROLE,
    CLINICIAN_SET,
    NO_SOURCED_RANGE,
    OUTSIDE_RANGE,
    SCREENING_CHANGED,
    depth_key,
    format_range,
    plan_adjust,
    plan_approve,
    plan_draft,
    plan_refusal,
    plan_screening_review,
)
from needlechart.protocol import cite, preparation_schedule
from needlechart.protocol.results import Plan, SourcedRange
from needlechart.screenings.selectors import screening_get_for

PER_PAGE = 25


def _value_row(
    plan: TreatmentPlan, key: str, label: str, value: Any, unit: str, rng: SourcedRange
) -> dict[str, Any]:
    deviation = plan.deviation_for(key)
    if value is None:
        state = "unset"
    elif deviation and deviation.get("kind") == OUTSIDE_RANGE:
        state = "deviation"
    elif (deviation and deviation.get("kind") == NO_SOURCED_RANGE) or not rng.known:
        state = "clinician_set"
    else:
        state = "within"
    return {
        "key": key,
        "label": label,
        "value": value,
        "unit": unit,
        "range": rng,
        "range_text": format_range(rng),
        "sources": cite(rng.sources),
        "deviation": deviation,
        "state": state,
    }


def plan_rows(plan: TreatmentPlan, recommendation: Plan) -> list[dict[str, Any]]:
    rows = [
        _value_row(
            plan,
            "sessions_planned",
            "Sessions",
            plan.sessions_planned,
            "sessions",
            recommendation.sessions,
        ),
        _value_row(
            plan,
            "interval_weeks",
            "Interval",
            plan.interval_weeks,
            "weeks",
            recommendation.interval_weeks,
        ),
    ]
    depths: dict[str, Any] = plan.depths or {}
    for zone_depth in recommendation.depths:
        zone = zone_depth.zone.value
        rows.append(
            _value_row(
                plan,
                depth_key(zone),
                f"Needle depth, {zone}",
                depths.get(zone),
                "mm",
                zone_depth.depth_mm,
            )
        )
    return rows


def _plan_context(plan: TreatmentPlan) -> dict[str, Any]:
    recommendation = plan.engine_plan()
    if in_span(plan.start_date):
        assert plan.start_date is not None
        preparation = [
            {"item": item, "date": day, "sources": cite(item.sources)}
            for item, day in preparation_schedule(recommendation, plan.start_date)
        ]
    else:
        preparation = [
            {"item": item, "date": None, "sources": cite(item.sources)}
            for item in recommendation.preparation
        ]
    return {
        "plan": plan,
        "patient": plan.patient,
        "rec": recommendation,
        "rows": plan_rows(plan, recommendation),
        "preparation": preparation,
        "adjuncts": [{"item": a, "sources": cite(a.sources)} for a in recommendation.adjuncts],
        "precautions": [
            {"item": p, "sources": cite(p.sources)} for p in recommendation.precautions
        ],
        "endpoint_sources": cite(recommendation.endpoint.sources),
        "expected_sources": cite(recommendation.expected_course.sources),
        "maintenance_sources": cite(recommendation.maintenance.sources),
        "clinician_set": CLINICIAN_SET,
    }


@clinical_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, screening_id: int) -> HttpResponse:
    """Confirm, then build a draft from the screening (and the latest assessment)."""
    user = acting_user(request)
    screening = screening_get_for(user=user, screening_id=screening_id)
    refusal = plan_refusal(screening)
    errors: list[str] = []
    if request.method == "POST" and refusal is None:
        try:
            plan = plan_draft(screening=screening, by=user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "Draft plan created from the protocol's recommendation.")
            return redirect("plans:detail", plan_id=plan.pk)
    return render(
        request,
        "plans/plan_new.html",
        {
            "screening": screening,
            "patient": screening.patient,
            "refusal": refusal,
            "errors": errors,
            "assessment": assessment_latest(patient=screening.patient),
        },
    )


@clinical_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = acting_user(request)
    plan = plan_get_for(user=user, plan_id=plan_id)
    audit_record(actor=user, action="plan.view", obj=plan, patient_id=plan.patient_id)
    context = _plan_context(plan)
    context["can_approve"] = user.is_clinician and plan.is_draft
    context["screening_change"] = plan_screening_change(plan=plan)
    context["screening_changed_text"] = SCREENING_CHANGED
    return render(request, "plans/plan_detail.html", context)


@clinical_required
@require_POST
def plan_screening_review_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A clinician confirms the approved plan stands against the changed screening."""
    user = acting_user(request)
    plan = plan_get_for(user=user, plan_id=plan_id)
    try:
        plan_screening_review(plan=plan, by=user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, "Plan reviewed against the new screening; charting can go on.")
    return redirect("plans:detail", plan_id=plan.pk)


@clinical_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = acting_user(request)
    plan = plan_get_for(user=user, plan_id=plan_id)
    if not plan.is_draft:
        messages.error(request, "An approved or superseded plan cannot be edited.")
        return redirect("plans:detail", plan_id=plan.pk)
    form = PlanAdjustForm(request.POST or None, plan=plan)
    saved = submit(form, lambda: plan_adjust(plan=plan, by=user, **form.service_data()))
    if saved is not None:
        messages.success(request, "Plan values saved.")
        return redirect("plans:detail", plan_id=plan.pk)
    context = _plan_context(plan)
    context["form"] = form
    return render(request, "plans/plan_form.html", context)


APPROVE_CONFIRM_REQUIRED = "Tick the box to confirm the deviations listed above."


@clinical_required
@require_http_methods(["GET", "POST"])
def plan_approve_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Approve a draft. A plan with deviations goes through a confirm step first (GET, or a
    POST without the box ticked, shows each deviation and what approval freezes)."""
    user = acting_user(request)
    plan = plan_get_for(user=user, plan_id=plan_id)
    if not user.is_clinician:
        return refused(
            request,
            user=user,
            action="plan.approve_refused",
            obj=plan,
            patient_id=plan.patient_id,
            title="Approval refused",
            message=APPROVE_ROLE,
            back_url=reverse("plans:detail", args=[plan.pk]),
            back_label="Back to the plan",
        )
    if not plan.is_draft:
        return redirect("plans:detail", plan_id=plan.pk)
    confirmed = request.method == "POST" and request.POST.get("confirm") == "yes"
    if request.method == "GET" or (plan.deviations and not confirmed):
        context = _plan_context(plan)
        context["deviation_rows"] = [r for r in context["rows"] if r["deviation"]]
        context["confirm_error"] = APPROVE_CONFIRM_REQUIRED if request.method == "POST" else ""
        return render(request, "plans/approve_confirm.html", context)
    act_and_report(
        request,
        lambda: plan_approve(plan=plan, by=user),
        done="Plan approved. It can no longer be edited.",
    )
    return redirect("plans:detail", plan_id=plan.pk)


@clinical_required
def plan_list(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    plans = list(plan_list_for(user=user, patient=patient))
    audit_record(actor=user, action="plan.list", patient_id=patient.pk)
    return render(request, "plans/plan_list.html", {"patient": patient, "plans": plans})


@clinical_required
def plan_awaiting(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = paginate(request, plans_awaiting_approval(user=user), PER_PAGE)
    audit_record(actor=user, action="plan.awaiting_list")
    return render(
        request,
        "plans/plan_awaiting.html",
        {"page": page, "querystring": querystring_without_page(request)},
    )

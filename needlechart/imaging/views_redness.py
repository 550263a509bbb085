"""Redness measurement of a photo region, and the patient's redness chart."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from needlechart.accounts.permissions import acting_user, clinical_required
from needlechart.audit.services import audit_record
from needlechart.core.forms import add_service_errors
from needlechart.imaging.forms_redness import RednessForm
from needlechart.imaging.redness import (
    box_style,
    chart_context,
    measurements_for,
    measurements_of_photo,
    method_citation,
    redness_measure,
)
from needlechart.imaging.selectors import photo_get_for
from needlechart.patients.selectors import patient_get_for


@clinical_required
@require_http_methods(["GET", "POST"])
def measure(request: HttpRequest, photo_id: int) -> HttpResponse:
    user = acting_user(request)
    photo = photo_get_for(user=user, photo_id=photo_id)
    form = RednessForm(request.POST or None, photo_size=(photo.width, photo.height))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            measurement = redness_measure(
                photo=photo,
                by=user,
                x=data["x"],
                y=data["y"],
                width=data["width"],
                height=data["height"],
                label=data["label"] or "",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Erythema index {measurement.value:.1f} recorded "
                "(method E1, UNVERIFIED: a relative measure, not a diagnosis).",
            )
            return redirect("imaging:measure", photo_id=photo.pk)
    if request.method == "GET":
        audit_record(actor=user, action="redness.view", obj=photo, patient_id=photo.patient_id)
    measurements = list(measurements_of_photo(user=user, photo=photo))
    context: dict[str, Any] = {
        "photo": photo,
        "patient": photo.patient,
        "form": form,
        "measurements": [(m, box_style(m, photo)) for m in measurements],
        "method_citation": method_citation(),
    }
    return render(request, "imaging/redness_measure.html", context)


@clinical_required
@require_GET
def redness(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    measurements = measurements_for(user=user, patient=patient)
    audit_record(
        actor=user,
        action="redness.view",
        obj=patient,
        patient_id=patient.pk,
        detail={"measurements": len(measurements)},
    )
    context = {"patient": patient, **chart_context(measurements)}
    return render(request, "imaging/redness_chart.html", context)

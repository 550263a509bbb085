"""Comparison of two visits' photos, and capture guided by the previous photo of a view."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from needlechart.accounts.permissions import acting_user, clinical_required
from needlechart.audit.services import audit_record
from needlechart.core.forms import add_service_errors
from needlechart.imaging.compare import comparison_for, previous_photo, visits_for
from needlechart.imaging.forms import PhotoUploadForm
from needlechart.imaging.models import PhotoView
from needlechart.imaging.selectors import NO_PHOTO_CONSENT, photo_consent
from needlechart.imaging.services import PATIENT_ARCHIVED, photo_upload
from needlechart.patients.models import Patient
from needlechart.patients.selectors import patient_get_for
from needlechart.protocol.vocabulary import Zone


@clinical_required
@require_GET
def compare(request: HttpRequest, patient_id: int) -> HttpResponse:
    """`?a=<visit>&b=<visit>`; without them the first and the latest visit. An unknown or
    malformed visit key is a 404."""
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    visits = visits_for(user=user, patient=patient)
    context: dict[str, Any] = {"patient": patient, "visits": visits, "comparison": None}
    if not visits:
        clinical, _marketing = photo_consent(patient)
        context["no_consent"] = NO_PHOTO_CONSENT if not clinical else ""
        return render(request, "imaging/compare.html", context)
    a = request.GET.get("a") or visits[0].key
    b = request.GET.get("b") or visits[-1].key
    comparison = comparison_for(user=user, patient=patient, visits=visits, a=a, b=b)
    audit_record(
        actor=user,
        action="photo.compare",
        obj=patient,
        patient_id=patient.pk,
        detail={"a": comparison.a.key, "b": comparison.b.key, "photos": comparison.photo_ids},
    )
    context["comparison"] = comparison
    return render(request, "imaging/compare.html", context)


# ---------------------------------------------------------------- capture guidance

# The standard series, in the order it is taken; close-ups are taken as needed.
SERIES = [v for v in PhotoView.values if v != PhotoView.CLOSE_UP]
CARRIED_TAGS = ("visit_kind", "session", "follow_up", "taken_on", "lighting_notes")
MAX_TAG_LENGTH = 255


def _guide_view(request: HttpRequest) -> tuple[str, str]:
    """The view (and close-up zone) to guide, from ?view=&zone= (unknown values: front)."""
    source = request.POST if request.method == "POST" else request.GET
    view = source.get("view", "")
    if view not in PhotoView.values:
        view = PhotoView.FRONT
    zone = source.get("zone", "") if view == PhotoView.CLOSE_UP else ""
    if zone not in {z.value for z in Zone}:
        zone = ""
    return view, zone


def _next_url(patient_id: int, view: str, data: dict[str, Any]) -> str:
    """The capture page of the next view of the series, keeping the visit's tags."""
    following = SERIES[SERIES.index(view) + 1] if view in SERIES[:-1] else view
    query: dict[str, str] = {"view": following}
    for name in CARRIED_TAGS:
        value = data.get(name)
        if value:
            query[name] = str(value.pk if hasattr(value, "pk") else value)
    return f"{reverse('imaging:capture', args=[patient_id])}?{urlencode(query)}"


@clinical_required
@require_http_methods(["GET", "POST"])
def capture(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Upload one view with the most recent earlier photo of that view as a guide: a faint
    overlay on the live camera where the browser allows it, beside the file input without."""
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    if patient.is_archived:
        messages.error(request, PATIENT_ARCHIVED)
        return redirect("patients:detail", patient_id=patient.pk)
    view, zone = _guide_view(request)
    clinical, _marketing = photo_consent(patient)
    if not clinical:  # like the upload page: say why, offer nothing to upload
        return _no_consent(request, patient, view)
    initial: dict[str, Any] = {"view": view, "zone": zone, "taken_on": timezone.localdate()}
    for name in CARRIED_TAGS:
        value = request.GET.get(name, "")[:MAX_TAG_LENGTH]
        if value:
            initial[name] = value
    form = PhotoUploadForm(
        request.POST or None, request.FILES or None, patient=patient, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            result = photo_upload(
                patient=patient, by=user, files=form.cleaned_data["photos"], **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:  # the consent changed since the page was read
            return _no_consent(request, patient, view)
        else:
            for rejection in result.rejected:
                messages.error(request, rejection.message)
            if result.saved:
                label = PhotoView(data["view"]).label
                messages.success(
                    request,
                    f"{len(result.saved)} photo{pluralize(len(result.saved))} saved ({label}).",
                )
                return redirect(_next_url(patient.pk, data["view"], data))
    previous = previous_photo(user=user, patient=patient, view=view, zone=zone)
    audit_record(
        actor=user,
        action="photo.capture_guide",
        obj=patient,
        patient_id=patient.pk,
        detail={"view": view, "zone": zone, "previous": previous.pk if previous else None},
    )
    context: dict[str, Any] = {
        "patient": patient,
        "form": form,
        "view": view,
        "view_label": PhotoView(view).label,
        "zone": zone,
        "previous": previous,
        "views": [(v, PhotoView(v).label) for v in SERIES],
        "zones": [z.value for z in Zone],
    }
    return render(request, "imaging/overlay_capture.html", context)


def _no_consent(request: HttpRequest, patient: Patient, view: str) -> HttpResponse:
    context = {"patient": patient, "no_consent": NO_PHOTO_CONSENT, "view": view}
    return render(request, "imaging/overlay_capture.html", context)

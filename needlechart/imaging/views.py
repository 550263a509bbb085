"""Photo pages: gallery, upload, detail (tags, marketing flag), archive, and the one view
that serves the image bytes. Thin: parse -> selector -> service -> render/redirect.

Photos are never reachable through MEDIA_URL: `photo_file` checks role and consent and
writes an audit `photo.view` event for every image it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from needlechart.accounts.permissions import acting_user, clinical_required
from needlechart.audit.services import audit_record
from needlechart.consents.selectors import current_consent
from needlechart.core.confirm import confirm_with_reason
from needlechart.core.forms import act_and_report, add_service_errors, submit
from needlechart.core.pagination import paginate, querystring_without_page
from needlechart.imaging.forms import (
    ARCHIVE,
    GalleryFilterForm,
    PhotoMarketingForm,
    PhotoTagsForm,
    PhotoUploadForm,
)
from needlechart.imaging.models import Photo, VisitKind
from needlechart.imaging.selectors import open_photo, photo_get_for, photos_for
from needlechart.imaging.services import (
    MAX_BATCH,
    UploadResult,
    photo_archive,
    photo_set_marketing,
    photo_update,
    photo_upload,
)
from needlechart.outcomes.models import FollowUp
from needlechart.patients.models import Patient
from needlechart.patients.selectors import MAX_DB_ID, patient_get_for
from needlechart.treatments.models import SessionRecord

PER_PAGE = 36
THUMB = "thumb"
FULL = "full"


@dataclass
class VisitGroup:
    taken_on: date
    visit_kind: str
    visit_label: str
    session: SessionRecord | None
    follow_up: FollowUp | None
    photos: list[Photo] = field(default_factory=list)

    @property
    def title(self) -> str:
        """What the visit was ("Session 2", "Consultation"), as on the comparison page."""
        return self.photos[0].visit.title if self.photos else self.visit_label


def group_by_visit(photos: Iterable[Photo]) -> list[VisitGroup]:
    """Consecutive photos of the same date, visit kind, session and follow-up (the
    gallery's order keeps them together)."""
    groups: list[VisitGroup] = []
    for photo in photos:
        key = (photo.taken_on, photo.visit_kind, photo.session_id, photo.follow_up_id)
        last = groups[-1] if groups else None
        if last is None or key != (
            last.taken_on,
            last.visit_kind,
            last.session.pk if last.session else None,
            last.follow_up.pk if last.follow_up else None,
        ):
            last = VisitGroup(
                taken_on=photo.taken_on,
                visit_kind=photo.visit_kind,
                visit_label=photo.get_visit_kind_display(),
                session=photo.session,
                follow_up=photo.follow_up,
            )
            groups.append(last)
        last.photos.append(photo)
    return groups


def _consent_context(patient: Patient) -> dict[str, Any]:
    consent = current_consent(patient)
    return {
        "consent": consent,
        "photo_clinical": bool(consent and consent.photo_clinical),
        "photo_marketing": bool(consent and consent.photo_marketing),
    }


@clinical_required
@require_safe
def gallery(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    context: dict[str, Any] = {"patient": patient, **_consent_context(patient)}
    filters = GalleryFilterForm(request.GET or None)
    view = filters.cleaned_data.get("view", "") if filters.is_valid() else ""
    show_archived = request.GET.get("archived") == "1"
    context |= {"filters": filters, "view": view, "show_archived": show_archived}
    audit_record(
        actor=user,
        action="photo.list",
        patient_id=patient.pk,
        detail={"view": view, "archived": show_archived},
    )
    if not context["photo_clinical"]:
        return render(request, "imaging/gallery.html", context)
    qs = photos_for(user=user, patient=patient, include_archived=show_archived)
    if view:
        qs = qs.filter(view=view)
    page = paginate(request, qs, PER_PAGE)
    context |= {
        "page": page,
        "groups": group_by_visit(page.object_list),
        "querystring": querystring_without_page(request),
    }
    return render(request, "imaging/gallery.html", context)


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    if not raw.isdigit() or not 0 < int(raw) <= MAX_DB_ID:
        return None
    return int(raw)


def _upload_initial(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """Tags preset from ?session=<id> or ?follow_up=<id> (links on those pages)."""
    initial: dict[str, Any] = {
        "taken_on": timezone.localdate(),
        "visit_kind": VisitKind.CONSULTATION,
    }
    if (session_id := _int_param(request, "session")) is not None:
        session = SessionRecord.objects.filter(pk=session_id, patient=patient).first()
        if session is not None:
            initial |= {
                "visit_kind": VisitKind.SESSION,
                "session": session.pk,
                "taken_on": session.performed_on,
            }
    elif (follow_up_id := _int_param(request, "follow_up")) is not None:
        follow_up = FollowUp.objects.filter(pk=follow_up_id, patient=patient).first()
        if follow_up is not None:
            initial |= {
                "visit_kind": VisitKind.FOLLOW_UP,
                "follow_up": follow_up.pk,
                "taken_on": follow_up.followed_on,
            }
    return initial


def _report(request: HttpRequest, result: UploadResult) -> None:
    if result.saved:
        names = ", ".join(f"“{p.original_name}”" for p in result.saved)
        count = len(result.saved)
        messages.success(request, f"{count} photo{'s' if count != 1 else ''} saved: {names}.")
    for name in result.converted:
        messages.info(request, f"“{name}” was HEIC/HEIF and is stored as JPEG.")
    for rejection in result.rejected:
        messages.error(request, rejection.message)


@clinical_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = acting_user(request)
    patient = patient_get_for(user=user, patient_id=patient_id)
    context: dict[str, Any] = {"patient": patient, "max_batch": MAX_BATCH}
    context |= _consent_context(patient)
    if patient.is_archived:
        messages.error(request, "This patient's record is archived; photos cannot be added.")
        return redirect("imaging:gallery", patient_id=patient.pk)
    if not context["photo_clinical"]:
        return render(request, "imaging/upload.html", context)
    form = PhotoUploadForm(
        request.POST or None,
        request.FILES or None,
        patient=patient,
        initial=_upload_initial(request, patient),
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = photo_upload(
                patient=patient, by=user, files=form.cleaned_data["photos"], **form.service_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            context |= {"photo_clinical": False}
            return render(request, "imaging/upload.html", context)
        else:
            _report(request, result)
            if result.saved:
                return redirect("imaging:gallery", patient_id=patient.pk)
            context["all_refused"] = True
    context["form"] = form
    return render(request, "imaging/upload.html", context)


@clinical_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, photo_id: int) -> HttpResponse:
    """The photo at full size, its tags (editable), the marketing flag and archiving."""
    user = acting_user(request)
    photo = photo_get_for(user=user, photo_id=photo_id)
    patient = photo.patient
    form = PhotoTagsForm(
        request.POST or None, patient=patient, initial=PhotoTagsForm.initial_for(photo)
    )
    if request.method == "POST":
        saved = submit(form, lambda: photo_update(photo=photo, by=user, **form.service_data()))
        if saved is not None:
            messages.success(request, "Photo details saved.")
            return redirect("imaging:detail", photo_id=photo.pk)
    else:
        audit_record(actor=user, action="photo.detail_view", obj=photo, patient_id=patient.pk)
    context: dict[str, Any] = {
        "photo": photo,
        "patient": patient,
        "form": form,
        "marketing_form": PhotoMarketingForm(initial={"marketing_use": photo.marketing_use}),
        **_consent_context(patient),
    }
    return render(request, "imaging/photo_detail.html", context)


@clinical_required
@require_POST
def marketing(request: HttpRequest, photo_id: int) -> HttpResponse:
    user = acting_user(request)
    photo = photo_get_for(user=user, photo_id=photo_id)
    form = PhotoMarketingForm(request.POST)
    wanted = form.is_valid() and bool(form.cleaned_data["marketing_use"])
    act_and_report(
        request,
        lambda: photo_set_marketing(photo=photo, by=user, marketing_use=wanted),
        done="Marked for teaching/marketing use without name."
        if wanted
        else "Not used for teaching or marketing.",
    )
    return redirect("imaging:detail", photo_id=photo.pk)


@clinical_required
@require_http_methods(["GET", "POST"])
def archive(request: HttpRequest, photo_id: int) -> HttpResponse:
    """Confirmation step with a reason; the photo is kept, only hidden from the gallery."""
    user = acting_user(request)
    photo = photo_get_for(user=user, photo_id=photo_id)
    if photo.is_archived:
        messages.info(request, "This photo is already archived.")
        return redirect("imaging:detail", photo_id=photo.pk)
    return confirm_with_reason(
        request,
        confirmation=ARCHIVE,
        act=lambda reason: photo_archive(photo=photo, by=user, reason=reason),
        back_url=reverse("imaging:detail", args=[photo.pk]),
        done_url=reverse("imaging:gallery", args=[photo.patient_id]),
        context={
            "photo": photo,
            "patient": photo.patient,
            "preview": "imaging/_archive_preview.html",
        },
        template="imaging/photo_archive.html",
    )


@clinical_required
@require_safe
def photo_file(request: HttpRequest, photo_id: int) -> HttpResponse:
    """The image bytes (?size=thumb for the JPEG thumbnail, else the stored photo)."""
    user = acting_user(request)
    photo = photo_get_for(user=user, photo_id=photo_id)
    thumbnail = request.GET.get("size") == THUMB
    try:
        data = open_photo(photo, thumbnail=thumbnail)
    except OSError:
        raise Http404("The photo file is missing from storage.") from None
    audit_record(
        actor=user,
        action="photo.view",
        obj=photo,
        patient_id=photo.patient_id,
        detail={"size": THUMB if thumbnail else FULL},
    )
    content_type = "image/jpeg" if thumbnail else photo.content_type
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    extension = "jpg" if content_type == "image/jpeg" else content_type.rsplit("/", 1)[-1]
    suffix = "-thumb" if thumbnail else ""
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}{suffix}.{extension}"'
    return response

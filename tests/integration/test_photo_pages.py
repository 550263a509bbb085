"""Serving photos (roles, consent, audit, headers), the gallery (grouped by visit, filter,
pages, fixed query counts), the photo page (tags, marketing flag, archive), timeline."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.consents.models import ConsentStatus
from needlechart.imaging.models import Photo, PhotoView, VisitKind
from needlechart.imaging.selectors import open_photo, photo_get_for, photos_for
from needlechart.patients.models import Patient
from tests.factories.imaging import (
    give_photo_consent,
    image_bytes,
    store_photo,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_storage")]

D1 = date(2025, 1, 6)
D2 = date(2025, 3, 3)


@pytest.fixture
def consent(clinician: User, patient: Patient) -> Any:
    return give_photo_consent(patient=patient, by=clinician)


@pytest.fixture
def photo(consent: Any, clinician: User, patient: Patient) -> Photo:
    return store_photo(patient=patient, by=clinician, data=image_bytes(800, 600), taken_on=D1)


def _file(client: Client, photo: Photo, size: str | None = None) -> Any:
    url = reverse("imaging:file", args=[photo.pk])
    return client.get(url, {"size": size} if size else {})


def _views(photo: Photo) -> int:
    return AuditEvent.objects.filter(
        action="photo.view", object_id=str(photo.pk), object_type="imaging.photo"
    ).count()


# ---------------------------------------------------------------- serving


@pytest.mark.parametrize("who", ["clinician_client", "aesthetician_client"])
def test_clinical_roles_get_the_bytes_with_safe_headers(
    who: str, request: pytest.FixtureRequest, photo: Photo
) -> None:
    client: Client = request.getfixturevalue(who)
    response = _file(client, photo, "full")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == open_photo(photo)
    assert Image.open(io.BytesIO(response.content)).size == (800, 600)
    thumb = _file(client, photo, "thumb")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert thumb.content == open_photo(photo, thumbnail=True)
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 480


def test_every_view_is_audited(clinician_client: Client, clinician: User, photo: Photo) -> None:
    assert _views(photo) == 0
    _file(clinician_client, photo, "thumb")
    _file(clinician_client, photo, "full")
    _file(clinician_client, photo)
    events = AuditEvent.objects.filter(action="photo.view", object_id=str(photo.pk))
    assert events.count() == 3
    assert sorted(e.detail["size"] for e in events) == ["full", "full", "thumb"]
    assert {e.actor_id for e in events} == {clinician.pk}
    assert {e.patient_id for e in events} == {photo.patient_id}


def test_png_is_served_as_png(clinician_client: Client, clinician: User, consent: Any) -> None:
    png = store_photo(
        patient=consent.patient, by=clinician, data=image_bytes(fmt="PNG"), name="a.png"
    )
    assert _file(clinician_client, png)["Content-Type"] == "image/png"
    assert _file(clinician_client, png, "thumb")["Content-Type"] == "image/jpeg"


def test_unknown_size_serves_the_photo(clinician_client: Client, photo: Photo) -> None:
    response = _file(clinician_client, photo, "<script>")
    assert response.status_code == 200
    assert response.content == open_photo(photo)


def test_front_desk_and_admin_get_403_and_no_bytes(
    front_desk_client: Client, admin_client_: Client, photo: Photo
) -> None:
    for client in (front_desk_client, admin_client_):
        for size in ("thumb", "full"):
            response = _file(client, photo, size)
            assert response.status_code == 403
            assert response.get("Content-Type", "").startswith("text/html")
    assert _views(photo) == 0


def test_anonymous_is_sent_to_sign_in(photo: Photo) -> None:
    response = _file(Client(), photo)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_no_file_without_current_photo_consent(
    clinician_client: Client, photo: Photo, consent: Any
) -> None:
    consent.status = ConsentStatus.WITHDRAWN
    consent.withdrawn_at = timezone.now()
    consent.save()
    assert _file(clinician_client, photo).status_code == 403
    assert clinician_client.get(reverse("imaging:detail", args=[photo.pk])).status_code == 403
    assert _views(photo) == 0
    html = clinician_client.get(reverse("imaging:gallery", args=[photo.patient_id])).content
    assert b"No consent to clinical photos" in html
    assert reverse("imaging:file", args=[photo.pk]).encode() not in html


def test_consent_without_clinical_photos_blocks_the_selectors(
    clinician: User, patient: Patient, photo: Photo
) -> None:
    give_photo_consent(patient=patient, by=clinician, clinical=False)  # the latest now
    assert list(photos_for(user=clinician, patient=patient)) == []
    with pytest.raises(Exception) as info:
        photo_get_for(user=clinician, photo_id=photo.pk)
    assert type(info.value).__name__ == "PermissionDenied"


@pytest.mark.parametrize("photo_id", ["999999", "9" * 30])
def test_no_such_photo_is_404(clinician_client: Client, consent: Any, photo_id: str) -> None:
    assert clinician_client.get(f"/imaging/{photo_id}/file/").status_code == 404
    assert clinician_client.get(f"/imaging/{photo_id}/").status_code == 404


def test_missing_file_is_404_not_500(
    clinician_client: Client, photo: Photo, photo_storage: Path
) -> None:
    (photo_storage / str(photo.original.name)).unlink()
    assert _file(clinician_client, photo, "full").status_code == 404


def test_media_url_and_stored_names_never_reach_the_pages(
    clinician_client: Client, photo: Photo
) -> None:
    for url in (
        reverse("imaging:gallery", args=[photo.patient_id]),
        reverse("imaging:detail", args=[photo.pk]),
        reverse("imaging:archive", args=[photo.pk]),
    ):
        html = clinician_client.get(url).content.decode()
        if django_settings.MEDIA_URL.strip("/"):
            assert django_settings.MEDIA_URL not in html
        assert "/media/" not in html
        assert str(photo.original.name) not in html
        assert str(photo.thumbnail.name) not in html
        assert reverse("imaging:file", args=[photo.pk]) in html


# ---------------------------------------------------------------- gallery


@pytest.fixture
def two_visits(consent: Any, clinician: User, patient: Patient) -> dict[str, Photo]:
    from tests.factories.outcomes import signed_session

    session = signed_session(plan=consent.plan, by=clinician, number=2, performed_on=D2)
    return {
        "a_front": store_photo(patient=patient, by=clinician, taken_on=D1),
        "a_left": store_photo(patient=patient, by=clinician, taken_on=D1, view=PhotoView.LEFT_45),
        "b_close": store_photo(
            patient=patient,
            by=clinician,
            taken_on=D2,
            visit_kind=VisitKind.SESSION,
            session=session,
            view=PhotoView.CLOSE_UP,
            zone="cheeks",
        ),
        "b_front": store_photo(
            patient=patient,
            by=clinician,
            taken_on=D2,
            visit_kind=VisitKind.SESSION,
            session=session,
        ),
    }


def test_gallery_groups_by_visit_newest_first(
    clinician_client: Client, patient: Patient, two_visits: dict[str, Photo]
) -> None:
    response = clinician_client.get(reverse("imaging:gallery", args=[patient.pk]))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [(g.taken_on, g.visit_kind) for g in groups] == [
        (D2, VisitKind.SESSION),
        (D1, VisitKind.CONSULTATION),
    ]
    assert [p.pk for p in groups[0].photos] == [two_visits["b_front"].pk, two_visits["b_close"].pk]
    assert [p.pk for p in groups[1].photos] == [two_visits["a_front"].pk, two_visits["a_left"].pk]
    html = response.content.decode()
    assert "Session 2 — <time" in html and "Consultation — <time" in html
    assert "3 Mar 2025" in html and "6 Jan 2025" in html
    assert html.count("?size=thumb") == 4
    assert AuditEvent.objects.filter(action="photo.list", patient_id=patient.pk).count() == 1


def test_gallery_filters_by_view_and_ignores_bad_input(
    clinician_client: Client, patient: Patient, two_visits: dict[str, Photo]
) -> None:
    url = reverse("imaging:gallery", args=[patient.pk])
    response = clinician_client.get(url, {"view": PhotoView.CLOSE_UP})
    photos = [p for g in response.context["groups"] for p in g.photos]
    assert [p.pk for p in photos] == [two_visits["b_close"].pk]
    for bad in (
        {"view": "sideways"},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999"},
        {"archived": "yes"},
    ):
        response = clinician_client.get(url, bad)
        assert response.status_code == 200, bad
    response = clinician_client.get(url, {"view": PhotoView.RIGHT_90})
    assert b"No photos with this view" in response.content


def test_gallery_pages(
    clinician_client: Client, clinician: User, patient: Patient, consent: Any, settings: Any
) -> None:
    from needlechart.imaging import views

    for _ in range(5):
        store_photo(patient=patient, by=clinician, taken_on=D1)
    original = views.PER_PAGE
    views.PER_PAGE = 2
    try:
        url = reverse("imaging:gallery", args=[patient.pk])
        first = clinician_client.get(url)
        assert first.context["page"].paginator.num_pages == 3
        last = clinician_client.get(url, {"page": 3})
        assert sum(len(g.photos) for g in last.context["groups"]) == 1
    finally:
        views.PER_PAGE = original


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_gallery_query_count_does_not_grow(
    clinician_client: Client, clinician: User, patient: Patient, two_visits: dict[str, Photo]
) -> None:
    url = reverse("imaging:gallery", args=[patient.pk])
    few = _queries(clinician_client, url)
    session = two_visits["b_front"].session
    for n in range(8):
        store_photo(
            patient=patient,
            by=clinician,
            taken_on=date(2025, 5, 1 + n),
            visit_kind=VisitKind.SESSION if n % 2 else VisitKind.FOLLOW_UP,
            session=session if n % 2 else None,
        )
    assert _queries(clinician_client, url) == few
    assert few <= 10


def test_detail_query_count_is_fixed(
    clinician_client: Client, two_visits: dict[str, Photo]
) -> None:
    counts = {
        _queries(clinician_client, reverse("imaging:detail", args=[p.pk]))
        for p in two_visits.values()
    }
    assert len(counts) == 1


def test_front_desk_cannot_open_gallery_or_detail(
    front_desk_client: Client, patient: Patient, photo: Photo
) -> None:
    assert front_desk_client.get(reverse("imaging:gallery", args=[patient.pk])).status_code == 403
    assert front_desk_client.get(reverse("imaging:detail", args=[photo.pk])).status_code == 403
    assert front_desk_client.get(reverse("imaging:archive", args=[photo.pk])).status_code == 403


def test_gallery_of_unknown_patient_is_404(clinician_client: Client) -> None:
    assert clinician_client.get("/imaging/patient/424242/").status_code == 404


# ---------------------------------------------------------------- photo page


def test_detail_edits_tags_with_audit(clinician_client: Client, photo: Photo) -> None:
    url = reverse("imaging:detail", args=[photo.pk])
    page = clinician_client.get(url)
    assert page.status_code == 200
    assert AuditEvent.objects.filter(action="photo.detail_view", object_id=str(photo.pk)).exists()
    response = clinician_client.post(
        url,
        {
            "visit_kind": VisitKind.FOLLOW_UP,
            "taken_on": "2025-01-07",
            "view": PhotoView.CLOSE_UP,
            "zone": "chin",
            "lighting_notes": "window light",
        },
    )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.visit_kind, photo.taken_on, photo.view, photo.zone) == (
        "follow_up",
        date(2025, 1, 7),
        "close_up",
        "chin",
    )
    event = AuditEvent.objects.get(action="photo.update", object_id=str(photo.pk))
    assert event.detail["changes"]["zone"] == {"old": "", "new": "chin"}


@pytest.mark.parametrize(
    "bad",
    [
        {"taken_on": "2025-13-45"},
        {"view": "nope"},
        {"view": PhotoView.CLOSE_UP},
        {"session": "x"},
        {"visit_kind": ""},
    ],
)
def test_detail_bad_tags_are_form_errors(
    clinician_client: Client, photo: Photo, bad: dict[str, str]
) -> None:
    data = {
        "visit_kind": VisitKind.CONSULTATION,
        "taken_on": "2025-01-06",
        "view": PhotoView.FRONT,
        "zone": "",
        "lighting_notes": "",
    } | bad
    response = clinician_client.post(reverse("imaging:detail", args=[photo.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    photo.refresh_from_db()
    assert photo.view == PhotoView.FRONT


def test_archive_needs_confirmation_and_a_reason(
    clinician_client: Client, photo: Photo, photo_storage: Path
) -> None:
    url = reverse("imaging:archive", args=[photo.pk])
    page = clinician_client.get(url)
    assert page.status_code == 200 and b"Reason for archiving" in page.content
    photo.refresh_from_db()
    assert photo.archived_at is None  # GET only asks
    response = clinician_client.post(url, {"reason": "   "})
    assert response.status_code == 200 and response.context["form"].errors
    response = clinician_client.post(url, {"reason": "blurred"})
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.archived_at is not None and photo.archived_reason == "blurred"
    assert (photo_storage / str(photo.original.name)).is_file()  # kept
    event = AuditEvent.objects.get(action="photo.archive", object_id=str(photo.pk))
    assert event.detail == {"reason": "blurred"}
    gallery = reverse("imaging:gallery", args=[photo.patient_id])
    assert clinician_client.get(gallery).context["groups"] == []
    shown = clinician_client.get(gallery, {"archived": "1"}).context["groups"]
    assert [p.pk for g in shown for p in g.photos] == [photo.pk]
    detail = clinician_client.get(reverse("imaging:detail", args=[photo.pk]))
    assert b"Archived on" in detail.content and b"blurred" in detail.content
    again = clinician_client.get(url)
    assert again.status_code == 302  # already archived


def test_marketing_flag_needs_marketing_consent(clinician_client: Client, photo: Photo) -> None:
    url = reverse("imaging:marketing", args=[photo.pk])
    response = clinician_client.post(url, {"marketing_use": "on"}, follow=True)
    photo.refresh_from_db()
    assert photo.marketing_use is False
    assert "does not allow photos to be used for teaching or marketing" in (
        response.content.decode()
    )
    assert not AuditEvent.objects.filter(action="photo.marketing_mark").exists()


def test_marketing_flag_with_marketing_consent(
    clinician_client: Client, clinician: User, patient: Patient, photo: Photo
) -> None:
    give_photo_consent(patient=patient, by=clinician, clinical=True, marketing=True)
    url = reverse("imaging:marketing", args=[photo.pk])
    clinician_client.post(url, {"marketing_use": "on"})
    photo.refresh_from_db()
    assert photo.marketing_use is True
    assert AuditEvent.objects.filter(action="photo.marketing_mark").count() == 1
    clinician_client.post(url, {})
    photo.refresh_from_db()
    assert photo.marketing_use is False
    assert AuditEvent.objects.filter(action="photo.marketing_unmark").count() == 1


def test_marketing_and_archive_are_post_only_where_it_matters(
    clinician_client: Client, photo: Photo
) -> None:
    assert clinician_client.get(reverse("imaging:marketing", args=[photo.pk])).status_code == 405
    assert clinician_client.post(reverse("imaging:file", args=[photo.pk])).status_code == 405


# ---------------------------------------------------------------- timeline


def test_timeline_one_entry_per_visit_date(
    clinician_client: Client, patient: Patient, two_visits: dict[str, Photo]
) -> None:
    html = clinician_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "2 photos (consultation)" in html
    assert "2 photos (treatment session 2)" in html
    assert reverse("imaging:gallery", args=[patient.pk]) in html


def test_front_desk_timeline_has_no_photos(
    front_desk_client: Client, patient: Patient, two_visits: dict[str, Photo]
) -> None:
    html = front_desk_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "photos (" not in html

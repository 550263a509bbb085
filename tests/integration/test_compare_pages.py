"""Comparison and capture-guidance pages: roles, consent, bad visit keys (404, never 500),
the side-by-side rows and slider, missing views, scores, audit and fixed query counts."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from needlechart.accounts.models import User
from needlechart.assessments.models import AssessmentKind
from needlechart.assessments.services import assessment_record
from needlechart.audit.models import AuditEvent
from needlechart.imaging.models import Photo, PhotoView, VisitKind
from needlechart.patients.models import Patient
from tests.factories.imaging import give_photo_consent, store_photo
from tests.factories.outcomes import signed_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_storage")]

D1 = date(2025, 1, 6)
D2 = date(2025, 3, 3)


@pytest.fixture
def consent(clinician: User, patient: Patient) -> Any:
    return give_photo_consent(patient=patient, by=clinician)


@pytest.fixture
def two_visits(consent: Any, clinician: User, patient: Patient) -> dict[str, Any]:
    """Visit 1 (consultation, D1): front, left 45. Visit 2 (session 1, D2): front, right 45."""
    session = signed_session(plan=consent.plan, by=clinician, number=1, performed_on=D2)
    assessment_record(
        patient=patient,
        by=clinician,
        kind=AssessmentKind.BASELINE,
        assessed_on=D1 - timedelta(days=3),
        scar_counts={"cheeks": {"rolling": 9}},
        quantitative_counts={"b_moderate_dish": 4},
        qualitative_grade=3,
    )
    photos = {
        "a_front": store_photo(patient=patient, by=clinician, taken_on=D1),
        "a_left": store_photo(patient=patient, by=clinician, taken_on=D1, view=PhotoView.LEFT_45),
        "b_front": store_photo(
            patient=patient,
            by=clinician,
            taken_on=D2,
            visit_kind=VisitKind.SESSION,
            session=session,
        ),
        "b_right": store_photo(
            patient=patient,
            by=clinician,
            taken_on=D2,
            view=PhotoView.RIGHT_45,
            visit_kind=VisitKind.SESSION,
            session=session,
        ),
    }
    return {"session": session, **photos}


def compare_url(patient: Patient, **query: str) -> str:
    url = reverse("imaging:compare", args=[patient.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


# ---------------------------------------------------------------- roles and bad input


@pytest.mark.parametrize("name", ["imaging:compare", "imaging:capture"])
def test_front_desk_403_and_anonymous_redirect(
    front_desk_client: Client, client: Client, consent: Any, patient: Patient, name: str
) -> None:
    url = reverse(name, args=[patient.pk])
    assert front_desk_client.get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("name", ["imaging:compare", "imaging:capture"])
def test_unknown_patient_404(clinician_client: Client, name: str) -> None:
    assert clinician_client.get(reverse(name, args=[999999])).status_code == 404
    assert clinician_client.get(f"/imaging/patient/{2**70}/compare/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"a": "consultation-2025-01-07"},  # a day without photos
        {"a": "session-2025-01-06"},  # a day with photos, but of another visit
        {"a": "2025-01-06"},  # a bare day: visits are kinds of visit on a day
        {"b": "session-999"},
        {"a": "nonsense"},
        {"a": "2025-02-31"},
        {"a": "session-0"},
        {"b": "follow_up-" + "9" * 30},
    ],
)
def test_unknown_or_malformed_visit_404(
    clinician_client: Client, two_visits: dict[str, Any], patient: Patient, query: dict[str, str]
) -> None:
    assert clinician_client.get(compare_url(patient, **query)).status_code == 404


def test_visit_of_another_patient_404(
    clinician_client: Client,
    clinician: User,
    two_visits: dict[str, Any],
    patient: Patient,
    make_patient: Any,
) -> None:
    other = make_patient()
    other_consent = give_photo_consent(patient=other, by=clinician)
    other_session = signed_session(plan=other_consent.plan, by=clinician, number=1, performed_on=D2)
    store_photo(
        patient=other,
        by=clinician,
        taken_on=D2,
        visit_kind=VisitKind.SESSION,
        session=other_session,
    )
    url = compare_url(patient, a="consultation-2025-01-06", b=f"session-{other_session.pk}")
    assert clinician_client.get(url).status_code == 404


# ---------------------------------------------------------------- the comparison


def test_default_compares_first_and_latest_visit(
    aesthetician_client: Client, two_visits: dict[str, Any], patient: Patient
) -> None:
    response = aesthetician_client.get(compare_url(patient))
    assert response.status_code == 200
    html = response.content.decode()
    c = response.context["comparison"]
    assert c.a.key == "consultation-2025-01-06"
    assert c.b.key == f"session-{two_visits['session'].pk}"
    for key in ("a_front", "b_front"):
        assert reverse("imaging:file", args=[two_visits[key].pk]) in html
    # a slider for the view both visits have, hidden until the script shows it
    assert html.count("data-compare-slider hidden") == 1
    assert 'type="range"' in html
    # views in one visit only are listed as missing, not shown side by side
    assert 'id="missing-views"' in html
    assert "Left 45°: only before" in html and "Right 45°: only after" in html
    # dates and the scores at each visit (quantitative labelled)
    assert "Monday 6 January 2025" in html and "Monday 3 March 2025" in html
    assert "Session 1" in html
    assert html.count("UNVERIFIED") >= 2
    assert "(confirmed)" in html


def test_scores_are_the_nearest_assessment_on_or_before(
    clinician_client: Client, clinician: User, two_visits: dict[str, Any], patient: Patient
) -> None:
    # (A re-grade on the session's own day comes after it in the course: see
    # test_same_day_visits.py.)
    assessment_record(
        patient=patient,
        by=clinician,
        kind=AssessmentKind.FOLLOW_UP,
        assessed_on=D2 - timedelta(days=1),
        scar_counts={"cheeks": {"rolling": 3}},
        quantitative_counts={"b_moderate_dish": 1},
    )
    assessment_record(
        patient=patient,
        by=clinician,
        kind=AssessmentKind.FOLLOW_UP,
        assessed_on=D2 + timedelta(days=1),  # after both visits: never used
        scar_counts={"cheeks": {"rolling": 1}},
    )
    c = clinician_client.get(compare_url(patient)).context["comparison"]
    assert c.a.score.assessed_on == D1 - timedelta(days=3)
    assert c.b.score.assessed_on == D2 - timedelta(days=1) and not c.b.score.grade_confirmed


def test_choosing_visits_and_audit(
    clinician_client: Client, clinician: User, two_visits: dict[str, Any], patient: Patient
) -> None:
    b = f"session-{two_visits['session'].pk}"
    response = clinician_client.get(compare_url(patient, a=b, b="consultation-2025-01-06"))
    assert response.status_code == 200
    assert response.context["comparison"].a.key == b
    event = AuditEvent.objects.filter(action="photo.compare").get()
    assert event.actor_id == clinician.pk and event.patient_id == patient.pk
    assert event.detail["a"] == b and event.detail["b"] == "consultation-2025-01-06"
    assert sorted(event.detail["photos"]) == sorted(
        p.pk for k, p in two_visits.items() if isinstance(p, Photo)
    )


def test_without_photo_consent_nothing_is_shown(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    give_photo_consent(patient=patient, by=clinician, clinical=False)
    response = clinician_client.get(compare_url(patient))
    assert response.status_code == 200
    assert 'id="no-consent"' in response.content.decode()
    assert (
        clinician_client.get(compare_url(patient, a="consultation-2025-01-06")).status_code == 200
    )


def test_no_photos_empty_state(clinician_client: Client, consent: Any, patient: Patient) -> None:
    response = clinician_client.get(compare_url(patient))
    assert response.status_code == 200
    assert "No photos yet" in response.content.decode()


def test_photo_consent_withdrawn_hides_photos(
    clinician_client: Client, two_visits: dict[str, Any], consent: Any, patient: Patient
) -> None:
    from django.utils import timezone

    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    html = clinician_client.get(compare_url(patient)).content.decode()
    assert reverse("imaging:file", args=[two_visits["a_front"].pk]) not in html


def test_one_visit_compares_with_itself(
    clinician_client: Client, clinician: User, consent: Any, patient: Patient
) -> None:
    store_photo(patient=patient, by=clinician, taken_on=D1)
    response = clinician_client.get(compare_url(patient))
    assert response.status_code == 200
    assert 'id="one-visit"' in response.content.decode()


def test_query_count_does_not_grow_with_photos(
    clinician_client: Client, clinician: User, two_visits: dict[str, Any], patient: Patient
) -> None:
    url = compare_url(patient)
    clinician_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert clinician_client.get(url).status_code == 200
    session = two_visits["session"]
    for view in (PhotoView.LEFT_90, PhotoView.RIGHT_90, PhotoView.LEFT_45):
        for _ in range(3):
            store_photo(patient=patient, by=clinician, taken_on=D1, view=view)
            store_photo(
                patient=patient,
                by=clinician,
                taken_on=D2,
                view=view,
                visit_kind=VisitKind.SESSION,
                session=session,
            )
    with CaptureQueriesContext(connection) as many:
        response = clinician_client.get(url)
    assert response.status_code == 200
    assert len(response.context["comparison"].rows) == 4
    assert len(many) == len(few)


# ---------------------------------------------------------------- capture guidance


def _png(colour: tuple[int, int, int] = (200, 120, 100)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


def capture_url(patient: Patient, query: str = "") -> str:
    return reverse("imaging:capture", args=[patient.pk]) + (f"?{query}" if query else "")


def test_capture_shows_the_previous_photo_of_the_view(
    clinician_client: Client, clinician: User, consent: Any, patient: Patient
) -> None:
    store_photo(patient=patient, by=clinician, taken_on=D1)
    latest = store_photo(patient=patient, by=clinician, taken_on=D2)
    left = store_photo(patient=patient, by=clinician, taken_on=D2, view=PhotoView.LEFT_45)
    response = clinician_client.get(capture_url(patient, "view=front"))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["previous"] == latest
    assert reverse("imaging:file", args=[latest.pk]) in html
    assert reverse("imaging:file", args=[left.pk]) not in html
    # the live camera with the faint overlay is there but hidden until JS finds a camera
    assert "data-capture hidden" in html and "capture-overlay" in html
    assert "getUserMedia" in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert AuditEvent.objects.filter(action="photo.capture_guide").exists()


def test_capture_without_previous_and_bad_view(
    clinician_client: Client, consent: Any, patient: Patient
) -> None:
    response = clinician_client.get(capture_url(patient, "view=upside_down&zone=<b>"))
    assert response.status_code == 200
    assert response.context["view"] == "front"
    assert 'id="no-previous"' in response.content.decode()
    response = clinician_client.get(capture_url(patient, "view=close_up&zone=forehead"))
    assert response.context["zone"] == "forehead"
    response = clinician_client.get(capture_url(patient, "session=abc&taken_on=" + "9" * 999))
    assert response.status_code == 200


def test_capture_needs_photo_consent(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    for _ in range(2):
        response = clinician_client.get(capture_url(patient))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="no-consent"' in html and 'type="file"' not in html
        data = {"photos": SimpleUploadedFile("shot.png", _png(), content_type="image/png")}
        assert clinician_client.post(capture_url(patient), data).status_code == 200
        give_photo_consent(patient=patient, by=clinician, clinical=False)
    assert not Photo.objects.exists()


def test_capture_upload_saves_and_moves_to_the_next_view(
    clinician_client: Client, consent: Any, patient: Patient
) -> None:
    data = {
        "photos": SimpleUploadedFile("shot.png", _png(), content_type="image/png"),
        "visit_kind": VisitKind.CONSULTATION,
        "taken_on": D2.isoformat(),
        "view": PhotoView.FRONT,
        "zone": "",
        "lighting_notes": "ring light",
    }
    response = clinician_client.post(capture_url(patient, "view=front"), data)
    assert response.status_code == 302
    assert "view=left_45" in response["Location"]
    assert "lighting_notes=ring+light" in response["Location"]
    photo = Photo.objects.get()
    assert photo.patient == patient and photo.view == "front" and photo.taken_on == D2
    follow = clinician_client.get(response["Location"])
    assert follow.context["form"].initial["lighting_notes"] == "ring light"


def test_capture_upload_errors_stay_on_the_page(
    clinician_client: Client, consent: Any, patient: Patient
) -> None:
    response = clinician_client.post(
        capture_url(patient),
        {"visit_kind": "consultation", "taken_on": "2099-01-01", "view": "front"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = clinician_client.post(
        capture_url(patient),
        {"photos": bad, "visit_kind": "consultation", "taken_on": D1.isoformat(), "view": "front"},
    )
    assert response.status_code == 200
    assert not Photo.objects.exists()
    response = clinician_client.post(
        capture_url(patient),
        {
            "photos": SimpleUploadedFile("y.png", _png(), content_type="image/png"),
            "visit_kind": "consultation",
            "taken_on": "2099-01-01",
            "view": "front",
        },
    )
    assert response.status_code == 200
    assert "taken_on" in response.context["form"].errors
    assert not Photo.objects.exists()


def test_capture_front_desk_cannot_post(
    front_desk_client: Client, consent: Any, patient: Patient
) -> None:
    data = {"photos": SimpleUploadedFile("shot.png", _png(), content_type="image/png")}
    assert front_desk_client.post(capture_url(patient), data).status_code == 403
    assert not Photo.objects.exists()


def test_capture_archived_patient_redirects(
    clinician_client: Client, clinician: User, consent: Any, patient: Patient
) -> None:
    from needlechart.patients.services import patient_archive

    patient_archive(patient=patient, by=clinician, reason="Moved away")
    response = clinician_client.get(capture_url(patient))
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])

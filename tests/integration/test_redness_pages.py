"""Redness measurement and chart: the value from the stored photo, days since the last
signed session, roles and consent, bad boxes (form errors, never a 500), audit, the chart
with its table, and a query count that does not grow."""

from __future__ import annotations

import io
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.imaging.models import Photo, RednessMeasurement, VisitKind
from needlechart.imaging.redness import method_citation, redness_measure, session_before
from needlechart.imaging.services import photo_archive
from needlechart.patients.models import Patient
from tests.factories.imaging import give_photo_consent, store_photo
from tests.factories.outcomes import signed_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("photo_storage")]

S1 = date(2025, 2, 3)
S2 = date(2025, 3, 3)
RED = (200, 100, 90)  # EI = 100 x log10(2) ~ 30.1
SKIN = (180, 150, 140)


def png(colour: tuple[int, int, int] = SKIN, size: tuple[int, int] = (60, 40)) -> bytes:
    """A skin-coloured picture with a red patch at x 10-29, y 5-24."""
    image = Image.new("RGB", size, colour)
    image.paste(RED, (10, 5, 30, 25))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def consent(clinician: User, patient: Patient) -> Any:
    return give_photo_consent(patient=patient, by=clinician)


@pytest.fixture
def photo(consent: Any, clinician: User, patient: Patient) -> Photo:
    return store_photo(
        patient=patient, by=clinician, data=png(), name="face.png", taken_on=S1 + timedelta(days=3)
    )


def measure_url(photo: Photo) -> str:
    return reverse("imaging:measure", args=[photo.pk])


def box(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"x": 10, "y": 5, "width": 20, "height": 20, "label": "left cheek"}
    data.update(changes)
    return data


# ---------------------------------------------------------------- measuring


def test_measure_page_shows_photo_form_and_unverified_citation(
    aesthetician_client: Client, photo: Photo
) -> None:
    response = aesthetician_client.get(measure_url(photo))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("imaging:file", args=[photo.pk]) in html
    assert "UNVERIFIED" in html and "[E1]" in html
    assert 'name="width"' in html and "data-measure-stage" in html


def test_measure_stores_value_session_days_and_audit(
    clinician_client: Client, clinician: User, consent: Any, photo: Photo
) -> None:
    signed_session(plan=consent.plan, by=clinician, number=1, performed_on=S1)
    signed_session(plan=consent.plan, by=clinician, number=2, performed_on=S2)  # after the photo
    response = clinician_client.post(measure_url(photo), box())
    assert response.status_code == 302 and response["Location"] == measure_url(photo)
    m = RednessMeasurement.objects.get()
    assert m.value == pytest.approx(100 * math.log10(RED[0] / RED[1]))
    assert (m.x, m.y, m.width, m.height, m.label, m.method) == (10, 5, 20, 20, "left cheek", "E1")
    assert m.session is not None and m.session.session_number == 1
    assert m.days_since_session == 3
    assert m.patient_id == photo.patient_id and m.created_by == clinician
    event = AuditEvent.objects.get(action="photo.measure")
    assert event.object_id == str(photo.pk) and event.detail["box"] == [10, 5, 20, 20]
    page = clinician_client.get(measure_url(photo)).content.decode()
    assert "30.1" in page and "day 3 after session 1" in page


def test_skin_region_is_less_red_than_the_patch(clinician: User, photo: Photo) -> None:
    patch = redness_measure(photo=photo, by=clinician, x=10, y=5, width=20, height=20)
    skin = redness_measure(photo=photo, by=clinician, x=40, y=0, width=20, height=40)
    assert patch.value > skin.value
    assert skin.session is None and skin.days_since_session is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (box(x=50, width=20), "width"),  # past the right edge
        (box(y=30, height=20), "height"),  # past the bottom
        (box(x=60), "x"),  # starts outside
        (box(y=40), "y"),
        (box(width=0), "width"),
        (box(height=-3), "height"),
        (box(x=-1), "x"),
        (box(x="ten"), "x"),
        (box(x=""), "x"),
        (box(width=10**30), "width"),
        (box(label="x" * 500), "label"),
    ],
)
def test_bad_boxes_are_form_errors(
    clinician_client: Client, photo: Photo, data: dict[str, Any], field: str
) -> None:
    response = clinician_client.post(measure_url(photo), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not RednessMeasurement.objects.exists()


def test_session_linked_photo_and_draft_sessions(
    clinician: User, consent: Any, patient: Patient
) -> None:
    draft = signed_session(
        plan=consent.plan, by=clinician, number=2, performed_on=S2, status="draft"
    )
    first = signed_session(plan=consent.plan, by=clinician, number=1, performed_on=S1)
    later = store_photo(patient=patient, by=clinician, data=png(), taken_on=S2 + timedelta(days=1))
    assert session_before(later) == first  # the draft session on S2 does not count
    at_session = store_photo(
        patient=patient,
        by=clinician,
        data=png(),
        taken_on=S1,
        visit_kind=VisitKind.SESSION,
        session=first,
    )
    m = redness_measure(photo=at_session, by=clinician, x=0, y=0, width=5, height=5)
    assert m.session == first and m.days_since_session == 0
    assert draft.pk  # kept for clarity


def test_archived_photo_cannot_be_measured(
    clinician_client: Client, clinician: User, photo: Photo
) -> None:
    photo_archive(photo=photo, by=clinician, reason="blurred")
    response = clinician_client.get(measure_url(photo))
    assert response.status_code == 200
    assert "cannot be measured" in response.content.decode()
    response = clinician_client.post(measure_url(photo), box())
    assert response.status_code == 200
    assert not RednessMeasurement.objects.exists()


def test_roles_consent_and_unknown_photo(
    front_desk_client: Client,
    clinician_client: Client,
    client: Client,
    consent: Any,
    photo: Photo,
) -> None:
    assert front_desk_client.get(measure_url(photo)).status_code == 403
    assert front_desk_client.post(measure_url(photo), box()).status_code == 403
    response = client.get(measure_url(photo))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert clinician_client.get(reverse("imaging:measure", args=[999999])).status_code == 404
    assert clinician_client.get(f"/imaging/{2**70}/redness/").status_code == 404
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    assert clinician_client.get(measure_url(photo)).status_code == 403
    assert clinician_client.post(measure_url(photo), box()).status_code == 403
    assert not RednessMeasurement.objects.exists()


def test_unreadable_stored_file_is_an_error_not_a_500(
    clinician_client: Client, photo: Photo, photo_storage: Path
) -> None:
    (photo_storage / str(photo.original.name)).write_bytes(b"garbage")
    response = clinician_client.post(measure_url(photo), box())
    assert response.status_code == 200
    assert "could not be read" in response.content.decode()


# ---------------------------------------------------------------- the chart


def test_chart_shows_series_per_session_and_table(
    aesthetician_client: Client, clinician: User, consent: Any, patient: Patient
) -> None:
    signed_session(plan=consent.plan, by=clinician, number=1, performed_on=S1)
    signed_session(plan=consent.plan, by=clinician, number=2, performed_on=S2)
    before = store_photo(patient=patient, by=clinician, data=png(), taken_on=S1 - timedelta(days=5))
    redness_measure(photo=before, by=clinician, x=10, y=5, width=20, height=20)
    for day in (1, 3, 7):
        for start in (S1, S2):
            p = store_photo(
                patient=patient, by=clinician, data=png(), taken_on=start + timedelta(days=day)
            )
            redness_measure(photo=p, by=clinician, x=10, y=5, width=20, height=20, label="cheek")
    response = aesthetician_client.get(reverse("imaging:redness", args=[patient.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    chart = response.context["chart"]
    assert [len(s.points) for s in chart.series] == [3, 3]
    assert chart.series[0].label.startswith("Session 1")
    assert chart.before_first_session == 1
    assert '<svg class="chart redness-chart"' in html and "<polyline" in html
    assert 'id="redness-table"' in html and html.count("<tr>") >= 8
    assert "UNVERIFIED" in html and method_citation() in html.replace("&#x27;", "'")
    assert 'id="before-first-session"' in html
    assert AuditEvent.objects.filter(action="redness.view", patient_id=patient.pk).exists()


def test_chart_empty(clinician_client: Client, patient: Patient) -> None:
    response = clinician_client.get(reverse("imaging:redness", args=[patient.pk]))
    assert response.status_code == 200
    assert 'id="redness-empty"' in response.content.decode()


def test_chart_roles(front_desk_client: Client, clinician_client: Client, patient: Patient) -> None:
    url = reverse("imaging:redness", args=[patient.pk])
    assert front_desk_client.get(url).status_code == 403
    assert clinician_client.get(reverse("imaging:redness", args=[999999])).status_code == 404


def test_chart_query_count_does_not_grow(
    clinician_client: Client, clinician: User, consent: Any, patient: Patient
) -> None:
    session = signed_session(plan=consent.plan, by=clinician, number=1, performed_on=S1)
    url = reverse("imaging:redness", args=[patient.pk])

    def add(n: int) -> None:
        for i in range(n):
            p = store_photo(
                patient=patient,
                by=clinician,
                data=png(),
                taken_on=S1 + timedelta(days=i % 10),
                visit_kind=VisitKind.SESSION if i % 2 else VisitKind.CONSULTATION,
                session=session if i % 2 else None,
            )
            redness_measure(photo=p, by=clinician, x=0, y=0, width=10, height=10)

    add(2)
    clinician_client.get(url)
    with CaptureQueriesContext(connection) as few:
        clinician_client.get(url)
    add(12)
    with CaptureQueriesContext(connection) as many:
        assert clinician_client.get(url).status_code == 200
    assert len(many) == len(few)


def test_measure_page_query_count_does_not_grow(
    clinician_client: Client, clinician: User, consent: Any, photo: Photo
) -> None:
    signed_session(plan=consent.plan, by=clinician, number=1, performed_on=S1)
    redness_measure(photo=photo, by=clinician, x=0, y=0, width=5, height=5)
    clinician_client.get(measure_url(photo))
    with CaptureQueriesContext(connection) as few:
        clinician_client.get(measure_url(photo))
    for i in range(10):
        redness_measure(photo=photo, by=clinician, x=i, y=i, width=5, height=5)
    with CaptureQueriesContext(connection) as many:
        clinician_client.get(measure_url(photo))
    assert len(many) == len(few)

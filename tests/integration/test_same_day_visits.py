"""A consultation, a treatment session and a follow-up on one day are three visits, each
labelled by what it was — in the photo comparison, the redness chart and the progress report.

Once, all three were labelled by their date alone: the comparison offered "Photos · 3 Dec"
for a merged consultation/follow-up column, the redness chart counted the consultation photo
(taken before the needling) as day 0 after that day's session, and the progress report
found no "before and after" at all because both photos had the same date.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from needlechart.accounts.models import User
from needlechart.assessments.models import AssessmentKind
from needlechart.assessments.services import assessment_record
from needlechart.imaging.models import Photo, PhotoView, RednessMeasurement, VisitKind
from needlechart.imaging.redness import redness_measure
from needlechart.outcomes.services import follow_up_record
from needlechart.patients.models import Patient
from tests.factories.imaging import give_photo_consent, store_photo, use_temp_photo_storage
from tests.factories.outcomes import signed_session

pytestmark = pytest.mark.django_db

DAY = date(2025, 12, 3)
CONSULTATION = "Consultation — 3 Dec 2025"
SESSION = "Session 2 — 3 Dec 2025"
FOLLOW_UP = "Follow-up — 3 Dec 2025"


def png(shade: int) -> bytes:
    image = Image.new("RGB", (60, 40), (180, 150 - shade, 140 - shade))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def one_day(settings: Any, tmp_path: Path, clinician: User, patient: Patient) -> dict[str, Any]:
    """Baseline at the consultation, session 2 of the plan, then the follow-up re-grade —
    all on DAY, with a front photo at each visit (session 1 was a month before)."""
    use_temp_photo_storage(settings, tmp_path)
    plan = give_photo_consent(patient=patient, by=clinician).plan
    baseline = assessment_record(
        patient=patient,
        by=clinician,
        kind=AssessmentKind.BASELINE,
        assessed_on=DAY,
        scar_counts={"cheeks": {"rolling": 9}},
        qualitative_grade=3,
    )
    signed_session(plan=plan, by=clinician, number=1, performed_on=date(2025, 11, 5))
    session = signed_session(plan=plan, by=clinician, number=2, performed_on=DAY)
    follow_up = follow_up_record(
        patient=patient,
        by=clinician,
        plan=plan,
        rating=7,
        followed_on=DAY,
        scar_counts={"cheeks": {"rolling": 4}},
        qualitative_grade=2,
    )
    photos = {
        "consultation": store_photo(
            patient=patient, by=clinician, data=png(0), name="c.png", taken_on=DAY
        ),
        "session": store_photo(
            patient=patient,
            by=clinician,
            data=png(20),
            name="s.png",
            taken_on=DAY,
            visit_kind=VisitKind.SESSION,
            session=session,
        ),
        "follow_up": store_photo(
            patient=patient,
            by=clinician,
            data=png(40),
            name="f.png",
            taken_on=DAY,
            visit_kind=VisitKind.FOLLOW_UP,
            follow_up=follow_up,
        ),
    }
    return {
        "baseline": baseline,
        "session_record": session,
        "follow_up_record": follow_up,
        **photos,
    }


def test_the_comparison_offers_three_visits_in_course_order(
    clinician_client: Client, patient: Patient, one_day: dict[str, Any]
) -> None:
    url = reverse("imaging:compare", args=[patient.pk])
    response = clinician_client.get(url)
    assert response.status_code == 200
    visits = response.context["visits"]
    assert [v.label for v in visits] == [CONSULTATION, SESSION, FOLLOW_UP]
    html = response.content.decode()
    for label in (CONSULTATION, SESSION, FOLLOW_UP):
        assert f">{label}</option>" in html
    # By default the first and the last visit: before the course, after it.
    c = response.context["comparison"]
    assert (c.a.label, c.b.label) == (CONSULTATION, FOLLOW_UP)
    assert f"Before · {CONSULTATION}" in html and f"After · {FOLLOW_UP}" in html
    front = c.rows[0]
    assert (front.a, front.b) == (one_day["consultation"], one_day["follow_up"])
    # Each visit scored by what had been assessed by then: the re-grade is the follow-up's.
    assert c.a.score.assessment_id == one_day["baseline"].pk
    assert c.b.score.assessment_id == one_day["follow_up_record"].assessment_id
    session_key = f"session-{one_day['session_record'].pk}"
    c = clinician_client.get(url, {"a": visits[0].key, "b": session_key}).context["comparison"]
    assert c.b.label == SESSION
    assert c.b.score.assessment_id == one_day["baseline"].pk


def test_the_redness_chart_labels_each_visit_and_orders_the_day(
    clinician_client: Client, clinician: User, patient: Patient, one_day: dict[str, Any]
) -> None:
    for name in ("follow_up", "consultation", "session"):  # measured out of order
        redness_measure(photo=one_day[name], by=clinician, x=5, y=5, width=20, height=20)
    by_photo = {m.photo_id: m for m in RednessMeasurement.objects.all()}
    # The consultation photo was taken before that day's needling: after session 1.
    before = by_photo[one_day["consultation"].pk]
    assert before.session is not None and before.session.session_number == 1
    assert before.days_since_session == 28
    for name in ("session", "follow_up"):
        m = by_photo[one_day[name].pk]
        assert m.session == one_day["session_record"] and m.days_since_session == 0

    response = clinician_client.get(reverse("imaging:redness", args=[patient.pk]))
    assert response.status_code == 200
    assert [m.photo.visit.label for m in response.context["measurements"]] == [
        CONSULTATION,
        SESSION,
        FOLLOW_UP,
    ]
    html = response.content.decode()
    table = html[html.index('id="redness-table"') :]
    positions = [table.index(f">{label}</a>") for label in (CONSULTATION, SESSION, FOLLOW_UP)]
    assert positions == sorted(positions)
    assert "Session 1 — 5 Nov 2025" in table and "Session 2 — 3 Dec 2025" in table
    titles = [p.title for s in response.context["chart"].series for p in s.points]
    assert any(t.startswith(f"{FOLLOW_UP} · day 0 after {SESSION}") for t in titles)
    assert any(t.startswith(f"{CONSULTATION} · day 28 after Session 1") for t in titles)


def test_the_progress_report_pairs_the_first_and_last_visit_of_the_day(
    clinician_client: Client, patient: Patient, one_day: dict[str, Any]
) -> None:
    response = clinician_client.get(reverse("documents:progress_report", args=[patient.pk]))
    assert response.status_code == 200
    pdf = PdfReader(io.BytesIO(response.content))
    text = " ".join((page.extract_text() or "") for page in pdf.pages)
    text = " ".join(text.split())
    assert "No photographs of the same view from two different visits" not in text
    assert f"Before · {CONSULTATION}" in text
    assert f"After · {FOLLOW_UP}" in text


def test_a_photo_names_its_visit(one_day: dict[str, Any]) -> None:
    labels = {
        name: Photo.objects.select_related("session", "follow_up").get(pk=one_day[name].pk).visit
        for name in ("consultation", "session", "follow_up")
    }
    assert {k: v.label for k, v in labels.items()} == {
        "consultation": CONSULTATION,
        "session": SESSION,
        "follow_up": FOLLOW_UP,
    }
    assert sorted(labels, key=lambda k: labels[k].order) == ["consultation", "session", "follow_up"]
    assert one_day["consultation"].view == PhotoView.FRONT


def test_the_progress_table_keeps_the_day_in_course_order(
    clinician_client: Client, patient: Patient, one_day: dict[str, Any]
) -> None:
    response = clinician_client.get(reverse("outcomes:progress", args=[patient.pk]))
    assert response.status_code == 200
    rows = [r for r in response.context["progress"].table_rows if r["on"] == DAY]
    assert [(r["type"], r.get("point") and r["point"].kind) for r in rows] == [
        ("assessment", AssessmentKind.BASELINE),
        ("session", None),
        ("assessment", AssessmentKind.FOLLOW_UP),
    ]

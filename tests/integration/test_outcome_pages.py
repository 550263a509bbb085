"""Follow-up and progress pages: roles, form errors (never a 500), the chart on the patient
chart, the dashboard panel, the timeline, and query counts that do not grow."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.assessments.forms import quantitative_field_name, scar_field_name
from needlechart.assessments.models import Assessment, AssessmentKind
from needlechart.assessments.services import assessment_record
from needlechart.audit.models import AuditEvent
from needlechart.outcomes.models import FollowUp
from needlechart.outcomes.services import follow_up_record
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.protocol import default_protocol
from tests.factories.outcomes import approved_plan, signed_session

pytestmark = pytest.mark.django_db

RULE = default_protocol().document.follow_up


def form_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "assessed_on": timezone.localdate().isoformat(),
        "visible_at_social_distance": "no",
        "flatten_on_stretch": "yes",
        scar_field_name("cheeks", "rolling"): "5",
        quantitative_field_name("b_moderate_dish"): "2",
        "qualitative_grade": "2",
        "patient_rating": "6",
        "notes": "Pleased.",
        "action": "save",
    }
    data.update(changes)
    return data


@pytest.fixture
def completed(clinician: User, patient: Patient) -> TreatmentPlan:
    """A patient whose two-session course ended long enough ago for follow-up to be due."""
    last = timezone.localdate() - timedelta(weeks=RULE.from_weeks, days=1)
    plan = approved_plan(
        patient=patient, by=clinician, sessions_planned=2, start_date=last - timedelta(weeks=4)
    )
    signed_session(plan=plan, by=clinician, number=1, performed_on=last - timedelta(weeks=4))
    signed_session(plan=plan, by=clinician, number=2, performed_on=last)
    assessment_record(
        patient=patient,
        by=clinician,
        kind=AssessmentKind.BASELINE,
        assessed_on=last - timedelta(weeks=6),
        scar_counts={"cheeks": {"rolling": 9}},
        quantitative_counts={"b_moderate_dish": 4},
    )
    return plan


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize("name", ["outcomes:new", "outcomes:progress"])
def test_front_desk_gets_403(front_desk_client: Client, patient: Patient, name: str) -> None:
    assert front_desk_client.get(reverse(name, args=[patient.pk])).status_code == 403


def test_front_desk_cannot_post_or_read_follow_up(
    front_desk_client: Client, clinician: User, patient: Patient
) -> None:
    url = reverse("outcomes:new", args=[patient.pk])
    assert front_desk_client.post(url, form_data()).status_code == 403
    assert not FollowUp.objects.exists()
    f = follow_up_record(patient=patient, by=clinician, rating=5, followed_on=timezone.localdate())
    assert front_desk_client.get(reverse("outcomes:detail", args=[f.pk])).status_code == 403


def test_front_desk_chart_has_no_course_status(
    front_desk_client: Client, completed: TreatmentPlan
) -> None:
    html = front_desk_client.get(reverse("patients:detail", args=[completed.patient_id])).content
    assert b"course-status" not in html and b"progress-chart" not in html


def test_anonymous_redirected(client: Client, patient: Patient) -> None:
    response = client.get(reverse("outcomes:progress", args=[patient.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["clinician_client", "aesthetician_client"])
def test_clinical_roles_record_a_follow_up(
    request: pytest.FixtureRequest, who: str, completed: TreatmentPlan
) -> None:
    c: Client = request.getfixturevalue(who)
    url = reverse("outcomes:new", args=[completed.patient_id])
    page = c.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "no improvement" in html and "best imaginable improvement" in html
    assert RULE.text.split(",")[0] in html  # the protocol's follow-up text
    assert "due now" in html
    response = c.post(url, form_data())
    f = FollowUp.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "outcomes:detail", args=[f.pk]
    )
    assert f.patient_rating == 6 and f.plan == completed and f.notes == "Pleased."
    assert f.assessment.kind == AssessmentKind.FOLLOW_UP
    detail = c.get(response["Location"])
    assert detail.status_code == 200
    assert b'id="patient-rating"' in detail.content
    assert AuditEvent.objects.filter(action="follow_up.view", object_id=str(f.pk)).exists()


def test_preview_suggests_a_grade_without_saving(
    clinician_client: Client, patient: Patient
) -> None:
    url = reverse("outcomes:new", args=[patient.pk])
    response = clinician_client.post(url, form_data(action="preview"))
    assert response.status_code == 200
    assert b'id="suggested-grade"' in response.content
    assert not Assessment.objects.exists()


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"patient_rating": ""}, "patient_rating"),
        ({"patient_rating": "11"}, "patient_rating"),
        ({"patient_rating": "-1"}, "patient_rating"),
        ({"patient_rating": "seven"}, "patient_rating"),
        ({"assessed_on": "2999-01-01"}, "assessed_on"),
        ({"assessed_on": "not a date"}, "assessed_on"),
        ({scar_field_name("cheeks", "rolling"): "-3"}, scar_field_name("cheeks", "rolling")),
        ({scar_field_name("cheeks", "rolling"): "1e999"}, scar_field_name("cheeks", "rolling")),
        ({"qualitative_grade": "9"}, "qualitative_grade"),
        ({"notes": "x" * 6000}, "notes"),
        ({"iga": "\x00"}, "iga"),
    ],
)
def test_bad_input_gives_form_errors(
    clinician_client: Client, patient: Patient, changes: dict[str, Any], field: str
) -> None:
    url = reverse("outcomes:new", args=[patient.pk])
    response = clinician_client.post(url, form_data(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert b"alert--error" in response.content
    assert not FollowUp.objects.exists() and not Assessment.objects.exists()


def test_garbage_post_never_500(clinician_client: Client, patient: Patient) -> None:
    url = reverse("outcomes:new", args=[patient.pk])
    for body in [{}, {"patient_rating": ["1", "2"]}, {"kind": "baseline", "consultation": "x"}]:
        assert clinician_client.post(url, body).status_code == 200


@pytest.mark.parametrize("pid", [0, 999999, 2**63])
def test_unknown_patient_404(clinician_client: Client, pid: int) -> None:
    for name in ("outcomes:new", "outcomes:progress"):
        assert clinician_client.get(reverse(name, args=[pid])).status_code == 404
    assert clinician_client.get(reverse("outcomes:detail", args=[pid])).status_code == 404


def test_archived_patient_cannot_get_a_follow_up(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    from needlechart.patients.services import patient_archive

    patient_archive(patient=patient, by=clinician, reason="Moved away")
    url = reverse("outcomes:new", args=[patient.pk])
    assert clinician_client.get(url).status_code == 302
    assert clinician_client.post(url, form_data()).status_code == 302
    assert not FollowUp.objects.exists()
    assert clinician_client.get(reverse("outcomes:progress", args=[patient.pk])).status_code == 200


# ---------------------------------------------------------------- chart, panel, timeline


def test_patient_chart_shows_course_status_and_compact_chart(
    clinician_client: Client, completed: TreatmentPlan
) -> None:
    html = clinician_client.get(reverse("patients:detail", args=[completed.patient_id]))
    text = html.content.decode()
    assert 'id="course-status"' in text and 'id="progress-compact-svg"' in text
    assert "course complete" in text and "due now" in text
    assert reverse("outcomes:progress", args=[completed.patient_id]) in text
    assert reverse("outcomes:new", args=[completed.patient_id]) in text


def test_progress_page(clinician_client: Client, clinician: User, completed: TreatmentPlan) -> None:
    follow_up_record(
        patient=completed.patient,
        by=clinician,
        rating=8,
        followed_on=timezone.localdate(),
        scar_counts={"cheeks": {"rolling": 3}},
        quantitative_counts={"b_moderate_dish": 1},
    )
    response = clinician_client.get(reverse("outcomes:progress", args=[completed.patient_id]))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="progress-svg"' in text and 'id="progress-table"' in text
    assert "UNVERIFIED" in text and "@media print" not in text  # print CSS is in the file
    assert "outcomes/outcomes.css" in text
    assert text.count("progress-row--session") == 2
    assert text.count("progress-row--assessment") == 2
    assert "patient rating 8 of 10" in text
    assert AuditEvent.objects.filter(
        action="outcomes.progress_view", patient_id=completed.patient_id
    ).exists()


def test_dashboard_panel_lists_due_patients(
    clinician_client: Client,
    aesthetician_client: Client,
    front_desk_client: Client,
    clinician: User,
    completed: TreatmentPlan,
) -> None:
    name = completed.patient.full_name
    for c in (clinician_client, aesthetician_client):
        text = c.get(reverse("dashboard")).content.decode()
        assert "Follow-ups due" in text and name in text
    assert b"Follow-ups due" not in front_desk_client.get(reverse("dashboard")).content
    follow_up_record(
        patient=completed.patient, by=clinician, rating=5, followed_on=timezone.localdate()
    )
    text = clinician_client.get(reverse("dashboard")).content.decode()
    assert 'id="follow-ups-due-none"' in text


def test_timeline_entry(clinician_client: Client, clinician: User, patient: Patient) -> None:
    f = follow_up_record(
        patient=patient,
        by=clinician,
        rating=4,
        followed_on=timezone.localdate(),
        quantitative_counts={"b_moderate_dish": 2},
    )
    text = clinician_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Follow-up: patient rating 4/10" in text and "(UNVERIFIED table)" in text
    assert reverse("outcomes:detail", args=[f.pk]) in text


# ---------------------------------------------------------------- query counts


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow(
    clinician_client: Client, clinician: User, completed: TreatmentPlan, make_patient: Any
) -> None:
    patient = completed.patient
    pages = [
        reverse("patients:detail", args=[patient.pk]),
        reverse("outcomes:progress", args=[patient.pk]),
        reverse("outcomes:new", args=[patient.pk]),
        reverse("dashboard"),
    ]
    before = [_queries(clinician_client, url) for url in pages]
    today = timezone.localdate()
    for i in range(4):
        follow_up_record(
            patient=patient, by=clinician, rating=i + 3, followed_on=today - timedelta(days=i)
        )
    for n in range(3, 6):  # more sessions (the course stays complete: same branches run)
        signed_session(
            plan=completed, by=clinician, number=n, performed_on=today - timedelta(weeks=n)
        )
    for _ in range(3):  # more completed courses due a follow-up on the dashboard
        other = make_patient()
        plan = approved_plan(patient=other, by=clinician, sessions_planned=2)
        signed_session(plan=plan, by=clinician, number=1, performed_on=today - timedelta(weeks=30))
        signed_session(plan=plan, by=clinician, number=2, performed_on=today - timedelta(weeks=26))
    after = [_queries(clinician_client, url) for url in pages]
    assert after == before, list(zip(pages, before, after, strict=True))


def test_course_in_progress_query_count_does_not_grow(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    """While the course runs, the next booked appointment is read too (one more query)."""
    plan = approved_plan(patient=patient, by=clinician, sessions_planned=6)
    today = timezone.localdate()
    signed_session(plan=plan, by=clinician, number=1, performed_on=today - timedelta(weeks=8))
    url = reverse("patients:detail", args=[patient.pk])
    before = _queries(clinician_client, url)
    for n in range(2, 5):
        signed_session(
            plan=plan, by=clinician, number=n, performed_on=today - timedelta(weeks=8 - n)
        )
        follow_up_record(patient=patient, by=clinician, rating=n, followed_on=today)
    assert _queries(clinician_client, url) == before
    text = clinician_client.get(url).content.decode()
    assert "4</strong> of 6 planned" in text and 'id="course-next"' in text

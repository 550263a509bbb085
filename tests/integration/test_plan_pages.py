"""Plan pages through URLs: roles, create/adjust/approve, deviations, garbage, query counts."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from needlechart.accounts.models import User
from needlechart.patients.models import Patient
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.plans.services import (
    APPROVE_ROLE,
    CLINICIAN_SET,
    START_BEFORE_RESCREEN,
    START_DATE_REQUIRED,
    START_IN_PAST,
    plan_adjust,
    plan_draft,
)
from needlechart.protocol import preparation_schedule
from needlechart.screenings.models import Screening
from tests.factories.plans import DEFER, NECK, screen_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def screening(clinician: User, patient: Patient) -> Screening:
    return screen_patient(patient=patient, by=clinician)


@pytest.fixture
def draft(clinician: User, screening: Screening) -> TreatmentPlan:
    return plan_draft(screening=screening, by=clinician)


def form_data(p: TreatmentPlan, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sessions_planned": p.sessions_planned or "",
        "interval_weeks": p.interval_weeks or "",
        "start_date": "",
    }
    for zone, depth in p.depths.items():
        data[f"depth_{zone}"] = "" if depth is None else depth
    data.update(changes)
    return data


def urls(p: TreatmentPlan) -> list[str]:
    return [
        reverse("plans:new", args=[p.screening_id]),
        reverse("plans:detail", args=[p.pk]),
        reverse("plans:edit", args=[p.pk]),
        reverse("plans:list", args=[p.patient_id]),
        reverse("plans:awaiting"),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clinician_client", 200),
        ("aesthetician_client", 200),
        ("front_desk_client", 403),
        ("admin_client_", 403),
    ],
)
def test_roles(who: str, status: int, request: pytest.FixtureRequest, draft: TreatmentPlan) -> None:
    client: Client = request.getfixturevalue(who)
    for url in urls(draft):
        assert client.get(url).status_code == status, url
    if status == 403:
        assert client.post(reverse("plans:new", args=[draft.screening_id])).status_code == 403
        assert client.post(reverse("plans:approve", args=[draft.pk])).status_code == 403
        assert TreatmentPlan.objects.count() == 1


def test_anonymous_redirected(client: Client, draft: TreatmentPlan) -> None:
    for url in urls(draft):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_create_plan_from_screening(
    aesthetician_client: Client, screening: Screening, clinician: User
) -> None:
    url = reverse("plans:new", args=[screening.pk])
    assert b"Create draft plan" in aesthetician_client.get(url).content
    response = aesthetician_client.post(url)
    p = TreatmentPlan.objects.get()
    assert response["Location"] == reverse("plans:detail", args=[p.pk])
    html = aesthetician_client.get(response["Location"]).content.decode()
    rec = p.engine_plan()
    assert escape(rec.endpoint.text) in html
    assert escape(rec.expected_course.text) in html
    assert escape(rec.maintenance.text) in html
    assert all(escape(step.text) in html for step in rec.preparation)
    assert all(escape(a.title) in html for a in rec.adjuncts)
    assert "[S04]" in html  # sources named
    assert "within protocol" in html
    assert 'id="approve-button"' not in html  # aesthetician cannot approve
    assert "Approval: clinician only." in html


def test_not_treatable_screening_shows_refusal(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    deferred = screen_patient(patient=patient, by=clinician, example=DEFER)
    url = reverse("plans:new", args=[deferred.pk])
    response = clinician_client.get(url)
    assert response.status_code == 200
    assert 'id="plan-refusal"' in response.content.decode()
    assert b"Create draft plan" not in response.content
    clinician_client.post(url)
    assert not TreatmentPlan.objects.exists()


def test_deviation_without_reason_errors_beside_field_and_keeps_input(
    clinician_client: Client, draft: TreatmentPlan
) -> None:
    rec = draft.engine_plan()
    assert rec.sessions.high is not None
    # Below the range: above it would pass the absolute session limit (no reason can).
    assert rec.sessions.low is not None
    too_many = int(rec.sessions.low) - 1
    assert too_many >= 1
    url = reverse("plans:edit", args=[draft.pk])
    response = clinician_client.post(
        url, form_data(draft, sessions_planned=too_many, start_date="2031-02-03")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_sessions_planned_reason_error"' in html
    assert "outside the protocol" in html
    assert f'value="{too_many}"' in html
    assert 'value="2031-02-03"' in html
    draft.refresh_from_db()
    assert draft.sessions_planned == rec.sessions.low

    response = clinician_client.post(
        url,
        form_data(
            draft,
            sessions_planned=too_many,
            sessions_planned_reason="Severe deep scarring",
            start_date="2031-02-03",
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.sessions_planned == too_many
    assert draft.deviations[0]["reason"] == "Severe deep scarring"
    html = clinician_client.get(reverse("plans:detail", args=[draft.pk])).content.decode()
    assert "Deviation from protocol" in html
    assert "Severe deep scarring" in html
    # the edit form shows the stored reason again
    edit = clinician_client.get(url).content.decode()
    assert 'value="Severe deep scarring"' in edit


def test_unsourced_zone_shows_text_and_clinician_set(
    clinician_client: Client, clinician: User, patient: Patient
) -> None:
    p = plan_draft(
        screening=screen_patient(patient=patient, by=clinician, example=NECK), by=clinician
    )
    neck = next(d.depth_mm for d in p.engine_plan().depths if d.zone.value == "neck")
    assert neck.unsourced is not None
    detail = reverse("plans:detail", args=[p.pk])
    html = clinician_client.get(detail).content.decode()
    assert escape(neck.unsourced) in html
    assert "to be set" in html
    edit = reverse("plans:edit", args=[p.pk])
    assert clinician_client.post(edit, form_data(p, depth_neck="")).status_code == 200  # required
    assert clinician_client.post(edit, form_data(p, depth_neck="0.5")).status_code == 302
    assert escape(CLINICIAN_SET.capitalize()) in clinician_client.get(detail).content.decode()


@pytest.mark.parametrize(
    "changes",
    [
        {"sessions_planned": "abc"},
        {"sessions_planned": "-2"},
        {"interval_weeks": "1e9"},
        {"interval_weeks": "99999999999999999999999"},
        {"start_date": "someday"},
        {"depth_cheeks": "deep"},
        {"depth_cheeks": "-1"},
        {"depth_cheeks": "0"},
        {"sessions_planned_reason": "x" * 600},
    ],
)
def test_garbage_is_a_form_error(
    clinician_client: Client, draft: TreatmentPlan, changes: dict[str, str]
) -> None:
    before = TreatmentPlan.objects.get(pk=draft.pk)
    response = clinician_client.post(
        reverse("plans:edit", args=[draft.pk]), form_data(draft, **changes)
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    after = TreatmentPlan.objects.get(pk=draft.pk)
    assert (after.sessions_planned, after.depths) == (before.sessions_planned, before.depths)


@pytest.mark.parametrize(
    "name", ["plans:detail", "plans:edit", "plans:approve", "plans:new", "plans:list"]
)
@pytest.mark.parametrize("bad_id", [999999, 99999999999999999999])
def test_bad_ids_are_404(clinician_client: Client, name: str, bad_id: int) -> None:
    url = reverse(name, args=[bad_id])
    response = clinician_client.post(url) if name == "plans:approve" else clinician_client.get(url)
    assert response.status_code == 404


def test_approval_flow(
    clinician_client: Client, aesthetician_client: Client, draft: TreatmentPlan
) -> None:
    approve = reverse("plans:approve", args=[draft.pk])
    detail = reverse("plans:detail", args=[draft.pk])
    # aesthetician: a clear refusal
    response = aesthetician_client.post(approve)
    assert response.status_code == 403
    assert escape(APPROVE_ROLE) in response.content.decode()
    # GET is not an approval: it shows the confirm step
    confirm = clinician_client.get(approve)
    assert confirm.status_code == 200 and 'id="approve-irreversible"' in confirm.content.decode()
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT
    # clinician without a start date: told why
    response = clinician_client.post(approve, follow=True)
    assert escape(START_DATE_REQUIRED) in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT

    start = date(2031, 5, 10)
    clinician_client.post(
        reverse("plans:edit", args=[draft.pk]), form_data(draft, start_date=start.isoformat())
    )
    response = clinician_client.post(approve, follow=True)
    html = response.content.decode()
    draft.refresh_from_db()
    assert draft.status == PlanStatus.APPROVED
    assert "Plan approved" in html
    # preparation dates counted back from the start date
    for step, day in preparation_schedule(draft.engine_plan(), start):
        assert day.isoformat() in html, step.code
    # frozen: the edit page redirects and a POST changes nothing
    edit = reverse("plans:edit", args=[draft.pk])
    assert clinician_client.get(edit)["Location"] == detail
    clinician_client.post(edit, form_data(draft, sessions_planned=1, sessions_planned_reason="x"))
    draft.refresh_from_db()
    assert draft.sessions_planned != 1


def test_timeline_entries(
    clinician: User,
    clinician_client: Client,
    front_desk_client: Client,
    draft: TreatmentPlan,
) -> None:
    plan_adjust(
        plan=draft,
        by=clinician,
        sessions_planned=draft.sessions_planned,
        interval_weeks=draft.interval_weeks,
        start_date=date.today() + timedelta(days=30),
        depths=draft.depths,
    )
    clinician_client.post(reverse("plans:approve", args=[draft.pk]))
    chart = reverse("patients:detail", args=[draft.patient_id])
    html = clinician_client.get(chart).content.decode()
    assert "Treatment plan drafted" in html
    assert "Treatment plan approved" in html
    assert "Treatment plan" not in front_desk_client.get(chart).content.decode()


def test_dashboard_panel_per_role(
    clinician_client: Client,
    aesthetician_client: Client,
    front_desk_client: Client,
    draft: TreatmentPlan,
) -> None:
    name = draft.patient.full_name
    html = clinician_client.get(reverse("dashboard")).content.decode()
    assert "Plans awaiting approval" in html
    assert name in html and reverse("plans:detail", args=[draft.pk]) in html
    html = aesthetician_client.get(reverse("dashboard")).content.decode()
    assert 'id="plans-awaiting-count"' in html and name not in html
    html = front_desk_client.get(reverse("dashboard")).content.decode()
    assert "Plans awaiting approval" not in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow(
    clinician_client: Client,
    clinician: User,
    make_patient: Any,
    draft: TreatmentPlan,
) -> None:
    pages = [
        reverse("plans:detail", args=[draft.pk]),
        reverse("plans:edit", args=[draft.pk]),
        reverse("plans:list", args=[draft.patient_id]),
        reverse("plans:awaiting"),
        reverse("dashboard"),
    ]
    few = [_queries(clinician_client, url) for url in pages]
    for _ in range(3):
        s = screen_patient(patient=make_patient(), by=clinician, example=NECK)
        plan_draft(screening=s, by=clinician)
    for _ in range(4):
        plan_draft(screening=draft.screening, by=clinician)
    latest = TreatmentPlan.objects.filter(status=PlanStatus.DRAFT, patient=draft.patient).get()
    pages[:2] = [reverse("plans:detail", args=[latest.pk]), reverse("plans:edit", args=[latest.pk])]
    assert [_queries(clinician_client, url) for url in pages] == few


def test_a_plan_with_deviations_is_approved_only_after_its_confirm_step(
    clinician_client: Client, draft: TreatmentPlan
) -> None:
    rec = draft.engine_plan()
    assert rec.sessions.low is not None
    too_few = int(rec.sessions.low) - 1  # below the range: a deviation
    clinician_client.post(
        reverse("plans:edit", args=[draft.pk]),
        form_data(
            draft,
            sessions_planned=too_few,
            sessions_planned_reason="Mild scarring; reassess after",
            start_date="2031-02-03",
        ),
    )
    draft.refresh_from_db()
    assert [d["field"] for d in draft.deviations] == ["sessions_planned"]
    detail = clinician_client.get(reverse("plans:detail", args=[draft.pk])).content.decode()
    approve = reverse("plans:approve", args=[draft.pk])
    assert f'href="{approve}"' in detail  # a link to the confirm step, not a direct POST
    # A POST without the box ticked lists the deviations and approves nothing.
    page = clinician_client.post(approve).content.decode()
    assert 'id="deviation-list"' in page and "Mild scarring; reassess after" in page
    assert 'id="confirm-error"' in page
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT
    clinician_client.post(approve, {"confirm": "yes"})
    draft.refresh_from_db()
    assert draft.status == PlanStatus.APPROVED


def test_the_form_refuses_a_start_in_the_past_or_before_the_rescreen_date(
    clinician_client: Client, draft: TreatmentPlan, screening: Screening
) -> None:
    url = reverse("plans:edit", args=[draft.pk])
    today = timezone.localdate()
    yesterday = (today - timedelta(days=1)).isoformat()
    response = clinician_client.post(url, form_data(draft, start_date=yesterday))
    assert response.status_code == 200
    assert escape(START_IN_PAST.format(today=today.isoformat())) in response.content.decode()
    rescreen_on = today + timedelta(days=20)
    Screening.objects.filter(pk=screening.pk).update(rescreen_on=rescreen_on)
    early = (rescreen_on - timedelta(days=1)).isoformat()
    response = clinician_client.post(url, form_data(draft, start_date=early))
    assert (
        escape(START_BEFORE_RESCREEN.format(rescreen_on=rescreen_on.isoformat()))
        in response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.start_date is None
    response = clinician_client.post(url, form_data(draft, start_date=rescreen_on.isoformat()))
    assert response.status_code == 302

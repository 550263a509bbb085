"""Absolute limits everywhere a value is set: plan adjustment (form, API), plan approval,
session charting (form, API), amendments (form, API) and booking a series (proposals and
bookings). The limit itself is accepted; the limit + 0.01 (or one day, one session) is
refused whatever the reason, with `Limit.refusal` as the message."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from needlechart.accounts.models import User
from needlechart.core.limits import LIMIT_EXCEEDED
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.services import plan_adjust, plan_approve, plan_draft
from needlechart.protocol import depth_limit, interval_limit, session_limit
from needlechart.scheduling.models import OpeningHours
from needlechart.scheduling.proposals import Clinic, Diary, IntervalRange, propose_series
from needlechart.scheduling.services import SlotChoice, appointment_book, series_book
from needlechart.treatments.models import SessionRecord
from needlechart.treatments.services import session_amend, session_update
from tests.factories import treatments as t
from tests.factories.plans import screen_patient

pytestmark = pytest.mark.django_db

ZONE = "cheeks"  # example 01 plans the cheeks with the automated pen
TZ = ZoneInfo("Europe/London")
MONDAY = date(2030, 3, 4)


def depth_cap(device: str = "automated_pen") -> float:
    return depth_limit(device, ZONE).value


def post_json(client: Client, url: str, body: Any, method: str = "post") -> Any:
    send = getattr(client, method)
    return send(url, json.dumps(body), content_type="application/json")


# ---------------------------------------------------------------- plan adjustment


@pytest.fixture
def draft(patient: Patient, clinician: User) -> TreatmentPlan:
    return plan_draft(screening=screen_patient(patient=patient, by=clinician), by=clinician)


def adjusted(draft: TreatmentPlan, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "sessions_planned": draft.sessions_planned,
        "interval_weeks": draft.interval_weeks,
        "start_date": MONDAY,
        "depths": {z: d or 0.5 for z, d in draft.depths.items()},
        # A reason for every key: the limit must refuse even a reasoned departure.
        "reasons": {
            k: "Clinician's judgement"
            for k in ["sessions_planned", "interval_weeks", *[f"depth_{z}" for z in draft.depths]]
        },
    }
    depth = changes.pop("depth", None)
    values.update(changes)
    if depth is not None:
        values["depths"] = {**values["depths"], ZONE: depth}
    return values


def refusal_of(exc: pytest.ExceptionInfo[ValidationError], key: str) -> list[str]:
    return exc.value.message_dict[key]


def test_plan_depth_limit_accepted_and_limit_plus_a_hundredth_refused(
    draft: TreatmentPlan, clinician: User
) -> None:
    cap = depth_cap()
    plan = plan_adjust(plan=draft, by=clinician, **adjusted(draft, depth=cap))
    assert plan.depths[ZONE] == cap
    with pytest.raises(ValidationError) as exc:
        plan_adjust(plan=draft, by=clinician, **adjusted(draft, depth=cap + 0.01))
    limit = depth_limit("automated_pen", ZONE)
    assert refusal_of(exc, f"depth_{ZONE}") == [limit.refusal(cap + 0.01)]
    assert "No reason can override this limit" in limit.refusal(cap + 0.01)


def test_plan_session_and_interval_limits(draft: TreatmentPlan, clinician: User) -> None:
    most = int(session_limit().value)
    floor_weeks = int(interval_limit().value) // 7
    assert floor_weeks * 7 == interval_limit().value  # the default protocol: whole weeks
    plan = plan_adjust(
        plan=draft,
        by=clinician,
        **adjusted(draft, sessions_planned=most, interval_weeks=floor_weeks),
    )
    assert (plan.sessions_planned, plan.interval_weeks) == (most, floor_weeks)
    with pytest.raises(ValidationError) as exc:
        plan_adjust(
            plan=draft,
            by=clinician,
            **adjusted(draft, sessions_planned=most + 1, interval_weeks=floor_weeks - 1),
        )
    assert refusal_of(exc, "sessions_planned") == [session_limit().refusal(most + 1)]
    days = (floor_weeks - 1) * 7
    assert refusal_of(exc, "interval_weeks") == [interval_limit().refusal(days)]


def test_approval_refuses_a_stored_value_beyond_a_limit(
    draft: TreatmentPlan, clinician: User
) -> None:
    plan_adjust(plan=draft, by=clinician, **adjusted(draft))
    most = int(session_limit().value)
    TreatmentPlan.objects.filter(pk=draft.pk).update(sessions_planned=most + 1)
    with pytest.raises(ValidationError) as exc:
        plan_approve(plan=draft, by=clinician)
    assert refusal_of(exc, "sessions_planned") == [session_limit().refusal(most + 1)]


def test_plan_form_shows_the_limit_and_refuses_beyond_it(
    draft: TreatmentPlan, clinician_client: Client
) -> None:
    url = reverse("plans:edit", args=[draft.pk])
    html = clinician_client.get(url).content.decode()
    limit = depth_limit("automated_pen", ZONE)
    assert escape(limit.describe()) in html
    assert f'max="{limit.value:g}"' in html
    assert escape(session_limit().describe()) in html
    data = {
        "sessions_planned": draft.sessions_planned,
        "interval_weeks": draft.interval_weeks,
        "start_date": MONDAY.isoformat(),
        **{f"depth_{z}": d or 0.5 for z, d in draft.depths.items()},
        f"depth_{ZONE}": f"{limit.value + 0.01:.2f}",
        f"depth_{ZONE}_reason": "Very deep scars",
    }
    response = clinician_client.post(url, data)
    assert response.status_code == 200
    assert escape(limit.refusal(limit.value + 0.01)) in response.content.decode()


def test_plan_api_answers_422_with_the_limit_code(
    draft: TreatmentPlan, clinician_client: Client
) -> None:
    body = adjusted(draft, depth=depth_cap() + 0.01)
    body["start_date"] = MONDAY.isoformat()
    response = post_json(clinician_client, f"/api/v1/plans/{draft.pk}", body, method="put")
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    limit = depth_limit("automated_pen", ZONE)
    assert error["code"] == LIMIT_EXCEEDED
    assert error["fields"] == {f"depth_{ZONE}": [limit.refusal(depth_cap() + 0.01)]}
    ok = post_json(
        clinician_client,
        f"/api/v1/plans/{draft.pk}",
        {**body, "depths": {**body["depths"], ZONE: depth_cap()}},
        method="put",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["depths"][ZONE] == depth_cap()


# ---------------------------------------------------------------- session charting


@pytest.fixture
def draft_session(patient: Patient, clinician: User) -> SessionRecord:
    plan = t.consented_plan(patient=patient, by=clinician)
    return t.charted_session(plan=plan, by=clinician)


def charted(record: SessionRecord, depth: float) -> dict[str, Any]:
    return t.record_values(
        record,
        depths={**record.depths, ZONE: depth},
        depth_reasons={ZONE: "Deep rolling scars"},
    )


def test_session_depth_limit(draft_session: SessionRecord, clinician: User) -> None:
    cap = depth_cap(draft_session.device)
    saved = session_update(session=draft_session, by=clinician, **charted(draft_session, cap))
    assert saved.depths[ZONE] == cap
    with pytest.raises(ValidationError) as exc:
        session_update(session=draft_session, by=clinician, **charted(draft_session, cap + 0.01))
    limit = depth_limit(draft_session.device, ZONE)
    assert refusal_of(exc, f"depth_{ZONE}") == [limit.refusal(cap + 0.01)]


def test_session_form_shows_the_limit_and_api_answers_422(
    draft_session: SessionRecord, clinician_client: Client
) -> None:
    limit = depth_limit(draft_session.device, ZONE)
    html = clinician_client.get(
        reverse("treatments:edit", args=[draft_session.pk])
    ).content.decode()
    assert escape(limit.describe()) in html
    values = charted(draft_session, limit.value + 0.01)
    body = {
        **{k: v for k, v in values.items() if k != "practitioner"},
        "performed_on": values["performed_on"].isoformat(),
        "cartridge_expiry": values["cartridge_expiry"].isoformat(),
        "depths": {k: str(v) for k, v in values["depths"].items()},
    }
    url = f"/api/v1/sessions/{draft_session.pk}"
    response = post_json(clinician_client, url, body, method="put")
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == LIMIT_EXCEEDED
    assert error["fields"][f"depth_{ZONE}"] == [limit.refusal(limit.value + 0.01)]
    body["depths"][ZONE] = f"{limit.value:g}"
    assert post_json(clinician_client, url, body, method="put").status_code == 200


# ---------------------------------------------------------------- amendments


def test_amendment_depth_limit_form_and_api(
    draft_session: SessionRecord, clinician: User, clinician_client: Client
) -> None:
    from needlechart.treatments.services import session_sign

    record = session_sign(session=draft_session, by=clinician)
    limit = depth_limit(record.device, ZONE)
    over = f"{limit.value + 0.01:.2f}"
    with pytest.raises(ValidationError) as exc:
        session_amend(
            session=record, by=clinician, field=f"depth_{ZONE}", new_value=over, reason="Typo"
        )
    assert refusal_of(exc, "new_value") == [limit.refusal(limit.value + 0.01)]
    page = clinician_client.post(
        reverse("treatments:amend", args=[record.pk]),
        {"field": f"depth_{ZONE}", "new_value": over, "reason": "Typo"},
    )
    assert escape(limit.refusal(limit.value + 0.01)) in page.content.decode()
    form = clinician_client.get(reverse("treatments:amend", args=[record.pk])).content.decode()
    assert escape(limit.describe().lower()) in form  # the limit beside the box
    url = f"/api/v1/sessions/{record.pk}/amendments"
    refused = post_json(
        clinician_client, url, {"field": f"depth_{ZONE}", "new_value": over, "reason": "Typo"}
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == LIMIT_EXCEEDED
    accepted = post_json(
        clinician_client,
        url,
        {"field": f"depth_{ZONE}", "new_value": f"{limit.value:g}", "reason": "Typo"},
    )
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["amendments"][-1]["new_value"] == f"{limit.value:g}"


# ---------------------------------------------------------------- booking a series


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


@pytest.fixture
def open_every_day() -> None:
    for weekday in range(7):
        OpeningHours.objects.update_or_create(
            weekday=weekday, defaults={"opens": time(9), "closes": time(18)}
        )


@pytest.fixture
def booking_plan(patient: Patient, clinician: User, open_every_day: None) -> TreatmentPlan:
    from tests.factories.scheduling import approved_plan

    return approved_plan(
        patient=patient, clinician=clinician, start_date=MONDAY, sessions=3, interval_weeks=4
    )


@pytest.mark.parametrize("gap", [-1, 0, 1])  # the day before, the day of, the day after
def test_booking_never_closer_than_the_minimum_interval(
    gap: int, booking_plan: TreatmentPlan, clinician: User, patient: Patient
) -> None:
    floor = int(interval_limit().value)
    first = appointment_book(
        patient=patient,
        practitioner=clinician,
        starts_at=at(MONDAY),
        by=clinician,
        plan=booking_plan,
        session_number=1,
        now=at(MONDAY - timedelta(days=30)),
    )
    assert first.pk
    day = MONDAY + timedelta(days=floor + gap)
    book: dict[str, Any] = {
        "patient": patient,
        "practitioner": clinician,
        "starts_at": at(day),
        "by": clinician,
        "plan": booking_plan,
        "session_number": 2,
        "deviation_reason": "Patient travelling",  # a reason never passes the limit
        "now": at(MONDAY - timedelta(days=30)),
    }
    if gap < 0:
        with pytest.raises(ValidationError) as exc:
            appointment_book(**book)
        assert refusal_of(exc, "date") == [interval_limit().refusal(floor + gap)]
    else:
        assert appointment_book(**book).session_number == 2


def test_a_series_booked_too_close_is_refused_whole(
    booking_plan: TreatmentPlan, clinician: User
) -> None:
    floor = int(interval_limit().value)
    choices = [
        SlotChoice(session_number=1, starts_at=at(MONDAY), practitioner=clinician),
        SlotChoice(
            session_number=2,
            starts_at=at(MONDAY + timedelta(days=floor - 1)),
            practitioner=clinician,
            deviation_reason="Holiday",
        ),
    ]
    with pytest.raises(ValidationError) as exc:
        series_book(
            plan=booking_plan, by=clinician, choices=choices, now=at(MONDAY - timedelta(30))
        )
    assert refusal_of(exc, "s2_date") == [interval_limit().refusal(floor - 1)]
    assert not booking_plan.appointments.exists()


def test_no_session_past_the_limit_is_proposed_or_booked(
    booking_plan: TreatmentPlan, clinician: User, patient: Patient
) -> None:
    from needlechart.scheduling.selectors import series_proposals

    most = int(session_limit().value)
    # A plan approved before the limit existed, planning more sessions than it allows.
    TreatmentPlan.objects.filter(pk=booking_plan.pk).update(sessions_planned=most + 2)
    booking_plan.refresh_from_db()
    proposals, _ = series_proposals(plan=booking_plan, now=at(MONDAY - timedelta(days=30)))
    assert [p.session_number for p in proposals] == list(range(1, most + 1))
    with pytest.raises(ValidationError) as exc:
        appointment_book(
            patient=patient,
            practitioner=clinician,
            starts_at=at(MONDAY + timedelta(weeks=40)),
            by=clinician,
            plan=booking_plan,
            session_number=most + 1,
            deviation_reason="Extra",
            now=at(MONDAY - timedelta(days=30)),
        )
    assert refusal_of(exc, "session_number") == [session_limit().refusal(most + 1)]


def test_proposals_keep_the_minimum_interval_even_for_a_shorter_plan_interval() -> None:
    floor = int(interval_limit().value)
    hours = {d: (time(9), time(18)) for d in range(7)}
    proposals = propose_series(
        sessions=[1, 2, 3],
        start_date=MONDAY,
        interval=IntervalRange(low=1, high=1, preferred=1),  # a one-week plan (stored before)
        clinic=Clinic(hours=hours, closed=frozenset(), tz=TZ),
        diary=Diary(),
        practitioner_ids=[1],
        not_before=at(MONDAY - timedelta(days=30)),
        min_gap_days=floor,
    )
    days = [p.day for p in proposals]
    assert all((b - a).days >= floor for a, b in itertools.pairwise(days))
    assert (days[1] - days[0]).days == floor  # the nearest allowed day, not further

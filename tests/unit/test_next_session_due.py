""" "Next session due" has one definition (`scheduling.proposals.session_due`): the chart's
course status, the booking window and the plan summary document agree on it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from needlechart.accounts.models import User
from needlechart.documents.content import plan_summary_context
from needlechart.outcomes.selectors import course_status_for
from needlechart.patients.models import Patient
from needlechart.plans.selectors import current_plan
from needlechart.scheduling.proposals import IntervalRange, next_window, session_due
from tests.factories.outcomes import approved_plan, signed_session

START = date(2030, 1, 7)


@pytest.mark.parametrize(
    ("previous", "start_date", "interval", "expected"),
    [
        (None, START, 4, START),  # the first session: the plan's start date
        (None, START, None, START),
        (START, START, 4, START + timedelta(weeks=4)),  # the interval after the one before
        (START + timedelta(days=10), START, 6, START + timedelta(days=10, weeks=6)),
        (START, START, None, None),  # no interval: the plan does not say
        (None, None, 4, None),
    ],
)
def test_session_due(
    previous: date | None, start_date: date | None, interval: int | None, expected: date | None
) -> None:
    assert session_due(previous=previous, start_date=start_date, interval_weeks=interval) == (
        expected
    )


@pytest.mark.django_db
def test_chart_booking_window_and_plan_summary_agree(clinician: User, patient: Patient) -> None:
    plan = approved_plan(patient=patient, by=clinician, start_date=START, sessions_planned=3)
    assert plan.interval_weeks and current_plan(patient=patient) == plan
    late_first = START + timedelta(days=10)  # the first session happened later than planned
    signed_session(plan=plan, by=clinician, number=1, performed_on=late_first)

    status, _plan, _appointment = course_status_for(
        user=clinician, patient=patient, today=late_first
    )
    window = next_window(
        late_first, IntervalRange.for_plan(plan.recommendation, plan.interval_weeks)
    )
    rows = plan_summary_context(plan)["sessions"]
    expected = late_first + timedelta(weeks=plan.interval_weeks)

    assert status.next_due == window.preferred == expected
    assert rows[1].when == f"Around {expected.day} {expected:%B %Y}"
    third = expected + timedelta(weeks=plan.interval_weeks)
    assert rows[2].when == f"Around {third.day} {third:%B %Y}"

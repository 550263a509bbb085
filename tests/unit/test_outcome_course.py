"""Course status arithmetic: pure functions with fixed dates (no database)."""

from datetime import date, timedelta
from typing import Any

import pytest

from needlechart.outcomes.course import (
    NEXT_APPOINTMENT,
    NEXT_INTERVAL,
    NEXT_START,
    WINDOW_DONE,
    WINDOW_NOT_YET,
    WINDOW_OPEN,
    WINDOW_OVERDUE,
    CourseStatus,
    course_status_compute,
    follow_up_window,
)
from needlechart.protocol import default_protocol
from needlechart.protocol.conditions import add_months

RULE = default_protocol().document.follow_up
LAST = date(2030, 3, 31)


def status(**kwargs: Any) -> CourseStatus:
    base: dict[str, Any] = {
        "today": date(2030, 4, 1),
        "has_plan": True,
        "sessions_planned": 4,
        "interval_weeks": 4,
        "start_date": date(2030, 1, 6),
        "rule": RULE,
    }
    base.update(kwargs)
    return course_status_compute(**base)


def test_window_comes_from_the_protocol() -> None:
    window = follow_up_window(LAST, RULE)
    assert window.opens == LAST + timedelta(weeks=RULE.from_weeks)
    assert window.closes == LAST + timedelta(weeks=RULE.to_weeks)
    assert window.text == RULE.text
    assert window.sources == list(RULE.sources)


@pytest.mark.parametrize(
    ("offset_days", "expected"),
    [
        (-1, WINDOW_NOT_YET),
        (0, WINDOW_OPEN),
        ("closes", WINDOW_OPEN),
        ("after", WINDOW_OVERDUE),
    ],
)
def test_window_state(offset_days: object, expected: str) -> None:
    window = follow_up_window(LAST, RULE)
    if offset_days == "closes":
        today = window.closes
    elif offset_days == "after":
        today = window.closes + timedelta(days=1)
    else:
        assert isinstance(offset_days, int)
        today = window.opens + timedelta(days=offset_days)
    assert window.state(today=today) == expected
    assert window.state(today=today, followed_on=today) == WINDOW_DONE


def test_no_plan() -> None:
    s = status(has_plan=False, sessions_done=2, last_session_on=LAST)
    assert not s.has_plan and not s.complete
    assert s.next_due is None and s.maintenance_due is None and s.follow_up is None
    assert s.rule is RULE


def test_nothing_done_next_due_is_start_date() -> None:
    s = status(sessions_done=0)
    assert (s.sessions_done, s.sessions_planned, s.sessions_remaining) == (0, 4, 4)
    assert s.next_due == date(2030, 1, 6) and s.next_due_source == NEXT_START
    assert s.next_due_overdue  # today is after the planned start
    assert not s.complete and s.follow_up is None and s.maintenance_due is None


def test_in_course_next_due_is_last_plus_interval() -> None:
    s = status(sessions_done=2, last_session_on=date(2030, 2, 3), today=date(2030, 2, 10))
    assert s.next_due == date(2030, 3, 3) and s.next_due_source == NEXT_INTERVAL
    assert not s.next_due_overdue
    assert s.sessions_remaining == 2


def test_booked_appointment_wins_over_interval() -> None:
    s = status(sessions_done=2, last_session_on=date(2030, 2, 3), next_booked_on=date(2030, 3, 10))
    assert s.next_due == date(2030, 3, 10) and s.next_due_source == NEXT_APPOINTMENT


def test_complete_course_maintenance_and_follow_up() -> None:
    s = status(
        sessions_done=4,
        last_session_on=LAST,
        maintenance_interval_months=11,
        today=LAST + timedelta(weeks=RULE.from_weeks),
        next_booked_on=date(2031, 1, 1),  # a booked maintenance visit is not a course session
    )
    assert s.complete and s.sessions_remaining == 0
    assert s.next_due is None
    # 31 March + 11 months: February has no 31st -> its last day
    assert s.maintenance_due == add_months(LAST, 11) == date(2031, 2, 28)
    assert s.follow_up is not None and s.follow_up.opens == s.today
    assert s.follow_up_state == WINDOW_OPEN and s.follow_up_due


def test_complete_without_maintenance_interval() -> None:
    s = status(sessions_done=5, last_session_on=LAST, maintenance_interval_months=None)
    assert s.complete and s.maintenance_due is None


def test_follow_up_before_last_session_does_not_count() -> None:
    today = LAST + timedelta(weeks=RULE.to_weeks, days=1)
    before = status(
        sessions_done=4,
        last_session_on=LAST,
        last_follow_up_on=LAST - timedelta(days=1),
        today=today,
    )
    assert before.follow_up_state == WINDOW_OVERDUE
    after = status(
        sessions_done=4,
        last_session_on=LAST,
        last_follow_up_on=LAST + timedelta(weeks=5),
        today=today,
    )
    assert after.follow_up_state == WINDOW_DONE and not after.follow_up_due


def test_unknown_planned_number_never_completes() -> None:
    s = status(sessions_planned=None, sessions_done=9, last_session_on=LAST)
    assert not s.complete and s.sessions_remaining is None
    assert s.next_due == LAST + timedelta(weeks=4)

"""The pure series proposer: windows, opening hours, closed days, practitioner conflicts.
No database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from needlechart.scheduling.proposals import (
    DEFAULT_APPOINTMENT_MINUTES,
    SEARCH_BEYOND_DAYS,
    Clinic,
    Diary,
    IntervalRange,
    Window,
    find_slot,
    first_window,
    next_window,
    overlaps,
    propose_series,
    session_window,
)

TZ = ZoneInfo("Europe/London")
HOURS = {d: (time(9), time(18)) for d in range(5)} | {5: (time(9), time(13))}
MONDAY = date(2030, 3, 4)
EARLY = datetime(2030, 1, 1, tzinfo=TZ)
A, B = 1, 2
LENGTH = timedelta(minutes=DEFAULT_APPOINTMENT_MINUTES)


def clinic(
    closed: set[date] | None = None, hours: dict[int, tuple[time, time]] | None = None
) -> Clinic:
    return Clinic(hours=HOURS if hours is None else hours, closed=frozenset(closed or ()), tz=TZ)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


INTERVAL = IntervalRange(low=4, high=6, preferred=4)


def propose(**kwargs: object) -> list:  # type: ignore[type-arg]
    args: dict[str, object] = {
        "sessions": [1, 2, 3],
        "start_date": MONDAY,
        "interval": INTERVAL,
        "clinic": clinic(),
        "diary": Diary(),
        "practitioner_ids": [A, B],
        "not_before": EARLY,
    }
    args.update(kwargs)
    return propose_series(**args)  # type: ignore[arg-type]


# ---------------------------------------------------------------- interval ranges


def test_interval_from_recommendation() -> None:
    rng = IntervalRange.for_plan({"interval_weeks": {"low": 4, "high": 6, "unit": "weeks"}}, 5)
    assert (rng.low, rng.high, rng.preferred) == (4, 6, 5)


def test_unsourced_interval_uses_plan_value_for_both_bounds() -> None:
    rec = {"interval_weeks": {"low": None, "high": None, "unsourced": "No interval is sourced."}}
    rng = IntervalRange.for_plan(rec, 3)
    assert (rng.low, rng.high, rng.preferred) == (3, 3, 3)
    assert IntervalRange.for_plan({}, 3) == rng


def test_approved_interval_outside_range_widens_the_window() -> None:
    rng = IntervalRange.for_plan({"interval_weeks": {"low": 4, "high": 6}}, 8)
    assert (rng.low, rng.high) == (4, 8)


def test_windows() -> None:
    window = next_window(MONDAY, INTERVAL)
    assert window == Window(
        earliest=MONDAY + timedelta(weeks=4),
        latest=MONDAY + timedelta(weeks=6),
        preferred=MONDAY + timedelta(weeks=4),
    )
    assert window.contains(MONDAY + timedelta(weeks=5))
    assert not window.contains(MONDAY + timedelta(weeks=4) - timedelta(days=1))
    assert not window.contains(MONDAY + timedelta(weeks=6, days=1))
    first = first_window(MONDAY)
    assert first.contains(MONDAY + timedelta(days=400))
    assert not first.contains(MONDAY - timedelta(days=1))
    assert (
        session_window(session_number=2, previous=None, start_date=MONDAY, interval=INTERVAL)
        is None
    )
    assert "to" in window.describe() and "on or after" in first.describe()


def test_overlap_is_half_open() -> None:
    assert overlaps((at(MONDAY, 9), at(MONDAY, 10)), (at(MONDAY, 9, 30), at(MONDAY, 10, 30)))
    assert not overlaps((at(MONDAY, 9), at(MONDAY, 10)), (at(MONDAY, 10), at(MONDAY, 11)))


# ---------------------------------------------------------------- proposals


def test_series_at_preferred_interval_same_time_and_practitioner() -> None:
    proposals = propose()
    assert [p.session_number for p in proposals] == [1, 2, 3]
    assert [p.day for p in proposals] == [
        MONDAY,
        MONDAY + timedelta(weeks=4),
        MONDAY + timedelta(weeks=8),
    ]
    assert all(p.found and not p.outside_window for p in proposals)
    assert {p.practitioner_id for p in proposals} == {A}
    assert all(p.starts_at is not None and p.starts_at.time() == time(9) for p in proposals)
    assert all(
        p.ends_at is not None and p.starts_at is not None and p.ends_at - p.starts_at == LENGTH
        for p in proposals
    )


def test_each_session_stays_in_its_window_from_the_previous_one() -> None:
    closed = {MONDAY + timedelta(weeks=4, days=d) for d in range(0, 6)}
    proposals = propose(clinic=clinic(closed))
    second, third = proposals[1], proposals[2]
    assert second.day not in closed
    assert second.window.contains(second.day)
    # The third window counts from where the second actually landed.
    assert third.window == next_window(second.day, INTERVAL)
    assert third.day == second.day + timedelta(weeks=4)


def test_closed_day_moves_to_the_nearest_open_day() -> None:
    preferred = MONDAY + timedelta(weeks=4)
    proposals = propose(clinic=clinic({preferred}))
    assert proposals[1].day == preferred + timedelta(days=1)


def test_first_session_on_or_after_start_skipping_sunday_and_closed_days() -> None:
    sunday = MONDAY - timedelta(days=1)
    proposals = propose(sessions=[1], start_date=sunday, clinic=clinic({MONDAY}))
    assert proposals[0].day == MONDAY + timedelta(days=1)


def test_only_within_opening_hours() -> None:
    saturday = MONDAY + timedelta(days=5)
    diary = Diary()
    diary.add(A, at(saturday, 9), at(saturday, 12, 30))
    diary.add(B, at(saturday, 9), at(saturday, 12, 30))
    # 12:30-13:30 would overrun Saturday's 13:00 close: next open day instead.
    proposals = propose(sessions=[1], start_date=saturday, diary=diary)
    assert proposals[0].day == MONDAY + timedelta(days=7)
    assert proposals[0].starts_at == at(MONDAY + timedelta(days=7), 9)


def test_practitioner_conflicts_are_avoided() -> None:
    diary = Diary()
    diary.add(A, at(MONDAY, 9), at(MONDAY, 18))
    proposals = propose(sessions=[1], diary=diary)
    assert proposals[0].practitioner_id == B
    assert proposals[0].starts_at == at(MONDAY, 9)
    diary.add(B, at(MONDAY, 8), at(MONDAY, 11))
    proposal = propose(
        sessions=[1],
        diary=Diary.of([(A, at(MONDAY, 9), at(MONDAY, 18)), (B, at(MONDAY, 8), at(MONDAY, 11))]),
    )[0]
    assert proposal.practitioner_id == B
    assert proposal.starts_at == at(MONDAY, 11)


def test_proposals_do_not_collide_with_each_other() -> None:
    diary = Diary()
    propose(sessions=[1], diary=diary)
    again = propose(sessions=[1], diary=diary)  # the diary now holds the first proposal
    assert again[0].starts_at == at(MONDAY, 9)
    assert again[0].practitioner_id == B


def test_no_slot_in_window_is_proposed_after_it_and_flagged() -> None:
    window_days = [MONDAY + timedelta(weeks=4, days=d) for d in range(0, 15)]
    proposals = propose(clinic=clinic(set(window_days)))
    second = proposals[1]
    assert second.found
    assert second.outside_window
    assert second.day == MONDAY + timedelta(weeks=6, days=1)


def test_nothing_free_at_all_gives_an_empty_proposal() -> None:
    proposals = propose(sessions=[1], clinic=clinic(hours={}))
    assert not proposals[0].found
    assert proposals[0].practitioner_id is None
    assert not proposals[0].outside_window


def test_not_before_now() -> None:
    now = at(MONDAY, 14, 10)
    proposals = propose(sessions=[1], not_before=now)
    assert proposals[0].starts_at == at(MONDAY, 14, 30)


def test_start_date_in_the_past_proposes_from_today() -> None:
    now = at(MONDAY + timedelta(days=2), 8)
    proposals = propose(sessions=[1], not_before=now)
    assert proposals[0].day == MONDAY + timedelta(days=2)


def test_chains_from_already_booked_sessions() -> None:
    booked = {1: (MONDAY, time(11), B)}
    proposals = propose(sessions=[2, 3], booked=booked)
    assert proposals[0].window == next_window(MONDAY, INTERVAL)
    assert proposals[0].starts_at == at(MONDAY + timedelta(weeks=4), 11)
    assert proposals[0].practitioner_id == B


def test_find_slot_none_on_closed_day() -> None:
    assert (
        find_slot(
            day=MONDAY,
            clinic=clinic({MONDAY}),
            diary=Diary(),
            practitioner_ids=[A],
            length=LENGTH,
            not_before=EARLY,
        )
        is None
    )


@pytest.mark.parametrize("weeks", [1, 2, 3])
def test_search_beyond_window_is_bounded(weeks: int) -> None:
    rng = IntervalRange(low=weeks, high=weeks, preferred=weeks)
    everything_closed = {
        MONDAY + timedelta(days=d) for d in range(1, 7 * weeks + SEARCH_BEYOND_DAYS + 2)
    }
    proposals = propose(sessions=[1, 2], interval=rng, clinic=clinic(everything_closed))
    assert proposals[0].found
    assert not proposals[1].found

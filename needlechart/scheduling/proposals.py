"""Proposing dates and times for the sessions of an approved plan. Pure: no database.

The plan gives the number of sessions, the clinician's interval and the protocol's interval
range; the clinic gives opening hours, closed days and who is free. Each next session falls
in the window [previous + low weeks, previous + high weeks], at previous + interval if it
can. The length of an appointment and the slot grid are scheduling policy, not clinical
numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

# Scheduling policy (not clinical figures): the default length of a treatment appointment,
# the grid on which start times are offered, and how far past a window we look for a slot.
DEFAULT_APPOINTMENT_MINUTES = 60
SLOT_STEP_MINUTES = 30
SEARCH_BEYOND_DAYS = 56

type Interval = tuple[datetime, datetime]
type Booked = tuple[date, time | None, int | None]  # day, local time, practitioner id


@dataclass(frozen=True)
class IntervalRange:
    """Weeks between sessions: the window's bounds and the preferred value."""

    low: float
    high: float
    preferred: float

    @classmethod
    def for_plan(
        cls, recommendation: Mapping[str, Any] | None, interval_weeks: int
    ) -> IntervalRange:
        """From the engine's `interval_weeks` range; if it is unsourced, the plan's own
        interval is both bounds. The clinician's approved interval always lies inside the
        window (an approved departure from the protocol was already justified on the plan)."""
        rng = (recommendation or {}).get("interval_weeks") or {}
        low, high = rng.get("low"), rng.get("high")
        if rng.get("unsourced") or low is None or high is None:
            low = high = interval_weeks
        return cls(
            low=min(float(low), interval_weeks),
            high=max(float(high), interval_weeks),
            preferred=interval_weeks,
        )


def weeks_after(day: date, weeks: float) -> date:
    return day + timedelta(days=round(weeks * 7))


@dataclass(frozen=True)
class Window:
    earliest: date
    latest: date | None  # None: open-ended (the first session)
    preferred: date

    def contains(self, day: date) -> bool:
        return self.earliest <= day and (self.latest is None or day <= self.latest)

    def describe(self) -> str:
        if self.latest is None:
            return f"on or after {self.earliest:%a %d %b %Y}"
        if self.latest == self.earliest:
            return f"on {self.earliest:%a %d %b %Y}"
        return f"{self.earliest:%a %d %b %Y} to {self.latest:%a %d %b %Y}"


def session_due(
    *, previous: date | None, start_date: date | None, interval_weeks: float | None
) -> date | None:
    """When a session of a plan is due — the one definition of "next session due": the
    first on the plan's start date; a later one the plan's interval after the previous
    session. None when the plan does not say (no start date, or no interval)."""
    if previous is None:
        return start_date
    if not interval_weeks:
        return None
    return weeks_after(previous, interval_weeks)


def first_window(start_date: date) -> Window:
    return Window(earliest=start_date, latest=None, preferred=start_date)


def next_window(previous: date, interval: IntervalRange) -> Window:
    preferred = session_due(previous=previous, start_date=None, interval_weeks=interval.preferred)
    assert preferred is not None  # the plan's interval is never 0 here
    return Window(
        earliest=weeks_after(previous, interval.low),
        latest=weeks_after(previous, interval.high),
        preferred=preferred,
    )


def session_window(
    *, session_number: int, previous: date | None, start_date: date, interval: IntervalRange
) -> Window | None:
    """The window of a session: session 1 on/after the start date; a later one relative
    to the previous session's date (None when that session is not booked)."""
    if session_number <= 1:
        return first_window(start_date)
    if previous is None:
        return None
    return next_window(previous, interval)


@dataclass(frozen=True)
class Clinic:
    """What the clinic allows: weekday -> (opens, closes), closed dates, the time zone."""

    hours: Mapping[int, tuple[time, time]]
    closed: frozenset[date]
    tz: tzinfo

    def is_open_on(self, day: date) -> bool:
        return day.weekday() in self.hours and day not in self.closed

    def bounds(self, day: date) -> tuple[datetime, datetime] | None:
        if not self.is_open_on(day):
            return None
        opens, closes = self.hours[day.weekday()]
        return (
            datetime.combine(day, opens, tzinfo=self.tz),
            datetime.combine(day, closes, tzinfo=self.tz),
        )

    def fits(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Whether the appointment lies within one open day's hours (local time)."""
        local_start = starts_at.astimezone(self.tz)
        bounds = self.bounds(local_start.date())
        if bounds is None:
            return False
        opens, closes = bounds
        return opens <= starts_at and ends_at <= closes and starts_at < ends_at


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class Diary:
    """Busy intervals per practitioner; proposals add to it so they never collide."""

    busy: dict[int, list[Interval]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[tuple[int, datetime, datetime]]) -> Diary:
        diary = cls()
        for practitioner_id, starts_at, ends_at in rows:
            diary.add(practitioner_id, starts_at, ends_at)
        return diary

    def add(self, practitioner_id: int, starts_at: datetime, ends_at: datetime) -> None:
        self.busy.setdefault(practitioner_id, []).append((starts_at, ends_at))

    def is_free(self, practitioner_id: int, starts_at: datetime, ends_at: datetime) -> bool:
        slot = (starts_at, ends_at)
        return not any(overlaps(slot, taken) for taken in self.busy.get(practitioner_id, []))


@dataclass(frozen=True)
class Proposal:
    session_number: int
    window: Window
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    practitioner_id: int | None = None

    @property
    def found(self) -> bool:
        return self.starts_at is not None

    @property
    def day(self) -> date:
        return self.starts_at.date() if self.starts_at is not None else self.window.preferred

    @property
    def outside_window(self) -> bool:
        return self.starts_at is not None and not self.window.contains(self.day)


def _days_around(window: Window, not_before: date) -> Iterator[date]:
    """Days of the window, nearest to the preferred day first (later before earlier on a
    tie), then the days after the window, up to SEARCH_BEYOND_DAYS."""
    latest = window.latest or window.preferred + timedelta(days=SEARCH_BEYOND_DAYS)
    preferred = max(window.preferred, window.earliest)
    span = (latest - window.earliest).days
    for offset in range(span + 1):
        for day in (preferred + timedelta(days=offset), preferred - timedelta(days=offset)):
            if offset == 0 and day != preferred:
                continue
            if window.earliest <= day <= latest and day >= not_before:
                yield day
    if window.latest is not None:
        for offset in range(1, SEARCH_BEYOND_DAYS + 1):
            day = window.latest + timedelta(days=offset)
            if day >= not_before:
                yield day


def _start_times(
    opens: datetime, closes: datetime, length: timedelta, prefer: time | None
) -> list[datetime]:
    step = timedelta(minutes=SLOT_STEP_MINUTES)
    starts: list[datetime] = []
    at = opens
    while at + length <= closes:
        starts.append(at)
        at += step
    if prefer is not None:
        starts.sort(key=lambda s: (s.time() != prefer, s))
    return starts


def find_slot(
    *,
    day: date,
    clinic: Clinic,
    diary: Diary,
    practitioner_ids: Sequence[int],
    length: timedelta,
    not_before: datetime,
    prefer_time: time | None = None,
) -> tuple[datetime, datetime, int] | None:
    """The first free (start, end, practitioner) on `day`, or None."""
    bounds = clinic.bounds(day)
    if bounds is None:
        return None
    for starts_at in _start_times(*bounds, length, prefer_time):
        if starts_at < not_before:
            continue
        ends_at = starts_at + length
        for practitioner_id in practitioner_ids:
            if diary.is_free(practitioner_id, starts_at, ends_at):
                return starts_at, ends_at, practitioner_id
    return None


def propose_series(
    *,
    sessions: Sequence[int],
    start_date: date,
    interval: IntervalRange,
    clinic: Clinic,
    diary: Diary,
    practitioner_ids: Sequence[int],
    not_before: datetime,
    booked: Mapping[int, Booked] | None = None,
    length: timedelta = timedelta(minutes=DEFAULT_APPOINTMENT_MINUTES),
    min_gap_days: int = 0,
) -> list[Proposal]:
    """A proposal for each session number in `sessions` (ascending), chained: each window
    starts from the session before it, whether already `booked` (session number -> date,
    time and practitioner) or proposed here. The previous session's practitioner and time
    of day are preferred for continuity. A session for which nothing is free within the
    window or SEARCH_BEYOND_DAYS after it gets a proposal without a slot. No day closer than
    `min_gap_days` (the protocol's absolute minimum interval) to the session before or a
    booked session after is ever proposed."""
    booked = booked or {}
    proposals: list[Proposal] = []
    last_day: date | None = None
    last_time: time | None = None
    last_practitioner: int | None = None
    not_before_day = not_before.astimezone(clinic.tz).date()
    for number in sorted(sessions):
        if number - 1 in booked:
            last_day, last_time, last_practitioner = booked[number - 1]
        window = session_window(
            session_number=number, previous=last_day, start_date=start_date, interval=interval
        )
        if window is None:  # the session before is unbooked: chain from its preferred day
            window = first_window(start_date)
        order = list(practitioner_ids)
        if last_practitioner in order:
            order.remove(last_practitioner)
            order.insert(0, last_practitioner)
        after = booked.get(number + 1)
        neighbours = [d for d in (last_day, after[0] if after else None) if d is not None]
        slot = None
        for day in _days_around(window, not_before_day):
            if any(abs((day - other).days) < min_gap_days for other in neighbours):
                continue
            slot = find_slot(
                day=day,
                clinic=clinic,
                diary=diary,
                practitioner_ids=order,
                length=length,
                not_before=not_before,
                prefer_time=last_time,
            )
            if slot is not None:
                break
        if slot is None:
            proposals.append(Proposal(session_number=number, window=window))
            last_day, last_time = window.preferred, None
            continue
        starts_at, ends_at, practitioner_id = slot
        diary.add(practitioner_id, starts_at, ends_at)
        proposals.append(
            Proposal(
                session_number=number,
                window=window,
                starts_at=starts_at,
                ends_at=ends_at,
                practitioner_id=practitioner_id,
            )
        )
        local = starts_at.astimezone(clinic.tz)
        last_day, last_time, last_practitioner = local.date(), local.time(), practitioner_id
    return proposals

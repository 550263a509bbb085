"""Course status arithmetic: pure functions of dates and the plan's numbers (no database).

Every clinical figure comes from the plan (the clinician's approved values) or the protocol
(`follow_up` window, the plan's `maintenance_interval_months`); none is written here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from needlechart.protocol.conditions import add_months
from needlechart.protocol.document import FollowUp as FollowUpRule
from needlechart.scheduling.proposals import session_due

# How the next session date was found.
NEXT_APPOINTMENT = "appointment"  # a booked appointment
NEXT_INTERVAL = "interval"  # last session + the plan's interval
NEXT_START = "start_date"  # nothing done yet: the plan's first session date

# Where the patient is in the follow-up window.
WINDOW_NOT_YET = "not_yet"
WINDOW_OPEN = "open"
WINDOW_OVERDUE = "overdue"
WINDOW_DONE = "done"


@dataclass(frozen=True)
class FollowUpWindow:
    opens: date
    closes: date
    text: str
    sources: list[str] = field(default_factory=list)

    def state(self, *, today: date, followed_on: date | None = None) -> str:
        """`followed_on` is the latest follow-up on or after the session the window counts
        from (None if there is none)."""
        if followed_on is not None:
            return WINDOW_DONE
        if today < self.opens:
            return WINDOW_NOT_YET
        if today <= self.closes:
            return WINDOW_OPEN
        return WINDOW_OVERDUE


def _derived[T](compute: Callable[[], T]) -> T | None:
    """A date derived from a stored one, or None when the stored date sits at the end of the
    calendar (year 9999 has no "12 weeks later"): the page shows the rest of the status."""
    try:
        return compute()
    except (OverflowError, ValueError):
        return None


def follow_up_window(last_session_on: date, rule: FollowUpRule) -> FollowUpWindow:
    """The protocol's re-grade window counted from the last session."""
    return FollowUpWindow(
        opens=last_session_on + timedelta(weeks=rule.from_weeks),
        closes=last_session_on + timedelta(weeks=rule.to_weeks),
        text=rule.text,
        sources=list(rule.sources),
    )


@dataclass(frozen=True)
class CourseStatus:
    """Where a patient's current approved course stands on `today`."""

    today: date
    has_plan: bool
    sessions_done: int = 0
    sessions_planned: int | None = None
    last_session_on: date | None = None
    next_due: date | None = None
    next_due_source: str = ""  # NEXT_APPOINTMENT / NEXT_INTERVAL / NEXT_START
    maintenance_due: date | None = None
    maintenance_interval_months: int | None = None
    follow_up: FollowUpWindow | None = None  # set once the course is complete
    follow_up_state: str = ""
    last_follow_up_on: date | None = None
    rule: FollowUpRule | None = None  # the protocol's follow-up window, for its text/sources

    @property
    def complete(self) -> bool:
        return (
            self.has_plan
            and self.sessions_planned is not None
            and self.sessions_done >= self.sessions_planned
        )

    @property
    def sessions_remaining(self) -> int | None:
        if self.sessions_planned is None:
            return None
        return max(self.sessions_planned - self.sessions_done, 0)

    @property
    def next_due_overdue(self) -> bool:
        return self.next_due is not None and self.next_due < self.today

    @property
    def follow_up_due(self) -> bool:
        return self.follow_up_state in (WINDOW_OPEN, WINDOW_OVERDUE)


def course_status_compute(
    *,
    today: date,
    has_plan: bool,
    sessions_done: int = 0,
    sessions_planned: int | None = None,
    interval_weeks: int | None = None,
    start_date: date | None = None,
    last_session_on: date | None = None,
    next_booked_on: date | None = None,
    maintenance_interval_months: int | None = None,
    last_follow_up_on: date | None = None,
    rule: FollowUpRule,
) -> CourseStatus:
    """The course status from plain values.

    - next due: the next booked appointment if any; else the last session + the plan's
      interval; else (nothing done yet) the plan's start date. None once the course is
      complete.
    - maintenance due: last session of the completed course + the plan's maintenance
      interval in calendar months (None while the course runs or without an interval).
    - follow-up window: the protocol's window after the last session of the completed
      course; "done" when a follow-up was recorded on or after that session.
    """
    if not has_plan:
        return CourseStatus(
            today=today,
            has_plan=False,
            sessions_done=sessions_done,
            last_session_on=last_session_on,
            last_follow_up_on=last_follow_up_on,
            rule=rule,
        )
    complete = sessions_planned is not None and sessions_done >= sessions_planned
    next_due: date | None = None
    source = ""
    if not complete:
        if next_booked_on is not None:
            next_due, source = next_booked_on, NEXT_APPOINTMENT
        else:
            # A stored date at the end of the calendar (year 9999) has no "next" date.
            next_due = _derived(
                lambda: session_due(
                    previous=last_session_on, start_date=start_date, interval_weeks=interval_weeks
                )
            )
            if next_due is not None:
                source = NEXT_START if last_session_on is None else NEXT_INTERVAL
    maintenance_due = None
    window = None
    state = ""
    if complete and last_session_on is not None:
        if maintenance_interval_months:
            months = maintenance_interval_months
            maintenance_due = _derived(lambda: add_months(last_session_on, months))
        window = _derived(lambda: follow_up_window(last_session_on, rule))
        since = (
            last_follow_up_on
            if last_follow_up_on is not None and last_follow_up_on >= last_session_on
            else None
        )
        state = window.state(today=today, followed_on=since) if window is not None else ""
    return CourseStatus(
        today=today,
        has_plan=True,
        sessions_done=sessions_done,
        sessions_planned=sessions_planned,
        last_session_on=last_session_on,
        next_due=next_due,
        next_due_source=source,
        maintenance_due=maintenance_due,
        maintenance_interval_months=maintenance_interval_months,
        follow_up=window,
        follow_up_state=state,
        last_follow_up_on=last_follow_up_on,
        rule=rule,
    )

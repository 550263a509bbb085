"""The diary grid: rows of SLOT_STEP_MINUTES, columns of practitioners (day view) or days
(week view). Four queries whatever the number of appointments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.scheduling.models import Appointment, ClosedDay, OpeningHours
from needlechart.scheduling.proposals import SLOT_STEP_MINUTES
from needlechart.scheduling.selectors import appointments_between, clinic_tz, practitioners

FALLBACK_HOURS = (time(9, 0), time(18, 0))  # grid shown when no opening hours are set


@dataclass
class Cell:
    day: date
    at: time
    practitioner: User | None
    open: bool
    appointments: list[Appointment] = field(default_factory=list)
    covered: bool = False
    book_url: str = ""

    @property
    def free(self) -> bool:
        return self.open and not self.appointments and not self.covered


@dataclass
class Column:
    day: date
    practitioner: User | None
    closed_reason: str | None  # None: open; "" closed without a stated reason
    is_today: bool
    url: str = ""

    @property
    def title(self) -> str:
        return self.practitioner.get_display_name() if self.practitioner else f"{self.day:%a %d %b}"


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def build_calendar(  # noqa: C901 - one pass from query to grid; pieces share its locals
    *, user: User, day: date, view: str, practitioner: User | None
) -> dict[str, Any]:
    tz = clinic_tz()
    today = timezone.localdate()
    view = "week" if view == "week" else "day"
    if view == "week":
        first = day - timedelta(days=day.weekday())
        days = [first + timedelta(days=i) for i in range(7)]
    else:
        days = [day]
    staff = list(practitioners())
    hours = {h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.all()}
    closed = {c.date: c.reason for c in ClosedDay.objects.filter(date__in=days)}
    start = datetime.combine(days[0], time.min, tzinfo=tz)
    end = datetime.combine(days[-1] + timedelta(days=1), time.min, tzinfo=tz)
    appointments = appointments_between(user=user, start=start, end=end, practitioner=practitioner)

    step_days = 7 if view == "week" else 1

    def link(target: date, target_view: str = view) -> str:
        params: dict[str, str] = {"date": target.isoformat(), "view": target_view}
        if practitioner is not None:
            params["practitioner"] = str(practitioner.pk)
        return f"{reverse('scheduling:calendar')}?{urlencode(params)}"

    if view == "week":
        # Days the clinic is closed every week and that have nothing booked stay out of the
        # grid (it has to fit a tablet).
        busy_days = {timezone.localtime(a.starts_at, tz).date() for a in appointments}
        days = [d for d in days if d.weekday() in hours or d in busy_days or d == today] or days
        columns = [
            Column(
                day=d,
                practitioner=practitioner,
                closed_reason=closed.get(d, "" if d.weekday() not in hours else None),
                is_today=d == today,
                url=link(d, "day"),
            )
            for d in days
        ]
    else:
        shown = [practitioner] if practitioner is not None else staff
        reason = closed.get(day, "" if day.weekday() not in hours else None)
        columns = [
            Column(day=day, practitioner=p, closed_reason=reason, is_today=day == today)
            for p in shown
        ]

    spans = [hours[d.weekday()] for d in days if d.weekday() in hours] or [FALLBACK_HOURS]
    first_minute = min(_minutes(s[0]) for s in spans)
    last_minute = max(_minutes(s[1]) for s in spans)
    for a in appointments:  # stretch the grid to show anything booked outside the hours
        local_start = timezone.localtime(a.starts_at, tz)
        local_end = timezone.localtime(a.ends_at, tz)
        first_minute = min(first_minute, _minutes(local_start.time()))
        if local_end.date() == local_start.date():
            last_minute = max(last_minute, _minutes(local_end.time()))
    step = SLOT_STEP_MINUTES
    first_minute -= first_minute % step
    times = [_time(m) for m in range(first_minute, min(last_minute, 24 * 60), step)]

    book_base = reverse("scheduling:book")
    now = timezone.now()
    grid: list[list[Cell]] = []
    for at in times:
        row = []
        for col in columns:
            span = hours.get(col.day.weekday())
            is_open = (
                col.closed_reason is None
                and span is not None
                and span[0] <= at
                and _minutes(at) + step <= _minutes(span[1])
            )
            row.append(Cell(day=col.day, at=at, practitioner=col.practitioner, open=is_open))
        grid.append(row)

    col_index = {
        (c.day, c.practitioner.pk if c.practitioner else None): i for i, c in enumerate(columns)
    }
    for a in appointments:
        local = timezone.localtime(a.starts_at, tz)
        key = (local.date(), a.practitioner_id if view == "day" else None)
        if view == "week" and practitioner is not None:
            key = (local.date(), practitioner.pk)
        index = col_index.get(key)
        if index is None or not grid:
            continue
        row_at = (_minutes(local.time()) - first_minute) // step
        row_at = max(0, min(row_at, len(grid) - 1))
        grid[row_at][index].appointments.append(a)
        if columns[index].practitioner is not None:
            length = max(1, -(-int((a.ends_at - a.starts_at).total_seconds() // 60) // step))
            for later in range(row_at + 1, min(row_at + length, len(grid))):
                grid[later][index].covered = True

    for row in grid:
        for cell in row:
            if not cell.free:
                continue
            if datetime.combine(cell.day, cell.at, tzinfo=tz) < now - timedelta(minutes=step):
                continue
            params = {"date": cell.day.isoformat(), "starts": f"{cell.at:%H:%M}"}
            if cell.practitioner is not None:
                params["practitioner"] = str(cell.practitioner.pk)
            cell.book_url = f"{book_base}?{urlencode(params)}"

    return {
        "view": view,
        "day": day,
        "days": days,
        "today": today,
        "practitioner": practitioner,
        "practitioners": staff,
        "columns": columns,
        "rows": list(zip(times, grid, strict=True)),
        "appointment_count": len(appointments),
        "prev_url": link(day - timedelta(days=step_days)),
        "next_url": link(day + timedelta(days=step_days)),
        "today_url": link(today),
        "day_url": link(day, "day"),
        "week_url": link(day, "week"),
        "show_practitioner": view == "week" and practitioner is None,
    }

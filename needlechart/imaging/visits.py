"""Which visit a photo was taken at, where that visit sits in the course, and its label.

One day can hold several visits — a consultation, a treatment session and a follow-up — so
a visit is never its date alone (once, all three were shown as "3 Dec 2026", merged into
one comparison column, and a consultation photo counted as taken after that day's
session). A visit is:

- the session record the photo is attached to (`session-<id>`: its id, not its number,
  which restarts with each plan), labelled "Session 2 — 3 Dec 2026";
- the follow-up it is attached to (`follow_up-<id>`), "Follow-up — 3 Dec 2026";
- otherwise its visit kind on the day it was taken (`consultation-2026-12-03`),
  "Consultation — 3 Dec 2026".

Within a day the course order is consultation, session, follow-up, then anything else.
Used by the comparison, the redness chart and the progress report, so all three agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Value, When

from needlechart.assessments.models import AssessmentKind
from needlechart.imaging.models import Photo, VisitKind

# Position of each kind of visit within one day, in course order.
KIND_RANK = {
    VisitKind.CONSULTATION: 0,
    VisitKind.SESSION: 1,
    VisitKind.FOLLOW_UP: 2,
    VisitKind.OTHER: 3,
}
# The same for the database (gallery order).
KIND_RANK_SQL = Case(
    *(When(visit_kind=kind, then=Value(rank)) for kind, rank in KIND_RANK.items()),
    default=Value(len(KIND_RANK)),
)
TITLES = {
    VisitKind.CONSULTATION: "Consultation",
    VisitKind.SESSION: "Treatment session",
    VisitKind.FOLLOW_UP: "Follow-up",
    VisitKind.OTHER: "Other visit",
}
VISIT_KEY = re.compile(
    r"^(?:(?P<linked>session|follow_up)-(?P<id>[1-9]\d{0,17})"
    r"|(?P<kind>consultation|session|follow_up|other)-(?P<day>\d{4}-\d{2}-\d{2}))$"
)


def day_label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def visit_label(title: str, day: date) -> str:
    """ "Session 2 — 3 Dec 2026": what the visit was, then its day."""
    return f"{title} — {day_label(day)}"


@dataclass(frozen=True)
class PhotoVisit:
    key: str
    kind: str
    on: date
    title: str
    number: int = 0  # the session's number, to order two sessions of one day

    @property
    def order(self) -> tuple[date, int, int, str]:
        return (self.on, KIND_RANK.get(VisitKind(self.kind), len(KIND_RANK)), self.number, self.key)

    @property
    def label(self) -> str:
        return visit_label(self.title, self.on)


def _kind(photo: Photo) -> VisitKind:
    return VisitKind(photo.visit_kind) if photo.visit_kind in VisitKind.values else VisitKind.OTHER


def visit_key(photo: Photo) -> str:
    """The key of the photo's visit, from its own columns (no query)."""
    if photo.session_id is not None:
        return f"session-{photo.session_id}"
    if photo.follow_up_id is not None:
        return f"follow_up-{photo.follow_up_id}"
    return f"{_kind(photo).value}-{photo.taken_on.isoformat()}"


def photo_visit(photo: Photo) -> PhotoVisit:
    """The visit of a photo (load it with `session` and `follow_up` joined)."""
    if photo.session_id is not None:
        session = photo.session
        assert session is not None
        return PhotoVisit(
            key=visit_key(photo),
            kind=VisitKind.SESSION,
            on=session.performed_on,
            title=f"Session {session.session_number}",
            number=session.session_number,
        )
    if photo.follow_up_id is not None:
        follow_up = photo.follow_up
        assert follow_up is not None
        return PhotoVisit(
            key=visit_key(photo),
            kind=VisitKind.FOLLOW_UP,
            on=follow_up.followed_on,
            title=TITLES[VisitKind.FOLLOW_UP],
        )
    kind = _kind(photo)
    return PhotoVisit(
        key=visit_key(photo),
        kind=kind,
        on=photo.taken_on,
        title=TITLES[kind],
    )


def parse_visit_key(text: str) -> str:
    """The key, checked for shape (and a real date); ValueError otherwise."""
    text = (text or "").strip()
    match = VISIT_KEY.match(text)
    if match is None:
        raise ValueError("Not a visit key.")
    if match.group("day"):
        date.fromisoformat(match.group("day"))  # raises ValueError for 2030-02-31
    return text


def assessment_rank(kind: str) -> int:
    """Where an assessment sits in its day: a baseline at the consultation, a re-grade at
    the follow-up."""
    follow_up = kind == AssessmentKind.FOLLOW_UP
    return KIND_RANK[VisitKind.FOLLOW_UP if follow_up else VisitKind.CONSULTATION]

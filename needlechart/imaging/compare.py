"""Photos grouped into visits, and two visits side by side with the scar scores of the day.

A visit is keyed so the key survives in a URL and means one thing:
- `session-<id>`: photos attached to a treatment session record (its id, not its number:
  numbers restart with each plan);
- `follow_up-<id>`: photos attached to a follow-up visit;
- `YYYY-MM-DD`: any other photo (consultation, other), grouped by the day it was taken.

Reads are fixed in number: the consent, the photos (session and follow-up joined) and the
assessments — whatever the number of photos.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.http import Http404

from needlechart.accounts.models import User
from needlechart.assessments.models import Assessment
from needlechart.imaging.models import Photo, PhotoView
from needlechart.imaging.selectors import photos_for
from needlechart.patients.models import Patient
from needlechart.protocol import default_protocol

VISIT_KEY = re.compile(
    r"^(?:(?P<kind>session|follow_up)-(?P<id>[1-9]\d{0,17})|(?P<day>\d{4}-\d{2}-\d{2}))$"
)
VIEW_ORDER = {value: i for i, value in enumerate(PhotoView.values)}
VIEW_LABELS = dict(PhotoView.choices)


def visit_key(photo: Photo) -> str:
    if photo.session_id is not None:
        return f"session-{photo.session_id}"
    if photo.follow_up_id is not None:
        return f"follow_up-{photo.follow_up_id}"
    return photo.taken_on.isoformat()


def parse_visit_key(text: str) -> str:
    """The key, checked for shape (and a real date); ValueError otherwise."""
    text = (text or "").strip()
    match = VISIT_KEY.match(text)
    if match is None:
        raise ValueError("Not a visit key.")
    if match.group("day"):
        date.fromisoformat(match.group("day"))  # raises ValueError for 2030-02-31
    return text


def slot_key(photo: Photo) -> str:
    """Which photos compare with which: the view, and for a close-up also its zone."""
    if photo.view == PhotoView.CLOSE_UP and photo.zone:
        return f"{photo.view}:{photo.zone}"
    return str(photo.view)


def slot_label(key: str) -> str:
    view, _, zone = key.partition(":")
    label = VIEW_LABELS.get(view, view)
    return f"{label} · {zone.replace('_', ' ')}" if zone else str(label)


def _slot_order(key: str) -> tuple[int, str]:
    view, _, zone = key.partition(":")
    return VIEW_ORDER.get(view, len(VIEW_ORDER)), zone


@dataclass(frozen=True)
class VisitScore:
    """The nearest assessment on or before a visit's date."""

    assessment_id: int
    assessed_on: date
    kind_label: str
    grade: int | None
    grade_level: str
    grade_confirmed: bool
    score: int | None


@dataclass
class Visit:
    key: str
    on: date
    title: str
    photos: dict[str, Photo] = field(default_factory=dict)  # slot key -> the latest photo
    score: VisitScore | None = None

    @property
    def label(self) -> str:
        return f"{self.title} · {self.on.day} {self.on:%b %Y}"


@dataclass(frozen=True)
class CompareRow:
    key: str
    label: str
    a: Photo | None
    b: Photo | None


@dataclass(frozen=True)
class Comparison:
    a: Visit
    b: Visit
    rows: list[CompareRow]  # views in both visits
    missing: list[CompareRow]  # views in one visit only
    quantitative_label: str
    quantitative_verified: bool

    @property
    def photo_ids(self) -> list[int]:
        return sorted(
            p.pk for row in self.rows + self.missing for p in (row.a, row.b) if p is not None
        )


def _visit_title(photo: Photo) -> str:
    if photo.session is not None:
        return f"Session {photo.session.session_number}"
    if photo.follow_up is not None:
        return "Follow-up"
    return str(photo.get_visit_kind_display())


def _visit_day(photo: Photo) -> date:
    if photo.session is not None:
        return photo.session.performed_on
    if photo.follow_up is not None:
        return photo.follow_up.followed_on
    return photo.taken_on


def group_visits(photos: list[Photo]) -> list[Visit]:
    """Photos into visits, oldest first; within a visit the newest photo of each slot wins."""
    visits: dict[str, Visit] = {}
    titles: dict[str, set[str]] = {}
    for photo in photos:
        key = visit_key(photo)
        visit = visits.get(key)
        if visit is None:
            visit = visits[key] = Visit(key=key, on=_visit_day(photo), title="")
            titles[key] = set()
        titles[key].add(_visit_title(photo))
        slot = slot_key(photo)
        current = visit.photos.get(slot)
        if current is None or (photo.taken_on, photo.pk) > (current.taken_on, current.pk):
            visit.photos[slot] = photo
    for key, visit in visits.items():
        names = titles[key]
        visit.title = names.pop() if len(names) == 1 else "Photos"
    return sorted(visits.values(), key=lambda v: (v.on, v.key))


def _scores(patient: Patient, visits: list[Visit]) -> None:
    """Attach to each visit the latest assessment on or before its day. One query."""
    if not visits:
        return
    levels = {
        k: g.level
        for k, g in default_protocol().document.grading.goodman_baron_qualitative.grades.items()
    }
    rows = list(
        Assessment.objects.filter(patient=patient, assessed_on__lte=max(v.on for v in visits))
        .only(
            "id",
            "kind",
            "assessed_on",
            "quantitative_score",
            "qualitative_grade",
            "suggested_grade",
        )
        .order_by("assessed_on", "id")
    )
    for visit in visits:
        before = [a for a in rows if a.assessed_on <= visit.on]
        if not before:
            continue
        a = before[-1]
        grade = a.qualitative_grade if a.qualitative_grade is not None else a.suggested_grade
        visit.score = VisitScore(
            assessment_id=a.pk,
            assessed_on=a.assessed_on,
            kind_label=str(a.get_kind_display()),
            grade=grade,
            grade_level=levels.get(grade, "") if grade is not None else "",
            grade_confirmed=a.qualitative_grade is not None,
            score=a.quantitative_score,
        )


def visits_for(*, user: User, patient: Patient) -> list[Visit]:
    """The patient's visits with photos, oldest first (empty without photo consent).
    PermissionDenied for a non-clinical role."""
    return group_visits(list(photos_for(user=user, patient=patient)))


def comparison_for(
    *, user: User, patient: Patient, visits: list[Visit], a: str, b: str
) -> Comparison:
    """Visits `a` and `b` (keys from `visits`) view by view. Http404 for an unknown key."""
    by_key = {v.key: v for v in visits}
    try:
        visit_a, visit_b = by_key[parse_visit_key(a)], by_key[parse_visit_key(b)]
    except (KeyError, ValueError):
        raise Http404("No such visit with photos for this patient.") from None
    _scores(patient, [visit_a] if visit_a is visit_b else [visit_a, visit_b])
    rows: list[CompareRow] = []
    missing: list[CompareRow] = []
    for key in sorted(set(visit_a.photos) | set(visit_b.photos), key=_slot_order):
        row = CompareRow(
            key=key, label=slot_label(key), a=visit_a.photos.get(key), b=visit_b.photos.get(key)
        )
        (rows if row.a is not None and row.b is not None else missing).append(row)
    table = default_protocol().document.grading.goodman_baron_quantitative
    return Comparison(
        a=visit_a,
        b=visit_b,
        rows=rows,
        missing=missing,
        quantitative_label=table.label,
        quantitative_verified=bool(getattr(table, "verified", False)),
    )


def previous_photo(*, user: User, patient: Patient, view: str, zone: str = "") -> Photo | None:
    """The most recent photo of the patient in this view (and zone for a close-up): the
    guide for taking the next one. None without photo consent. Two queries."""
    qs = photos_for(user=user, patient=patient).filter(view=view)
    if view == PhotoView.CLOSE_UP and zone:
        qs = qs.filter(zone=zone)
    return qs.order_by("-taken_on", "-id").first()

"""Photos grouped into visits, and two visits side by side with the scar scores of the day.

A visit and its key come from `imaging.visits` (a session, a follow-up, or a kind of visit
on a day): a consultation, a session and a follow-up on one day are three visits, in that
order, each with its own label.

Reads are fixed in number: the consent, the photos (session and follow-up joined) and the
assessments — whatever the number of photos.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.http import Http404

from needlechart.accounts.models import User
from needlechart.assessments.models import Assessment
from needlechart.imaging.models import Photo, PhotoView
from needlechart.imaging.selectors import photos_for
from needlechart.imaging.visits import (
    PhotoVisit,
    assessment_rank,
    parse_visit_key,
    photo_visit,
)
from needlechart.patients.models import Patient
from needlechart.protocol import default_protocol

VIEW_ORDER = {value: i for i, value in enumerate(PhotoView.values)}
VIEW_LABELS = dict(PhotoView.choices)


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
    visit: PhotoVisit
    photos: dict[str, Photo] = field(default_factory=dict)  # slot key -> the latest photo
    score: VisitScore | None = None

    @property
    def key(self) -> str:
        return self.visit.key

    @property
    def on(self) -> date:
        return self.visit.on

    @property
    def title(self) -> str:
        return self.visit.title

    @property
    def label(self) -> str:
        return self.visit.label


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


def group_visits(photos: list[Photo]) -> list[Visit]:
    """Photos into visits in course order; within a visit the newest photo of each slot."""
    visits: dict[str, Visit] = {}
    for photo in photos:
        where = photo_visit(photo)
        visit = visits.get(where.key)
        if visit is None:
            visit = visits[where.key] = Visit(visit=where)
        slot = slot_key(photo)
        current = visit.photos.get(slot)
        if current is None or (photo.taken_on, photo.pk) > (current.taken_on, current.pk):
            visit.photos[slot] = photo
    return sorted(visits.values(), key=lambda v: v.visit.order)


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
        # On the visit's day, only what came before it in the course: a session's photos
        # are scored by the consultation's baseline, not by that day's later re-grade.
        at = (visit.on, visit.visit.order[1])
        before = [a for a in rows if (a.assessed_on, assessment_rank(a.kind)) <= at]
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

"""Redness by number: the erythema index of a photo region, stored and charted over the days
after each treatment session.

The method is the protocol's source `E1` (UNVERIFIED: recalled, not from the clinical
reference); the pages always show that citation beside a value. The index is relative —
for following one patient's photos taken the same way — so no threshold lives here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from PIL import Image, UnidentifiedImageError

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_clinical
from needlechart.audit.services import audit_record
from needlechart.core.charts import (
    WIDTH,
    ChartPoint,
    Frame,
    Line,
    Tick,
    even_steps,
    fmt,
    frame,
    scale,
)
from needlechart.imaging.erythema import SOURCE_KEY, erythema_index, validate_box
from needlechart.imaging.models import Photo, RednessMeasurement, VisitKind
from needlechart.imaging.selectors import NOT_CLINICAL_PHOTOS, open_photo
from needlechart.imaging.visits import photo_visit, visit_label
from needlechart.patients.models import Patient
from needlechart.protocol import cite
from needlechart.treatments.models import SIGNED_STATUSES, SessionRecord

ARCHIVED_PHOTO = "This photo is archived; it cannot be measured."
UNREADABLE_PHOTO = "The stored photo could not be read, so it cannot be measured."


def method_citation() -> str:
    """`[E1] ...` from the protocol (the text itself says UNVERIFIED)."""
    return cite([SOURCE_KEY])[0]


def session_before(photo: Photo) -> SessionRecord | None:
    """The signed session a photo follows: the session it is attached to (when signed and
    not after the photo), else the latest signed session of the patient before it in the
    course — on or before the day it was taken, except that a consultation photo precedes
    a session of the same day. One query at most."""
    session = photo.session if photo.session_id is not None else None
    if (
        session is not None
        and session.status in SIGNED_STATUSES
        and session.performed_on <= photo.taken_on
    ):
        return session
    same_day_counts = photo_visit(photo).kind != VisitKind.CONSULTATION
    on_or_before = "performed_on__lte" if same_day_counts else "performed_on__lt"
    return (
        SessionRecord.objects.signed()
        .filter(patient_id=photo.patient_id, **{on_or_before: photo.taken_on})
        .order_by("-performed_on", "-id")
        .first()
    )


@transaction.atomic
def redness_measure(
    *,
    photo: Photo,
    by: User,
    x: int,
    y: int,
    width: int,
    height: int,
    label: str = "",
) -> RednessMeasurement:
    """Measure the erythema index of the rectangle (image pixels) and keep it. Raises
    ValidationError (field keys x/y/width/height) for a region outside the photo or without
    area, PermissionDenied for a non-clinical role. Call after `photo_get_for` (consent)."""
    require_clinical(by, NOT_CLINICAL_PHOTOS)
    if photo.is_archived:
        raise ValidationError(ARCHIVED_PHOTO)
    box = (x, y, width, height)
    errors: dict[str, str] = {}
    if width <= 0:
        errors["width"] = "The width must be at least 1 pixel."
    if height <= 0:
        errors["height"] = "The height must be at least 1 pixel."
    if x < 0 or x >= photo.width:
        errors["x"] = f"x must be from 0 to {photo.width - 1} (the photo is {photo.width} wide)."
    elif width > 0 and x + width > photo.width:
        errors["width"] = f"x + width must not exceed the photo's width ({photo.width} pixels)."
    if y < 0 or y >= photo.height:
        errors["y"] = f"y must be from 0 to {photo.height - 1} (the photo is {photo.height} high)."
    elif height > 0 and y + height > photo.height:
        errors["height"] = f"y + height must not exceed the photo's height ({photo.height} pixels)."
    if errors:
        raise ValidationError(errors)
    try:
        with Image.open(io.BytesIO(open_photo(photo))) as image:
            image.load()
            validate_box(image.size, box)  # the stored file, should it differ from the row
            value = erythema_index(image, box)
    except (OSError, UnidentifiedImageError) as exc:
        raise ValidationError(UNREADABLE_PHOTO) from exc
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    session = session_before(photo)
    measurement = RednessMeasurement.objects.create(
        photo=photo,
        patient_id=photo.patient_id,
        x=x,
        y=y,
        width=width,
        height=height,
        label=label.strip(),
        value=value,
        method=SOURCE_KEY,
        session=session,
        days_since_session=(photo.taken_on - session.performed_on).days if session else None,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="photo.measure",
        obj=photo,
        patient_id=photo.patient_id,
        detail={
            "measurement_id": measurement.pk,
            "box": list(box),
            "erythema_index": round(value, 2),
            "method": SOURCE_KEY,
        },
    )
    return measurement


# ---------------------------------------------------------------- reads


def measurements_of_photo(*, user: User, photo: Photo) -> QuerySet[RednessMeasurement]:
    require_clinical(user, NOT_CLINICAL_PHOTOS)
    return (
        RednessMeasurement.objects.filter(photo=photo)
        .select_related("session", "created_by")
        .order_by("-id")
    )


def measurements_for(*, user: User, patient: Patient) -> list[RednessMeasurement]:
    """The patient's measurements, oldest photo first, with photo and session: one query.
    Numbers stay readable whatever the photo consent (they are part of the record); the
    photos themselves are still served only under consent."""
    require_clinical(user, NOT_CLINICAL_PHOTOS)
    measurements = list(
        RednessMeasurement.objects.filter(patient=patient).select_related(
            "photo", "photo__session", "photo__follow_up", "session"
        )
    )
    # Course order of the photos' visits: a same-day consultation before its session.
    return sorted(measurements, key=lambda m: (photo_visit(m.photo).order, m.pk))


def session_label(session: SessionRecord) -> str:
    return visit_label(f"Session {session.session_number}", session.performed_on)


def box_style(measurement: RednessMeasurement, photo: Photo) -> str:
    """CSS placing the measured rectangle over the displayed photo, in percentages."""
    w, h = max(photo.width, 1), max(photo.height, 1)
    return (
        f"left:{measurement.x / w * 100:.3f}%;top:{measurement.y / h * 100:.3f}%;"
        f"width:{measurement.width / w * 100:.3f}%;height:{measurement.height / h * 100:.3f}%"
    )


# ---------------------------------------------------------------- chart (inline SVG)

LEFT = 64
RIGHT = 24
TOP = 30
PLOT_HEIGHT = 260
AXIS_HEIGHT = 44
MIN_DAYS = 7  # the x axis spans at least a week (display scaling only)
MAX_TICKS = 8
SERIES_COLOURS = 4  # rc-series--0..3 in compare.css


@dataclass(frozen=True)
class Series(Line):
    index: int
    label: str

    @property
    def colour(self) -> int:
        return self.index % SERIES_COLOURS


@dataclass(frozen=True)
class RednessChart:
    frame: Frame
    zero_y: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    series: list[Series] = field(default_factory=list)
    before_first_session: int = 0  # measurements with no earlier session (table only)

    @property
    def empty(self) -> bool:
        return not self.series


def _nice_step(span: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if span / step <= 6:
            return float(step)
    return 200.0


def redness_chart(measurements: list[RednessMeasurement]) -> RednessChart:
    """Erythema index (y) against days after the session (x), one line per session."""
    placed = [m for m in measurements if m.days_since_session is not None]
    bottom = TOP + PLOT_HEIGHT
    plot = frame(left=LEFT, right=RIGHT, top=TOP, bottom=bottom, axis_height=AXIS_HEIGHT)
    if not placed:
        return RednessChart(
            frame=plot,
            zero_y=plot.bottom,
            x_ticks=[],
            y_ticks=[],
            before_first_session=len(measurements),
        )
    max_days = max(MIN_DAYS, max(m.days_since_session or 0 for m in placed))
    values = [m.value for m in placed]
    step = _nice_step(max(max(values), 0) - min(min(values), 0) or 1)
    low = min(0.0, (min(values) // step) * step)
    high = max(step, -(-max(values) // step) * step)
    x_at = scale(0, max_days, LEFT, WIDTH - RIGHT)
    y_at = scale(low, high, bottom, TOP)

    # One line per session and region: joining different regions would draw a false trend.
    by_session: dict[tuple[int, str], list[RednessMeasurement]] = {}
    labels: dict[tuple[int, str], str] = {}
    for m in placed:
        key = (m.session_id or 0, m.label.casefold())
        by_session.setdefault(key, []).append(m)
        if m.session is not None:
            labels[key] = session_label(m.session)
            if m.label:
                labels[key] += f" · {m.label}"

    def session_order(key: tuple[int, str]) -> tuple[date, int, str]:
        session = by_session[key][0].session
        return (session.performed_on if session else date.min, *key)

    series = []
    for index, key in enumerate(sorted(by_session, key=session_order)):
        rows = sorted(by_session[key], key=lambda m: (m.days_since_session or 0, m.pk))
        points = [
            ChartPoint(
                x=fmt(x_at(m.days_since_session or 0)),
                y=fmt(y_at(m.value)),
                title=(
                    f"{photo_visit(m.photo).label} · day {m.days_since_session} after "
                    f"{labels.get(key, 'the session')}: EI {m.value:.1f} (UNVERIFIED method)"
                ),
            )
            for m in rows
        ]
        series.append(Series(points=points, index=index, label=labels.get(key, "Session")))
    x_ticks = [
        Tick(pos=fmt(x_at(day)), label=f"day {day}") for day in even_steps(max_days, MAX_TICKS)
    ]
    y_ticks = []
    v = low
    while v <= high + 1e-9:
        y_ticks.append(Tick(pos=fmt(y_at(v)), label=f"{v:g}"))
        v += step
    return RednessChart(
        frame=plot,
        zero_y=fmt(y_at(0)),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        series=series,
        before_first_session=len(measurements) - len(placed),
    )


def chart_context(measurements: list[RednessMeasurement]) -> dict[str, Any]:
    return {
        "chart": redness_chart(measurements),
        "measurements": measurements,
        "method_citation": method_citation(),
    }

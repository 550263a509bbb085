"""What each document says: reads from the record and the protocol, shaped for the templates.

Clinical wording and figures come from the stored engine results and the protocol; this
module only picks, orders and dates them.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from PIL import Image

from needlechart.accounts.models import User
from needlechart.core.dates import in_span
from needlechart.core.pdf import data_url
from needlechart.documents.chart_png import chart_png
from needlechart.imaging.models import Photo, PhotoView
from needlechart.imaging.selectors import open_photo, photo_consent, photos_for
from needlechart.imaging.visits import photo_visit
from needlechart.outcomes.chart import progress_chart
from needlechart.outcomes.selectors import progress_for
from needlechart.patients.models import Patient
from needlechart.plans.models import DeviceChoices, TreatmentPlan
from needlechart.plans.selectors import current_plan
from needlechart.protocol import default_protocol
from needlechart.protocol.aftercare import check_in_days
from needlechart.protocol.patient import (
    expected_course_for_patient,
    maintenance_for_patient,
    precautions_for_patient,
    preparation_for_patient,
    red_flags,
    sheet_extras,
    warning_signs,
)
from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.scheduling.proposals import session_due
from needlechart.treatments.models import AdverseEvent, SessionRecord

log = logging.getLogger(__name__)

PHOTO_PAIRS_MAX = 4  # before/after pairs in one report (one per view)
PHOTO_PIXELS = 640  # longest side of an embedded photo
CHART_WIDTH = 480  # points on the page (the PNG has more pixels, for print)


def label(code: str) -> str:
    """A protocol code as words: "left_45" -> "Left 45"."""
    return str(code).replace("_", " ").capitalize()


def device_label(code: str) -> str:
    return dict(DeviceChoices.choices).get(code, label(code)) if code else ""


def _depths_text(depths: dict[str, Any] | None) -> str:
    parts = [
        f"{label(zone)} {mm} mm" if mm is not None else f"{label(zone)} —"
        for zone, mm in (depths or {}).items()
    ]
    return ", ".join(parts)


# ---------------------------------------------------------------- plan summary


@dataclass(frozen=True)
class SessionRow:
    number: int | None
    when: str
    status: str


def _planned_sessions(plan: TreatmentPlan) -> list[SessionRow]:
    """Session by session: done (signed record), attended or booked (appointment: charting
    marks the visit it fulfils attended, so a charted session is never left "booked") or
    when it is due (`session_due`: the start date, then the plan's interval after the
    session before)."""
    done = {
        s.session_number: s.performed_on
        for s in SessionRecord.objects.signed()
        .filter(plan=plan)
        .only("session_number", "performed_on")
    }
    booked: dict[int | None, list[Appointment]] = defaultdict(list)
    for appt in Appointment.objects.filter(
        plan=plan, status__in=[AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED]
    ).order_by("starts_at", "id"):
        booked[appt.session_number].append(appt)
    numbers = [n for n in booked if n is not None] + list(done)
    count = max([plan.sessions_planned or 0, *numbers])
    rows = []
    previous: date | None = None  # the day of the session before (done, booked or due)
    for n in range(1, count + 1):
        if n in done:
            previous = done[n]
            rows.append(SessionRow(n, f"{done[n]:%A} {done[n].day} {done[n]:%B %Y}", "Done"))
        elif booked.get(n):
            starts = timezone.localtime(booked[n][0].starts_at)
            previous = starts.date()
            when = f"{starts:%A} {starts.day} {starts:%B %Y} at {starts:%H:%M}"
            # Attended: the session was charted for this visit (its record not signed yet).
            rows.append(SessionRow(n, when, booked[n][0].get_status_display()))
        else:
            # Due dates need the plan's interval and the day of the session before (the
            # start date for the first); without them the session is still to be arranged.
            known = plan.interval_weeks and (n == 1 or previous is not None)
            day = (
                session_due(
                    previous=previous,
                    start_date=plan.start_date,
                    interval_weeks=plan.interval_weeks,
                )
                if known
                else None
            )
            previous = day
            if day is None:
                rows.append(SessionRow(n, "To be arranged", "To be booked"))
            else:
                rows.append(SessionRow(n, f"Around {day.day} {day:%B %Y}", "To be booked"))
    for appt in booked.get(None, []):
        starts = timezone.localtime(appt.starts_at)
        rows.append(SessionRow(None, f"{starts:%A} {starts.day} {starts:%B %Y}", "Booked"))
    return rows


def plan_summary_context(plan: TreatmentPlan) -> dict[str, Any]:
    """The patient's plan in patient words: the protocol's patient wording for preparation,
    expected course, maintenance and precautions (device-specific ones for the plan's device
    only); the staff wording and its sources stay on the staff plan page."""
    rec = plan.engine_plan()
    zone_order = [d.zone.value for d in rec.depths]
    zones = sorted(plan.depths or {}, key=lambda z: zone_order.index(z) if z in zone_order else 99)
    return {
        "document_title": "Your treatment plan",
        "plan": plan,
        "indication": rec.indication_title if rec.indication else "",
        "device": device_label(plan.device),
        "zones": [label(z) for z in zones],
        "sessions": _planned_sessions(plan),
        # An odd stored start date (outside the plausible span) is shown undated, never a 500.
        "preparation": preparation_for_patient(
            rec, plan.start_date if plan.start_date and in_span(plan.start_date) else None
        ),
        "expected_course": expected_course_for_patient(rec),
        "maintenance": maintenance_for_patient(),
        "maintenance_months": rec.maintenance_interval_months,
        "taking_care": precautions_for_patient(rec, device=plan.device),
    }


# ---------------------------------------------------------------- aftercare


def aftercare_context(session: SessionRecord) -> dict[str, Any]:
    days = session.aftercare_sheet_days()
    return {
        "document_title": "Your aftercare",
        "session": session,
        "days": days,
        "warning_signs": warning_signs(session.device),
        "red_flags": red_flags(session.device),
        "sheet_extras": sheet_extras(),
        "check_ins": check_in_days(),
        "device": device_label(session.device),
    }


# ---------------------------------------------------------------- progress report


@dataclass(frozen=True)
class PhotoPair:
    view: str
    before: Photo
    after: Photo
    before_src: str
    after_src: str


def _embed(photo: Photo) -> str:
    """The photo's JPEG thumbnail as a data URL; a resized JPEG of the original when it
    has no thumbnail."""
    if photo.thumbnail:
        return data_url(open_photo(photo, thumbnail=True), "image/jpeg")
    raw = open_photo(photo)
    with Image.open(io.BytesIO(raw)) as opened:
        image = opened.convert("RGB")
    image.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82)
    return data_url(out.getvalue(), "image/jpeg")


def photo_pairs(photos: list[Photo]) -> list[tuple[Photo, Photo]]:
    """For each view (and zone, for close-ups) the photo of the first and of the last visit
    in course order, when they are different visits (a consultation and a follow-up on one
    day are two); in the order of the views."""
    groups: dict[tuple[str, str], list[Photo]] = defaultdict(list)
    for photo in photos:
        groups[(photo.view, photo.zone or "")].append(photo)
    view_order = list(PhotoView.values)

    def order(key: tuple[str, str]) -> tuple[int, str]:
        return (view_order.index(key[0]) if key[0] in view_order else len(view_order), key[1])

    pairs = []
    for key in sorted(groups, key=order):
        items = sorted(groups[key], key=lambda p: (photo_visit(p).order, p.taken_on, p.pk))
        first, last = items[0], items[-1]
        if photo_visit(first).key != photo_visit(last).key:
            pairs.append((first, last))
    return pairs[:PHOTO_PAIRS_MAX]


def _photos(user: User, patient: Patient) -> tuple[bool, list[PhotoPair], str]:
    """(allowed, pairs, note)."""
    clinical, _marketing = photo_consent(patient)
    if not clinical:
        return (
            False,
            [],
            "Photographs are not included: the patient's consent does not cover clinical "
            "photographs.",
        )
    photos = list(photos_for(user=user, patient=patient).filter(archived_at__isnull=True))
    pairs = []
    for before, after in photo_pairs(photos):
        try:
            pairs.append(
                PhotoPair(
                    view=before.get_view_display()
                    + (f" ({label(before.zone)})" if before.zone else ""),
                    before=before,
                    after=after,
                    before_src=_embed(before),
                    after_src=_embed(after),
                )
            )
        except (OSError, ValueError):  # a missing or unreadable file: leave that pair out
            log.warning("photo pair %s/%s could not be embedded", before.pk, after.pk)
    note = "" if pairs else "No photographs of the same view from two different visits yet."
    return True, pairs, note


def _adverse_rows(patient: Patient) -> list[dict[str, Any]]:
    types = {t.code: t.label for t in default_protocol().document.charting.adverse_event_types}
    rows = []
    for event in AdverseEvent.objects.filter(patient=patient).order_by("onset_on", "id"):
        kind = types.get(event.event_type, label(event.event_type))
        if event.event_type_other:
            kind = f"{kind}: {event.event_type_other}"
        rows.append(
            {
                "type": kind,
                "severity": event.get_severity_display(),
                "onset": event.onset_on,
                "status": event.get_status_display(),
                "resolved_on": event.resolved_on,
            }
        )
    return rows


def progress_report_context(
    *, user: User, patient: Patient, for_patient: bool = True
) -> dict[str, Any]:
    """The progress report. The patient's copy (the default) labels each grade confirmed or
    suggested in plain words and leaves out the UNVERIFIED quantitative score; the clinical
    copy, for a referring clinician, keeps the score with its label."""
    progress = progress_for(user=user, patient=patient)
    chart = progress_chart(progress, for_patient=for_patient)
    chart_src = "" if chart.empty else data_url(chart_png(chart))
    sessions = [
        {
            "number": s.session_number,
            "on": s.performed_on,
            "device": device_label(s.device),
            "depths": _depths_text(s.depths),
            "passes": s.passes,
        }
        for s in SessionRecord.objects.signed()
        .filter(patient=patient)
        .order_by("performed_on", "id")
    ]
    photos_allowed, pairs, photo_note = _photos(user, patient)
    plan = current_plan(patient=patient)
    return {
        "document_title": "Progress report",
        "for_patient": for_patient,
        "progress": progress,
        "chart_src": chart_src,
        "chart_width": CHART_WIDTH,
        "chart_height": round(CHART_WIDTH * chart.frame.height / chart.frame.width),
        "plan": plan,
        "plan_rec": plan.engine_plan() if plan else None,
        "plan_device": device_label(plan.device) if plan else "",
        "sessions": sessions,
        "adverse_events": _adverse_rows(patient),
        "photos_allowed": photos_allowed,
        "photo_pairs": pairs,
        "photo_note": photo_note,
        "generated_at": datetime.now(tz=timezone.get_current_timezone()),
    }

"""Helpers for tests and the benchmark: a patient part-way through a course, through the real
services where they exist (a signed consent with the photo choices, an approved plan, signed
sessions, a baseline and a follow-up assessment, an adverse event and photos)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.consents.models import Consent
from needlechart.imaging.models import Photo, PhotoView, VisitKind
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.treatments.models import AdverseEvent, SessionRecord
from tests.factories.consents import signed_consent_row
from tests.factories.imaging import image_bytes, store_photo

SCARS = {"cheeks": {"rolling": 6, "boxcar_shallow": 2}}
FOLLOW_UP_SCARS = {"cheeks": {"rolling": 3, "boxcar_shallow": 1}}


@dataclass
class Course:
    plan: TreatmentPlan
    consent: Consent
    sessions: list[SessionRecord]
    adverse_event: AdverseEvent | None
    photos: list[Photo] = field(default_factory=list)
    start: date = date(2000, 1, 1)


def course(
    *,
    patient: Patient,
    by: User,
    photo_clinical: bool = True,
    photos: bool = True,
    sessions: int = 3,
    today: date | None = None,
    photo_pixels: tuple[int, int] = (640, 480),
) -> Course:
    """A course that started about 20 weeks before `today` (all dates in the past)."""
    from needlechart.assessments.services import assessment_record
    from needlechart.outcomes.services import follow_up_record
    from needlechart.treatments.services import adverse_event_record
    from tests.factories.outcomes import approved_plan, signed_session

    today = today or timezone.localdate()
    start = today - timedelta(weeks=20)
    plan = approved_plan(patient=patient, by=by, start_date=start)
    consent = signed_consent_row(plan=plan, by=by, photo_clinical=photo_clinical)
    assessment_record(
        patient=patient,
        by=by,
        kind="baseline",
        assessed_on=start - timedelta(days=7),
        today=today,
        scar_counts=SCARS,
        quantitative_counts={"b_moderate_dish": 6},
        qualitative_grade=3,
    )
    interval = timedelta(weeks=plan.interval_weeks or 4)
    records = [
        signed_session(plan=plan, by=by, number=n + 1, performed_on=start + n * interval)
        for n in range(sessions)
    ]
    event = adverse_event_record(
        patient=patient,
        by=by,
        event_type="pih",
        severity="mild",
        onset_on=records[0].performed_on + timedelta(days=10),
        session=records[0],
    )
    follow_up_record(
        patient=patient,
        by=by,
        plan=plan,
        rating=7,
        notes="Happier with the cheeks.",
        followed_on=today - timedelta(days=3),
        today=today,
        scar_counts=FOLLOW_UP_SCARS,
        quantitative_counts={"b_moderate_dish": 3},
        qualitative_grade=2,
    )
    stored: list[Photo] = []
    if photos and photo_clinical:
        width, height = photo_pixels
        for day, kind in ((start - timedelta(days=7), VisitKind.CONSULTATION), (today, None)):
            for view in (PhotoView.FRONT, PhotoView.LEFT_45):
                stored.append(
                    store_photo(
                        patient=patient,
                        by=by,
                        data=image_bytes(width, height, noise=True),
                        visit_kind=kind or VisitKind.FOLLOW_UP,
                        taken_on=day,
                        view=view,
                    )
                )
    return Course(
        plan=plan,
        consent=consent,
        sessions=records,
        adverse_event=event,
        photos=stored,
        start=start,
    )

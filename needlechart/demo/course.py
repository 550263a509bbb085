"""Demo course of care: the fictional patients spread across every stage, through the real
services (so every record is screened by the engine and audited like a clinic's own).

Stages, by patient index in `seed.DEMO_PATIENTS`:
  0-4 registered only · 5-7 consultation in draft · 8-12 deferred (two due for re-screening) ·
  13-15 referred to a physician (one overridden) · 16 not a candidate (under the
  protocol's minimum age) ·
  17-21 assessed, plan awaiting approval · 22-29 plan approved, and then:
  22-23 mid-course (consent signed, two sessions charted, the next one booked; 23 has
  reported redness the clinic must review) · 24 consent signed and the series booked ·
  25 consent prepared, awaiting the patient's signature · 26 course complete with a follow-up
  re-grade and a resolved adverse event · 27-29 approved, nothing booked yet.

A patient who already has a consultation is left alone, so re-running keeps the data.

Each course is a story with dates: registered a week before the consultation, plan approved
the next day, consent signed on the day of the first session, sessions an interval apart,
the follow-up after the last one. The services stamp "now" on what they record (completion,
approval, signatures); `_dated` then moves those stamps to the story's day, so the chart never
shows a consent signed after the sessions it covers (`tests/integration/
test_demo_course_order.py` checks every patient).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.assessments.services import assessment_record
from needlechart.consultations.services import consultation_save_draft, consultation_start
from needlechart.patients.models import Patient
from needlechart.plans.models import PlanStatus, TreatmentPlan
from needlechart.plans.services import plan_adjust, plan_approve, plan_draft
from needlechart.protocol import default_protocol
from needlechart.protocol.intake import MedicalHistory
from needlechart.screenings.models import Screening
from needlechart.screenings.services import consultation_complete, screening_override
from needlechart.treatments.models import SessionRecord

NO = "no"
_HISTORY = MedicalHistory.yes_no_questions()

# A fully answered intake with nothing to find; each stage changes what it needs.
CLEAR: dict[str, Any] = {
    "pregnant": NO,
    "breastfeeding": NO,
    "fitzpatrick": "III",
    "concerns": ["acne_scars"],
    "device": "automated_pen",
    "zones": ["cheeks", "forehead", "chin"],
    "active_acne": {"present": NO, "iga": 0},
    "scars": {
        "counts": {"rolling": 12, "boxcar_shallow": 9},
        "flatten_on_stretch": "yes",
        "visible_at_social_distance": "yes",
    },
    "history": {
        **dict.fromkeys(_HISTORY, NO),
        "dermatoses": dict.fromkeys(("eczema", "psoriasis", "rosacea", "lichen_planus"), "none"),
        "diabetes": "none",
    },
    "medications": {
        "isotretinoin": {"status": NO},
        "anticoagulants": NO,
        "immunosuppressants": NO,
        "topical_retinoids": {"status": NO},
        "antiviral_prophylaxis": NO,
        "other": [],
    },
    "sun_exposure": {"status": NO},
    "procedures": {
        k: {"status": NO} for k in ("chemical_peel", "laser", "filler", "botulinum_toxin")
    },
    # The kit's glide, the first product the protocol lists for needled skin.
    "products_to_apply": [default_protocol().document.charting.glide_products[0].code],
}


def intake(**changes: Any) -> dict[str, Any]:
    """CLEAR with dotted-path changes: intake(**{"history.hsv_history": "yes"})."""
    data = copy.deepcopy(CLEAR)
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        node = data
        for part in parents:
            node = node[part]
        node[leaf] = value
    return data


def seed_course(*, patients: list[Patient], clinician: User, aesthetician: User) -> int:
    """Carry each demo patient to its stage; returns how many were advanced this run."""
    today = timezone.localdate()
    advanced = 0
    for index, patient in enumerate(patients):
        stage = STAGES.get(index)
        if stage is None or patient.consultations.exists():
            continue
        stage(patient, clinician, aesthetician, today)
        advanced += 1
    return advanced


# --- dates of the story -----------------------------------------------------------------------

# Times of day in the story, so steps on one day keep their order too.
CONSULTED_AT = time(9, 0)
ASSESSED_AT = time(9, 40)
DRAFTED_AT = time(10, 0)
APPROVED_AT = time(12, 0)
CONSENT_PREPARED_AT = time(12, 30)
BOOKED_AT = time(13, 0)
PATIENT_SIGNED_AT = time(8, 30)
COUNTERSIGNED_AT = time(8, 40)
SESSION_STARTED_AT = time(9, 0)
SESSION_SIGNED_AT = time(11, 30)
REGISTERED_BEFORE = timedelta(days=7)


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def _dated(obj: models.Model, day: date, clock: time, *fields: str) -> None:
    """Move the "now" a service stamped on `fields` to the story's day (and keep the
    in-memory object in step)."""
    when = _at(day, clock)
    type(obj)._default_manager.filter(pk=obj.pk).update(**dict.fromkeys(fields, when))
    for name in fields:
        setattr(obj, name, when)


def _registered_before(patient: Patient, day: date) -> None:
    """Registered (at the latest) a week before the first visit."""
    latest = _at(day - REGISTERED_BEFORE, time(16, 0))
    if patient.created_at > latest:
        _dated(patient, latest.date(), latest.time(), "created_at")


# --- stages ---------------------------------------------------------------------------------

Stage = Callable[[Patient, User, User, date], None]


def _screen(patient: Patient, by: User, data: dict[str, Any], on: date) -> Screening:
    _registered_before(patient, on)
    consultation = consultation_start(patient=patient, by=by, consulted_on=on)
    screening = consultation_complete(consultation=consultation, by=by, data=data, today=on)
    _dated(consultation, on, CONSULTED_AT, "created_at")
    _dated(consultation, on, ASSESSED_AT, "completed_at")
    _dated(screening, on, ASSESSED_AT, "created_at")
    return screening


def draft(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
    consultation = consultation_start(patient=patient, by=aesthetician, consulted_on=today)
    partial = {"concerns": ["acne_scars"], "zones": ["cheeks"], "fitzpatrick": "IV"}
    consultation_save_draft(consultation=consultation, by=aesthetician, data=partial)


def deferred(changes: dict[str, Any], days_ago: int = 3) -> Stage:
    def stage(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
        _screen(patient, aesthetician, intake(**changes), today - timedelta(days=days_ago))

    return stage


def deferred_by_window(path: str, *, visit_days_ago: int, exposed_days_before: int) -> Stage:
    """Deferred at a past visit by a wash-out window that has closed since: due to re-screen."""

    def stage(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
        visit = today - timedelta(days=visit_days_ago)
        exposed = visit - timedelta(days=exposed_days_before)
        data = intake(**{path: {"status": "past", "last_date": exposed.isoformat()}})
        _screen(patient, aesthetician, data, visit)

    return stage


def referred(changes: dict[str, Any], override_reason: str = "") -> Stage:
    def stage(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
        screening = _screen(patient, aesthetician, intake(**changes), today - timedelta(days=5))
        if override_reason:
            screening_override(
                screening=screening,
                verdict="proceed_with_precautions",
                reason=override_reason,
                by=clinician,
            )

    return stage


def planned(
    changes: dict[str, Any],
    *,
    approve: bool,
    consulted_days_ago: int = 4,
    start_in_days: int | None = None,
    then: Stage | None = None,
) -> Stage:
    """Consulted, assessed and planned `consulted_days_ago` days ago; when approved, approved
    the next day with the first session `start_in_days` from today (default: a week after
    the consultation)."""

    def stage(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
        on = today - timedelta(days=consulted_days_ago if approve else 1)
        data = intake(**changes)
        screening = _screen(patient, clinician, data, on)
        counts = data["scars"]["counts"]
        assessment = assessment_record(
            patient=patient,
            by=clinician,
            consultation=screening.consultation,
            assessed_on=on,
            fitzpatrick=data["fitzpatrick"],
            scar_counts={"cheeks": counts},
            visible_at_social_distance="yes",
            flatten_on_stretch="yes",
            quantitative_counts={
                "b_moderate_dish": counts.get("rolling", 0),
                "b_punched_shallow": counts.get("boxcar_shallow", 0),
            },
            qualitative_grade=3,
            today=on,
        )
        _dated(assessment, on, ASSESSED_AT, "created_at")
        plan = plan_draft(screening=screening, by=clinician, assessment=assessment, today=on)
        _dated(plan, on, DRAFTED_AT, "created_at")
        if not approve:
            return
        approved_on = on + timedelta(days=1)
        start = (
            on + timedelta(weeks=1) if start_in_days is None else today + timedelta(start_in_days)
        )
        assert approved_on <= min(start, today), "the demo's story must run forwards"
        recommended = plan.engine_plan()
        depths = {
            d.zone.value: d.depth_mm.low if d.depth_mm.known else 0.5 for d in recommended.depths
        }
        reasons = {
            f"depth_{d.zone.value}": "Thin skin here; conservative start."
            for d in recommended.depths
            if not d.depth_mm.known
        }
        plan_adjust(
            plan=plan,
            by=clinician,
            sessions_planned=plan.sessions_planned or 4,
            interval_weeks=plan.interval_weeks or 4,
            start_date=start,
            depths=depths,
            reasons=reasons,
            today=on,  # the story's day: the course started in the past
        )
        plan_approve(plan=plan, by=clinician, today=approved_on)
        _dated(plan, approved_on, APPROVED_AT, "approved_at")
        if then is not None:
            then(patient, clinician, aesthetician, today)

    return stage


# --- after approval: consent, booking, sessions, follow-up ------------------------------------


def _plan(patient: Patient) -> TreatmentPlan:
    return TreatmentPlan.objects.get(patient=patient, status=PlanStatus.APPROVED)


def _consent(
    patient: Patient, clinician: User, aesthetician: User, *, signed_on: date | None
) -> None:
    """Prepared on the day the plan was approved; signed by both on `signed_on` (before that
    day's session), or left for the patient to sign when None."""
    from needlechart.consents.services import (
        consent_countersign,
        consent_create,
        consent_sign_patient,
    )
    from needlechart.demo.builders import signature_url

    plan = _plan(patient)
    consent = consent_create(plan=plan, by=aesthetician)
    assert plan.approved_at is not None
    prepared_on = timezone.localdate(plan.approved_at)
    _dated(consent, prepared_on, CONSENT_PREPARED_AT, "created_at")
    if signed_on is None:
        return
    consent_sign_patient(
        consent=consent,
        by=aesthetician,
        full_name=patient.full_name,
        signature=signature_url(),
        photo_clinical=True,
        photo_marketing=False,
    )
    consent_countersign(consent=consent, by=clinician, signature=signature_url())
    signed_on = max(signed_on, prepared_on)
    _dated(consent, signed_on, PATIENT_SIGNED_AT, "patient_signed_at")
    _dated(consent, signed_on, COUNTERSIGNED_AT, "clinician_signed_at")


def _session(plan: TreatmentPlan, by: User, on: date) -> SessionRecord:
    from needlechart.demo.builders import day_of_answers_no, session_values
    from needlechart.treatments.services import session_sign, session_start, session_update

    record = session_start(plan=plan, by=by, answers=day_of_answers_no(), today=on)
    values = session_values(record, cartridge_lot=f"DEMO-{on:%y%m}-A", passes=6)
    record = session_update(session=record, by=by, **values, today=on)
    record = session_sign(session=record, by=by)
    _dated(record, on, SESSION_STARTED_AT, "created_at")
    _dated(record, on, SESSION_SIGNED_AT, "signed_at")
    # Charting added the visit's attended appointment "now": put it in the diary at the
    # session's time on its day, so the demo diary shows every charted session attended.
    appointment = record.appointment
    assert appointment is not None
    length = appointment.ends_at - appointment.starts_at
    starts = _at(on, SESSION_STARTED_AT)
    type(appointment)._default_manager.filter(pk=appointment.pk).update(
        starts_at=starts, ends_at=starts + length
    )
    _dated(appointment, on, SESSION_STARTED_AT, "created_at", "status_changed_at")
    return record


def _open_day(day: date) -> date:
    """The first day from `day` that is a weekday (the demo clinic's default hours)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _book(plan: TreatmentPlan, by: User, *, number: int, on: date, booked_on: date) -> None:
    from needlechart.scheduling.services import appointment_book

    hour = 9 + plan.patient_id % 8  # demo patients spread over the clinic day
    starts = timezone.make_aware(datetime.combine(_open_day(on), time(hour)))
    appointment = appointment_book(
        patient=plan.patient,
        practitioner=by,
        starts_at=starts,
        by=by,
        plan=plan,
        session_number=number,
    )
    _dated(appointment, booked_on, BOOKED_AT, "created_at")


def _interval(plan: TreatmentPlan) -> timedelta:
    return timedelta(weeks=plan.interval_weeks or 4)


def _start(plan: TreatmentPlan) -> date:
    assert plan.start_date is not None
    return plan.start_date


def mid_course(*, symptom: bool) -> Stage:
    """Two sessions an interval apart from the planned start; the third booked after the
    second (a few days ahead when the plan is followed)."""

    def stage(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
        plan = _plan(patient)
        first = _start(plan)
        _consent(patient, clinician, aesthetician, signed_on=first)
        interval = _interval(plan)
        assert first + interval <= today, "the demo's second session must be in the past"
        _session(plan, aesthetician, first)
        second = _session(plan, aesthetician, first + interval)
        third = max(first + 2 * interval, today + timedelta(days=1))
        _book(plan, aesthetician, number=3, on=third, booked_on=second.performed_on)
        if symptom:
            from needlechart.treatments.services import symptom_report_record

            symptom_report_record(
                session=second,
                by=aesthetician,
                symptom="redness",
                severity="moderate",
                worsening=True,
                reported_on=today,
            )

    return stage


def consented_and_booked(
    patient: Patient, clinician: User, aesthetician: User, today: date
) -> None:
    """Signed and the whole series booked on the day after approval; the course starts soon."""
    plan = _plan(patient)
    assert plan.approved_at is not None
    signed_on = timezone.localdate(plan.approved_at) + timedelta(days=1)
    _consent(patient, clinician, aesthetician, signed_on=signed_on)
    for number in range(1, (plan.sessions_planned or 3) + 1):
        on = _start(plan) + _interval(plan) * (number - 1)
        _book(plan, clinician, number=number, on=on, booked_on=signed_on)


def awaiting_signature(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
    _consent(patient, clinician, aesthetician, signed_on=None)


def course_complete(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
    from needlechart.outcomes.services import follow_up_record
    from needlechart.treatments.services import adverse_event_record, adverse_event_update

    plan = _plan(patient)
    first = _start(plan)
    _consent(patient, clinician, aesthetician, signed_on=first)
    interval = _interval(plan)
    records = [
        _session(plan, clinician, first + interval * n) for n in range(plan.sessions_planned or 3)
    ]
    followed_on = today - timedelta(days=3)
    assert records[-1].performed_on <= followed_on, "the follow-up comes after the course"
    event = adverse_event_record(
        patient=patient,
        by=clinician,
        event_type="pih",
        severity="mild",
        onset_on=records[0].performed_on + timedelta(days=12),
        session=records[0],
        actions_taken="Strict photoprotection; azelaic acid started by the clinician.",
        outcome="Fading",
    )
    _dated(event, event.onset_on + timedelta(days=1), SESSION_SIGNED_AT, "created_at")
    resolved_on = event.onset_on + timedelta(days=28)
    adverse_event_update(
        event=event,
        by=clinician,
        note="Patch no longer visible.",
        outcome="Resolved",
        resolve=True,
        resolved_on=resolved_on,
    )
    for update in event.updates.all():
        _dated(update, resolved_on, SESSION_SIGNED_AT, "created_at")
    follow_up = follow_up_record(
        patient=patient,
        by=clinician,
        plan=plan,
        rating=8,
        notes="Pleased; rolling scars much softer.",
        followed_on=followed_on,
        scar_counts={"cheeks": {"rolling": 5, "boxcar_shallow": 3}},
        visible_at_social_distance="no",
        flatten_on_stretch="yes",
        quantitative_counts={"b_moderate_dish": 5, "b_punched_shallow": 3},
        qualitative_grade=2,
    )
    _dated(follow_up, followed_on, DRAFTED_AT, "created_at")
    _dated(follow_up.assessment, followed_on, ASSESSED_AT, "created_at")


STAGES: dict[int, Stage] = {
    5: draft,
    6: draft,
    7: draft,
    8: deferred({"pregnant": "yes"}),
    9: deferred({"history.active_cold_sore": "yes", "history.hsv_history": "yes"}),
    10: deferred(
        {"active_acne": {"present": "yes", "iga": 3}, "concerns": ["acne_scars", "active_acne"]}
    ),
    11: deferred_by_window("sun_exposure", visit_days_ago=20, exposed_days_before=2),
    12: deferred_by_window("procedures.chemical_peel", visit_days_ago=40, exposed_days_before=5),
    13: referred({"medications.anticoagulants": "yes", "medications.other": ["apixaban 5 mg"]}),
    14: referred({"history.keloid_tendency": "yes"}),
    15: referred(
        {"history.metal_allergy": "yes"},
        override_reason="Patch-tested negative to the cartridge's surgical steel (letter on file).",
    ),
    16: deferred({"guardian_present": "yes"}),  # younger than the protocol's minimum age
    17: planned({}, approve=False),
    18: planned({"fitzpatrick": "V", "history.pih_history": "yes"}, approve=False),
    19: planned({"scars.counts": {"ice_pick": 8, "boxcar_shallow": 6}}, approve=False),
    20: planned({"history.hsv_history": "yes", "zones": ["cheeks", "perioral"]}, approve=False),
    21: planned({"zones": ["cheeks", "neck"]}, approve=False),
    # Consulted 60 days ago, first session a week later: with 4-week intervals the third is
    # due in a few days.
    22: planned({}, approve=True, consulted_days_ago=60, then=mid_course(symptom=False)),
    23: planned(
        {"fitzpatrick": "IV"},
        approve=True,
        consulted_days_ago=60,
        then=mid_course(symptom=True),
    ),
    24: planned({}, approve=True, start_in_days=9, then=consented_and_booked),
    25: planned({"fitzpatrick": "V"}, approve=True, start_in_days=12, then=awaiting_signature),
    26: planned({}, approve=True, consulted_days_ago=170, then=course_complete),
    **{
        i: planned({"fitzpatrick": ["II", "III", "IV", "V"][i % 4]}, approve=True, start_in_days=i)
        for i in range(27, 30)
    },
}


# --- the public pre-screen: two requests waiting for front desk ---------------------------------

DEMO_LEADS = (
    (
        "Hana Kimura",
        "hana.kimura@example.org",
        "07700 900901",
        "Tuesday or Thursday after 5pm",
        {
            "age": 27,
            "concerns": ["acne_scars"],
            "zones": ["cheeks", "chin"],
            "own_product": "yes",
            "own_product_name": "Vitamin C serum",
        },
    ),
    (
        "Marcus Reid",
        "marcus.reid@example.org",
        "",
        "Any weekday morning",
        {
            "age": 34,
            "concerns": ["acne_scars", "texture_pores"],
            "zones": ["cheeks"],
            "blood_thinners": "yes",
        },
    ),
)


def seed_leads() -> int:
    """Consultation requests as if sent from the public pre-screen. Idempotent by e-mail."""
    from needlechart.prescreen.models import Lead
    from needlechart.prescreen.questionnaire import build_intake
    from needlechart.prescreen.services import lead_create
    from needlechart.protocol import Intake, screen

    today = timezone.localdate()
    made = 0
    for name, email, phone, times, answers in DEMO_LEADS:
        if Lead.objects.filter(email=email).exists():
            continue
        intake = build_intake(answers, today=today)
        lead_create(
            name=name,
            email=email,
            phone=phone,
            preferred_times=times,
            answers=answers,
            intake=intake,
            screening=screen(Intake.model_validate(intake), today=today),
            ip_hash="demo",
        )
        made += 1
    return made

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
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

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


# --- stages ---------------------------------------------------------------------------------

Stage = Callable[[Patient, User, User, date], None]


def _screen(patient: Patient, by: User, data: dict[str, Any], on: date) -> Screening:
    consultation = consultation_start(patient=patient, by=by, consulted_on=on)
    return consultation_complete(consultation=consultation, by=by, data=data, today=on)


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
    changes: dict[str, Any], *, approve: bool, start_in_days: int = 10, then: Stage | None = None
) -> Stage:
    def stage(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
        on = today + timedelta(days=min(start_in_days, 0) - (4 if approve else 1))
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
        )
        plan = plan_draft(screening=screening, by=clinician, assessment=assessment)
        if not approve:
            return
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
            start_date=today + timedelta(days=start_in_days),
            depths=depths,
            reasons=reasons,
        )
        plan_approve(plan=plan, by=clinician)
        if then is not None:
            then(patient, clinician, aesthetician, today)

    return stage


# --- after approval: consent, booking, sessions, follow-up ------------------------------------


def _plan(patient: Patient) -> TreatmentPlan:
    return TreatmentPlan.objects.get(patient=patient, status=PlanStatus.APPROVED)


def _consent(patient: Patient, clinician: User, aesthetician: User, *, sign: bool = True) -> None:
    from needlechart.consents.services import (
        consent_countersign,
        consent_create,
        consent_sign_patient,
    )
    from needlechart.consents.testing import signature_url

    consent = consent_create(plan=_plan(patient), by=aesthetician)
    if not sign:
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


def _session(plan: TreatmentPlan, by: User, on: date) -> SessionRecord:
    from needlechart.treatments.services import session_sign, session_start, session_update
    from needlechart.treatments.testing import all_no, record_values

    record = session_start(plan=plan, by=by, answers=all_no(), today=on)
    values = record_values(record, cartridge_lot=f"DEMO-{on:%y%m}-A", passes=6)
    record = session_update(session=record, by=by, **values, today=on)
    return session_sign(session=record, by=by)


def _open_day(day: date) -> date:
    """The first day from `day` that is a weekday (the demo clinic's default hours)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _book(plan: TreatmentPlan, by: User, *, number: int, on: date) -> None:
    from needlechart.scheduling.services import appointment_book

    hour = 9 + plan.patient_id % 8  # demo patients spread over the clinic day
    starts = timezone.make_aware(datetime.combine(_open_day(on), time(hour)))
    appointment_book(
        patient=plan.patient,
        practitioner=by,
        starts_at=starts,
        by=by,
        plan=plan,
        session_number=number,
    )


def mid_course(*, symptom: bool) -> Stage:
    def stage(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
        _consent(patient, clinician, aesthetician)
        plan = _plan(patient)
        interval = timedelta(weeks=plan.interval_weeks or 4)
        first = today - 2 * interval + timedelta(days=3)
        _session(plan, aesthetician, first)
        second = _session(plan, aesthetician, first + interval)
        _book(plan, aesthetician, number=3, on=first + 2 * interval)
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
    _consent(patient, clinician, aesthetician)
    plan = _plan(patient)
    start = plan.start_date or today + timedelta(days=7)
    for number in range(1, (plan.sessions_planned or 3) + 1):
        _book(plan, clinician, number=number, on=start + timedelta(weeks=4 * (number - 1)))


def awaiting_signature(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
    _consent(patient, clinician, aesthetician, sign=False)


def course_complete(patient: Patient, clinician: User, aesthetician: User, today: date) -> None:
    from needlechart.outcomes.services import follow_up_record
    from needlechart.treatments.services import adverse_event_record, adverse_event_update

    _consent(patient, clinician, aesthetician)
    plan = _plan(patient)
    sessions = plan.sessions_planned or 3
    first = today - timedelta(weeks=4 * sessions + 5)
    records = [_session(plan, clinician, first + timedelta(weeks=4 * n)) for n in range(sessions)]
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
    adverse_event_update(
        event=event,
        by=clinician,
        note="Patch no longer visible.",
        outcome="Resolved",
        resolve=True,
        resolved_on=records[0].performed_on + timedelta(days=40),
    )
    follow_up_record(
        patient=patient,
        by=clinician,
        plan=plan,
        rating=8,
        notes="Pleased; rolling scars much softer.",
        followed_on=today - timedelta(days=3),
        scar_counts={"cheeks": {"rolling": 5, "boxcar_shallow": 3}},
        visible_at_social_distance="no",
        flatten_on_stretch="yes",
        quantitative_counts={"b_moderate_dish": 5, "b_punched_shallow": 3},
        qualitative_grade=2,
    )


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
    22: planned({}, approve=True, start_in_days=-60, then=mid_course(symptom=False)),
    23: planned(
        {"fitzpatrick": "IV"}, approve=True, start_in_days=-60, then=mid_course(symptom=True)
    ),
    24: planned({}, approve=True, start_in_days=9, then=consented_and_booked),
    25: planned({"fitzpatrick": "V"}, approve=True, start_in_days=12, then=awaiting_signature),
    26: planned({}, approve=True, start_in_days=-160, then=course_complete),
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

"""follow_up_record: a follow-up assessment and the patient's rating, atomically; selectors
for course status, progress and follow-ups due."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from needlechart.accounts.models import User
from needlechart.assessments.models import Assessment, AssessmentKind
from needlechart.audit.models import AuditEvent
from needlechart.outcomes.course import WINDOW_DONE
from needlechart.outcomes.models import FollowUp
from needlechart.outcomes.selectors import (
    course_status_for,
    follow_ups_due,
    progress_for,
)
from needlechart.outcomes.services import (
    DATE_IN_FUTURE,
    RATING_INVALID,
    WRONG_PLAN,
    follow_up_record,
)
from needlechart.patients.models import Patient
from needlechart.protocol import default_protocol
from tests.factories.outcomes import approved_plan, signed_session

pytestmark = pytest.mark.django_db

TODAY = date(2030, 9, 1)
RULE = default_protocol().document.follow_up
SCARS = {"cheeks": {"rolling": 6, "boxcar_shallow": 2}}


def record(patient: Patient, by: User, **changes: Any) -> FollowUp:
    data: dict[str, Any] = {
        "rating": 7,
        "notes": "Happier with the cheeks.",
        "followed_on": TODAY,
        "today": TODAY,
        "scar_counts": SCARS,
        "quantitative_counts": {"b_moderate_dish": 3},
        "qualitative_grade": 2,
    }
    data.update(changes)
    return follow_up_record(patient=patient, by=by, **data)


def test_records_follow_up_assessment_and_rating(clinician: User, patient: Patient) -> None:
    plan = approved_plan(patient=patient, by=clinician)
    f = record(patient, clinician)
    assert f.patient_rating == 7 and f.notes == "Happier with the cheeks."
    assert f.plan == plan  # the approved plan by default
    a = f.assessment
    assert a.kind == AssessmentKind.FOLLOW_UP and a.assessed_on == TODAY
    assert a.scar_counts == SCARS and a.qualitative_grade == 2
    assert a.quantitative_score is not None
    assert AuditEvent.objects.filter(action="follow_up.create", object_id=str(f.pk)).exists()
    assert AuditEvent.objects.filter(action="assessment.create", object_id=str(a.pk)).exists()


def test_aesthetician_may_record(aesthetician: User, patient: Patient) -> None:
    f = record(patient, aesthetician, qualitative_grade=None)
    assert f.plan is None and f.assessment.qualitative_grade is None


def test_front_desk_refused(front_desk: User, patient: Patient) -> None:
    with pytest.raises(PermissionDenied):
        record(patient, front_desk)
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("rating", [-1, 11, None, "7", 7.5, True])
def test_bad_rating_is_refused_and_nothing_saved(
    clinician: User, patient: Patient, rating: Any
) -> None:
    with pytest.raises(ValidationError) as exc:
        record(patient, clinician, rating=rating)
    assert exc.value.message_dict["rating"] == [RATING_INVALID]
    assert not Assessment.objects.exists() and not FollowUp.objects.exists()


def test_future_date_refused(clinician: User, patient: Patient) -> None:
    with pytest.raises(ValidationError) as exc:
        record(patient, clinician, followed_on=TODAY + timedelta(days=1))
    assert exc.value.message_dict["followed_on"] == [DATE_IN_FUTURE]


def test_assessment_error_rolls_back(clinician: User, patient: Patient) -> None:
    with pytest.raises(ValidationError) as exc:
        record(patient, clinician, scar_counts={"moon": {"rolling": 1}})
    assert "scar_counts" in exc.value.message_dict
    assert not Assessment.objects.exists() and not FollowUp.objects.exists()


def test_follow_up_row_failure_rolls_back_the_assessment(
    clinician: User, patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: FollowUp, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(FollowUp, "save", boom)
    with pytest.raises(RuntimeError):
        record(patient, clinician)
    assert not Assessment.objects.exists()


def test_plan_of_another_patient_refused(
    clinician: User, patient: Patient, make_patient: Any
) -> None:
    other = make_patient()
    plan = approved_plan(patient=other, by=clinician)
    with pytest.raises(ValidationError) as exc:
        record(patient, clinician, plan=plan)
    assert exc.value.message_dict["plan"] == [WRONG_PLAN]


def test_archived_patient_refused(clinician: User, patient: Patient) -> None:
    from needlechart.patients.services import patient_archive

    patient_archive(patient=patient, by=clinician, reason="Moved away")
    with pytest.raises(ValidationError):
        record(patient, clinician)


def test_course_status_counts_signed_sessions_of_the_current_plan(
    clinician: User, patient: Patient
) -> None:
    plan = approved_plan(patient=patient, by=clinician, sessions_planned=3)
    start = plan.start_date
    assert start is not None
    signed_session(plan=plan, by=clinician, number=1, performed_on=start)
    signed_session(
        plan=plan,
        by=clinician,
        number=2,
        performed_on=start + timedelta(weeks=4),
        status="countersigned",
    )
    signed_session(
        plan=plan, by=clinician, number=3, performed_on=start + timedelta(weeks=8), status="draft"
    )
    status, current, _ = course_status_for(user=clinician, patient=patient, today=start)
    assert current == plan
    assert (status.sessions_done, status.sessions_planned) == (2, 3)
    assert status.last_session_on == start + timedelta(weeks=4)
    assert status.next_due == start + timedelta(weeks=4 + (plan.interval_weeks or 0))
    assert not status.complete


def test_follow_ups_due_and_done(clinician: User, patient: Patient, make_patient: Any) -> None:
    plan = approved_plan(patient=patient, by=clinician, sessions_planned=2)
    start = plan.start_date
    assert start is not None
    last = start + timedelta(weeks=4)
    signed_session(plan=plan, by=clinician, number=1, performed_on=start)
    signed_session(plan=plan, by=clinician, number=2, performed_on=last)
    # another patient mid-course is never due
    other = make_patient()
    other_plan = approved_plan(patient=other, by=clinician, sessions_planned=3)
    signed_session(plan=other_plan, by=clinician, number=1, performed_on=start)

    opens = last + timedelta(weeks=RULE.from_weeks)
    assert list(follow_ups_due(user=clinician, today=opens - timedelta(days=1))) == []
    due = list(follow_ups_due(user=clinician, today=opens))
    assert [p.patient for p in due] == [patient]
    assert due[0].last_on == last  # type: ignore[attr-defined]

    status, _, _ = course_status_for(user=clinician, patient=patient, today=opens)
    assert status.complete and status.follow_up_due
    maintenance = plan.recommendation["maintenance_interval_months"]
    if maintenance:
        from needlechart.protocol.conditions import add_months

        assert status.maintenance_due == add_months(last, maintenance)

    record(patient, clinician, followed_on=opens, today=opens)
    assert list(follow_ups_due(user=clinician, today=opens)) == []
    status, _, _ = course_status_for(user=clinician, patient=patient, today=opens)
    assert status.follow_up_state == WINDOW_DONE


def test_selectors_refuse_front_desk(front_desk: User, patient: Patient) -> None:
    with pytest.raises(PermissionDenied):
        course_status_for(user=front_desk, patient=patient)
    with pytest.raises(PermissionDenied):
        progress_for(user=front_desk, patient=patient)
    with pytest.raises(PermissionDenied):
        follow_ups_due(user=front_desk)


def test_progress_has_every_assessment_with_ratings(clinician: User, patient: Patient) -> None:
    from needlechart.assessments.services import assessment_record

    plan = approved_plan(patient=patient, by=clinician)
    assessment_record(
        patient=patient,
        by=clinician,
        kind="baseline",
        assessed_on=date(2030, 1, 1),
        today=TODAY,
        scar_counts=SCARS,
    )
    signed_session(plan=plan, by=clinician, number=1, performed_on=date(2030, 1, 7))
    f = record(patient, clinician)
    progress = progress_for(user=clinician, patient=patient)
    assert [p.kind for p in progress.points] == ["baseline", "follow_up"]
    assert progress.points[0].rating is None and not progress.points[0].grade_confirmed
    assert progress.points[1].rating == 7 and progress.points[1].follow_up_id == f.pk
    assert [(s.number, s.on) for s in progress.sessions] == [(1, date(2030, 1, 7))]
    assert "UNVERIFIED" in progress.quantitative_label
    assert [r["type"] for r in progress.table_rows] == ["assessment", "session", "assessment"]

"""assessment_record: validation, engine grading stored with the protocol ref, audit."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.assessments.models import Assessment, AssessmentKind
from needlechart.assessments.services import (
    DATE_IN_FUTURE,
    GRADE_INVALID,
    IGA_INVALID,
    PATIENT_ARCHIVED,
    WRONG_CONSULTATION,
    assessment_record,
)
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient
from needlechart.patients.services import patient_archive
from needlechart.protocol import default_protocol, grade
from needlechart.protocol.intake import ActiveAcne, ScarCounts, Scars
from needlechart.protocol.vocabulary import Answer
from tests.factories.plans import screen_patient

pytestmark = pytest.mark.django_db

GRADE_3: dict[str, Any] = {
    "scar_counts": {"cheeks": {"rolling": 10, "boxcar_shallow": 4}, "forehead": {"rolling": 2}},
    "visible_at_social_distance": "yes",
    "flatten_on_stretch": "yes",
    "quantitative_counts": {"b_moderate_dish": 12, "a_macular": 0},
    "iga": 1,
    "gags": {"forehead": "papule", "nose": "none"},
}


def record(patient: Patient, by: User, **data: Any) -> Assessment:
    return assessment_record(patient=patient, by=by, **(GRADE_3 | data))


def test_grading_is_computed_and_stored_with_protocol_ref(
    clinician: User, patient: Patient
) -> None:
    a = record(patient, clinician, qualitative_grade=3, hyperplastic_area_cm2=Decimal("2.5"))
    expected = grade(
        Scars(
            counts=ScarCounts(rolling=12, boxcar_shallow=4),
            visible_at_social_distance=Answer.YES,
            flatten_on_stretch=Answer.YES,
            quantitative_counts={"b_moderate_dish": 12},
            hyperplastic_area_cm2=2.5,
        ),
        ActiveAcne.model_validate(
            {"present": "yes", "iga": 1, "gags": {"forehead": "papule", "nose": "none"}}
        ),
    )
    a.refresh_from_db()
    assert a.suggested_grade == expected.qualitative.grade == 3
    assert a.qualitative_grade == 3
    assert expected.quantitative is not None
    assert a.quantitative_score == expected.quantitative.score
    assert a.gags_score == expected.acne.gags_score
    assert a.grading == expected.model_dump(mode="json")
    stored = a.engine_grading().quantitative
    assert stored is not None
    assert not stored.verified
    ref = default_protocol().ref
    assert (a.protocol_id, a.protocol_version, a.protocol_hash) == (ref.id, ref.version, ref.hash)
    # zeros are not stored; totals run across zones
    assert a.quantitative_counts == {"b_moderate_dish": 12}
    assert a.type_totals()["rolling"] == 12
    event = AuditEvent.objects.get(action="assessment.create")
    assert event.object_id == str(a.pk)
    assert event.patient_id == patient.pk
    assert event.actor_id == clinician.pk


def test_kind_defaults_to_baseline_then_follow_up(aesthetician: User, patient: Patient) -> None:
    assert record(patient, aesthetician).kind == AssessmentKind.BASELINE
    assert record(patient, aesthetician).kind == AssessmentKind.FOLLOW_UP


def test_no_grade_when_facts_unknown(clinician: User, patient: Patient) -> None:
    a = record(patient, clinician, visible_at_social_distance="unknown")
    assert a.suggested_grade is None
    assert "Cannot grade yet" in a.grading["qualitative"]["reason"]


@pytest.mark.parametrize(
    ("iga", "gags", "present"),
    [
        (None, None, Answer.UNKNOWN),
        (0, None, Answer.NO),
        (2, None, Answer.YES),
        (None, {"chin": "none"}, Answer.NO),
        (None, {"chin": "pustule"}, Answer.YES),
        (0, {"chin": "comedone"}, Answer.YES),
    ],
)
def test_acne_presence_follows_recorded_grades(
    clinician: User, patient: Patient, iga: int | None, gags: dict[str, str] | None, present: Answer
) -> None:
    a = record(patient, clinician, iga=iga, gags=gags)
    assert a.acne_model().present is present


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"scar_counts": {"cheeks": {"rolling": -1}}}, "scar_counts"),
        ({"scar_counts": {"cheeks": {"rolling": "ten"}}}, "scar_counts"),
        ({"scar_counts": {"moon": {"rolling": 1}}}, "scar_counts"),
        ({"scar_counts": {"cheeks": {"wobbly": 1}}}, "scar_counts"),
        ({"quantitative_counts": {"z_unknown": 3}}, "quantitative_counts"),
        ({"quantitative_counts": {"a_macular": -3}}, "quantitative_counts"),
        ({"gags": {"elbow": "papule"}}, "gags"),
        ({"gags": {"chin": "boil"}}, "gags"),
        ({"iga": 7}, "iga"),
        ({"qualitative_grade": 5}, "qualitative_grade"),
        ({"fitzpatrick": "VII"}, "fitzpatrick"),
        ({"flatten_on_stretch": "maybe"}, "flatten_on_stretch"),
        ({"hyperplastic_area_cm2": Decimal("-1")}, "hyperplastic_area_cm2"),
        ({"assessed_on": timezone.localdate() + timedelta(days=1)}, "assessed_on"),
    ],
)
def test_bad_input_is_a_validation_error_on_its_field(
    clinician: User, patient: Patient, data: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        record(patient, clinician, **data)
    assert field in exc.value.message_dict
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.create").exists()


def test_error_messages_are_the_module_constants(clinician: User, patient: Patient) -> None:
    future = timezone.localdate() + timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        record(patient, clinician, iga=9, qualitative_grade=0, assessed_on=future)
    assert exc.value.message_dict == {
        "iga": [IGA_INVALID],
        "qualitative_grade": [GRADE_INVALID],
        "assessed_on": [DATE_IN_FUTURE],
    }


def test_totals_over_the_engine_bound_are_refused_not_crashing(
    clinician: User, patient: Patient
) -> None:
    many = {zone: {"ice_pick": 999} for zone in ("cheeks", "forehead", "chin")}
    with pytest.raises(ValidationError):
        record(patient, clinician, scar_counts=many)


def test_consultation_must_belong_to_the_patient(
    clinician: User, patient: Patient, make_patient: Any
) -> None:
    other = make_patient()
    screening = screen_patient(patient=other, by=clinician)
    with pytest.raises(ValidationError) as exc:
        record(patient, clinician, consultation=screening.consultation)
    assert exc.value.message_dict["consultation"] == [WRONG_CONSULTATION]
    mine = screen_patient(patient=patient, by=clinician).consultation
    assert record(patient, clinician, consultation=mine).consultation == mine


@pytest.mark.parametrize("who", ["front_desk", "admin_user"])
def test_non_clinical_roles_cannot_record(
    who: str, request: pytest.FixtureRequest, patient: Patient
) -> None:
    user: User = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        record(patient, user)


def test_archived_patient_refused(clinician: User, patient: Patient) -> None:
    patient_archive(by=clinician, patient=patient, reason="registered in error")
    with pytest.raises(ValidationError) as exc:
        record(patient, clinician)
    assert exc.value.messages == [PATIENT_ARCHIVED]


def test_assessed_on_defaults_to_today(clinician: User, patient: Patient) -> None:
    assert record(patient, clinician).assessed_on == timezone.localdate()
    assert record(patient, clinician, assessed_on=date(2020, 5, 1)).assessed_on == date(2020, 5, 1)

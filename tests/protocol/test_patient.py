"""The patient wording of the protocol: required by the loader, plain, and matched to the
device used."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import yaml

from needlechart.protocol import (
    DEFAULT_PROTOCOL_PATH,
    Plan,
    ProtocolError,
    default_protocol,
    plan,
)
from needlechart.protocol import parse_protocol as parse
from needlechart.protocol.patient import (
    UNKNOWN_STEP,
    device_applies,
    expected_course_for_patient,
    maintenance_for_patient,
    precautions_for_patient,
    preparation_for_patient,
    preparation_text,
    red_flags,
    sheet_extras,
    symptoms_for_device,
    warning_signs,
)
from needlechart.protocol.vocabulary import Device, Symptom, TriageLevel

from .builders import intake

TODAY = date(2026, 11, 21)


def _default() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(DEFAULT_PROTOCOL_PATH.read_text())
    return raw


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (
            "precautions.antiviral_prophylaxis.patient_text",
            ["precautions", "antiviral_prophylaxis"],
        ),
        ("planning.preparation[0].patient_text", ["planning", "preparation", 0]),
        ("planning.indications[0].patient_expected_course", ["planning", "indications", 0]),
        ("planning.maintenance.patient_text", ["planning", "maintenance"]),
        ("aftercare.symptoms.redness.patient_reason", ["aftercare", "symptoms", "redness"]),
    ],
)
def test_the_loader_requires_patient_wording(where: str, path: list[str | int]) -> None:
    raw = _default()
    entry: Any = raw
    for key in path:
        entry = entry[key]
    del entry[where.rsplit(".", 1)[1]]
    with pytest.raises(ProtocolError) as err:
        parse(yaml.safe_dump(raw), origin="clinic.yaml")
    assert "clinic.yaml" in str(err.value) and where in str(err.value)


@pytest.mark.parametrize(
    "text", ["Use SPF 30 [C22].", "UNVERIFIED table.", "Low evidence.", "An unsourced figure."]
)
def test_patient_wording_refuses_staff_only_words(text: str) -> None:
    raw = _default()
    raw["precautions"]["antiviral_prophylaxis"]["patient_text"] = text
    with pytest.raises(ProtocolError, match="patient text must not contain"):
        parse(yaml.safe_dump(raw))


def test_every_staff_entry_patients_see_has_patient_words() -> None:
    doc = default_protocol().document
    for precaution in doc.precautions.values():
        assert precaution.patient_text and precaution.patient_text != precaution.text
    for step in doc.planning.preparation:
        assert step.patient_text
    for rule in doc.aftercare.symptoms.values():
        assert rule.patient_reason


def test_device_applies() -> None:
    assert device_applies(None, Device.PEN) and device_applies(None, None)
    assert device_applies([Device.RF], "rf_microneedling")
    assert not device_applies([Device.RF], Device.PEN)
    assert not device_applies([Device.RF], None)


def test_rf_burns_are_a_warning_sign_only_after_rf() -> None:
    assert Symptom.BURNS in symptoms_for_device(Device.RF)
    for device in (Device.PEN, Device.ROLLER):
        assert Symptom.BURNS not in symptoms_for_device(device)
        labels = [s.label for s in warning_signs(device)]
        assert default_protocol().document.aftercare.symptoms[Symptom.BURNS].label not in labels
    assert len(symptoms_for_device(None)) < len(Symptom)  # unknown device: no RF-only signs


def test_warning_signs_come_from_the_protocol() -> None:
    symptoms = default_protocol().document.aftercare.symptoms
    signs = {s.label: s for s in warning_signs(Device.RF)}
    for rule in symptoms.values():
        always_expected = all(lv is TriageLevel.EXPECTED for lv in rule.by_severity.values())
        assert (rule.label in signs) is not always_expected
    fever = signs[symptoms[Symptom.FEVER].label]
    fever_advice = symptoms[Symptom.FEVER].advice[TriageLevel.URGENT]
    assert fever.when == [("At any level", fever_advice, True)]
    assert fever.reason == symptoms[Symptom.FEVER].patient_reason  # never the staff reason
    redness = signs[symptoms[Symptom.REDNESS].label]
    (when, advice, urgent) = redness.when[-1]  # the first is "severe and getting worse"
    assert "Severe" in when and "after day 7" in when and "getting worse" in when
    assert advice == symptoms[Symptom.REDNESS].advice[TriageLevel.CONTACT_CLINIC] and not urgent
    for sign in signs.values():
        assert sign.when and sign.reason


def _plan(**changes: Any) -> Plan:
    return plan(intake(**changes), today=TODAY)


def test_device_precautions_follow_the_device() -> None:
    doc = default_protocol().document
    rf_words = doc.precautions["rf_safety"].patient_text
    pen_words = doc.precautions["off_label_age"].patient_text
    young_pen = _plan(age=19, device="automated_pen")
    assert pen_words in precautions_for_patient(young_pen)
    # the same plan read for another device (a session with a different device) drops it
    assert pen_words not in precautions_for_patient(young_pen, device=Device.RF)
    rf = _plan(device="rf_microneedling")
    assert rf_words in precautions_for_patient(rf)
    assert rf_words not in precautions_for_patient(rf, device=Device.PEN)
    assert pen_words not in precautions_for_patient(_plan(age=30, device="automated_pen"))


def test_preparation_in_patient_words_dated_from_the_first_session() -> None:
    rec = _plan(history__hsv_history="yes")
    steps = preparation_for_patient(rec, date(2030, 1, 10))
    assert [s.code for s in steps] == [i.code for i in rec.preparation]
    by_code = {s.code: s for s in default_protocol().document.planning.preparation}
    for step in steps:
        assert step.text == by_code[step.code].patient_text
        assert step.on == date(2030, 1, 10) - timedelta(days=step.days_before)
    assert "start_antiviral" in {s.code for s in steps}
    assert preparation_for_patient(rec)[0].on is None


def test_a_step_the_protocol_no_longer_has_is_not_shown_in_staff_words() -> None:
    assert preparation_text("retired_step", "Old step") == UNKNOWN_STEP.format(title="Old step")


def test_expected_course_and_maintenance() -> None:
    rec = _plan()
    indication = next(
        i for i in default_protocol().document.planning.indications if i.code == rec.indication
    )
    assert expected_course_for_patient(rec) == indication.patient_expected_course
    assert expected_course_for_patient(rec.model_copy(update={"indication": None})) is None
    assert (
        maintenance_for_patient() == default_protocol().document.planning.maintenance.patient_text
    )


def test_red_flags_urgent_first_and_for_the_device() -> None:
    flags = default_protocol().document.aftercare.red_flags
    rf_only = [f for f in flags if f.applies_to_devices is not None]
    assert rf_only  # the RF burn flag
    for device in Device:
        mine = red_flags(device)
        levels = [f.level for f in mine]
        assert levels == sorted(levels, key=lambda lv: lv != "urgent")
        for flag in rf_only:
            assert (flag in mine) is (device is Device.RF)
    assert any("emergency services" in f.text for f in red_flags(Device.PEN) if f.level == "urgent")
    assert sheet_extras() == list(default_protocol().document.aftercare.sheet_extras)


def test_severe_and_worsening_is_its_own_warning() -> None:
    rule = default_protocol().document.aftercare.symptoms[Symptom.REDNESS]
    assert rule.severe_and_worsening is TriageLevel.URGENT
    [sign] = [s for s in warning_signs(Device.PEN) if s.label == rule.label]
    urgent = [(when, advice) for when, advice, is_urgent in sign.when if is_urgent]
    assert urgent == [("Severe and getting worse", rule.advice[TriageLevel.URGENT])]


def test_red_flag_and_extra_text_is_patient_wording() -> None:
    raw = _default()
    raw["aftercare"]["red_flags"][0]["text"] = "Fever [S19]."
    with pytest.raises(ProtocolError, match=r"aftercare\.red_flags\[0\]\.text"):
        parse(yaml.safe_dump(raw))

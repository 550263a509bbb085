"""What patients read: the protocol's own patient wording for a plan and for aftercare,
matched to the device used.

Staff pages show an entry's `text` with its sources; every page, document and e-mail a patient
receives shows the entry's patient wording instead (`patient_text`, `patient_reason`,
`patient_expected_course`), which the loader requires. Device-specific items (RF burns, the
pen's labelled age) appear only for the device they concern. Pure: no Django, no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .document import RedFlag, SheetItem
from .loader import Protocol, default_protocol
from .results import Plan
from .vocabulary import Device, Symptom, SymptomSeverity, TriageLevel

# A stored plan may name a step the current protocol no longer has: say who explains it
# rather than show the staff wording.
UNKNOWN_STEP = "{title}: your clinic will explain this step before your session."


def device_applies(devices: Iterable[Device] | None, device: Device | str | None) -> bool:
    """True when an item limited to `devices` (None: every device) concerns `device`."""
    if devices is None:
        return True
    return device is not None and str(device) in {d.value for d in devices}


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class PatientStep:
    """A preparation step in the patient's words, with the day it starts when known."""

    code: str
    text: str
    days_before: int
    on: date | None = None


def preparation_text(code: str, title: str, *, protocol: Protocol | None = None) -> str:
    """The patient wording of one preparation step, found by its code."""
    protocol = protocol or default_protocol()
    for step in protocol.document.planning.preparation:
        if step.code == code:
            return step.patient_text
    return UNKNOWN_STEP.format(title=title)


def preparation_for_patient(
    plan: Plan, first_session: date | None = None, *, protocol: Protocol | None = None
) -> list[PatientStep]:
    """The plan's preparation steps in patient words, dated back from the first session."""
    protocol = protocol or default_protocol()
    steps = []
    for item in plan.preparation:
        days = item.days_before or 0
        steps.append(
            PatientStep(
                code=item.code,
                text=preparation_text(item.code, item.title, protocol=protocol),
                days_before=days,
                on=first_session - timedelta(days=days) if first_session else None,
            )
        )
    return steps


def expected_course_for_patient(plan: Plan, *, protocol: Protocol | None = None) -> str | None:
    """What to expect from the course, for the plan's indication (None without one)."""
    protocol = protocol or default_protocol()
    for indication in protocol.document.planning.indications:
        if indication.code == plan.indication:
            return indication.patient_expected_course
    return None


def maintenance_for_patient(*, protocol: Protocol | None = None) -> str:
    return (protocol or default_protocol()).document.planning.maintenance.patient_text


def precautions_for_patient(
    plan: Plan, *, device: Device | str | None = None, protocol: Protocol | None = None
) -> list[str]:
    """The plan's precautions in patient words; those of one device only when `device`
    (the plan's own by default) is that device."""
    protocol = protocol or default_protocol()
    catalogue = protocol.document.precautions
    used = device if device is not None else plan.device
    texts: list[str] = []
    for advice in plan.precautions:
        precaution = catalogue.get(advice.code)
        if precaution is None or not device_applies(precaution.applies_to_devices, used):
            continue
        if precaution.patient_text not in texts:
            texts.append(precaution.patient_text)
    return texts


# ---------------------------------------------------------------- aftercare


def symptoms_for_device(
    device: Device | str | None, *, protocol: Protocol | None = None
) -> list[Symptom]:
    """The symptoms a patient treated with `device` is asked about (RF burns only after RF)."""
    protocol = protocol or default_protocol()
    return [
        symptom
        for symptom, rule in protocol.document.aftercare.symptoms.items()
        if device_applies(rule.applies_to_devices, device)
    ]


@dataclass(frozen=True)
class WarningSign:
    label: str
    reason: str  # the patient's words
    when: list[tuple[str, str, bool]]  # (when, advice, urgent)


def _severities(levels: dict[SymptomSeverity, TriageLevel], level: TriageLevel) -> str:
    chosen = [s.value for s in SymptomSeverity if levels.get(s) is level]
    if len(chosen) == len(SymptomSeverity):
        return "at any level"
    return " or ".join(chosen)


def _join(parts: list[str]) -> str:
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]
    return text[:1].upper() + text[1:]


def warning_signs(
    device: Device | str | None, *, protocol: Protocol | None = None
) -> list[WarningSign]:
    """The symptom rules that are not always expected, for the device used, with their
    advice: for each level above expected, when it applies (severity, lasting beyond the
    expected course, getting worse) and what to do; conditions sharing the advice are
    joined."""
    protocol = protocol or default_protocol()
    signs = []
    for symptom in symptoms_for_device(device, protocol=protocol):
        rule = protocol.document.aftercare.symptoms[symptom]
        levels = dict(rule.by_severity)
        if all(level is TriageLevel.EXPECTED for level in levels.values()):
            continue
        conditions: dict[TriageLevel, list[str]] = defaultdict(list)
        for level in (TriageLevel.URGENT, TriageLevel.CONTACT_CLINIC):
            if level in levels.values():
                conditions[level].append(_severities(levels, level))
        # Lasting too long or getting worse only matter where they raise the level above
        # the mildest (triage takes the most serious of the levels).
        floor = min(level.rank for level in levels.values())
        until = rule.expected_until_day
        if until is not None and rule.after_window.rank > floor:
            later = "after the treatment day" if until == 0 else f"after day {until}"
            conditions[rule.after_window].append(f"still there {later}")
        if rule.worsening.rank > floor:
            conditions[rule.worsening].append("getting worse")
        if rule.severe_and_worsening is not None and rule.severe_and_worsening.rank > max(
            levels[SymptomSeverity.SEVERE].rank, rule.worsening.rank
        ):
            conditions[rule.severe_and_worsening].append("severe and getting worse")
        when = [
            (_join(conditions[level]), rule.advice[level], level is TriageLevel.URGENT)
            for level in (TriageLevel.URGENT, TriageLevel.CONTACT_CLINIC)
            if conditions.get(level) and level in rule.advice
        ]
        signs.append(WarningSign(label=rule.label, reason=rule.patient_reason, when=when))
    return signs


def red_flags(device: Device | str | None, *, protocol: Protocol | None = None) -> list[RedFlag]:
    """The aftercare sheet's "call us if" list for the device used, urgent ones first (they
    say themselves when to call emergency services)."""
    protocol = protocol or default_protocol()
    flags = [
        flag
        for flag in protocol.document.aftercare.red_flags
        if device_applies(flag.applies_to_devices, device)
    ]
    return sorted(flags, key=lambda f: f.level != "urgent")


def sheet_extras(*, protocol: Protocol | None = None) -> list[SheetItem]:
    """Instructions printed beside the day-by-day timeline (numbing cream, antiviral course)."""
    return list((protocol or default_protocol()).document.aftercare.sheet_extras)


__all__ = [
    "PatientStep",
    "WarningSign",
    "device_applies",
    "expected_course_for_patient",
    "maintenance_for_patient",
    "precautions_for_patient",
    "preparation_for_patient",
    "preparation_text",
    "red_flags",
    "sheet_extras",
    "symptoms_for_device",
    "warning_signs",
]

"""Aftercare: the day-by-day instructions after a session, and triage of reported symptoms."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from .loader import Protocol, default_protocol
from .results import AftercareDay, PlanItem, Triage
from .vocabulary import Symptom, SymptomSeverity, TriageLevel


class SymptomReport(BaseModel):
    """What a patient reports: one symptom, how bad, and how long after the session."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    symptom: Symptom
    severity: SymptomSeverity = SymptomSeverity.MILD
    days_since_session: int = Field(ge=0, le=3650)
    worsening: bool = False


def aftercare_timeline(
    *, session_date: date | None = None, protocol: Protocol | None = None
) -> list[AftercareDay]:
    """One entry per day from the session to the end of the last instruction window."""
    protocol = protocol or default_protocol()
    windows = protocol.document.aftercare.timeline
    last_day = max(w.to_day for w in windows)
    days = []
    for day in range(last_day + 1):
        instructions = [
            PlanItem(
                code=f"day{day}",
                title=window.title,
                text=instruction.text,
                sources=instruction.sources,
                evidence=instruction.evidence,
                note=instruction.note,
            )
            for window in windows
            if window.from_day <= day <= window.to_day
            for instruction in window.instructions
        ]
        when = session_date + timedelta(days=day) if session_date else None
        days.append(AftercareDay(day=day, date=when, instructions=instructions))
    return days


def triage(report: SymptomReport, *, protocol: Protocol | None = None) -> Triage:
    """expected / contact_clinic / urgent, with the reason and what to tell the patient.

    The level is the most serious of: the level for this severity; the after-window level
    when the symptom outlasts its expected course; the worsening level when it is getting worse.
    """
    protocol = protocol or default_protocol()
    rule = protocol.document.aftercare.symptoms[report.symptom]
    levels = [rule.by_severity[report.severity]]
    reasons = [rule.reason]
    expected_until = rule.expected_until_day
    if expected_until is not None and report.days_since_session > expected_until:
        levels.append(rule.after_window)
        reasons.append(
            f"Day {report.days_since_session} is beyond the expected course"
            f" (up to day {expected_until})."
        )
    if report.worsening:
        levels.append(rule.worsening)
        reasons.append("It is getting worse rather than better.")
        if report.severity is SymptomSeverity.SEVERE and rule.severe_and_worsening is not None:
            levels.append(rule.severe_and_worsening)
            reasons.append("Severe and getting worse.")
    level = max(levels, key=lambda lv: lv.rank)
    return Triage(
        symptom=report.symptom,
        severity=report.severity,
        days_since_session=report.days_since_session,
        level=level,
        reason=" ".join(reasons),
        advice=rule.advice[level],
        sources=rule.sources,
        evidence=rule.evidence,
        protocol=protocol.ref,
    )


def triage_all(reports: list[SymptomReport], *, protocol: Protocol | None = None) -> list[Triage]:
    """Each report triaged, most serious first."""
    results = [triage(r, protocol=protocol) for r in reports]
    return sorted(results, key=lambda t: -t.level.rank)


def check_in_days(protocol: Protocol | None = None) -> list[int]:
    return list((protocol or default_protocol()).document.aftercare.check_ins.days)


__all__ = [
    "SymptomReport",
    "TriageLevel",
    "aftercare_timeline",
    "check_in_days",
    "triage",
    "triage_all",
]

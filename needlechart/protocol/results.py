"""What the engine returns. Every recommendation carries its rule, its trigger and its sources."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict

from .document import Evidence
from .loader import ProtocolRef
from .vocabulary import Device, Symptom, SymptomSeverity, TriageLevel, Verdict, Zone


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)

    @classmethod
    def build(cls, **values: object) -> Self:
        """An instance from values that are already valid, every field given.

        The engine's hot path: its values come typed from the validated protocol and intake,
        so pydantic's validation (and `model_construct`'s default filling) is skipped.
        """
        fields = cls.__pydantic_fields__  # a plain dict (`model_fields` is slow on a class)
        assert values.keys() == fields.keys(), set(fields) ^ set(values)
        obj = cls.__new__(cls)
        object.__setattr__(obj, "__dict__", values)
        object.__setattr__(obj, "__pydantic_fields_set__", set(values))
        object.__setattr__(obj, "__pydantic_extra__", None)
        object.__setattr__(obj, "__pydantic_private__", None)
        return obj


class Finding(_Result):
    code: str
    title: str
    severity: Verdict
    message: str
    fact: str  # the intake fact that triggered it, e.g. "history.hsv_history = yes"
    sources: list[str]
    evidence: Evidence
    note: str | None = None
    unanswered: bool = False  # triggered by an unknown answer, not by a "yes"
    until: date | None = None  # end of a wash-out window, when a date decides it
    hard_stop: bool = False  # answered: only clinicians override, and a second one confirms
    physician_level: bool = False  # the rule asks a physician (even when left unanswered)


class OverrideLevel(StrEnum):
    """Who may override a screening's verdict, from least to most guarded."""

    AESTHETICIAN = "aesthetician"  # any staff member with the right to override
    CLINICIAN = "clinician"
    SECOND_CLINICIAN = "second_clinician"  # a clinician, confirmed by a different clinician


class Question(_Result):
    code: str
    text: str
    fact: str


class PrecautionAdvice(_Result):
    code: str
    text: str
    sources: list[str]
    because: list[str]  # codes of the findings that call for it


class Screening(_Result):
    verdict: Verdict
    findings: list[Finding]
    precautions: list[PrecautionAdvice]
    questions: list[Question]
    rescreen_on: date | None
    screened_on: date
    protocol: ProtocolRef


class SourcedRange(_Result):
    low: float | None = None
    high: float | None = None
    unit: str
    sources: list[str] = []
    evidence: Evidence | None = None
    note: str | None = None
    unsourced: str | None = None  # set instead of low/high where the protocol has no figure

    @property
    def known(self) -> bool:
        return self.unsourced is None

    def contains(self, value: float) -> bool:
        assert self.low is not None and self.high is not None
        return self.low <= value <= self.high


class ZoneDepth(_Result):
    zone: Zone
    depth_mm: SourcedRange


class PlanItem(_Result):
    code: str
    title: str
    text: str
    sources: list[str]
    evidence: Evidence = "peer_reviewed"
    note: str | None = None
    days_before: int | None = None  # preparation steps only


class Plan(_Result):
    indication: str | None
    indication_title: str
    other_indications: list[str]
    device: Device
    sessions: SourcedRange
    interval_weeks: SourcedRange
    depths: list[ZoneDepth]
    endpoint: PlanItem
    preparation: list[PlanItem]
    adjuncts: list[PlanItem]
    expected_course: PlanItem
    maintenance: PlanItem
    maintenance_interval_months: int | None
    precautions: list[PrecautionAdvice]
    protocol: ProtocolRef

    def depth_for(self, zone: Zone) -> SourcedRange | None:
        return next((d.depth_mm for d in self.depths if d.zone is zone), None)


class QualitativeGrade(_Result):
    grade: int | None
    level: str | None
    definition: str | None
    reason: str
    sources: list[str]


class QuantitativeScore(_Result):
    score: int
    per_category: dict[str, int]
    verified: bool
    label: str
    sources: list[str]


class AcneGrade(_Result):
    iga: int | None
    iga_descriptor: str | None
    gags_score: int | None
    gags_band: str | None
    sources: list[str]


class Grading(_Result):
    qualitative: QualitativeGrade
    quantitative: QuantitativeScore | None
    acne: AcneGrade
    protocol: ProtocolRef


class AftercareDay(_Result):
    day: int
    date: date | None
    instructions: list[PlanItem]


class Triage(_Result):
    symptom: Symptom
    severity: SymptomSeverity
    days_since_session: int
    level: TriageLevel
    reason: str
    advice: str
    sources: list[str]
    evidence: Evidence
    protocol: ProtocolRef

"""The shape of a protocol file: every clinical number and rule, each with its sources.

This module only describes and validates; `loader` reads files and `screening`, `grading`,
`planning` and `aftercare` apply what it describes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .conditions import Condition
from .vocabulary import (
    Device,
    Fitzpatrick,
    GagsLesion,
    GagsRegion,
    Symptom,
    SymptomSeverity,
    TriageLevel,
    Verdict,
    Zone,
)

Evidence = Literal["peer_reviewed", "regulator", "clinic_practice", "synthesis", "unsourced"]

# Words that belong on staff pages only: source keys, evidence labels, research notes.
_STAFF_ONLY = re.compile(
    r"\[[A-Z]+\d+[a-z]?\]|\bunverified\b|\bunsourced\b|\bsynthesis\b|\bevidence\b",
    re.IGNORECASE,
)


def _patient_words(text: str) -> str:
    """Text a patient reads: plain words, so no source keys, evidence labels or research
    notes (those stay beside the staff text, which keeps the entry's sources)."""
    found = _STAFF_ONLY.search(text)
    if found:
        raise ValueError(
            f"patient text must not contain '{found.group(0)}': keep sources and evidence "
            "notes in the staff fields"
        )
    return " ".join(text.split())


# What the patient reads for an entry whose `text` is written for staff; it says the same
# thing plainly, with no new clinical figure, and shares the entry's sources.
PatientText = Annotated[str, Field(min_length=1), AfterValidator(_patient_words)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Part):
    sources: list[str] = Field(default_factory=list)
    note: str | None = None
    evidence: Evidence = "peer_reviewed"

    @model_validator(mode="after")
    def _needs_a_source(self) -> Sourced:
        if not self.sources and self.evidence != "unsourced":
            raise ValueError("needs 'sources' (or evidence: unsourced with a note saying why)")
        if self.evidence == "unsourced" and not self.note:
            raise ValueError("an unsourced entry needs a 'note' saying what is missing")
        return self


class Meta(_Part):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    title: str
    description: str = ""


class Precaution(Sourced):
    text: str
    patient_text: PatientText
    applies_to_devices: list[Device] | None = None  # None: every device


class ScreeningRule(Sourced):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    severity: Verdict
    when: Condition
    applies_when: Condition | None = None
    message: str
    question: str
    unknown_severity: Verdict | None = None
    precautions: list[str] = Field(default_factory=list)
    # A hard stop: only a clinician may override it, and a second clinician must confirm.
    hard_stop: bool = False

    @property
    def physician_level(self) -> bool:
        """Answered "yes", a physician must decide; left unknown, no aesthetician may override."""
        return self.hard_stop or self.severity.rank >= Verdict.REFER_TO_PHYSICIAN.rank

    def severity_if_unknown(self) -> Verdict:
        """An unanswered safety question is never `proceed`, and asks before it defers."""
        if self.unknown_severity is not None:
            return self.unknown_severity
        rank = min(max(self.severity.rank, Verdict.PROCEED_WITH_PRECAUTIONS.rank), 2)
        return list(Verdict)[rank]

    @model_validator(mode="after")
    def _unknown_is_never_proceed(self) -> ScreeningRule:
        if self.unknown_severity is Verdict.PROCEED:
            raise ValueError("unknown_severity cannot be 'proceed': an unknown must be asked")
        if self.severity is Verdict.PROCEED:
            raise ValueError("a rule's severity cannot be 'proceed': it would find nothing")
        if self.when.has_known_only():
            raise ValueError("'known_only' belongs in 'applies_when', never in 'when'")
        return self


class NumberRange(Sourced):
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> NumberRange:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        return self


class Gap(_Part):
    """Where the reference has no figure: the plan shows this text instead of a number."""

    unsourced: str


class QualitativeGrade(_Part):
    level: str
    definition: str


class QualitativeGrading(Sourced):
    grades: dict[int, QualitativeGrade]


class QuantitativeCategory(_Part):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    group: str
    description: str
    points: tuple[int, int, int]  # for each count band, in order


class CountBand(_Part):
    low: int = Field(ge=1)
    high: int | None = None  # None: and above


class AreaBand(_Part):
    below_cm2: float | None = None  # the band ends just below this area
    up_to_cm2: float | None = None  # the band ends at this area, inclusive
    points: int

    @model_validator(mode="after")
    def _one_end(self) -> AreaBand:
        if self.below_cm2 is not None and self.up_to_cm2 is not None:
            raise ValueError("give 'below_cm2' or 'up_to_cm2', not both")
        return self

    def holds(self, area_cm2: float) -> bool:
        if self.below_cm2 is not None:
            return area_cm2 < self.below_cm2
        return self.up_to_cm2 is None or area_cm2 <= self.up_to_cm2


class QuantitativeGrading(Sourced):
    verified: bool
    label: str
    count_bands: list[CountBand] = Field(min_length=3, max_length=3)
    categories: list[QuantitativeCategory]
    hyperplastic_area_bands: list[AreaBand]


class IgaGrading(Sourced):
    grades: dict[int, str]


class Band(_Part):
    low: int
    high: int | None = None
    label: str


class GagsGrading(Sourced):
    area_factors: dict[GagsRegion, int]
    lesion_scores: dict[GagsLesion, int]
    bands: list[Band]

    def score(self, lesions: Mapping[GagsRegion, GagsLesion]) -> int:
        """Global score: the sum of area factor x worst lesion grade over the regions."""
        return sum(
            self.area_factors[r] * self.lesion_scores[lesion] for r, lesion in lesions.items()
        )

    def band(self, score: int) -> str:
        return next(
            b.label for b in self.bands if b.low <= score and (b.high is None or score <= b.high)
        )


class Grading(_Part):
    goodman_baron_qualitative: QualitativeGrading
    goodman_baron_quantitative: QuantitativeGrading
    iga: IgaGrading
    gags: GagsGrading


class DeviceCourse(_Part):
    sessions: NumberRange | Gap
    interval_weeks: NumberRange | Gap


class Indication(Sourced):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    when: Condition
    sessions: NumberRange | Gap
    interval_weeks: NumberRange | Gap
    depth_table: str
    expected_course: str
    patient_expected_course: PatientText
    device_courses: dict[Device, DeviceCourse] = Field(default_factory=dict)


class Text(Sourced):
    text: str


class PreparationStep(Sourced):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    text: str
    patient_text: PatientText
    days_before: int = Field(ge=0, le=365)
    applies_when: Condition | None = None


class Adjunct(Sourced):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    when: Condition
    text: str


class Maintenance(Sourced):
    text: str
    patient_text: PatientText
    interval_months: int | None = Field(default=None, ge=1, le=60)


class PhototypeDepthCap(Sourced):
    """A ceiling on the recommended depth for pigment-prone phototypes (a deviation above)."""

    phototypes: list[Fitzpatrick] = Field(min_length=1)
    max_mm: float = Field(gt=0, le=5)
    text: str


class Planning(_Part):
    indications: list[Indication] = Field(min_length=1)
    depth_tables: dict[str, dict[Zone, NumberRange | Gap]]
    device_depth: dict[Device, Gap] = Field(
        default_factory=dict,
        description="Devices whose depth the protocol cannot give per zone.",
    )
    phototype_depth_cap: PhototypeDepthCap | None = None
    endpoint: Text
    preparation: list[PreparationStep]
    adjuncts: list[Adjunct]
    maintenance: Maintenance


class Instruction(Sourced):
    text: str


class AftercareWindow(_Part):
    from_day: int = Field(ge=0)
    to_day: int = Field(ge=0)
    title: str
    instructions: list[Instruction] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> AftercareWindow:
        if self.from_day > self.to_day:
            raise ValueError(f"from_day ({self.from_day}) is after to_day ({self.to_day})")
        return self


class SymptomRule(Sourced):
    label: str
    expected_until_day: int | None = Field(default=None, ge=0, le=365)
    by_severity: dict[SymptomSeverity, TriageLevel]
    after_window: TriageLevel = TriageLevel.CONTACT_CLINIC
    worsening: TriageLevel = TriageLevel.CONTACT_CLINIC
    severe_and_worsening: TriageLevel | None = None  # None: the worsening level applies
    reason: str
    patient_reason: PatientText
    advice: dict[TriageLevel, str]
    # Warning signs of one kind of device only (RF burns); triage still answers for any.
    applies_to_devices: list[Device] | None = None

    @model_validator(mode="after")
    def _complete(self) -> SymptomRule:
        missing = set(SymptomSeverity) - set(self.by_severity)
        if missing:
            raise ValueError(f"by_severity is missing {sorted(m.value for m in missing)}")
        levels = {*self.by_severity.values(), self.after_window, self.worsening}
        if self.severe_and_worsening is not None:
            levels.add(self.severe_and_worsening)
        if self.expected_until_day is None:
            levels.discard(self.after_window)
        if levels - set(self.advice):
            wanted = sorted(lv.value for lv in levels - set(self.advice))
            raise ValueError(f"advice is missing for {wanted}")
        return self


class CheckIns(Sourced):
    days: list[int] = Field(min_length=1)


class RedFlag(Sourced):
    """A "call us if" sign for the patient's aftercare sheet, in the patient's words."""

    text: PatientText
    level: Literal["contact_clinic", "urgent"]
    applies_to_devices: list[Device] | None = None  # None: every device


class SheetItem(Sourced):
    """A patient instruction printed on the aftercare sheet beside the day-by-day timeline."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    text: PatientText


class Aftercare(_Part):
    timeline: list[AftercareWindow] = Field(min_length=1)
    check_ins: CheckIns
    symptoms: dict[Symptom, SymptomRule]
    red_flags: list[RedFlag] = Field(min_length=1)
    sheet_extras: list[SheetItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _every_symptom(self) -> Aftercare:
        missing = set(Symptom) - set(self.symptoms)
        if missing:
            raise ValueError(f"symptoms is missing {sorted(m.value for m in missing)}")
        return self


class ConsentItem(Sourced):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    text: str
    applies_to_devices: list[Device] | None = None  # None: every device


class Consent(_Part):
    """What a patient is told before signing; the clinic's consent text is built from it."""

    procedure: Text
    expected_effects: list[ConsentItem] = Field(min_length=1)
    risks: list[ConsentItem] = Field(min_length=1)
    alternatives: list[ConsentItem] = Field(min_length=1)
    photo_consent: str


class GlideProduct(Sourced):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str


class CheckItem(_Part):
    """A day-of re-screen question and the intake fact a "yes" sets before screening again.

    A list value is added to a list fact (a "yes" today never removes what the consultation
    recorded); any other value replaces the fact. A "no" can only answer what is still unknown.
    """

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: str
    # intake path -> value on "yes"
    sets: dict[str, str | bool | list[str]] = Field(default_factory=dict)
    # intake path -> value on "no", only where the consultation left the answer unknown (a
    # "no" on the day answers an open question; it never overrules a recorded answer).
    fills_on_no: dict[str, str | bool] = Field(default_factory=dict)


class AdverseEventType(Sourced):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str


class Charting(_Part):
    glide_products: list[GlideProduct] = Field(min_length=1)
    glide_warning: Text
    passes: Text
    endpoints: list[Text] = Field(min_length=1)
    day_of_checklist: list[CheckItem] = Field(min_length=1)
    adverse_event_types: list[AdverseEventType] = Field(min_length=1)


class FollowUp(Sourced):
    """When to re-grade after the last session."""

    from_weeks: int = Field(ge=0, le=104)
    to_weeks: int = Field(ge=0, le=104)
    text: str


class PrescreenEstimates(Sourced):
    """How the public pre-screen turns a person's own words into engine facts."""

    spots_to_iga: dict[str, int]  # answer code -> IGA estimate (0-4)

    @model_validator(mode="after")
    def _grades(self) -> PrescreenEstimates:
        bad = {k: v for k, v in self.spots_to_iga.items() if not 0 <= v <= 4}
        if bad:
            raise ValueError(f"IGA estimates must be 0-4: {bad}")
        return self


class Limit(Sourced):
    """An absolute limit: no reason, deviation or role can exceed it."""

    value: float = Field(gt=0)


class DepthLimits(_Part):
    ceiling: Limit  # any device, any zone
    devices: dict[Device, Limit | Gap] = Field(default_factory=dict)
    zones: dict[Zone, Limit | Gap] = Field(default_factory=dict)


class Limits(_Part):
    """Absolute limits; the plan's recommended ranges sit inside them."""

    needle_depth_mm: DepthLimits
    sessions_per_course: Limit
    min_interval_days: Limit


class ProtocolDocument(_Part):
    protocol: Meta
    sources: dict[str, str] = Field(min_length=1)
    precautions: dict[str, Precaution]
    screening_rules: list[ScreeningRule] = Field(min_length=1)
    grading: Grading
    planning: Planning
    aftercare: Aftercare
    consent: Consent
    charting: Charting
    follow_up: FollowUp
    prescreen: PrescreenEstimates
    limits: Limits

"""The engine's controlled vocabulary (design.md "Vocabulary"): one name per clinical idea.

Everything here is a name, never a number: clinical figures live in the protocol file.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator


class Verdict(StrEnum):
    """Screening verdicts, from most to least permissive (the order is the severity)."""

    PROCEED = "proceed"
    PROCEED_WITH_PRECAUTIONS = "proceed_with_precautions"
    DEFER = "defer"
    REFER_TO_PHYSICIAN = "refer_to_physician"
    NOT_A_CANDIDATE = "not_a_candidate"

    @property
    def rank(self) -> int:
        return _VERDICT_RANK[self]

    @property
    def treatable(self) -> bool:
        """A plan may be offered without a clinician's override."""
        return self.rank <= _VERDICT_RANK[Verdict.PROCEED_WITH_PRECAUTIONS]

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


_VERDICT_RANK = {v: i for i, v in enumerate(Verdict)}


def most_restrictive(verdicts: list[Verdict]) -> Verdict:
    return max(verdicts, key=lambda v: v.rank, default=Verdict.PROCEED)


class TriageLevel(StrEnum):
    EXPECTED = "expected"
    CONTACT_CLINIC = "contact_clinic"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return list(TriageLevel).index(self)


class Answer(StrEnum):
    """A safety question's answer. `unknown` is a first-class answer, never a default 'no'."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


def _yaml_friendly_answer(value: Any) -> Any:
    # YAML 1.1 reads a bare `yes`/`no` as a boolean; accept it as the answer it spells.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "unknown"
    return value


AnswerField = Annotated[Answer, BeforeValidator(_yaml_friendly_answer)]


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Fitzpatrick(StrEnum):
    I = "I"  # noqa: E741 - the phototype's own name
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"
    VI = "VI"


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}


def _fitzpatrick_from_number(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value in _ROMAN:
        return _ROMAN[value]
    if isinstance(value, str):
        return value.strip().upper()
    return value


FitzpatrickField = Annotated[Fitzpatrick, BeforeValidator(_fitzpatrick_from_number)]


class Concern(StrEnum):
    ACNE_SCARS = "acne_scars"
    ACTIVE_ACNE = "active_acne"
    PIGMENTATION = "post_inflammatory_pigmentation"
    ERYTHEMA = "post_inflammatory_erythema"
    TEXTURE_PORES = "texture_pores"
    FINE_LINES = "fine_lines"
    STRETCH_MARKS = "stretch_marks"
    SURGICAL_SCARS = "surgical_scars"


class Device(StrEnum):
    ROLLER = "roller"
    PEN = "automated_pen"
    RF = "rf_microneedling"


class Zone(StrEnum):
    FOREHEAD = "forehead"
    TEMPLES = "temples"
    PERIORBITAL = "periorbital"
    NOSE = "nose"
    CHEEKS = "cheeks"
    PERIORAL = "perioral"
    CHIN = "chin"
    JAWLINE = "jawline"
    NECK = "neck"
    CHEST = "chest"
    BACK = "back"
    BODY = "body"


class ScarType(StrEnum):
    ICE_PICK = "ice_pick"
    BOXCAR_SHALLOW = "boxcar_shallow"
    BOXCAR_DEEP = "boxcar_deep"
    ROLLING = "rolling"
    MACULAR = "macular"
    HYPERTROPHIC = "hypertrophic"
    KELOID = "keloid"


class DermatosisActivity(StrEnum):
    NONE = "none"
    INACTIVE = "inactive"
    ACTIVE_ELSEWHERE = "active_elsewhere"
    ACTIVE_IN_AREA = "active_in_area"
    UNKNOWN = "unknown"


class DiabetesStatus(StrEnum):
    NONE = "none"
    CONTROLLED = "controlled"
    UNCONTROLLED = "uncontrolled"
    UNKNOWN = "unknown"


class ExposureStatus(StrEnum):
    """Use of a drug, a procedure or sun exposure, relative to the day of screening."""

    NO = "no"
    CURRENT = "current"
    PAST = "past"
    UNKNOWN = "unknown"


class Symptom(StrEnum):
    REDNESS = "redness"
    SWELLING = "swelling"
    PAIN = "pain"
    BRUISING = "bruising"
    DRYNESS_FLAKING = "dryness_flaking"
    BLEEDING = "bleeding"
    PUS_DRAINAGE = "pus_drainage"
    FEVER = "fever"
    BLISTERS_VESICLES = "blisters_vesicles"
    DARK_PATCHES = "dark_patches"
    FIRM_BUMPS = "firm_bumps"
    TRACK_MARKS = "track_marks"
    BURNS = "burns"
    LIP_TONGUE_SWELLING = "lip_tongue_swelling"
    HIVES_RASH = "hives_rash"
    EYE_PAIN_VISION = "eye_pain_vision"


class SymptomSeverity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class GagsRegion(StrEnum):
    FOREHEAD = "forehead"
    RIGHT_CHEEK = "right_cheek"
    LEFT_CHEEK = "left_cheek"
    NOSE = "nose"
    CHIN = "chin"
    CHEST_UPPER_BACK = "chest_upper_back"


class GagsLesion(StrEnum):
    NONE = "none"
    COMEDONE = "comedone"
    PAPULE = "papule"
    PUSTULE = "pustule"
    NODULE = "nodule"

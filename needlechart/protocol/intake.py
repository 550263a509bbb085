"""The intake: everything screening, grading and planning need to know about one patient.

Every safety question accepts `unknown`; the engine turns an unknown into a question to ask,
never into a silent `no`. Unknown fields are rejected so a typo cannot hide an answer.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .vocabulary import (
    Answer,
    AnswerField,
    Concern,
    DermatosisActivity,
    Device,
    DiabetesStatus,
    ExposureStatus,
    FitzpatrickField,
    GagsLesion,
    GagsRegion,
    Sex,
    Zone,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


# Dates outside this span are typing errors, and wash-out arithmetic on them would overflow.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)

# A product to be applied to the open skin: a code from the protocol's list for needled skin
# (`charting.glide_products`), or OTHER_PRODUCT for one the list does not have. The intake does
# not check codes against a protocol (it is protocol-independent): a code the protocol does not
# list is "outside the list", which the protocol's rule turns into a warning.
OTHER_PRODUCT = "other"
ProductCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
MAX_PRODUCTS = 20
MAX_PRODUCT_NAME = 200
ProductName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PRODUCT_NAME)
]


class Exposure(_Strict):
    """A drug, procedure or exposure: whether it applies and when it last happened."""

    status: ExposureStatus = ExposureStatus.UNKNOWN
    last_date: date | None = Field(
        default=None,
        ge=EARLIEST_DATE,
        le=LATEST_DATE,
        description="Last dose, last use or the day of the procedure.",
    )

    @model_validator(mode="after")
    def _date_matches_status(self) -> Exposure:
        if self.status is ExposureStatus.NO and self.last_date is not None:
            raise ValueError("last_date given but status is 'no'")
        return self


class ScarCounts(_Strict):
    """Scar counts per type (Jacob classification plus macular and raised types)."""

    ice_pick: int = Field(default=0, ge=0, le=1000)
    boxcar_shallow: int = Field(default=0, ge=0, le=1000)
    boxcar_deep: int = Field(default=0, ge=0, le=1000)
    rolling: int = Field(default=0, ge=0, le=1000)
    macular: int = Field(default=0, ge=0, le=1000)
    hypertrophic: int = Field(default=0, ge=0, le=1000)
    keloid: int = Field(default=0, ge=0, le=1000)

    @property
    def atrophic(self) -> int:
        return self.ice_pick + self.boxcar_shallow + self.boxcar_deep + self.rolling

    @property
    def raised(self) -> int:
        return self.hypertrophic + self.keloid

    @property
    def total(self) -> int:
        return self.atrophic + self.raised + self.macular

    @property
    def deep_narrow_percent(self) -> float:
        """Ice-pick and deep boxcar scars as a share of the atrophic scars (0 when none)."""
        atrophic = self.atrophic
        return 100.0 * (self.ice_pick + self.boxcar_deep) / atrophic if atrophic else 0.0


class Scars(_Strict):
    counts: ScarCounts = ScarCounts()
    flatten_on_stretch: AnswerField = Answer.UNKNOWN
    visible_at_social_distance: AnswerField = Field(
        default=Answer.UNKNOWN,
        description="Obvious at about 50 cm and not easily covered (Goodman & Baron).",
    )
    quantitative_counts: dict[str, int] | None = Field(
        default=None,
        description="Counts per Goodman & Baron quantitative category (codes from the protocol).",
    )
    hyperplastic_area_cm2: float | None = Field(default=None, ge=0, le=2000)


class ActiveAcne(_Strict):
    present: AnswerField = Answer.UNKNOWN
    iga: int | None = Field(default=None, ge=0, le=4, description="IGA grade 0-4.")
    gags: dict[GagsRegion, GagsLesion] | None = Field(
        default=None, description="Worst lesion per GAGS region."
    )

    @property
    def gags_recorded(self) -> Answer:
        """Whether a GAGS grading was recorded (not a safety answer: IGA asks its own)."""
        return Answer.NO if self.gags is None else Answer.YES

    @model_validator(mode="after")
    def _grade_matches_presence(self) -> ActiveAcne:
        if self.present is Answer.NO and self.iga not in (None, 0):
            raise ValueError("an IGA grade above 0 was given but active acne is 'no'")
        return self


class Dermatoses(_Strict):
    eczema: DermatosisActivity = DermatosisActivity.UNKNOWN
    psoriasis: DermatosisActivity = DermatosisActivity.UNKNOWN
    rosacea: DermatosisActivity = DermatosisActivity.UNKNOWN
    lichen_planus: DermatosisActivity = DermatosisActivity.UNKNOWN


class MedicalHistory(_Strict):
    skin_infection_in_area: AnswerField = Answer.UNKNOWN
    open_wound_in_area: AnswerField = Answer.UNKNOWN
    active_cold_sore: AnswerField = Answer.UNKNOWN
    hsv_history: AnswerField = Answer.UNKNOWN
    keloid_tendency: AnswerField = Field(
        default=Answer.UNKNOWN, description="Keloid or hypertrophic scarring tendency."
    )
    dermatoses: Dermatoses = Dermatoses()
    vitiligo: AnswerField = Answer.UNKNOWN
    bleeding_disorder: AnswerField = Answer.UNKNOWN
    diabetes: DiabetesStatus = DiabetesStatus.UNKNOWN
    immunosuppression: AnswerField = Answer.UNKNOWN
    radiotherapy_to_area: AnswerField = Answer.UNKNOWN
    skin_cancer_in_area: AnswerField = Field(
        default=Answer.UNKNOWN, description="Skin cancer or a suspicious lesion in the area."
    )
    collagen_vascular_disease: AnswerField = Answer.UNKNOWN
    pih_history: AnswerField = Answer.UNKNOWN
    metal_allergy: AnswerField = Answer.UNKNOWN
    topical_anaesthetic_allergy: AnswerField = Answer.UNKNOWN
    implanted_electronic_device: AnswerField = Field(
        default=Answer.UNKNOWN,
        description="A pacemaker, implanted defibrillator or other implanted electronic device.",
    )
    metal_implants_in_area: AnswerField = Field(
        default=Answer.UNKNOWN,
        description="Metal implants (plates, screws, wires) in or under the treatment area.",
    )
    previous_microneedling_reaction: AnswerField = Field(
        default=Answer.UNKNOWN,
        description="An earlier adverse reaction to microneedling or to a product applied "
        "during it (e.g. a granulomatous reaction or an allergy).",
    )

    @classmethod
    def yes_no_questions(cls) -> tuple[str, ...]:
        """Names of the history questions answered yes / no / unknown."""
        return tuple(name for name, f in cls.model_fields.items() if f.annotation is Answer)


class Medications(_Strict):
    isotretinoin: Exposure = Exposure()
    anticoagulants: AnswerField = Field(
        default=Answer.UNKNOWN, description="Anticoagulants or antiplatelet drugs."
    )
    immunosuppressants: AnswerField = Field(
        default=Answer.UNKNOWN, description="Immunosuppressants or systemic steroids."
    )
    topical_retinoids: Exposure = Field(
        default=Exposure(), description="Topical retinoids, AHA/BHA or benzoyl peroxide."
    )
    antiviral_prophylaxis: AnswerField = Field(
        default=Answer.UNKNOWN, description="Antiviral prophylaxis already prescribed."
    )
    other: list[str] = Field(default_factory=list, max_length=50)


class RecentProcedures(_Strict):
    chemical_peel: Exposure = Exposure()
    laser: Exposure = Field(default=Exposure(), description="Laser or IPL in the area.")
    filler: Exposure = Exposure()
    botulinum_toxin: Exposure = Exposure()


class Intake(_Strict):
    """One consultation's answers. The caller passes `today` to the engine, never the intake."""

    age: int = Field(ge=0, le=120)
    sex: Sex = Sex.UNKNOWN
    pregnant: AnswerField = Answer.UNKNOWN
    breastfeeding: AnswerField = Answer.UNKNOWN
    guardian_present: AnswerField = Field(
        default=Answer.UNKNOWN, description="For a minor: a parent or guardian is present."
    )
    fitzpatrick: FitzpatrickField | None = None
    concerns: list[Concern] = Field(default_factory=list, max_length=len(Concern))
    device: Device = Device.PEN
    zones: list[Zone] = Field(min_length=1, max_length=len(Zone))
    active_acne: ActiveAcne = ActiveAcne()
    scars: Scars = Scars()
    history: MedicalHistory = MedicalHistory()
    medications: Medications = Medications()
    sun_exposure: Exposure = Field(
        default=Exposure(), description="Recent sunburn, tan or unprotected sun exposure."
    )
    procedures: RecentProcedures = RecentProcedures()
    # Tuples, not lists: a screening rule reads this fact, and the engine keys its finding
    # cache by the facts a rule read (they must hash).
    products_to_apply: tuple[ProductCode, ...] | None = Field(
        default=None,
        max_length=MAX_PRODUCTS,
        description="Codes of the products to be applied to the open skin during treatment "
        "(glide, serum...): codes from the protocol's `charting.glide_products`, and "
        f"'{OTHER_PRODUCT}' for any product not on that list. An empty list: nothing is "
        "applied. Not given (null): not decided yet, which the screening asks.",
    )
    other_products: tuple[ProductName, ...] = Field(
        default=(),
        max_length=MAX_PRODUCTS,
        description=f"Names of the products behind '{OTHER_PRODUCT}' in products_to_apply.",
    )

    @model_validator(mode="after")
    def _no_repeats(self) -> Intake:
        if len(set(self.zones)) != len(self.zones):
            raise ValueError("zones: each zone may be listed once")
        if len(set(self.concerns)) != len(self.concerns):
            raise ValueError("concerns: each concern may be listed once")
        products = self.products_to_apply or ()
        if len(set(products)) != len(products):
            raise ValueError("products_to_apply: each product may be listed once")
        if self.other_products and OTHER_PRODUCT not in products:
            raise ValueError(
                f"other_products: named products need '{OTHER_PRODUCT}' in products_to_apply"
            )
        return self

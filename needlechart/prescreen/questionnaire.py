"""The public pre-screen questionnaire: plain-language questions and how they map onto the
engine's Intake.

No Django here. Every safety question offers "I'm not sure", and a blank answer counts as not
sure: both become the engine's `unknown`, which it turns into a question for the clinic, never
into a silent "no". Periods quoted in the questions ("in the last 30 days") are read from the
protocol's rules, so a clinic that changes a wash-out changes the wording too.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

from needlechart.protocol import default_protocol
from needlechart.protocol.conditions import Condition, Period
from needlechart.protocol.intake import EARLIEST_DATE, MAX_PRODUCT_NAME, OTHER_PRODUCT
from needlechart.protocol.vocabulary import (
    Concern,
    DermatosisActivity,
    DiabetesStatus,
    ExposureStatus,
    Fitzpatrick,
    Zone,
)

UNSURE = "unsure"
NOT_SURE_LABEL = "I'm not sure"

Kind = Literal["choice", "multi", "int", "text", "date", "month"]
Choices = tuple[tuple[str, str], ...]

YES_NO: Choices = (("yes", "Yes"), ("no", "No"), (UNSURE, NOT_SURE_LABEL))

SECTIONS = (
    ("about", "About you"),
    ("skin", "Your skin and what you'd like treated"),
    ("health", "Your health"),
    ("medicines", "Medicines and recent treatments"),
    ("other", "Anything else"),
)


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    section: str
    kind: Kind = "choice"
    choices: Choices = YES_NO
    facts: tuple[str, ...] = ()  # the intake paths this answer fills
    help: str = ""
    required: bool = False
    # Shown to the person (and to the clinic) when the answer leaves the engine unsure.
    ask: str = ""
    max_length: int | None = None  # a short one-line text answer (kind "text")


# Skin types: a paraphrase of the reference's phototype table, in everyday words.
SKIN_TYPES: Choices = (
    (Fitzpatrick.I.value, "Very fair or pale skin: always burns in the sun, never tans"),
    (Fitzpatrick.II.value, "Fair skin: usually burns, tans only with difficulty"),
    (Fitzpatrick.III.value, "Medium skin: sometimes burns a little, tans gradually"),
    (Fitzpatrick.IV.value, "Light brown or olive skin: rarely burns, tans easily"),
    (Fitzpatrick.V.value, "Brown skin: very rarely burns, tans very easily"),
    (Fitzpatrick.VI.value, "Dark brown or black skin: never burns"),
    (UNSURE, NOT_SURE_LABEL),
)

ZONE_LABELS: dict[str, str] = {
    Zone.FOREHEAD: "Forehead",
    Zone.TEMPLES: "Temples",
    Zone.PERIORBITAL: "Around the eyes",
    Zone.NOSE: "Nose",
    Zone.CHEEKS: "Cheeks",
    Zone.PERIORAL: "Around the mouth",
    Zone.CHIN: "Chin",
    Zone.JAWLINE: "Jawline",
    Zone.NECK: "Neck",
    Zone.CHEST: "Chest",
    Zone.BACK: "Back",
    Zone.BODY: "Another part of the body",
}
CONCERN_LABELS: dict[str, str] = {
    Concern.ACNE_SCARS: "Acne scars",
    Concern.ACTIVE_ACNE: "Spots (acne) at the moment",
    Concern.PIGMENTATION: "Dark marks left by spots",
    Concern.ERYTHEMA: "Red marks left by spots",
    Concern.TEXTURE_PORES: "Skin texture or large pores",
    Concern.FINE_LINES: "Fine lines",
    Concern.STRETCH_MARKS: "Stretch marks",
    Concern.SURGICAL_SCARS: "Scars from surgery or an injury",
}

# Spots today; the IGA estimate for each answer is in the protocol (`prescreen:`).
SPOTS: Choices = (
    ("none", "None"),
    ("few", "A few spots"),
    ("many", "Many spots"),
    ("lumps", "Painful lumps under the skin"),
    (UNSURE, NOT_SURE_LABEL),
)

SEX: Choices = (
    ("female", "Female"),
    ("male", "Male"),
    ("other", "Other"),
    (UNSURE, "I'd rather not say"),
)
DERMATOSIS: Choices = (
    (DermatosisActivity.NONE.value, "No, I don't have it"),
    (DermatosisActivity.INACTIVE.value, "Yes, but it's calm at the moment"),
    (DermatosisActivity.ACTIVE_ELSEWHERE.value, "Yes, flaring, but not where I want treatment"),
    (DermatosisActivity.ACTIVE_IN_AREA.value, "Yes, flaring where I want treatment"),
    (UNSURE, NOT_SURE_LABEL),
)
DIABETES: Choices = (
    (DiabetesStatus.NONE.value, "No"),
    (DiabetesStatus.CONTROLLED.value, "Yes, and it is well controlled"),
    (DiabetesStatus.UNCONTROLLED.value, "Yes, and it is not well controlled"),
    (UNSURE, NOT_SURE_LABEL),
)
ISOTRETINOIN: Choices = (
    ("never", "No, never"),
    ("now", "Yes, I take it now"),
    ("stopped", "I took it in the past and have stopped"),
    (UNSURE, NOT_SURE_LABEL),
)
RETINOIDS: Choices = (
    ("no", "No"),
    ("now", "Yes, I use them now"),
    ("stopped", "I used them before and have stopped"),
    (UNSURE, NOT_SURE_LABEL),
)

# Simple yes / no / not sure answers: question key -> intake path.
YES_NO_PATHS: dict[str, str] = {
    "pregnant": "pregnant",
    "breastfeeding": "breastfeeding",
    "guardian": "guardian_present",
    "cold_sores_ever": "history.hsv_history",
    "cold_sore_now": "history.active_cold_sore",
    "infection_now": "history.skin_infection_in_area",
    "wound_now": "history.open_wound_in_area",
    "keloid": "history.keloid_tendency",
    "vitiligo": "history.vitiligo",
    "darkening": "history.pih_history",
    "bleeding_disorder": "history.bleeding_disorder",
    "blood_thinners": "medications.anticoagulants",
    "immune": "history.immunosuppression",
    "immune_medicines": "medications.immunosuppressants",
    "radiotherapy": "history.radiotherapy_to_area",
    "skin_cancer": "history.skin_cancer_in_area",
    "connective_tissue": "history.collagen_vascular_disease",
    "metal_allergy": "history.metal_allergy",
    "numbing_allergy": "history.topical_anaesthetic_allergy",
    "implanted_device": "history.implanted_electronic_device",
    "metal_implants": "history.metal_implants_in_area",
    "earlier_reaction": "history.previous_microneedling_reaction",
}
# Facts the clinic decides rather than the person (which products it applies): an open one is
# not a question to put back to the person.
CLINIC_DECIDES = frozenset({"products_to_apply", "other_products"})
DERMATOSES = ("eczema", "psoriasis", "rosacea", "lichen_planus")
# Recent procedures: question key -> (intake path, screening rule whose period the label quotes).
PROCEDURES: dict[str, tuple[str, str, str]] = {
    "peel": ("procedures.chemical_peel", "recent_chemical_peel", "A chemical peel"),
    "laser": ("procedures.laser", "recent_laser", "Laser or IPL (light) treatment"),
    "filler": ("procedures.filler", "recent_filler", "Filler injections"),
    "toxin": (
        "procedures.botulinum_toxin",
        "recent_botulinum_toxin",
        "Anti-wrinkle injections (botulinum toxin)",
    ),
}


# ---------------------------------------------------------------- periods from the protocol


def _rule_condition(code: str, *, applies: bool = False) -> Condition | None:
    for compiled in default_protocol().rules:
        if compiled.rule.code == code:
            return compiled.rule.applies_when if applies else compiled.rule.when
    return None


def period_text(period: Period) -> str:
    if period.days is not None:
        if period.days % 7 == 0 and period.days >= 14:
            return f"{period.days // 7} weeks"
        return f"{period.days} day{'s' if period.days != 1 else ''}"
    months = period.months or 0
    return f"{months} month{'s' if months != 1 else ''}"


def rule_period(code: str) -> str | None:
    """The rule's wash-out window in words ("30 days", "6 months"), or None."""
    window = default_protocol().rule_window(code)
    return period_text(window) if window is not None else None


def age_of_majority() -> int | None:
    """The first adult age, from the protocol's minor rule (`applies_when: age lte N`)."""
    condition = _rule_condition("minor_without_guardian", applies=True)
    if condition is None or condition.lte is None:
        return None
    return int(condition.lte) + 1


def _recently(code: str) -> str:
    period = rule_period(code)
    return f"in the last {period}" if period else "recently"


# ---------------------------------------------------------------- the questions


@cache
def questions() -> tuple[Question, ...]:
    adult = age_of_majority()
    minor = f"If you are under {adult}" if adult else "If you are under age"
    qs: list[Question] = [
        Question(
            "age",
            "How old are you?",
            "about",
            kind="int",
            facts=("age",),
            required=True,
        ),
        Question("sex", "Sex", "about", choices=SEX, facts=("sex",)),
        Question(
            "pregnant",
            "Are you pregnant, or could you be?",
            "about",
            facts=("pregnant",),
            help="Leave blank if this cannot apply to you.",
            ask="Whether you are, or could be, pregnant",
        ),
        Question(
            "breastfeeding",
            "Are you breastfeeding?",
            "about",
            facts=("breastfeeding",),
            help="Leave blank if this cannot apply to you.",
            ask="Whether you are breastfeeding",
        ),
        Question(
            "guardian",
            f"{minor}: will a parent or guardian come with you?",
            "about",
            facts=("guardian_present",),
            help="Leave blank if you are an adult.",
            ask="Whether a parent or guardian can come with you",
        ),
        Question(
            "skin_type",
            "Which best describes your skin?",
            "skin",
            choices=SKIN_TYPES,
            facts=("fitzpatrick",),
            help=(
                "Think of how your skin reacts to strong sun without protection. Clinicians "
                "call this your skin type (the Fitzpatrick scale)."
            ),
            ask="Your skin type: how your skin reacts to the sun",
        ),
        Question(
            "concerns",
            "What bothers you about your skin?",
            "skin",
            kind="multi",
            choices=tuple(CONCERN_LABELS.items()),
            facts=("concerns",),
            help="Tick all that apply.",
        ),
        Question(
            "zones",
            "Which areas would you like treated?",
            "skin",
            kind="multi",
            choices=tuple(ZONE_LABELS.items()),
            facts=("zones",),
            required=True,
            help="Tick all that apply.",
        ),
        Question(
            "spots",
            "How many spots do you have today?",
            "skin",
            choices=SPOTS,
            facts=("active_acne.present", "active_acne.iga"),
            help="Your own estimate is fine: the clinician will look at your skin.",
            ask="How many spots (active acne) you have at the moment",
        ),
        Question(
            "raised_scars",
            "Are any of your scars raised, thick or lumpy (above the skin, not dips)?",
            "skin",
            facts=("scars.counts.hypertrophic", "scars.counts.keloid"),
            ask="Whether any of your scars are raised",
        ),
        Question(
            "cold_sores_ever",
            "Have you ever had cold sores?",
            "health",
            facts=("history.hsv_history",),
            ask="Whether you have ever had cold sores",
        ),
        Question(
            "cold_sore_now",
            "Do you have a cold sore right now?",
            "health",
            facts=("history.active_cold_sore",),
            ask="Whether you have a cold sore at the moment",
        ),
        Question(
            "infection_now",
            "Do you have a skin infection where you want treatment (including warts or impetigo)?",
            "health",
            facts=("history.skin_infection_in_area",),
            ask="Whether there is a skin infection where you want treatment",
        ),
        Question(
            "wound_now",
            "Is there a cut, open wound or broken skin where you want treatment?",
            "health",
            facts=("history.open_wound_in_area",),
            ask="Whether there is broken skin where you want treatment",
        ),
        Question(
            "keloid",
            "Have you ever had a scar that grew raised and thick, or bigger than the wound "
            "(a keloid)?",
            "health",
            facts=("history.keloid_tendency",),
            ask="Whether you tend to form raised or thick scars (keloids)",
        ),
    ]
    names = {
        "eczema": "eczema",
        "psoriasis": "psoriasis",
        "rosacea": "rosacea (facial redness and flushing)",
        "lichen_planus": "lichen planus",
    }
    for key in DERMATOSES:
        qs.append(
            Question(
                key,
                f"Do you have {names[key]}?",
                "health",
                choices=DERMATOSIS,
                facts=(f"history.dermatoses.{key}",),
                ask=f"Whether you have {names[key]}, and whether it is flaring",
            )
        )
    qs += [
        Question(
            "vitiligo",
            "Do you have vitiligo (pale patches where the skin has lost its colour)?",
            "health",
            facts=("history.vitiligo",),
            ask="Whether you have vitiligo",
        ),
        Question(
            "darkening",
            "Has your skin ever gone darker in patches after spots, cuts or treatments?",
            "health",
            facts=("history.pih_history",),
            ask="Whether your skin tends to darken after spots or injuries",
        ),
        Question(
            "bleeding_disorder",
            "Do you have a bleeding or clotting condition (such as haemophilia)?",
            "health",
            facts=("history.bleeding_disorder",),
            ask="Whether you have a bleeding or clotting condition",
        ),
        Question(
            "diabetes",
            "Do you have diabetes?",
            "health",
            choices=DIABETES,
            facts=("history.diabetes",),
            ask="Whether you have diabetes, and how well controlled it is",
        ),
        Question(
            "immune",
            "Is your immune system weakened (for example by HIV, chemotherapy or a transplant)?",
            "health",
            facts=("history.immunosuppression",),
            ask="Whether your immune system is weakened",
        ),
        Question(
            "radiotherapy",
            "Have you ever had radiotherapy on the area you want treated?",
            "health",
            facts=("history.radiotherapy_to_area",),
            ask="Whether the area has had radiotherapy",
        ),
        Question(
            "skin_cancer",
            "Is there a skin cancer, a mole that has changed, or a rough scaly patch where "
            "you want treatment?",
            "health",
            facts=("history.skin_cancer_in_area",),
            ask="Whether there is a skin cancer or changing mole in the area",
        ),
        Question(
            "connective_tissue",
            "Do you have scleroderma, lupus or another connective-tissue disease?",
            "health",
            facts=("history.collagen_vascular_disease",),
            ask="Whether you have scleroderma, lupus or a similar condition",
        ),
        Question(
            "metal_allergy",
            "Are you allergic to nickel or other metals?",
            "health",
            facts=("history.metal_allergy",),
            ask="Whether you are allergic to metals",
        ),
        Question(
            "numbing_allergy",
            "Are you allergic to numbing creams?",
            "health",
            facts=("history.topical_anaesthetic_allergy",),
            ask="Whether you are allergic to numbing creams",
        ),
        Question(
            "implanted_device",
            "Do you have a pacemaker, an implanted defibrillator or another electronic device "
            "implanted in your body?",
            "health",
            facts=("history.implanted_electronic_device",),
            ask="Whether you have a pacemaker or another implanted electronic device",
        ),
        Question(
            "metal_implants",
            "Do you have metal implants (such as plates, screws or wires) under the skin where "
            "you want treatment?",
            "health",
            facts=("history.metal_implants_in_area",),
            ask="Whether there are metal implants where you want treatment",
        ),
        Question(
            "earlier_reaction",
            "Have you ever had a bad reaction to microneedling, or to a cream or serum used "
            "during it (for example firm red lumps, a rash or an allergy)?",
            "health",
            facts=("history.previous_microneedling_reaction",),
            ask="Whether you have had a reaction to microneedling or to a product used during it",
        ),
        Question(
            "blood_thinners",
            "Do you take a blood thinner (for example warfarin, apixaban, clopidogrel or aspirin)?",
            "medicines",
            facts=("medications.anticoagulants",),
            ask="Whether you take a blood thinner",
        ),
        Question(
            "immune_medicines",
            "Do you take medicines that lower the immune system, or steroid tablets or injections?",
            "medicines",
            facts=("medications.immunosuppressants",),
            ask="Whether you take medicines that lower the immune system",
        ),
        Question(
            "isotretinoin",
            "Have you ever taken isotretinoin tablets (Roaccutane, Accutane) for acne?",
            "medicines",
            choices=ISOTRETINOIN,
            facts=("medications.isotretinoin",),
            ask="Whether you have taken isotretinoin, and when your last dose was",
        ),
        Question(
            "isotretinoin_month",
            "If you have stopped: in which month was your last dose?",
            "medicines",
            kind="month",
            facts=("medications.isotretinoin",),
            help="For example 2025-03. Leave blank if you don't remember.",
        ),
        Question(
            "retinoids",
            "Do you use retinoid creams (such as tretinoin or adapalene), acid exfoliants "
            "(AHA/BHA) or benzoyl peroxide?",
            "medicines",
            choices=RETINOIDS,
            facts=("medications.topical_retinoids",),
            ask="Whether you use retinoid creams or acid exfoliants",
        ),
        Question(
            "sun",
            f"Have you had a tan or sunburn, or used a sunbed, {_recently('recent_sun_exposure')}?",
            "medicines",
            choices=(
                ("no", "No"),
                ("now", "Yes, I have a tan or sunburn now"),
                ("past", "Yes, but it has faded (give the date below if you know it)"),
                (UNSURE, NOT_SURE_LABEL),
            ),
            facts=("sun_exposure",),
            ask="Whether you have had a tan or sunburn recently, and when",
        ),
        Question(
            "sun_date",
            "When was that, roughly?",
            "medicines",
            kind="date",
            facts=("sun_exposure",),
        ),
    ]
    for key, (path, code, name) in PROCEDURES.items():
        recently = _recently(code)
        qs += [
            Question(
                key,
                f"{name} on the area {recently}?",
                "medicines",
                choices=(
                    ("no", f"No, not {recently}"),
                    ("yes", "Yes (give the date below if you know it)"),
                    (UNSURE, NOT_SURE_LABEL),
                ),
                facts=(path,),
                ask=f"{name}: whether you have had it {recently}, and when",
            ),
            Question(f"{key}_date", "Date", "medicines", kind="date", facts=(path,)),
        ]
    qs += [
        Question(
            "own_product",
            "Would you like a serum or product of your own (for example vitamin C) to be put "
            "on your skin during treatment?",
            "other",
            choices=(
                ("no", "No, I'll leave that to the clinic"),
                ("yes", "Yes (you can name it below)"),
                (UNSURE, NOT_SURE_LABEL),
            ),
            facts=("products_to_apply", "other_products"),
        ),
        Question(
            "own_product_name",
            "Which product?",
            "other",
            kind="text",
            max_length=MAX_PRODUCT_NAME,
            facts=("other_products",),
            help="Optional.",
        ),
    ]
    qs.append(
        Question(
            "other",
            "Is there anything else you'd like the clinic to know?",
            "other",
            kind="text",
            help="Optional. Please don't include other people's details.",
        )
    )
    return tuple(qs)


def question_map() -> dict[str, Question]:
    return {q.key: q for q in questions()}


# Follow-up date questions belong to the question before them.
DATE_OF: dict[str, str] = {
    "isotretinoin_month": "isotretinoin",
    "sun_date": "sun",
    **{f"{key}_date": key for key in PROCEDURES},
}
# Every follow-up (a date, a name) with the question it belongs to: shown only when given.
FOLLOW_UP_OF: dict[str, str] = {**DATE_OF, "own_product_name": "own_product"}
# The choices of the main question that a date can go with.
DATED_CHOICES: dict[str, frozenset[str]] = {
    "isotretinoin": frozenset({"stopped"}),
    "sun": frozenset({"past"}),
    **{key: frozenset({"yes"}) for key in PROCEDURES},
}


# ---------------------------------------------------------------- answers -> intake


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _yes_no(value: Any) -> str:
    return value if value in ("yes", "no") else "unknown"


def month_end(month: str, today: date) -> date | None:
    """The last day of "YYYY-MM" (never after today): the safe end for a wash-out count."""
    try:
        year_text, month_text = month.split("-")
        year, mon = int(year_text), int(month_text)
        last = date(year, mon, calendar.monthrange(year, mon)[1])
    except (ValueError, TypeError):
        return None
    return min(last, today)


def _exposure(status: str, when: date | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"status": status}
    if when is not None and status == ExposureStatus.PAST:
        data["last_date"] = when.isoformat()
    return data


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def build_intake(answers: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    """The engine Intake (as a dict) for the answers. "Not sure" and blank become unknown."""
    a = answers
    intake: dict[str, Any] = {
        "age": a["age"],
        "sex": a.get("sex") if a.get("sex") in ("female", "male", "other") else "unknown",
        "zones": list(a.get("zones") or []),
        "concerns": list(a.get("concerns") or []),
    }
    for key, path in YES_NO_PATHS.items():
        _set(intake, path, _yes_no(a.get(key)))
    skin = a.get("skin_type")
    if skin in {f.value for f in Fitzpatrick}:
        intake["fitzpatrick"] = skin
    spots = a.get("spots")
    estimates = default_protocol().document.prescreen.spots_to_iga  # clinical mapping: data
    if spots in estimates:
        iga = estimates[spots]
        intake["active_acne"] = {"present": "no" if iga == 0 else "yes", "iga": iga}
    else:
        intake["active_acne"] = {"present": "unknown"}
    if a.get("raised_scars") == "yes":
        # "Some are raised": at least one; the clinician counts them at the consultation.
        intake["scars"] = {"counts": {"hypertrophic": 1}}
    activities = {d.value for d in DermatosisActivity}
    for key in DERMATOSES:
        value = a.get(key)
        _set(intake, f"history.dermatoses.{key}", value if value in activities else "unknown")
    diabetes = a.get("diabetes")
    _set(
        intake,
        "history.diabetes",
        diabetes if diabetes in {d.value for d in DiabetesStatus} else "unknown",
    )

    iso = a.get("isotretinoin")
    if iso == "never":
        _set(intake, "medications.isotretinoin", _exposure("no"))
    elif iso == "now":
        _set(intake, "medications.isotretinoin", _exposure("current"))
    elif iso == "stopped":
        month = a.get("isotretinoin_month")
        when = month_end(month, today) if month else None
        _set(intake, "medications.isotretinoin", _exposure("past", when))
    else:
        _set(intake, "medications.isotretinoin", _exposure("unknown"))

    retinoids = {"no": "no", "now": "current", "stopped": "past"}.get(a.get("retinoids") or "")
    _set(intake, "medications.topical_retinoids", _exposure(retinoids or "unknown"))

    sun = {"no": "no", "now": "current", "past": "past"}.get(a.get("sun") or "", "unknown")
    intake["sun_exposure"] = _exposure(sun, _date(a.get("sun_date")))

    for key, (path, _code, _name) in PROCEDURES.items():
        status = {"no": "no", "yes": "past"}.get(a.get(key) or "", "unknown")
        _set(intake, path, _exposure(status, _date(a.get(f"{key}_date"))))

    # The clinic decides what it applies; the person's own product is one it does not list.
    if a.get("own_product") == "yes":
        intake["products_to_apply"] = [OTHER_PRODUCT]
        name = str(a.get("own_product_name") or "").strip()
        if name:
            intake["other_products"] = [name]
    return intake


# ---------------------------------------------------------------- for the clinic


def _drop_unknown(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if value == "unknown" or (isinstance(value, dict) and value.get("status") == "unknown"):
                continue
            cleaned = _drop_unknown(value)
            if cleaned == {}:
                continue
            out[key] = cleaned
        return out
    return node


def consultation_prefill(intake: Mapping[str, Any]) -> dict[str, Any]:
    """What of the pre-screen intake can go straight into a draft consultation.

    The person's own estimates (the acne grade, "some scars are raised") are left for the
    clinician to assess; age and sex come from the patient record; "not sure" stays unknown.
    """
    # The guardian question is about the consultation day, not the pre-screen's plan.
    # What the clinic applies is its own choice, not the person's wish.
    skip = ("age", "sex", "scars", "device", "guardian_present", *CLINIC_DECIDES)
    data = {k: v for k, v in intake.items() if k not in skip}
    acne = dict(data.get("active_acne") or {})
    acne.pop("iga", None)
    data["active_acne"] = acne
    cleaned: dict[str, Any] = _drop_unknown(data)
    if not cleaned.get("concerns"):
        cleaned.pop("concerns", None)
    return cleaned


def choice_label(question: Question, value: Any) -> str:
    if value in (None, "", []):
        return "Not answered"
    if question.kind == "multi":
        labels = dict(question.choices)
        return ", ".join(labels.get(v, str(v)) for v in value)
    if question.kind == "choice":
        return dict(question.choices).get(str(value), str(value))
    return str(value)


def answers_in_words(answers: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(section title, question, answer) for every question, in questionnaire order."""
    sections = dict(SECTIONS)
    return [
        (sections[q.section], q.label, choice_label(q, answers.get(q.key)))
        for q in questions()
        if not (q.key in FOLLOW_UP_OF and not answers.get(q.key))
    ]


def questions_for_facts(facts: Iterable[str]) -> list[Question]:
    """The main questions that answer any of these intake paths, in questionnaire order."""
    wanted = set(facts)
    return [
        q
        for q in questions()
        if q.key not in FOLLOW_UP_OF and q.ask and wanted.intersection(q.facts)
    ]


def earliest_date() -> date:
    return EARLIEST_DATE

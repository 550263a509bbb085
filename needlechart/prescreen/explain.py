"""The engine's screening, told to a prospective patient kindly, honestly and in plain words.

Wording only: every decision is the engine's. Where a finding depends on a period from the
protocol (a wash-out, a waiting time), the sentence quotes the protocol's own figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from needlechart.prescreen.questionnaire import CLINIC_DECIDES, questions_for_facts, rule_period
from needlechart.protocol import Verdict, default_protocol
from needlechart.protocol.results import Finding, Screening

OutcomeKind = Literal["suitable", "check", "doctor"]

HEADLINES: dict[OutcomeKind, str] = {
    "suitable": "Microneedling is likely suitable for you — a clinician will confirm",
    "check": "Some things need checking or waiting for first",
    "doctor": "Please see a doctor first",
}
SUMMARIES: dict[OutcomeKind, str] = {
    "suitable": (
        "From your answers, nothing stands in the way. This is not a diagnosis: at your "
        "consultation a clinician will look at your skin, go through your answers with you "
        "and confirm whether the treatment is right for you."
    ),
    "check": (
        "From your answers, there are some things the clinic needs to check with you, or that "
        "need time to pass or settle, before microneedling. This is not a diagnosis and not a "
        "refusal: you are welcome to ask for a consultation."
    ),
    "doctor": (
        "Something in your answers means a doctor should advise you before you have "
        "microneedling. This is not a diagnosis. You can still ask for a consultation; the "
        "clinic will talk it through with you."
    ),
}

# Finding code -> a sentence for the person. {period} is the rule's own window.
SENTENCES: dict[str, str] = {
    "skin_infection_in_area": (
        "You have a skin infection where you want treatment. It needs treating and clearing "
        "first; then the clinic can look again."
    ),
    "open_wound_in_area": "There is broken skin where you want treatment. It needs to heal first.",
    "active_cold_sore": (
        "You have a cold sore at the moment. It needs to heal first, and the clinic may arrange "
        "a medicine so that treatment doesn't bring it back."
    ),
    "hsv_history": (
        "You have had cold sores before. Treatment can bring one back, so the clinic may "
        "arrange a medicine to prevent it."
    ),
    "keloid_tendency": (
        "You have had raised or thick scars (keloids) before. Microneedling could cause new "
        "ones, so a doctor should decide whether it is right for you."
    ),
    "raised_scars_present": (
        "Some of your scars are raised. Whether these should be treated with microneedling is "
        "debated, so a doctor should decide."
    ),
    "eczema_active": "Your eczema is flaring where you want treatment. It needs to settle first.",
    "eczema_quiet": (
        "You have eczema, but it is calm where you want treatment. The clinic will take extra "
        "care and stop if it flares."
    ),
    "psoriasis_active": (
        "Your psoriasis is flaring where you want treatment. Needling can cause new patches, so "
        "it needs to settle first."
    ),
    "psoriasis_quiet": (
        "You have psoriasis, but it is calm where you want treatment. The clinic will watch for "
        "new patches."
    ),
    "lichen_planus_active": (
        "Your lichen planus is active where you want treatment. It needs to settle first."
    ),
    "lichen_planus_quiet": (
        "You have lichen planus, but it is calm where you want treatment. The clinic will watch "
        "for new patches."
    ),
    "rosacea_active": (
        "Your rosacea is flaring where you want treatment. A doctor should decide whether "
        "treatment is right for you."
    ),
    "rosacea_quiet": (
        "You have rosacea, but it is calm where you want treatment. The clinic will treat "
        "gently and watch for flushing."
    ),
    "vitiligo": (
        "You have vitiligo. A doctor should weigh up the chance of new pale patches where the "
        "skin is needled."
    ),
    "bleeding_disorder": (
        "You have a bleeding or clotting condition, which raises the risk of bleeding and "
        "bruising. A doctor needs to decide first."
    ),
    "anticoagulants": (
        "You take a blood thinner, which raises the risk of bleeding and bruising. A doctor "
        "needs to agree first. Please never stop a prescribed medicine on your own."
    ),
    "diabetes_uncontrolled": (
        "Your diabetes is not well controlled, which can slow healing. A doctor should decide "
        "first."
    ),
    "immunosuppression": (
        "Your immune system is weakened, which raises the risk of infection and slow healing. "
        "A doctor should decide first."
    ),
    "immunosuppressant_drugs": (
        "You take medicines that lower the immune system (or steroid tablets or injections), "
        "which raise the risk of infection and slow healing. A doctor should decide first."
    ),
    "radiotherapy_to_area": (
        "The area has had radiotherapy, which can affect healing. A doctor should decide first."
    ),
    "skin_cancer_in_area": (
        "You mentioned a skin cancer, a changing mole or a rough patch where you want "
        "treatment. A doctor must check it first: it should never be needled."
    ),
    "collagen_vascular_disease": (
        "You have scleroderma, lupus or a similar condition, which changes how skin heals. "
        "A doctor needs to agree before any microneedling."
    ),
    "diabetes_controlled": (
        "You have diabetes, which can make skin heal more slowly. The clinic will take extra "
        "care and check how your skin heals."
    ),
    "metal_allergy": (
        "You are allergic to metal, and the needles are metal. A doctor should decide first."
    ),
    "topical_anaesthetic_allergy": (
        "You are allergic to numbing creams. The clinic will plan another way to keep you "
        "comfortable."
    ),
    "pregnancy": (
        "You are, or may be, pregnant. There is no safety information on microneedling in "
        "pregnancy, so treatment waits until after pregnancy and breastfeeding."
    ),
    "breastfeeding": (
        "You are breastfeeding. There is no safety information on microneedling while "
        "breastfeeding, so treatment waits until it has ended."
    ),
    "under_minimum_age": (
        "Microneedling is not offered at your age under this clinic's protocol. A doctor can "
        "talk with you and your family about other options."
    ),
    "minor": (
        "Because you are under 18, a doctor will decide with you and a parent or guardian "
        "whether microneedling is right for you."
    ),
    "minor_without_guardian": (
        "Because you are under the age of consent, a parent or guardian needs to come with you."
    ),
    # The pre-screen does not know the device: the pen's labelled age is said as a condition.
    "pen_under_labelled_age": (
        "If the clinic treats you with an automated microneedling pen: it is approved for "
        "adults from {age}, so at your age it would be used 'off-label', which the clinician "
        "will explain."
    ),
    "active_inflammatory_acne": (
        "From your own estimate, you have quite a few spots or painful lumps at the moment. "
        "Active acne is best calmed first (the clinic can help with that); then the scars can "
        "be treated."
    ),
    "mild_acne": (
        "From your own estimate, you have a few spots at the moment. The clinician will avoid "
        "needling over inflamed spots."
    ),
    "rf_with_active_acne": (
        "Radiofrequency microneedling with active spots needs a doctor's plan."
    ),
    "isotretinoin_recent": (
        "You take, or recently took, isotretinoin. The clinic waits {period} after the last "
        "dose before microneedling."
    ),
    "topical_actives_recent": (
        "You stopped retinoid creams or acid exfoliants only recently. The skin needs "
        "{period} without them before treatment."
    ),
    "topical_retinoids_current": (
        "You use retinoid creams or acid exfoliants. You will be asked to stop them for a while "
        "before each session."
    ),
    "recent_sun_exposure": (
        "You have a tan or sunburn from the last {period}. The skin needs {period} to settle "
        "before treatment."
    ),
    "recent_chemical_peel": (
        "You had a chemical peel in the last {period}. Treatment waits until {period} have passed."
    ),
    "recent_laser": (
        "You had laser or light treatment in the last {period}. Treatment waits until "
        "{period} have passed."
    ),
    "recent_filler": (
        "You had filler injections in the last {period}. Treatment waits until {period} have "
        "passed."
    ),
    "recent_botulinum_toxin": (
        "You had anti-wrinkle injections in the last {period}. Treatment waits until {period} "
        "have passed."
    ),
    "pigment_prone_phototype": (
        "Your skin type tans easily and can darken after any irritation. Microneedling is "
        "often a good choice for this skin; the clinic will take extra care, including with "
        "sun protection."
    ),
    "pih_history": (
        "Your skin has darkened after spots or injuries before. The clinic will take extra "
        "care to prevent this."
    ),
    "rf_device": "Radiofrequency microneedling has extra risks the clinician will explain.",
    "gags_moderate_or_worse": (
        "The clinician found quite a lot of active acne. Active acne is best calmed first (the "
        "clinic can help with that); then the scars can be treated."
    ),
    "acne_grades_disagree": (
        "Two ways of grading your acne gave different results; the clinician will look again."
    ),
    "deep_narrow_scars_dominant": (
        "Most of your scars are deep and narrow. Microneedling alone helps these only a "
        "little, so the clinician will talk with you about treatments that can be combined "
        "with it."
    ),
    "rf_implanted_electronic_device": (
        "You have a pacemaker or another implanted electronic device. Radiofrequency "
        "microneedling passes an electrical current through the skin, so a doctor must decide "
        "first."
    ),
    "implanted_electronic_device": (
        "You have a pacemaker or another implanted electronic device. Please bring its details: "
        "the clinic will keep it in mind when choosing the device. Radiofrequency microneedling, "
        "which passes an electrical current through the skin, would need a doctor's advice first."
    ),
    "rf_metal_implants_in_area": (
        "You have metal implants where you want treatment. Radiofrequency microneedling passes "
        "an electrical current through the skin, so a doctor should decide first."
    ),
    "metal_implants_in_area": (
        "You have metal implants where you want treatment. The clinic will keep them in mind "
        "when choosing the device; radiofrequency microneedling, which passes an electrical "
        "current through the skin, would need a doctor's advice first."
    ),
    "previous_microneedling_reaction": (
        "You have had a reaction to microneedling, or to a product used during it, before. A "
        "doctor should look at what happened and decide whether it is safe to treat you again."
    ),
    "unlisted_product_to_apply": (
        "You would like a product of your own used during treatment. Only products approved "
        "for freshly needled skin are used, because some serums (such as vitamin C) have caused "
        "firm lumps under the skin; the clinic will talk this through with you."
    ),
}
FALLBACK = "Something in your answers needs a clinician's look: {title}."


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    headline: str
    summary: str
    reasons: list[str] = field(default_factory=list)
    ask: list[str] = field(default_factory=list)
    rescreen_on: date | None = None


def _rules() -> dict[str, Any]:
    return {c.rule.code: c.rule for c in default_protocol().rules}


def _pen_age() -> str:
    rule = _rules().get("pen_under_labelled_age")
    lte = getattr(getattr(rule, "when", None), "lte", None)
    return str(int(lte) + 1) if lte is not None else "the approved age"


def sentence(finding: Finding) -> str:
    template = SENTENCES.get(finding.code)
    if template is None:
        return FALLBACK.format(title=finding.title.lower())
    text = template.format(
        period=rule_period(finding.code) or "some time",
        age=_pen_age() if "{age}" in template else "",
    )
    if finding.until is not None and finding.severity is Verdict.DEFER:
        text += f" That will be from {finding.until.day} {finding.until:%B %Y}."
    return text


def _facts(code: str) -> list[str]:
    rule = _rules().get(code)
    if rule is None:
        return []
    facts = list(rule.when.facts())
    if rule.applies_when is not None:
        facts += rule.applies_when.facts()
    return facts


def things_to_ask(screening: Screening, answers: Mapping[str, Any]) -> list[str]:
    """What the clinic still has to ask: the questions behind the engine's unanswered findings
    (mostly the "not sure" answers), plus "not sure" on raised scars, which the engine counts
    rather than asks."""
    items: list[str] = []
    for finding in screening.findings:
        if not finding.unanswered:
            continue
        facts = _facts(finding.code)
        if facts and CLINIC_DECIDES.issuperset(facts):
            continue  # the clinic's own choice, not a question for the person
        matched = questions_for_facts(facts)
        texts = [q.ask for q in matched] or [FALLBACK.format(title=finding.title.lower())]
        items += [t for t in texts if t not in items]
    if answers.get("raised_scars") in (None, "", "unsure"):
        raised = next(q for q in questions_for_facts(["scars.counts.hypertrophic"]))
        if raised.ask not in items:
            items.append(raised.ask)
    return items


def explain(screening: Screening, answers: Mapping[str, Any]) -> Outcome:
    verdict = screening.verdict
    ask = things_to_ask(screening, answers)
    reasons: list[str] = []
    for finding in screening.findings:
        if finding.unanswered:
            continue
        text = sentence(finding)
        if text not in reasons:
            reasons.append(text)
    kind: OutcomeKind
    if verdict in (Verdict.REFER_TO_PHYSICIAN, Verdict.NOT_A_CANDIDATE):
        kind = "doctor"
    elif verdict is Verdict.DEFER or ask:
        # An unanswered question is never "likely suitable", whatever the verdict.
        kind = "check"
    else:
        kind = "suitable"
    return Outcome(
        kind=kind,
        headline=HEADLINES[kind],
        summary=SUMMARIES[kind],
        reasons=reasons,
        ask=ask,
        rescreen_on=screening.rescreen_on if verdict is Verdict.DEFER else None,
    )

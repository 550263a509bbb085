"""Grading: Goodman & Baron qualitative grade and quantitative score, IGA and GAGS.

The point values, bands and definitions come from the protocol; this module only applies
them. The quantitative table is labelled unverified in the default protocol, and the label
travels with every score.
"""

from __future__ import annotations

from .document import QualitativeGrading, QuantitativeGrading
from .intake import ActiveAcne, Scars
from .loader import Protocol, default_protocol
from .results import AcneGrade, Grading, QualitativeGrade, QuantitativeScore
from .vocabulary import Answer


class GradingError(ValueError):
    """Input the grading tables cannot score (an unknown category code)."""


def grade(scars: Scars, acne: ActiveAcne, *, protocol: Protocol | None = None) -> Grading:
    protocol = protocol or default_protocol()
    # Grades without a GAGS map take a handful of values: build each once per protocol.
    memo: dict[object, object] = protocol.memo.setdefault("grading", {})
    counts = scars.counts
    # Everything the qualitative grade depends on (see qualitative_grade).
    q_key = (
        counts.atrophic + counts.raised > 0,
        counts.macular > 0,
        scars.visible_at_social_distance,
        scars.flatten_on_stretch,
    )
    qualitative = memo.get(q_key)
    if qualitative is None:
        qualitative = memo[q_key] = qualitative_grade(scars, protocol)
    acne_result = memo.get(acne.iga) if acne.gags is None else None
    if acne_result is None:
        acne_result = acne_grade(acne, protocol)
        if acne.gags is None:
            memo[acne.iga] = acne_result
    return Grading.build(
        qualitative=qualitative,
        quantitative=quantitative_score(scars, protocol),
        acne=acne_result,
        protocol=protocol.ref,
    )


def qualitative_grade(scars: Scars, protocol: Protocol) -> QualitativeGrade:
    """Suggest a Goodman & Baron grade from the recorded facts; the clinician confirms it.

    Grade 1 is a colour problem only; 2 is contour change not obvious at social distance; 3
    is obvious but flattens on stretching; 4 is obvious and does not flatten.
    """
    table = protocol.document.grading.goodman_baron_qualitative
    counts = scars.counts
    contour = counts.atrophic + counts.raised
    if contour == 0:
        if counts.macular == 0:
            return _qualitative(table, None, "No scars recorded.")
        return _qualitative(table, 1, "Only macular (flat) marks recorded.")
    visible, flattens = scars.visible_at_social_distance, scars.flatten_on_stretch
    if visible is Answer.NO:
        return _qualitative(table, 2, "Contour scars not obvious at social distance (~50 cm).")
    if visible is Answer.YES and flattens is Answer.YES:
        return _qualitative(table, 3, "Obvious at ~50 cm and flattens when the skin is stretched.")
    if visible is Answer.YES and flattens is Answer.NO:
        return _qualitative(table, 4, "Obvious at ~50 cm and does not flatten on stretching.")
    missing = [
        q
        for q, a in (
            ("Are the scars obvious at ~50 cm?", visible),
            ("Do they flatten when the skin is stretched?", flattens),
        )
        if a is Answer.UNKNOWN
    ]
    return _qualitative(table, None, "Cannot grade yet: " + " ".join(missing))


def _qualitative(table: QualitativeGrading, grade: int | None, reason: str) -> QualitativeGrade:
    entry = table.grades.get(grade) if grade is not None else None
    return QualitativeGrade.build(
        grade=grade,
        level=entry.level if entry else None,
        definition=entry.definition if entry else None,
        reason=reason,
        sources=table.sources,
    )


def quantitative_score(scars: Scars, protocol: Protocol) -> QuantitativeScore | None:
    """Sum of points per category by count band, plus the hyperplastic area band."""
    if scars.quantitative_counts is None and scars.hyperplastic_area_cm2 is None:
        return None
    table = protocol.document.grading.goodman_baron_quantitative
    categories = protocol.memo.get("quantitative_categories")
    if categories is None:
        categories = protocol.memo["quantitative_categories"] = {
            c.code: c for c in table.categories
        }
    per_category: dict[str, int] = {}
    for code, count in (scars.quantitative_counts or {}).items():
        if code not in categories:
            known = ", ".join(categories)
            raise GradingError(f"unknown quantitative category '{code}' (known: {known})")
        if count < 0:
            raise GradingError(f"count for '{code}' cannot be negative")
        band = _count_band(table, count)
        per_category[code] = 0 if band is None else categories[code].points[band]
    if scars.hyperplastic_area_cm2:
        per_category["d_hyperplastic_area"] = _area_points(table, scars.hyperplastic_area_cm2)
    return QuantitativeScore.build(
        score=sum(per_category.values()),
        per_category=per_category,
        verified=table.verified,
        label=table.label,
        sources=table.sources,
    )


def _count_band(table: QuantitativeGrading, count: int) -> int | None:
    for index, band in enumerate(table.count_bands):
        if count >= band.low and (band.high is None or count <= band.high):
            return index
    return None  # zero scars of the category


def _area_points(table: QuantitativeGrading, area_cm2: float) -> int:
    for band in table.hyperplastic_area_bands:
        if band.holds(area_cm2):
            return band.points
    return table.hyperplastic_area_bands[-1].points


def acne_grade(acne: ActiveAcne, protocol: Protocol) -> AcneGrade:
    grading = protocol.document.grading
    score = band = None
    if acne.gags is not None:
        score = grading.gags.score(acne.gags)
        band = grading.gags.band(score)
    return AcneGrade.build(
        iga=acne.iga,
        iga_descriptor=grading.iga.grades.get(acne.iga) if acne.iga is not None else None,
        gags_score=score,
        gags_band=band,
        sources=[*grading.iga.sources, *grading.gags.sources],
    )

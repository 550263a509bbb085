"""Hypothesis strategies for varied, valid intakes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from needlechart.protocol.intake import MedicalHistory
from needlechart.protocol.vocabulary import (
    Concern,
    DermatosisActivity,
    Device,
    DiabetesStatus,
    Fitzpatrick,
    GagsLesion,
    GagsRegion,
    Zone,
)

from .builders import TODAY

ANSWERS = st.sampled_from(["yes", "no", "unknown"])
ANSWER_FIELDS = list(MedicalHistory.yes_no_questions())


@st.composite
def exposures(draw: st.DrawFn) -> dict[str, Any]:
    status = draw(st.sampled_from(["no", "current", "past", "unknown"]))
    if status == "past" and draw(st.booleans()):
        days_ago = draw(st.integers(min_value=0, max_value=800))
        return {"status": status, "last_date": (TODAY - timedelta(days=days_ago)).isoformat()}
    return {"status": status}


def gags() -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(
        st.sampled_from([r.value for r in GagsRegion]),
        st.sampled_from([lesion.value for lesion in GagsLesion]),
    )


@st.composite
def intakes(draw: st.DrawFn) -> dict[str, Any]:
    acne_present = draw(ANSWERS)
    iga = (
        None
        if acne_present == "no" and draw(st.booleans())
        else draw(st.none() | st.integers(min_value=0, max_value=4))
    )
    if acne_present == "no":
        iga = draw(st.sampled_from([None, 0]))
    return {
        "age": draw(st.integers(min_value=12, max_value=90)),
        "sex": draw(st.sampled_from(["female", "male", "other", "unknown"])),
        "pregnant": draw(ANSWERS),
        "breastfeeding": draw(ANSWERS),
        "guardian_present": draw(ANSWERS),
        "fitzpatrick": draw(st.none() | st.sampled_from([f.value for f in Fitzpatrick])),
        "concerns": draw(st.lists(st.sampled_from([c.value for c in Concern]), unique=True)),
        "device": draw(st.sampled_from([d.value for d in Device])),
        "zones": draw(
            st.lists(st.sampled_from([z.value for z in Zone]), min_size=1, max_size=5, unique=True)
        ),
        "active_acne": {"present": acne_present, "iga": iga, "gags": draw(st.none() | gags())},
        "scars": {
            "counts": {
                k: draw(st.integers(min_value=0, max_value=40))
                for k in (
                    "ice_pick",
                    "boxcar_shallow",
                    "boxcar_deep",
                    "rolling",
                    "macular",
                    "hypertrophic",
                    "keloid",
                )
            },
            "flatten_on_stretch": draw(ANSWERS),
            "visible_at_social_distance": draw(ANSWERS),
        },
        "history": {
            **{name: draw(ANSWERS) for name in ANSWER_FIELDS},
            "dermatoses": {
                k: draw(st.sampled_from([a.value for a in DermatosisActivity]))
                for k in ("eczema", "psoriasis", "rosacea", "lichen_planus")
            },
            "diabetes": draw(st.sampled_from([d.value for d in DiabetesStatus])),
        },
        "medications": {
            "isotretinoin": draw(exposures()),
            "anticoagulants": draw(ANSWERS),
            "immunosuppressants": draw(ANSWERS),
            "topical_retinoids": draw(exposures()),
            "antiviral_prophylaxis": draw(ANSWERS),
        },
        "sun_exposure": draw(exposures()),
        "procedures": {
            k: draw(exposures()) for k in ("chemical_peel", "laser", "filler", "botulinum_toxin")
        },
        # None: not decided yet; "other" and an unlisted code are outside the protocol's list.
        "products_to_apply": draw(
            st.none()
            | st.lists(
                st.sampled_from(["kit_hyaluronic_gel", "other", "vitamin_c_serum"]), unique=True
            )
        ),
    }

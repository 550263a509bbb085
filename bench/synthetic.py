"""Deterministic synthetic intakes for benchmarks (no real patient data, ever)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from needlechart.protocol.intake import MedicalHistory

ANSWERS = ("no",) * 45 + ("yes",) * 3 + ("unknown",) * 2  # mostly "no", as in a real clinic
HISTORY = MedicalHistory.yes_no_questions()
ZONES = (
    "forehead",
    "temples",
    "periorbital",
    "nose",
    "cheeks",
    "perioral",
    "chin",
    "jawline",
    "neck",
)
# Mostly the kit's listed glide; sometimes undecided or an unlisted serum.
PRODUCTS = (["kit_hyaluronic_gel"],) * 8 + (None, ["kit_hyaluronic_gel", "other"])
CONCERNS = (
    "acne_scars",
    "active_acne",
    "post_inflammatory_pigmentation",
    "texture_pores",
    "fine_lines",
)


def _exposure(rng: random.Random, today: date) -> dict[str, Any]:
    status = rng.choice(("no", "no", "no", "past", "current", "unknown"))
    if status == "past":
        return {
            "status": status,
            "last_date": (today - timedelta(days=rng.randint(0, 700))).isoformat(),
        }
    return {"status": status}


def intake_dicts(
    count: int, *, seed: int = 7, today: date = date(2026, 11, 21)
) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        acne = rng.choice(("yes", "no", "no", "unknown"))
        out.append(
            {
                "age": rng.randint(14, 75),
                "sex": rng.choice(("female", "male", "other")),
                "pregnant": rng.choice(ANSWERS),
                "breastfeeding": rng.choice(ANSWERS),
                "guardian_present": rng.choice(ANSWERS),
                "fitzpatrick": rng.choice(("I", "II", "III", "IV", "V", "VI")),
                "concerns": rng.sample(CONCERNS, rng.randint(1, 3)),
                "device": rng.choice(
                    ("roller", "automated_pen", "automated_pen", "rf_microneedling")
                ),
                "zones": rng.sample(ZONES, rng.randint(1, 4)),
                "active_acne": {
                    "present": acne,
                    "iga": None if acne == "no" else rng.randint(0, 4),
                },
                "scars": {
                    "counts": {
                        k: rng.randint(0, 25)
                        for k in ("ice_pick", "boxcar_shallow", "boxcar_deep", "rolling", "macular")
                    },
                    "flatten_on_stretch": rng.choice(ANSWERS),
                    "visible_at_social_distance": rng.choice(ANSWERS),
                    "quantitative_counts": {
                        "b_punched_shallow": rng.randint(0, 30),
                        "c_punched_deep_normal": rng.randint(0, 15),
                    },
                },
                "history": {
                    **{k: rng.choice(ANSWERS) for k in HISTORY},
                    "dermatoses": {
                        k: rng.choice(("none", "none", "inactive", "active_in_area"))
                        for k in ("eczema", "psoriasis", "rosacea", "lichen_planus")
                    },
                    "diabetes": rng.choice(("none", "none", "controlled", "uncontrolled")),
                },
                "medications": {
                    "isotretinoin": _exposure(rng, today),
                    "anticoagulants": rng.choice(ANSWERS),
                    "immunosuppressants": rng.choice(ANSWERS),
                    "topical_retinoids": _exposure(rng, today),
                    "antiviral_prophylaxis": rng.choice(ANSWERS),
                },
                "sun_exposure": _exposure(rng, today),
                "procedures": {
                    k: _exposure(rng, today)
                    for k in ("chemical_peel", "laser", "filler", "botulinum_toxin")
                },
                "products_to_apply": rng.choice(PRODUCTS),
            }
        )
    return out

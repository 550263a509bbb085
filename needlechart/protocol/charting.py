"""Session-day helpers: the day-of re-screen and the consent text's clinical parts."""

from __future__ import annotations

from typing import Any

from .document import ConsentItem
from .intake import Intake
from .loader import Protocol, default_protocol
from .vocabulary import Device


class ChecklistError(ValueError):
    """An answer to a question the protocol's checklist does not have."""


def day_of_intake(
    intake: Intake,
    answered_yes: set[str],
    *,
    answered_no: set[str] | frozenset[str] = frozenset(),
    protocol: Protocol | None = None,
) -> tuple[Intake, list[str]]:
    """The intake as it stands today, after the day-of checklist.

    Returns the updated intake (to screen again) and the codes answered "yes" that change no
    intake fact — those need the clinician's review (e.g. a new medicine to add to the
    consultation). A "no" fills only facts the consultation left unknown (`fills_on_no`).
    """
    protocol = protocol or default_protocol()
    checklist = {item.code: item for item in protocol.document.charting.day_of_checklist}
    unknown = (answered_yes | answered_no) - set(checklist)
    if unknown:
        raise ChecklistError(f"not on the day-of checklist: {', '.join(sorted(unknown))}")
    data: dict[str, Any] = intake.model_dump(mode="json")
    for code in (c for c in checklist if c in answered_no and c not in answered_yes):
        for path, answer in checklist[code].fills_on_no.items():
            node, leaf = _parent(data, path)
            if node.get(leaf, "unknown") in ("unknown", None):
                node[leaf] = answer
                if leaf == "status" and answer == "no":
                    node.pop("last_date", None)  # "none in the window" has no last date
    needs_review = []
    for code in (c for c in checklist if c in answered_yes):
        item = checklist[code]
        if not item.sets:
            needs_review.append(code)
        for path, value in item.sets.items():
            node, leaf = _parent(data, path)
            if isinstance(value, list):
                current = node.get(leaf) or []
                node[leaf] = [*current, *(v for v in value if v not in current)]
            else:
                node[leaf] = value
            if leaf == "status" and value in ("current", "no"):
                node.pop("last_date", None)  # a current exposure has no "last" date yet
    return Intake.model_validate(data), needs_review


def _parent(data: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    """The dict holding a dotted path's last part (created on the way), and that part."""
    *parents, leaf = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    return node, leaf


def consent_risks(device: Device, *, protocol: Protocol | None = None) -> list[ConsentItem]:
    """The risks to explain for this device (RF-only risks only for RF)."""
    protocol = protocol or default_protocol()
    return [
        risk
        for risk in protocol.document.consent.risks
        if risk.applies_to_devices is None or device in risk.applies_to_devices
    ]


def glide_product_listed(code: str, *, protocol: Protocol | None = None) -> bool:
    protocol = protocol or default_protocol()
    return any(p.code == code for p in protocol.document.charting.glide_products)

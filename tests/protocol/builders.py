"""Intake builders for engine tests: a fully answered, clear patient, then one change at a time."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from needlechart.protocol import Intake

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = date(2026, 11, 21)


def clear_data() -> dict[str, Any]:
    """The bundled clear candidate (examples/01): every safety question answered 'no'."""
    data = yaml.safe_load((EXAMPLES / "01-proceed-rolling-scars.yaml").read_text())
    assert isinstance(data, dict)
    return data


def with_changes(data: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply dotted-path changes, e.g. {"history.hsv_history": "yes"}."""
    result = copy.deepcopy(data)
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        node = result
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return result


def intake(**changes: Any) -> Intake:
    return Intake.model_validate(
        with_changes(clear_data(), {k.replace("__", "."): v for k, v in changes.items()})
    )


def intake_with(changes: dict[str, Any]) -> Intake:
    return Intake.model_validate(with_changes(clear_data(), changes))

"""The hazard log names, for every hazard, tests that exist: a control never loses its proof."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "safety" / "hazard-log.md"
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _rows() -> list[tuple[str, str]]:
    rows = []
    for line in LOG.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*(H\d+)\s*\|", line)
        if match:
            rows.append((match.group(1), line))
    return rows


def test_the_log_has_hazards() -> None:
    assert len(_rows()) >= 10


@pytest.mark.parametrize(("hazard", "row"), _rows(), ids=[h for h, _ in _rows()])
def test_every_hazard_names_tests_that_exist(hazard: str, row: str) -> None:
    references = TEST_REF.findall(row)
    assert references, f"{hazard} names no test"
    for path, name in references:
        source = ROOT / path
        assert source.is_file(), f"{hazard}: no file {path}"
        assert re.search(rf"^(async )?def {name}\(", source.read_text(), re.MULTILINE), (
            f"{hazard}: no test {name} in {path}"
        )

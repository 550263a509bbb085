"""The shipped package holds no test helpers: nothing in it imports `tests`, reads the
checkout's `examples/`, or is a `testing.py` module (those live in `tests/factories/`)."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "needlechart"
TEST_ONLY = re.compile(r"^\s*(?:from|import)\s+tests\b|/\s*\"examples\"", re.MULTILINE)


def test_no_test_helpers_in_the_package() -> None:
    sources = [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts]
    assert [p.name for p in sources if p.name == "testing.py"] == []
    offenders = [
        str(p.relative_to(PACKAGE)) for p in sources if TEST_ONLY.search(p.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_check_sees_a_test_import() -> None:
    assert TEST_ONLY.search("    from tests.factories.plans import PROCEED\n")
    assert TEST_ONLY.search('EXAMPLES = ROOT / "examples"\n')

"""The engine stays pure: no Django, nothing from the rest of the project, no I/O at import."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import needlechart.protocol

PACKAGE = Path(needlechart.protocol.__file__).parent
ALLOWED_THIRD_PARTY = {"pydantic", "yaml"}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                (alias.name, node.level if hasattr(node, "level") else 0) for alias in node.names
            ]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def test_protocol_imports_only_stdlib_pydantic_and_yaml() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for module, level in _imports(path):
            if level > 0:
                continue  # relative import inside the package
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY:
                continue
            offenders.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offenders == []


def test_relative_imports_stay_inside_the_package() -> None:
    for path in PACKAGE.rglob("*.py"):
        depth = len(path.relative_to(PACKAGE).parts) - 1
        for _module, level in _imports(path):
            assert level <= depth + 1, f"{path} reaches outside needlechart.protocol"


def test_the_engine_imports_without_django() -> None:
    import subprocess

    code = (
        "import sys; import needlechart.protocol; "
        "bad = [m for m in sys.modules if m.startswith('django') or "
        "(m.startswith('needlechart.') and not m.startswith('needlechart.protocol'))]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

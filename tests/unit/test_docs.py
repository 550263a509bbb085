"""The README and CONTRIBUTING stay true: the README's command-line examples run, and every
path, module and helper CONTRIBUTING's recipes name exists."""

from __future__ import annotations

import importlib
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
COMMAND = ".venv/bin/needlechart"
DEFAULT_PROTOCOL = ROOT / "needlechart/protocol/data/default.yaml"


def readme_commands() -> list[str]:
    """The `.venv/bin/needlechart …` lines of the README's shell blocks, comments cut off."""
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)
    return [
        line.split("#", 1)[0].strip()
        for block in blocks
        for line in block.splitlines()
        if line.startswith(COMMAND)
    ]


def test_readme_has_command_examples() -> None:
    commands = readme_commands()
    assert len(commands) >= 7
    assert any("my-clinic.yaml" in c for c in commands)  # the copy the next test makes


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a reader has: the examples, `my-clinic.yaml` copied from the default protocol,
    and an `intake.yaml` of their own."""
    work = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "examples", work / "examples")
    shutil.copy(DEFAULT_PROTOCOL, work / "my-clinic.yaml")
    shutil.copy(ROOT / "examples/01-proceed-rolling-scars.yaml", work / "intake.yaml")
    return work


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs(workdir: Path, command: str) -> None:
    executable = Path(sys.executable).parent / "needlechart"
    args = shlex.split(command)[1:]
    done = subprocess.run(  # the installed script, as the README shows it
        [str(executable), *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


# ---------------------------------------------------------------- CONTRIBUTING's recipes

SEARCH_ROOTS = ["", "needlechart/", "needlechart/*/", "templates/"]


def _exists(path: str) -> bool:
    """A path as CONTRIBUTING writes it: from the repository, the package, an app (for
    `<app>/…`) or the site templates; `<placeholders>` match any name."""
    pattern = re.sub(r"<[^>]+>", "*", path.rstrip("/"))
    return any(any(ROOT.glob(root + pattern)) for root in SEARCH_ROOTS)


def contributing_paths() -> list[str]:
    spans = set(re.findall(r"`([^`]+)`", CONTRIBUTING))
    spans |= set(re.findall(r'include "([^"]+)"', CONTRIBUTING))
    return sorted(
        span
        for span in spans
        if re.fullmatch(r"[\w<>.\-]+/[\w<>./\-]*", span) and not span.startswith("../")
    )


def contributing_modules() -> list[str]:
    return sorted(set(re.findall(r"`(needlechart(?:\.\w+)+)`", CONTRIBUTING)))


def test_contributing_names_paths() -> None:
    paths = contributing_paths()
    assert {"needlechart/config/urls.py", "<app>/selectors.py", "tests/conftest.py"} <= set(paths)
    assert [p for p in paths if not _exists(p)] == []


@pytest.mark.parametrize("module", contributing_modules())
def test_contributing_modules_import(module: str) -> None:
    importlib.import_module(module)


def test_contributing_helpers_exist() -> None:
    """Every helper CONTRIBUTING tells you to call (`name(…)` or `@name`) is defined in one of
    the modules it names (or the audit service)."""
    modules = [importlib.import_module(m) for m in contributing_modules()]
    modules.append(importlib.import_module("needlechart.audit.services"))
    helpers = {
        decorator or call
        for decorator, call in re.findall(r"`@([a-z_]\w*)|`([a-z_]\w*)\(", CONTRIBUTING)
    }
    assert {"require_clinical", "add_service_errors", "register_panel", "staff_required"} <= (
        helpers
    )
    assert sorted(h for h in helpers if not any(hasattr(m, h) for m in modules)) == []


def test_protocol_recipe_names_exist() -> None:
    screening_tests = (ROOT / "tests/protocol/test_screening.py").read_text(encoding="utf-8")
    assert "TRIGGERS" in CONTRIBUTING and re.search(r"^TRIGGERS\b", screening_tests, re.M)
    name = "test_no_finding_without_its_trigger"
    assert name in CONTRIBUTING and f"def {name}(" in screening_tests

"""`.env.example` must list exactly the variables settings.py reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_CALL = re.compile(r"\benv_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"")


def _settings_vars() -> set[str]:
    return set(ENV_CALL.findall((ROOT / "needlechart/config/settings.py").read_text()))


def _example_vars() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(line.split("=", 1)[0].strip())
    return names


def test_settings_reads_something() -> None:
    assert {"NEEDLECHART_DEBUG", "NEEDLECHART_SECRET_KEY", "DATABASE_URL"} <= _settings_vars()


def test_env_example_in_sync() -> None:
    settings_vars, example_vars = _settings_vars(), _example_vars()
    assert settings_vars - example_vars == set(), "read by settings.py, missing in .env.example"
    assert example_vars - settings_vars == set(), "in .env.example, not read by settings.py"


def _package_sources() -> list[tuple[Path, str]]:
    return [
        (path, path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "needlechart").rglob("*.py"))
        if path.name != "settings.py" and "migrations" not in path.parts
    ]


def test_no_hidden_setting_defaults() -> None:
    """A setting is declared once in settings.py, never defaulted where it is read."""
    hidden = re.compile(r"getattr\(\s*(?:django_)?settings\s*,")
    offenders = [
        str(path.relative_to(ROOT)) for path, text in _package_sources() if hidden.search(text)
    ]
    assert offenders == []


def test_every_setting_read_is_declared() -> None:
    from django.conf import settings

    used = {
        name
        for _path, text in _package_sources()
        for name in re.findall(r"\bsettings\.([A-Z][A-Z0-9_]*)\b", text)
    }
    assert used, "the package reads settings"
    assert {name for name in used if not hasattr(settings, name)} == set()

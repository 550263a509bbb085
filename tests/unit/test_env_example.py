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

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from needlechart.config import settings as s


def test_env_bool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NC_TEST_FLAG", "yes")
    assert s.env_bool("NC_TEST_FLAG") is True
    monkeypatch.setenv("NC_TEST_FLAG", "0")
    assert s.env_bool("NC_TEST_FLAG", True) is False
    monkeypatch.setenv("NC_TEST_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured):
        s.env_bool("NC_TEST_FLAG")
    monkeypatch.delenv("NC_TEST_FLAG")
    assert s.env_bool("NC_TEST_FLAG", True) is True


def test_env_list_and_int(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NC_TEST_LIST", " a.example, ,b.example ")
    assert s.env_list("NC_TEST_LIST") == ["a.example", "b.example"]
    monkeypatch.setenv("NC_TEST_INT", "x")
    with pytest.raises(ImproperlyConfigured):
        s.env_int("NC_TEST_INT", 1)


def test_file_variant_for_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.delenv("NC_TEST_SECRET", raising=False)
    monkeypatch.setenv("NC_TEST_SECRET_FILE", str(secret))
    assert s.env_str("NC_TEST_SECRET") == "s3cret"
    monkeypatch.setenv("NC_TEST_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured):
        s.env_str("NC_TEST_SECRET")

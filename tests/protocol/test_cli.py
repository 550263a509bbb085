"""The `needlechart` command: reports, JSON, and one clear line for bad input (exit 2)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from needlechart.cli import main

from .builders import EXAMPLES

EXPECTED_VERDICTS = {
    "01-proceed-rolling-scars": "proceed",
    "02-precautions-skin-of-colour": "proceed_with_precautions",
    "03-defer-isotretinoin": "defer",
    "04-defer-active-acne": "defer",
    "05-defer-pregnancy": "defer",
    "06-defer-cold-sore": "defer",
    "07-defer-recent-peel-and-tan": "defer",
    "08-refer-anticoagulant": "refer_to_physician",
    "09-refer-keloid-tendency": "refer_to_physician",
    "10-refer-scleroderma": "refer_to_physician",
    "11-unknowns-first-visit": "defer",
    "12-minor-with-guardian": "refer_to_physician",
    "13-minor-without-guardian": "refer_to_physician",
    "14-rf-microneedling-deep-boxcar": "proceed_with_precautions",
    "15-stretch-marks": "proceed",
    "16-neck-and-texture": "proceed",
    "17-refer-eczema-active-rosacea": "refer_to_physician",
    "18-macular-marks-pih": "proceed_with_precautions",
    "19-not-a-candidate-under-minimum-age": "not_a_candidate",
    "20-refer-rf-with-pacemaker": "refer_to_physician",
    "21-refer-earlier-granuloma-and-serum": "refer_to_physician",
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_example_is_checked() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.yaml")} == set(EXPECTED_VERDICTS)
    assert set(EXPECTED_VERDICTS.values()) == {
        "proceed",
        "proceed_with_precautions",
        "defer",
        "refer_to_physician",
        "not_a_candidate",
    }


@pytest.mark.parametrize(("name", "verdict"), sorted(EXPECTED_VERDICTS.items()))
def test_examples_screen_to_their_verdicts(
    capsys: pytest.CaptureFixture[str], name: str, verdict: str
) -> None:
    code, out, _ = run(
        capsys, "screen", str(EXAMPLES / f"{name}.yaml"), "--today", "2026-11-21", "--json"
    )
    assert code == 0
    document = json.loads(out)
    assert document["verdict"] == verdict
    assert {"verdict", "findings", "questions", "protocol", "grading"} <= set(document)
    assert ("plan" in document) == (verdict in ("proceed", "proceed_with_precautions"))
    assert document["protocol"]["hash"].startswith("sha256:")


def test_readable_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "screen",
        str(EXAMPLES / "02-precautions-skin-of-colour.yaml"),
        "--today",
        "2026-11-21",
    )
    assert code == 0
    assert "Verdict: PROCEED_WITH_PRECAUTIONS" in out
    assert "Precautions:" in out and "Plan: Atrophic acne scars" in out
    assert "UNVERIFIED" in out


def test_deferred_report_shows_rescreen_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "screen", str(EXAMPLES / "03-defer-isotretinoin.yaml"), "--today", "2026-11-21"
    )
    assert code == 0 and "Re-screen from: 2027-03-20" in out
    assert "Plan: not offered" in out


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"age": 40, "zones": ["cheeks"]}'))
    code, out, _ = run(capsys, "screen", "-", "--json", "--today", "2026-11-21")
    assert code == 0 and json.loads(out)["verdict"] == "defer"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("age: [", "not valid JSON or YAML at line"),
        ("- 1\n- 2", "an intake is a mapping"),
        ('{"age": "old", "zones": ["cheeks"]}', "age: Input should be a valid integer"),
        ('{"age": 200, "zones": ["cheeks"]}', "age: Input should be less than or equal to 120"),
        (
            '{"age": 30, "zones": ["cheeks"], "colour": "blue"}',
            "colour: Extra inputs are not permitted",
        ),
        ('{"age": 30, "zones": ["elbow"]}', "zones[0]: Input should be"),
        (
            '{"age": 30, "zones": ["cheeks"], "history": {"vitiligo": "perhaps"}}',
            "history.vitiligo",
        ),
        (
            '{"age": 30, "zones": ["cheeks"], "medications": '
            '{"isotretinoin": {"status": "past", "last_date": "soon"}}}',
            "medications.isotretinoin.last_date",
        ),
        ('{"zones": ["cheeks"]}', "age: Field required"),
    ],
)
def test_bad_intake_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "intake.yaml"
    path.write_text(content)
    code, out, err = run(capsys, "screen", str(path))
    assert code == 2
    assert out == ""
    assert message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "screen", "does-not-exist.yaml")
    assert code == 2 and "does-not-exist.yaml: no such file" in err


def test_directory_instead_of_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "screen", str(tmp_path))
    assert code == 2 and "is a directory" in err


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["triage", "--symptom", "itching", "--days", "1"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["screen", str(EXAMPLES / "01-proceed-rolling-scars.yaml"), "--today", "tomorrow"])
    assert caught.value.code == 2
    assert "not a date" in capsys.readouterr().err


def test_triage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "triage", "--symptom", "pus_drainage", "--days", "3", "--json")
    assert code == 0 and json.loads(out)["level"] == "contact_clinic"
    code, out, _ = run(capsys, "triage", "--symptom", "redness", "--days", "2")
    assert code == 0 and out.startswith("Triage: EXPECTED")


def test_aftercare(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "aftercare", "--session-date", "2026-12-01")
    assert code == 0 and "Day 0 (2026-12-01)" in out and "Day 14 (2026-12-15)" in out
    code, out, _ = run(capsys, "aftercare", "--json")
    assert code == 0 and len(json.loads(out)) == 15


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "intake")
    schema = json.loads(out)
    assert code == 0 and "age" in schema["properties"] and "zones" in schema["required"]


def test_protocol_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from needlechart.protocol import DEFAULT_PROTOCOL_PATH

    code, out, _ = run(capsys, "protocol", "check", str(DEFAULT_PROTOCOL_PATH))
    assert code == 0 and out.startswith("OK: needlechart-default")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        DEFAULT_PROTOCOL_PATH.read_text().replace("severity: defer", "severity: later", 1)
    )
    code, _, err = run(capsys, "protocol", "check", str(bad))
    assert code == 2 and "screening_rules[0].severity" in err


def test_own_protocol_on_any_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from needlechart.protocol import DEFAULT_PROTOCOL_PATH

    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(
        re.sub(
            r'version: "[^"]+"', 'version: "clinic-7"', DEFAULT_PROTOCOL_PATH.read_text(), count=1
        )
    )
    for args in (
        ["--protocol", str(clinic), "triage", "--symptom", "fever", "--days", "1", "--json"],
        ["triage", "--symptom", "fever", "--days", "1", "--json", "--protocol", str(clinic)],
    ):
        code, out, _ = run(capsys, *args)
        assert code == 0 and json.loads(out)["protocol"]["version"] == "clinic-7"
    code, _, err = run(capsys, "--protocol", str(tmp_path / "nope.yaml"), "aftercare")
    assert code == 2 and "no such protocol file" in err

"""Protocol files: validated with errors that say file, place and problem; hashed by content."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from needlechart.protocol import DEFAULT_PROTOCOL_PATH, ProtocolError, load_protocol, parse_protocol

ISO_RULE = "when: {fact: medications.isotretinoin, within: {months: 6}}"


def _default_text() -> str:
    return DEFAULT_PROTOCOL_PATH.read_text()


def _edited(edit: str, replacement: str) -> str:
    text = _default_text()
    assert edit in text
    return text.replace(edit, replacement, 1)


def test_default_protocol_loads_with_a_stable_hash() -> None:
    protocol = load_protocol()
    assert protocol.ref.id == "needlechart-default"
    assert protocol.ref.hash.startswith("sha256:")
    assert parse_protocol(_default_text()).ref == protocol.ref


def test_comments_and_layout_do_not_change_the_hash() -> None:
    commented = "# a clinic's note\n" + _default_text()
    assert parse_protocol(commented).ref.hash == load_protocol().ref.hash


def test_a_changed_number_changes_the_hash() -> None:
    changed = _edited(ISO_RULE, ISO_RULE.replace("6", "12"))
    assert parse_protocol(changed).ref.hash != load_protocol().ref.hash


def test_a_clinic_can_change_a_threshold(tmp_path: Path) -> None:
    from datetime import date

    from needlechart.protocol import screen

    from .builders import intake_with

    path = tmp_path / "clinic.yaml"
    path.write_text(_edited(ISO_RULE, ISO_RULE.replace("6", "12")))
    clinic = load_protocol(path)
    patient = intake_with(
        {"medications.isotretinoin": {"status": "past", "last_date": "2026-03-01"}}
    )
    assert screen(patient, today=date(2026, 11, 21)).verdict.value == "proceed"
    result = screen(patient, today=date(2026, 11, 21), protocol=clinic)
    assert result.verdict.value == "defer"
    assert result.rescreen_on == date(2027, 3, 1)
    assert result.protocol == clinic.ref


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("protocol: [", "not valid YAML (line"),
        ("- a list", "a mapping with 'protocol:'"),
        (_edited("severity: defer", "severity: maybe"), "screening_rules[0].severity"),
        (
            _edited("fact: history.skin_infection_in_area", "fact: history.skin_infektion"),
            "unknown fact 'history.skin_infektion'",
        ),
        (
            _edited("sources: [S19, S31, C1, C2, C24]", "sources: [S999]"),
            "unknown source key 'S999'",
        ),
        (
            _edited("precautions: [antiviral_prophylaxis]", "precautions: [nope]"),
            "unknown precaution 'nope'",
        ),
        (
            _edited("code: open_wound_in_area", "code: skin_infection_in_area"),
            "duplicate rule code",
        ),
        (_edited("low: 3, high: 6", "low: 6, high: 3"), "low (6.0) is above high (3.0)"),
        (
            _edited("  id: needlechart-default", "  id: needlechart-default\n  colour: blue"),
            "protocol.colour: Extra inputs",
        ),
        (
            _edited("depth_table: atrophic_scars", "depth_table: nowhere"),
            "no depth table named 'nowhere'",
        ),
        (_edited(ISO_RULE, ISO_RULE.replace("months", "weeks")), "within.weeks"),
        (
            _edited(ISO_RULE, ISO_RULE.replace("within", 'is: "yes", within')),
            "'within' cannot be combined",
        ),
        (
            _edited(
                "[{fact: products_to_apply, outside: charting.glide_products}",
                "[{fact: products_to_apply, outside: charting.serums}",
            ),
            "'outside' names an unknown list 'charting.serums' (known: charting.glide_products)",
        ),
        (
            _edited(
                "[{fact: products_to_apply, outside: charting.glide_products}",
                "[{fact: products_to_apply, outside: charting.glide_products, is: other}",
            ),
            "'outside' cannot be combined",
        ),
        (
            _edited("sets: {products_to_apply: [other]}", "sets: {products_to_apply: [Other!]}"),
            "(unlisted_product).sets: products_to_apply[0]: String should match pattern",
        ),
        (
            _edited(
                'sets: {history.metal_implants_in_area: "yes"}',
                'sets: {history.metal_implants_in_area: "perhaps"}',
            ),
            "(metal_implants).sets: history.metal_implants_in_area: Input should be",
        ),
    ],
)
def test_bad_protocols_name_the_place_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text, origin="clinic.yaml")
    assert str(caught.value).startswith("clinic.yaml: ")
    assert message in str(caught.value)


def test_within_needs_a_dated_fact() -> None:
    text = _edited(
        'when: {fact: history.open_wound_in_area, is: "yes"}',
        "when: {fact: age, within: {days: 3}}",
    )
    with pytest.raises(ProtocolError, match="'within' needs a dated exposure"):
        parse_protocol(text)


def test_an_entry_without_sources_must_say_why() -> None:
    text = _edited("    sources: [C4, C12, C15]\n", "")
    with pytest.raises(ProtocolError, match="needs 'sources'"):
        parse_protocol(text)


def test_missing_file_is_a_protocol_error(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="no such protocol file"):
        load_protocol(tmp_path / "missing.yaml")


def test_every_source_key_used_is_listed_and_every_listed_key_is_in_the_reference() -> None:
    reference = Path(__file__).resolve().parents[3] / "shared" / "clinical" / "reference.md"
    listed = yaml.safe_load(_default_text())["sources"]
    if reference.exists():  # the reference lives beside the repository in the workspace
        text = reference.read_text()
        missing = [key for key in listed if f"[{key}]" not in text and f"- {key} " not in text]
        # A source from outside the reference must say so in its own citation.
        outside = [k for k in missing if "not from the project's clinical reference" in listed[k]]
        assert missing == outside and all("UNVERIFIED" in listed[k] for k in outside)

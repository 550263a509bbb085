"""Read, validate and compile a protocol file.

A protocol error always names the file, the path inside it and what is wrong, so a clinic
editing its own copy can fix it without reading Python.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .conditions import Condition, Context, Evaluator, Period, compile_condition, fact_type
from .document import (
    Adjunct,
    Gap,
    Indication,
    Limit,
    NumberRange,
    PreparationStep,
    ProtocolDocument,
    ScreeningRule,
    Sourced,
)
from .intake import Exposure, Intake

DEFAULT_PROTOCOL_PATH = Path(__file__).parent / "data" / "default.yaml"


class ProtocolError(ValueError):
    """A protocol file that cannot be used; the message says where and why."""


class ProtocolRef(BaseModel):
    """Stored beside every decision so it can be reproduced exactly."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: str
    hash: str


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: ScreeningRule
    when: Evaluator
    applies: Evaluator | None
    read_facts: Callable[[Intake], object]  # the values the rule looked at (hashable)


@dataclass(frozen=True, slots=True)
class Guarded[T]:
    """A protocol entry with an optional compiled condition (indication, step, adjunct)."""

    item: T
    condition: Evaluator | None


@dataclass(frozen=True)
class Protocol:
    document: ProtocolDocument
    ref: ProtocolRef
    rules: tuple[CompiledRule, ...]
    indications: tuple[Guarded[Indication], ...]
    preparation: tuple[Guarded[PreparationStep], ...]
    adjuncts: tuple[Guarded[Adjunct], ...]
    # Results derived once per protocol (prebuilt plan items); never part of equality.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def cite(self, keys: list[str] | None) -> list[str]:
        """ "[S40] Goodman GJ, Baron JA ..." for each key. A key this protocol does not know
        (a record made under an older version) is shown bare rather than dropped."""
        sources = self.document.sources
        return [f"[{k}] {sources[k]}" if k in sources else f"[{k}]" for k in keys or []]

    def rule_window(self, code: str) -> Period | None:
        """The wash-out window a rule tests, read from its preparation step if it names one."""
        rule = next((c.rule for c in self.rules if c.rule.code == code), None)
        pending = [rule.when] if rule else []
        while pending:
            condition = pending.pop(0)
            if condition.within is not None:
                step = condition.within.preparation
                if step is None:
                    return condition.within
                days = next(
                    s.days_before for s in self.document.planning.preparation if s.code == step
                )
                return Period(days=days)
            pending.extend(condition.all or condition.any or [])
        return None


def load_protocol(path: str | Path | None = None) -> Protocol:
    """Load a protocol file; `None` is the bundled default (cached)."""
    if path is None:
        return default_protocol()
    return _load(Path(path))


@cache
def default_protocol() -> Protocol:
    return _load(DEFAULT_PROTOCOL_PATH)


def cite(keys: list[str] | None, *, protocol: Protocol | None = None) -> list[str]:
    """Readable citations for source keys, from the given or the default protocol."""
    return (protocol or default_protocol()).cite(keys)


def _load(path: Path) -> Protocol:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProtocolError(f"{path}: no such protocol file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"{path}: cannot read the protocol file ({exc})") from None
    return parse_protocol(text, origin=str(path))


def parse_protocol(text: str, *, origin: str = "<protocol>") -> Protocol:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProtocolError(f"{origin}: not valid YAML ({_yaml_problem(exc)})") from None
    if not isinstance(raw, dict):
        raise ProtocolError(f"{origin}: a protocol file is a mapping with 'protocol:' at the top")
    try:
        document = ProtocolDocument.model_validate(raw)
    except ValidationError as exc:
        raise ProtocolError(f"{origin}: {format_validation_error(exc)}") from None
    problems = _cross_references(document)
    if problems:
        raise ProtocolError(f"{origin}: " + "; ".join(problems))
    try:
        return _compile(document, content_hash(raw))
    except ValueError as exc:  # a fact path that does not exist in the intake
        raise ProtocolError(f"{origin}: {exc}") from None


def content_hash(raw: Any) -> str:
    """Hash of the protocol's content, blind to comments, key order and layout."""
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def format_validation_error(exc: ValidationError) -> str:
    messages = []
    for error in exc.errors(include_url=False):
        where = _location(error["loc"])
        messages.append(f"{where}: {error['msg']}" if where else error["msg"])
    return "; ".join(messages)


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or "[" in str(part):
            continue  # pydantic's validator wrappers, not places in the file
        else:
            out += ("." if out else "") + str(part)
    return out


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else problem


def _cross_references(doc: ProtocolDocument) -> list[str]:
    """Every problem a schema cannot see: unknown source keys, duplicate rule codes, names
    that point nowhere, checklist answers that set no intake fact, limits out of order."""
    known_sources = set(doc.sources)
    problems = [
        f"{where}.sources: unknown source key '{key}'"
        for where, item in _sourced(doc)
        for key in item.sources
        if key not in known_sources
    ]
    problems += _rule_problems(doc)
    problems += _checklist_problems(doc)
    problems += _limit_problems(doc)
    problems += _ranges_within_limits(doc)
    return problems


def _sourced(doc: ProtocolDocument) -> Iterator[tuple[str, Sourced]]:
    """Each item of the protocol that cites sources, with its place in the file."""
    for code, precaution in doc.precautions.items():
        yield f"precautions.{code}", precaution
    for i, rule in enumerate(doc.screening_rules):
        yield f"screening_rules[{i}] ({rule.code})", rule
    for name in ("goodman_baron_qualitative", "goodman_baron_quantitative", "iga", "gags"):
        yield f"grading.{name}", getattr(doc.grading, name)
    yield from _planning_sourced(doc)
    yield from _aftercare_sourced(doc)
    yield "consent.procedure", doc.consent.procedure
    for section in ("expected_effects", "risks", "alternatives"):
        for i, consent_item in enumerate(getattr(doc.consent, section)):
            yield f"consent.{section}[{i}] ({consent_item.code})", consent_item
    yield from _charting_sourced(doc)
    yield "follow_up", doc.follow_up
    yield "prescreen", doc.prescreen
    yield from _limits_sourced(doc)


def _planning_sourced(doc: ProtocolDocument) -> Iterator[tuple[str, Sourced]]:
    planning = doc.planning
    for i, ind in enumerate(planning.indications):
        where = f"planning.indications[{i}] ({ind.code})"
        yield where, ind
        for part in (ind.sessions, ind.interval_weeks):
            if isinstance(part, NumberRange):
                yield where, part
    for table, zones in planning.depth_tables.items():
        for zone, entry in zones.items():
            if isinstance(entry, NumberRange):
                yield f"planning.depth_tables.{table}.{zone.value}", entry
    for i, step in enumerate(planning.preparation):
        yield f"planning.preparation[{i}] ({step.code})", step
    for i, adjunct in enumerate(planning.adjuncts):
        yield f"planning.adjuncts[{i}] ({adjunct.code})", adjunct
    yield "planning.endpoint", planning.endpoint
    yield "planning.maintenance", planning.maintenance
    if planning.phototype_depth_cap is not None:
        yield "planning.phototype_depth_cap", planning.phototype_depth_cap


def _aftercare_sourced(doc: ProtocolDocument) -> Iterator[tuple[str, Sourced]]:
    aftercare = doc.aftercare
    for i, window in enumerate(aftercare.timeline):
        for j, instruction in enumerate(window.instructions):
            yield f"aftercare.timeline[{i}].instructions[{j}]", instruction
    for symptom, symptom_rule in aftercare.symptoms.items():
        yield f"aftercare.symptoms.{symptom.value}", symptom_rule
    for i, flag in enumerate(aftercare.red_flags):
        yield f"aftercare.red_flags[{i}]", flag
    for i, extra in enumerate(aftercare.sheet_extras):
        yield f"aftercare.sheet_extras[{i}] ({extra.code})", extra


def _charting_sourced(doc: ProtocolDocument) -> Iterator[tuple[str, Sourced]]:
    charting = doc.charting
    for i, product in enumerate(charting.glide_products):
        yield f"charting.glide_products[{i}]", product
    for name in ("glide_warning", "passes"):
        yield f"charting.{name}", getattr(charting, name)
    for i, endpoint in enumerate(charting.endpoints):
        yield f"charting.endpoints[{i}]", endpoint
    for i, event_type in enumerate(charting.adverse_event_types):
        yield f"charting.adverse_event_types[{i}]", event_type


def _named_depth_limits(doc: ProtocolDocument) -> list[tuple[str, Limit]]:
    """The per-device and per-zone depth limits that give a figure (not a gap)."""
    depth = doc.limits.needle_depth_mm
    named: list[tuple[str, Limit | Gap]] = [
        *((f"devices.{k.value}", v) for k, v in depth.devices.items()),
        *((f"zones.{k.value}", v) for k, v in depth.zones.items()),
    ]
    return [(name, limit) for name, limit in named if isinstance(limit, Limit)]


def _limits_sourced(doc: ProtocolDocument) -> Iterator[tuple[str, Sourced]]:
    limits = doc.limits
    yield "limits.needle_depth_mm.ceiling", limits.needle_depth_mm.ceiling
    for name, limit in _named_depth_limits(doc):
        yield f"limits.needle_depth_mm.{name}", limit
    for name in ("sessions_per_course", "min_interval_days"):
        yield f"limits.{name}", getattr(limits, name)


def _rule_problems(doc: ProtocolDocument) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for i, rule in enumerate(doc.screening_rules):
        where = f"screening_rules[{i}] ({rule.code})"
        if rule.code in seen:
            problems.append(f"{where}: duplicate rule code")
        seen.add(rule.code)
        problems += [
            f"{where}.precautions: unknown precaution '{code}'"
            for code in rule.precautions
            if code not in doc.precautions
        ]
    for i, ind in enumerate(doc.planning.indications):
        if ind.depth_table not in doc.planning.depth_tables:
            problems.append(
                f"planning.indications[{i}] ({ind.code}).depth_table: "
                f"no depth table named '{ind.depth_table}'"
            )
    return problems


def _checklist_problems(doc: ProtocolDocument) -> list[str]:
    problems: list[str] = []
    for i, check in enumerate(doc.charting.day_of_checklist):
        for name in ("sets", "fills_on_no"):
            values = getattr(check, name)
            for path in values:
                try:
                    fact_type(path)
                except ValueError as exc:
                    problems.append(f"charting.day_of_checklist[{i}].{name}: {exc}")
            where = f"charting.day_of_checklist[{i}] ({check.code}).{name}"
            problems += _checklist_values(where, values)
    return problems


def _limit_problems(doc: ProtocolDocument) -> list[str]:
    ceiling = doc.limits.needle_depth_mm.ceiling.value
    return [
        f"limits.needle_depth_mm.{name}: {limit.value} is above the ceiling ({ceiling})"
        for name, limit in _named_depth_limits(doc)
        if limit.value > ceiling
    ]


def _ranges_within_limits(doc: ProtocolDocument) -> list[str]:
    """A recommended range never reaches past an absolute limit."""
    problems: list[str] = []
    limits = doc.limits
    depth = limits.needle_depth_mm
    for table, zones in doc.planning.depth_tables.items():
        for zone, entry in zones.items():
            zone_limit = depth.zones.get(zone)
            cap = zone_limit.value if isinstance(zone_limit, Limit) else depth.ceiling.value
            if isinstance(entry, NumberRange) and entry.high > cap:
                problems.append(
                    f"planning.depth_tables.{table}.{zone.value}: high {entry.high} mm is above "
                    f"the absolute limit ({cap} mm)"
                )
    for ind in doc.planning.indications:
        courses = [(ind.sessions, ind.interval_weeks)] + [
            (c.sessions, c.interval_weeks) for c in ind.device_courses.values()
        ]
        for sessions, interval in courses:
            if isinstance(sessions, NumberRange) and (
                sessions.high > limits.sessions_per_course.value
            ):
                problems.append(
                    f"planning.indications ({ind.code}): sessions above the absolute limit"
                )
            if isinstance(interval, NumberRange) and (
                interval.low * 7 < limits.min_interval_days.value
            ):
                problems.append(
                    f"planning.indications ({ind.code}): interval below the absolute limit"
                )
    return problems


def _fact_reader(paths: list[str]) -> Callable[[Intake], object]:
    """The values a rule looks at, as cheap hashable keys for the findings cache."""
    read = operator.attrgetter(*paths)
    kinds = [fact_type(p) for p in paths]
    if not any(get_origin(k) in (dict, list) or k is Exposure for k in kinds):
        return read  # the common case: enums and numbers hash fast as they are

    def frozen(value: object) -> object:
        if isinstance(value, Exposure):  # a model's own hash and equality are slow
            return (value.status, value.last_date)
        if isinstance(value, dict):
            return tuple(sorted(value.items()))
        if isinstance(value, list):
            return tuple(value)
        return value

    if len(paths) == 1:
        return lambda intake: frozen(read(intake))
    return lambda intake: tuple(frozen(v) for v in read(intake))


def code_lists(doc: ProtocolDocument) -> dict[str, frozenset[str]]:
    """The protocol's own code lists a condition may test with `outside: <name>`."""
    return {"charting.glide_products": frozenset(p.code for p in doc.charting.glide_products)}


def _checklist_values(where: str, sets: dict[str, Any]) -> list[str]:
    """A day-of "yes" must set values the intake accepts, or the re-screen would fail on the
    day; try them on a minimal intake now (paths already reported are skipped)."""
    data: dict[str, Any] = {"age": 30, "zones": ["cheeks"]}
    for path, value in sets.items():
        try:
            fact_type(path)
        except ValueError:
            continue
        *parents, leaf = path.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    try:
        Intake.model_validate(data)
    except ValidationError as exc:
        return [f"{where}: {format_validation_error(exc)}"]
    return []


def _compile(doc: ProtocolDocument, digest: str) -> Protocol:
    # Rules may refer to the preparation windows and the protocol's scores by name, so each
    # number is written once (a wash-out rule and its preparation step cannot disagree).
    context = Context(
        windows={s.code: Period(days=s.days_before) for s in doc.planning.preparation},
        scores={"gags": doc.grading.gags.score},
        code_lists=code_lists(doc),
    )

    def compiled(
        where: str, condition: Condition | None, context: Context = context
    ) -> Evaluator | None:
        if condition is None:
            return None
        try:
            return compile_condition(condition, context)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None

    def guard[T](
        where: str, items: list[T], cond: Callable[[T], Condition | None]
    ) -> tuple[Guarded[T], ...]:
        return tuple(Guarded(it, compiled(f"{where}[{i}]", cond(it))) for i, it in enumerate(items))

    rules = []
    for i, rule in enumerate(doc.screening_rules):
        when = compiled(f"screening_rules[{i}].when", rule.when, context)
        assert when is not None
        applies = compiled(f"screening_rules[{i}].applies_when", rule.applies_when, context)
        rules.append(CompiledRule(rule, when, applies, _fact_reader(rule.when.facts())))
    planning = doc.planning
    return Protocol(
        document=doc,
        ref=ProtocolRef(id=doc.protocol.id, version=doc.protocol.version, hash=digest),
        rules=tuple(rules),
        indications=guard("planning.indications", planning.indications, lambda x: x.when),
        preparation=guard("planning.preparation", planning.preparation, lambda x: x.applies_when),
        adjuncts=guard("planning.adjuncts", planning.adjuncts, lambda x: x.when),
    )

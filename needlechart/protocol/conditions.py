"""The small condition language protocol rules are written in.

A condition names an intake fact by its dotted path and tests it:

    {fact: history.hsv_history, is: "yes"}
    {fact: fitzpatrick, in: [IV, V, VI]}
    {fact: active_acne.iga, gte: 2}
    {fact: medications.isotretinoin, within: {months: 6}}
    {fact: sun_exposure, within: {preparation: avoid_sun}}   # the plan's own window
    {fact: active_acne.gags, score: gags, gte: 19}          # a protocol-defined score
    {fact: pregnant, is: "yes", known_only: true}           # in `applies_when` only
    {fact: products_to_apply, outside: charting.glide_products}   # a protocol code list
    {all: [...]} / {any: [...]}

`outside` names a list of codes the protocol itself keeps (see `code_lists` in the loader),
so a rule and the list it checks against can never drift apart: true when the fact (or any
item of a list fact) is not on it.

Evaluation is three-valued: a fact the patient has not answered makes the condition
`unknown`, which the screening turns into a question (never into a silent "no"). A `within`
test on a dated exposure also yields the day the window closes, which becomes a deferred
patient's re-screen date.
"""

from __future__ import annotations

import calendar
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum, StrEnum
from functools import cache
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .intake import Exposure, Intake
from .vocabulary import ExposureStatus


class Truth(StrEnum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Outcome:
    truth: Truth
    until: date | None = None  # the day a `within` window closes, when known


TRUE = Outcome(Truth.TRUE)
FALSE = Outcome(Truth.FALSE)
UNKNOWN = Outcome(Truth.UNKNOWN)

_UNKNOWN_VALUES = frozenset({"unknown"})


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int | None = Field(default=None, ge=0, le=3650)
    months: int | None = Field(default=None, ge=0, le=120)
    # The window of a preparation step (`days_before`): one number for the step and the rule.
    preparation: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Period:
        given = [x for x in (self.days, self.months, self.preparation) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'days', 'months' or 'preparation'")
        return self

    def after(self, start: date) -> date:
        assert self.preparation is None, "resolve a preparation window before use"
        if self.days is not None:
            return start + timedelta(days=self.days)
        return add_months(start, self.months or 0)

    def __str__(self) -> str:
        if self.preparation is not None:
            return f"the '{self.preparation}' preparation window"
        return f"{self.days} days" if self.days is not None else f"{self.months} months"


def add_months(start: date, months: int) -> date:
    """Calendar months; the 31st of a short month becomes its last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    fact: str | None = None
    is_: str | None = Field(default=None, alias="is")
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None
    gte: float | None = None
    lte: float | None = None
    within: Period | None = None
    outside: str | None = None  # the name of a protocol code list
    score: str | None = None  # compare a protocol-defined score of the fact (gte/lte)
    known_only: bool = False  # an unknown value makes this test false (preconditions only)
    all: list[Condition] | None = None
    any: list[Condition] | None = None

    @model_validator(mode="before")
    @classmethod
    def _yaml_booleans(cls, data: Any) -> Any:
        # `is: yes` in YAML arrives as True; it means the answer "yes".
        if isinstance(data, dict) and isinstance(data.get("is"), bool):
            data = {**data, "is": "yes" if data["is"] else "no"}
        return data

    @model_validator(mode="after")
    def _one_shape(self) -> Condition:
        tests = [
            t
            for t in ("is_", "in_", "not_in", "gte", "lte", "within", "outside")
            if getattr(self, t) is not None
        ]
        combinators = [c for c in ("all", "any") if getattr(self, c) is not None]
        if combinators:
            if self.fact is not None or tests or len(combinators) > 1:
                raise ValueError("'all'/'any' stand alone: no 'fact' or test beside them")
            if not (self.all or self.any):
                raise ValueError("'all'/'any' need at least one condition")
        elif self.fact is None:
            raise ValueError("a condition needs a 'fact' (or 'all'/'any')")
        elif not tests:
            raise ValueError(
                "a condition needs a test: is, in, not_in, gte, lte, within or outside"
            )
        elif "within" in tests and len(tests) > 1:
            raise ValueError("'within' cannot be combined with another test")
        elif "outside" in tests and len(tests) > 1:
            raise ValueError("'outside' cannot be combined with another test")
        if self.score is not None and not {"gte", "lte"} & set(tests):
            raise ValueError("'score' needs 'gte' or 'lte'")
        return self

    def has_window(self) -> bool:
        return self.within is not None or any(c.has_window() for c in (self.all or self.any or []))

    def has_known_only(self) -> bool:
        return self.known_only or any(c.has_known_only() for c in (self.all or self.any or []))

    def facts(self) -> list[str]:
        if self.fact is not None:
            return [self.fact]
        return [f for c in (self.all or self.any or []) for f in c.facts()]


Evaluator = Callable[[Intake, date], Outcome]
Score = Callable[[Any], float]


@dataclass(frozen=True, slots=True)
class Context:
    """What a condition may refer to besides the intake: the protocol's own numbers."""

    windows: Mapping[str, Period]  # preparation step code -> its window
    scores: Mapping[str, Score]  # score name -> function of the fact's value
    code_lists: Mapping[str, frozenset[str]]  # list name -> its codes (for `outside`)


NO_CONTEXT = Context(windows={}, scores={}, code_lists={})


def compile_condition(condition: Condition, context: Context = NO_CONTEXT) -> Evaluator:
    """Turn a validated condition into a fast closure; fact paths are checked here."""
    if condition.all is not None:
        parts = [compile_condition(c, context) for c in condition.all]
        return lambda intake, today: _all(parts, intake, today)
    if condition.any is not None:
        parts = [compile_condition(c, context) for c in condition.any]
        if not condition.has_window():
            return lambda intake, today: _any_undated(parts, intake, today)
        return lambda intake, today: _any(parts, intake, today)

    assert condition.fact is not None
    test = _compile_test(condition, context)
    if condition.known_only:
        return lambda intake, today: (
            FALSE if (o := test(intake, today)).truth is Truth.UNKNOWN else o
        )
    return test


def _compile_test(condition: Condition, context: Context) -> Evaluator:  # noqa: C901 - one branch per operator
    assert condition.fact is not None
    getter = fact_getter(condition.fact)
    if condition.outside is not None:
        if condition.outside not in context.code_lists:
            known = ", ".join(sorted(context.code_lists)) or "none"
            raise ValueError(
                f"fact '{condition.fact}': 'outside' names an unknown list "
                f"'{condition.outside}' (known: {known})"
            )
        listed = context.code_lists[condition.outside]
        return lambda intake, today: _outside(getter(intake), listed)
    if condition.within is not None:
        period = condition.within
        if period.preparation is not None:
            if period.preparation not in context.windows:
                raise ValueError(f"no preparation step '{period.preparation}' for 'within'")
            period = context.windows[period.preparation]
        if fact_type(condition.fact) is not Exposure:
            raise ValueError(f"fact '{condition.fact}': 'within' needs a dated exposure")
        return lambda intake, today: _within(getter(intake), period, today)
    if condition.score is not None:
        if condition.score not in context.scores:
            raise ValueError(f"unknown score '{condition.score}'")
        score = context.scores[condition.score]
        low, high = condition.gte, condition.lte

        def scored(intake: Intake, today: date) -> Outcome:
            value = getter(intake)
            return UNKNOWN if value is None else _compare(score(value), low, high)

        return scored
    if condition.not_in is not None:
        excluded = frozenset(condition.not_in)
        return lambda intake, today: _negate(_matches(getter(intake), excluded))
    if condition.is_ is not None or condition.in_ is not None:
        allowed = frozenset([condition.is_] if condition.is_ is not None else condition.in_ or [])
        if isinstance(fact_type(condition.fact), type) and issubclass(
            fact_type(condition.fact), StrEnum
        ):
            return _enum_test(getter, allowed)  # the common case, kept on a short path
        return lambda intake, today: _matches(getter(intake), allowed)
    low, high = condition.gte, condition.lte
    return lambda intake, today: _compare(getter(intake), low, high)


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _enum_test(getter: Callable[[Intake], Any], allowed: frozenset[str]) -> Evaluator:
    def test(intake: Intake, today: date) -> Outcome:
        value = getter(intake)
        if value in allowed:
            return TRUE
        return UNKNOWN if value == "unknown" else FALSE

    return test


def _matches(value: Any, allowed: frozenset[str]) -> Outcome:
    if isinstance(value, list | tuple):  # e.g. concerns: true when any listed item matches
        return FALSE if allowed.isdisjoint(value) else TRUE
    if isinstance(value, dict):  # e.g. GAGS: true when any region's value matches
        return FALSE if allowed.isdisjoint(value.values()) else TRUE
    if isinstance(value, Exposure):  # `is`/`in` on an exposure test its status
        value = value.status
    # The vocabulary's enums are StrEnums: they hash and compare as their string values.
    if value in allowed:
        return TRUE
    if value is None or value in _UNKNOWN_VALUES:
        return UNKNOWN
    return FALSE


def _outside(value: Any, listed: frozenset[str]) -> Outcome:
    if value is None or (isinstance(value, str) and value in _UNKNOWN_VALUES):
        return UNKNOWN
    items = value if isinstance(value, list | tuple) else (value,)
    return FALSE if listed.issuperset(items) else TRUE


def _negate(outcome: Outcome) -> Outcome:
    if outcome.truth is Truth.UNKNOWN:
        return UNKNOWN
    return FALSE if outcome.truth is Truth.TRUE else TRUE


def _compare(value: Any, low: float | None, high: float | None) -> Outcome:
    if value is None:
        return UNKNOWN
    if low is not None and value < low:
        return FALSE
    if high is not None and value > high:
        return FALSE
    return TRUE


def _within(exposure: Exposure, period: Period, today: date) -> Outcome:
    status = exposure.status
    if status is ExposureStatus.NO:
        return FALSE
    if status is ExposureStatus.CURRENT:
        # The window counts from the last dose, which has not happened yet.
        return TRUE
    if exposure.last_date is None:
        return UNKNOWN
    ends = period.after(exposure.last_date)
    return Outcome(Truth.TRUE, ends) if ends > today else FALSE


def _all(parts: list[Evaluator], intake: Intake, today: date) -> Outcome:
    outcomes = []
    for part in parts:
        outcome = part(intake, today)
        if outcome.truth is Truth.FALSE:
            return FALSE  # one false part decides, whatever the others
        outcomes.append(outcome)
    if all(o.truth is Truth.TRUE for o in outcomes):
        return Outcome(Truth.TRUE, _latest(outcomes))
    return UNKNOWN


def _any(parts: list[Evaluator], intake: Intake, today: date) -> Outcome:
    outcomes = [p(intake, today) for p in parts]
    true = [o for o in outcomes if o.truth is Truth.TRUE]
    if true:
        return Outcome(Truth.TRUE, _latest(true))
    if all(o.truth is Truth.FALSE for o in outcomes):
        return FALSE
    return UNKNOWN


def _any_undated(parts: list[Evaluator], intake: Intake, today: date) -> Outcome:
    """`any` over parts that carry no window end: the first true part decides."""
    unknown = False
    for part in parts:
        truth = part(intake, today).truth
        if truth is Truth.TRUE:
            return TRUE
        unknown = unknown or truth is Truth.UNKNOWN
    return UNKNOWN if unknown else FALSE


def _latest(outcomes: list[Outcome]) -> date | None:
    dates = [o.until for o in outcomes if o.until is not None]
    return max(dates) if dates else None


# --- fact paths -----------------------------------------------------------------------------


def fact_type(path: str) -> Any:
    """The type at a dotted path of the intake; raises ValueError naming the bad segment."""
    current: Any = Intake
    walked: list[str] = []
    for segment in path.split("."):
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            raise ValueError(f"unknown fact '{path}': '{'.'.join(walked)}' has no parts")
        field = current.model_fields.get(segment)
        if field is not None:
            current = _unwrap(field.annotation)
        elif isinstance(getattr(current, segment, None), property):
            current = _unwrap(getattr(current, segment).fget.__annotations__.get("return"))
        else:
            known = ", ".join(sorted(current.model_fields))
            raise ValueError(f"unknown fact '{path}': no '{segment}' (known here: {known})")
        walked.append(segment)
    return current


def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    if get_origin(annotation) is not None and hasattr(annotation, "__metadata__"):
        return get_args(annotation)[0]
    if hasattr(annotation, "__origin__") and hasattr(annotation, "__metadata__"):
        return annotation.__origin__
    return annotation


@cache
def fact_getter(path: str) -> Callable[[Intake], Any]:
    fact_type(path)  # validate now so a typo fails at load, not mid-screening
    return operator.attrgetter(path)


def describe_fact(intake: Intake, path: str) -> str:
    """A readable rendering of the fact that triggered a rule, for the finding's `fact`."""
    value = fact_getter(path)(intake)
    if isinstance(value, Exposure):
        when = f", last {value.last_date.isoformat()}" if value.last_date else ""
        return f"{path} = {value.status.value}{when}"
    if isinstance(value, list | tuple):
        return f"{path} = {', '.join(str(_value(v)) for v in value) or 'none'}"
    return f"{path} = {_value(value)}"

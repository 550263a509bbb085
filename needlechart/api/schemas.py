"""Shared pieces of the API's input and output schemas."""

from datetime import date
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, field_validator

from needlechart.api.errors import INVALID_INPUT, ApiError, field_path

# The span of plausible dates is core.dates' (one rule for forms, services and the API).
from needlechart.core.dates import DATE_OUT_OF_RANGE, EARLIEST_DATE, LATEST_DATE

NUL_CHARACTER = "Text may not contain NUL characters."


class InputSchema(Schema):
    """Base of every request body: unknown fields are an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL refuses NUL in text; refuse it here so it is a 422, not a 500.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(NUL_CHARACTER)
        return value


def out_of_range_dates(data: Any, path: tuple[int | str, ...] = ()) -> dict[str, list[str]]:
    """Field paths of every date in `data` (a model dump) outside the supported range."""
    found: dict[str, list[str]] = {}
    if isinstance(data, date):
        if not EARLIEST_DATE <= data <= LATEST_DATE:
            found[field_path(path)] = [DATE_OUT_OF_RANGE]
    elif isinstance(data, dict):
        for key, value in data.items():
            found.update(out_of_range_dates(value, (*path, key)))
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found.update(out_of_range_dates(value, (*path, index)))
    return found


def nul_strings(data: Any, path: tuple[int | str, ...] = ()) -> dict[str, list[str]]:
    """Field paths of every string (or key) in `data` that contains a NUL character."""
    found: dict[str, list[str]] = {}
    if isinstance(data, str):
        if "\x00" in data:
            found[field_path(path)] = [NUL_CHARACTER]
    elif isinstance(data, dict):
        for key, value in data.items():
            found.update(nul_strings(key, (*path, str(key))))
            found.update(nul_strings(value, (*path, str(key))))
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found.update(nul_strings(value, (*path, index)))
    return found


def require_storable(**named: Any) -> None:
    """Raise a 422 naming each date out of range and each string with NUL among `named`.

    Values may be pydantic models (checked as their dump); the name `_` adds no prefix.
    """
    fields: dict[str, list[str]] = {}
    for name, value in named.items():
        dumped = value.model_dump() if hasattr(value, "model_dump") else value
        prefix: tuple[int | str, ...] = () if name == "_" else (name,)
        fields.update(out_of_range_dates(dumped, prefix))
        fields.update(nul_strings(dumped, prefix))
    if fields:
        raise ApiError(422, "invalid", INVALID_INPUT, fields=fields)


class StaffRef(Schema):
    """Who did something: enough to name them, nothing more."""

    id: int
    name: str


def staff_ref(user: Any) -> StaffRef | None:
    return None if user is None else StaffRef(id=user.pk, name=user.get_display_name())


class PageMeta(Schema):
    """Where a page sits in the whole list; list outputs add `results`."""

    count: int
    page: int
    pages: int
    per_page: int

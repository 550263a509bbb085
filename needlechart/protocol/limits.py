"""Absolute limits: values no reason, deviation or role can exceed.

The plan's recommended ranges sit inside these limits (the loader checks it). A clinician may
deviate from a recommended range with a reason; nobody may pass a limit. The numbers and
their sources live under `limits:` in the protocol file.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import document
from .loader import Protocol, default_protocol
from .vocabulary import Device, Zone


@dataclass(frozen=True, slots=True)
class Limit:
    value: float
    unit: str  # "mm" | "sessions" | "days"
    sources: tuple[str, ...]
    basis: str  # what it applies to, readable: "the cheeks with the automated pen"
    minimum: bool = False  # True: a floor (interval), False: a ceiling (depth, sessions)

    def exceeded_by(self, value: float) -> bool:
        return value < self.value if self.minimum else value > self.value

    def refusal(self, value: float) -> str:
        """The message a form or the API shows when `value` passes the limit."""
        side = "below the minimum" if self.minimum else "beyond the absolute limit"
        cited = f" [{', '.join(self.sources)}]" if self.sources else ""
        return (
            f"{_number(value)} {self.unit} is {side} for {self.basis} "
            f"({_number(self.value)} {self.unit}{cited}). No reason can override this limit."
        )

    def describe(self) -> str:
        """Help text beside a field: "Absolute limit: 2.5 mm [S36]"."""
        word = "Minimum" if self.minimum else "Absolute limit"
        cited = f" [{', '.join(self.sources)}]" if self.sources else ""
        return f"{word}: {_number(self.value)} {self.unit}{cited}"


def depth_limit(
    device: Device | str, zone: Zone | str, *, protocol: Protocol | None = None
) -> Limit:
    """The deepest needle allowed in `zone` with `device`: the lowest applicable limit."""
    device, zone = Device(device), Zone(zone)
    limits = (protocol or default_protocol()).document.limits.needle_depth_mm
    candidates: list[tuple[document.Limit, str]] = [(limits.ceiling, "any device and zone")]
    by_device = limits.devices.get(device)
    if isinstance(by_device, document.Limit):
        candidates.append((by_device, f"the {_device_name(device)}"))
    by_zone = limits.zones.get(zone)
    if isinstance(by_zone, document.Limit):
        candidates.append((by_zone, f"the {zone.value}"))
    entry, _ = min(candidates, key=lambda c: c[0].value)
    basis = f"the {zone.value} with the {_device_name(device)}"
    return Limit(value=entry.value, unit="mm", sources=tuple(entry.sources), basis=basis)


def session_limit(*, protocol: Protocol | None = None) -> Limit:
    entry = (protocol or default_protocol()).document.limits.sessions_per_course
    return Limit(
        value=entry.value, unit="sessions", sources=tuple(entry.sources), basis="one course"
    )


def interval_limit(*, protocol: Protocol | None = None) -> Limit:
    entry = (protocol or default_protocol()).document.limits.min_interval_days
    return Limit(
        value=entry.value,
        unit="days",
        sources=tuple(entry.sources),
        basis="the time between two sessions of a course",
        minimum=True,
    )


def _device_name(device: Device) -> str:
    return device.value.replace("_", " ").replace("rf ", "RF ")


def _number(value: float) -> str:
    return f"{value:g}"

"""Planning: a course of treatment for a patient who may be treated.

Every range is copied from the protocol with its sources; where the protocol has no sourced
figure (neck depth, RF depth, sessions for some indications) the plan carries the protocol's
explanation instead of a number. The clinician adjusts; `within_protocol` tells the caller
when an adjustment is a deviation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .conditions import Truth
from .document import Gap, Indication, NumberRange, Sourced
from .intake import Intake
from .loader import Guarded, Protocol, default_protocol
from .results import Plan, PlanItem, Screening, SourcedRange, ZoneDepth
from .screening import screen
from .vocabulary import Device, Zone

NO_INDICATION = "No indication recorded: add a concern or scar counts to plan a course."


def plan(
    intake: Intake,
    *,
    today: date,
    protocol: Protocol | None = None,
    screening: Screening | None = None,
) -> Plan:
    protocol = protocol or default_protocol()
    screening = screening or screen(intake, today=today, protocol=protocol)
    parts = _parts(protocol)

    matched = [g.item for g in protocol.indications if _holds(g, intake, today)]
    primary = matched[0] if matched else None
    sessions, interval = parts.course(primary, intake.device)
    capped = _phototype_capped(protocol, intake)
    return Plan.build(
        indication=primary.code if primary else None,
        indication_title=primary.title if primary else NO_INDICATION,
        other_indications=[i.code for i in matched[1:]],
        device=intake.device,
        sessions=sessions,
        interval_weeks=interval,
        depths=[
            parts.depth(protocol, primary, intake.device, zone, capped) for zone in intake.zones
        ],
        endpoint=parts.endpoint,
        # A step whose condition is unanswered is kept: an unknown is never a "no".
        preparation=[item for g, item in parts.preparation if _needed(g, intake, today)],
        adjuncts=[item for g, item in parts.adjuncts if _holds(g, intake, today)],
        expected_course=parts.expected_course(primary),
        maintenance=parts.maintenance,
        maintenance_interval_months=protocol.document.planning.maintenance.interval_months,
        precautions=screening.precautions,
        protocol=protocol.ref,
    )


def _holds[T](guarded: Guarded[T], intake: Intake, today: date) -> bool:
    if guarded.condition is None:
        return False
    return guarded.condition(intake, today).truth is Truth.TRUE


def _needed[T](guarded: Guarded[T], intake: Intake, today: date) -> bool:
    if guarded.condition is None:
        return True
    return guarded.condition(intake, today).truth is not Truth.FALSE


def _phototype_capped(protocol: Protocol, intake: Intake) -> bool:
    """Pigment-prone phototypes, or a phototype not yet recorded, get the capped depth."""
    cap = protocol.document.planning.phototype_depth_cap
    return cap is not None and (intake.fitzpatrick is None or intake.fitzpatrick in cap.phototypes)


@dataclass
class _PlanParts:
    """Plan items built once per protocol: a plan only picks among them."""

    endpoint: PlanItem
    maintenance: PlanItem
    preparation: list[tuple[Guarded[object], PlanItem]]
    adjuncts: list[tuple[Guarded[object], PlanItem]]
    depths: dict[tuple[str | None, Device, Zone, bool], ZoneDepth]
    courses: dict[tuple[str | None, Device], tuple[SourcedRange, SourcedRange]]
    courses_expected: dict[str | None, PlanItem]

    def course(
        self, indication: Indication | None, device: Device
    ) -> tuple[SourcedRange, SourcedRange]:
        key = (indication.code if indication else None, device)
        if key not in self.courses:
            self.courses[key] = _course(indication, device)
        return self.courses[key]

    def depth(
        self,
        protocol: Protocol,
        indication: Indication | None,
        device: Device,
        zone: Zone,
        capped: bool,
    ) -> ZoneDepth:
        key = (indication.code if indication else None, device, zone, capped)
        if key not in self.depths:
            depth = _depth(protocol, indication, device, zone)
            if capped:
                depth = _cap(protocol, depth)
            self.depths[key] = ZoneDepth(zone=zone, depth_mm=depth)
        return self.depths[key]

    def expected_course(self, indication: Indication | None) -> PlanItem:
        key = indication.code if indication else None
        if key not in self.courses_expected:
            self.courses_expected[key] = (
                _item("expected_course", "Expected course", indication.expected_course, indication)
                if indication
                else PlanItem(
                    code="expected_course",
                    title="Expected course",
                    text=NO_INDICATION,
                    sources=[],
                    evidence="unsourced",
                )
            )
        return self.courses_expected[key]


def _parts(protocol: Protocol) -> _PlanParts:
    parts = protocol.memo.get("plan")
    if isinstance(parts, _PlanParts):
        return parts
    planning = protocol.document.planning
    steps = sorted(protocol.preparation, key=lambda g: -g.item.days_before)
    parts = _PlanParts(
        endpoint=_item("endpoint", "Endpoint", planning.endpoint.text, planning.endpoint),
        maintenance=_item(
            "maintenance", "Maintenance", planning.maintenance.text, planning.maintenance
        ),
        preparation=[
            (
                g,
                _item(
                    g.item.code,
                    g.item.title,
                    g.item.text,
                    g.item,
                    days_before=g.item.days_before,
                ),
            )
            for g in steps
        ],
        adjuncts=[
            (g, _item(g.item.code, g.item.title, g.item.text, g.item)) for g in protocol.adjuncts
        ],
        depths={},
        courses={},
        courses_expected={},
    )
    protocol.memo["plan"] = parts
    return parts


def _course(indication: Indication | None, device: Device) -> tuple[SourcedRange, SourcedRange]:
    if indication is None:
        gap = SourcedRange(unit="", unsourced=NO_INDICATION)
        return gap, gap
    course = indication.device_courses.get(device)
    sessions = course.sessions if course else indication.sessions
    interval = course.interval_weeks if course else indication.interval_weeks
    return _range(sessions, "sessions"), _range(interval, "weeks")


def _depth(
    protocol: Protocol, indication: Indication | None, device: Device, zone: Zone
) -> SourcedRange:
    planning = protocol.document.planning
    if device in planning.device_depth:
        return _range(planning.device_depth[device], "mm")
    if indication is None:
        return SourcedRange(unit="mm", unsourced=NO_INDICATION)
    entry = planning.depth_tables[indication.depth_table].get(zone)
    if entry is None:
        return SourcedRange(
            unit="mm",
            unsourced=(
                f"The protocol gives no depth for the {zone.value} for "
                f"{indication.title.lower()}; the clinician sets it."
            ),
        )
    return _range(entry, "mm")


def _cap(protocol: Protocol, depth: SourcedRange) -> SourcedRange:
    """The recommended range, cut at the phototype cap when it reaches above it."""
    cap = protocol.document.planning.phototype_depth_cap
    assert cap is not None
    if not depth.known or depth.high is None or depth.high <= cap.max_mm:
        return depth
    low = min(depth.low or 0.0, cap.max_mm)
    note = f"{cap.text} ({', '.join(f'[{k}]' for k in cap.sources)})"
    return SourcedRange(
        low=low,
        high=cap.max_mm,
        unit=depth.unit,
        sources=[*depth.sources, *(k for k in cap.sources if k not in depth.sources)],
        evidence=depth.evidence,
        note=f"{depth.note} {note}" if depth.note else note,
    )


def _range(entry: NumberRange | Gap, unit: str) -> SourcedRange:
    if isinstance(entry, Gap):
        return SourcedRange(unit=unit, unsourced=entry.unsourced)
    return SourcedRange(
        low=entry.low,
        high=entry.high,
        unit=unit,
        sources=entry.sources,
        evidence=entry.evidence,
        note=entry.note,
    )


def _item(
    code: str, title: str, text: str, basis: Sourced, *, days_before: int | None = None
) -> PlanItem:
    return PlanItem(
        code=code,
        title=title,
        text=text,
        sources=basis.sources,
        evidence=basis.evidence,
        note=basis.note,
        days_before=days_before,
    )


def preparation_schedule(plan: Plan, first_session: date) -> list[tuple[PlanItem, date]]:
    """Each preparation step with the date it starts, counted back from the first session."""
    return [
        (step, first_session - timedelta(days=step.days_before or 0)) for step in plan.preparation
    ]


def within_protocol(value: float, recommended: SourcedRange) -> bool | None:
    """True inside the recommended range, False outside; None where the protocol has no range."""
    if not recommended.known:
        return None
    return recommended.contains(value)

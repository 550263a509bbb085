"""Plan forms: the clinician's values, each with a reason box for departures."""

from __future__ import annotations

import math
from typing import Any

from django import forms

from needlechart.core.dates import ClinicalDateField
from needlechart.core.limits import with_limit
from needlechart.plans.models import TreatmentPlan
from needlechart.plans.services import CLINICIAN_SET, depth_key, format_range, value_limit
from needlechart.protocol.results import Plan, SourcedRange

REASON_HELP = "Needed when the value is outside the protocol's range."


def _reason_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=f"Reason ({label.lower()})",
        required=False,
        max_length=500,
        help_text=REASON_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PlanAdjustForm(forms.Form):
    sessions_planned = forms.IntegerField(
        label="Sessions planned",
        min_value=1,
        max_value=999,
        widget=forms.NumberInput(attrs={"min": 1, "step": 1, "inputmode": "numeric"}),
    )
    sessions_planned_reason = _reason_field("Sessions")
    interval_weeks = forms.IntegerField(
        label="Interval between sessions (weeks)",
        min_value=1,
        max_value=999,
        widget=forms.NumberInput(attrs={"min": 1, "step": 1, "inputmode": "numeric"}),
    )
    interval_weeks_reason = _reason_field("Interval")
    start_date = ClinicalDateField(
        label="First session",
        required=False,
        help_text="Needed for approval; preparation dates count back from it.",
    )

    def __init__(self, *args: Any, plan: TreatmentPlan, **kwargs: Any) -> None:
        recommendation: Plan = plan.engine_plan()
        if "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(plan)
        super().__init__(*args, **kwargs)
        self.recommendation = recommendation
        self.fields["sessions_planned"].help_text = self._range_help(recommendation.sessions)
        self.fields["interval_weeks"].help_text = self._range_help(recommendation.interval_weeks)
        self.zones: list[tuple[str, SourcedRange]] = []
        for zone_depth in recommendation.depths:
            zone = zone_depth.zone.value
            key = depth_key(zone)
            self.zones.append((zone, zone_depth.depth_mm))
            self.fields[key] = forms.DecimalField(
                label=f"Needle depth, {zone} (mm)",
                min_value=0,
                max_digits=4,
                decimal_places=2,
                help_text=self._range_help(zone_depth.depth_mm),
                widget=forms.NumberInput(attrs={"min": 0, "step": "0.05"}),
            )
            self.fields[f"{key}_reason"] = _reason_field(f"Depth, {zone}")
        self._show_limits(plan)

    def _show_limits(self, plan: TreatmentPlan) -> None:
        """Each value's absolute limit beside it (and as the browser's bound), so staff see
        it before they type; the service refuses anything beyond it whatever the reason."""
        for key, field in self.fields.items():
            found = value_limit(plan, key)
            if found is None:
                continue
            limit, factor = found
            field.help_text = with_limit(str(field.help_text), limit)
            bound = limit.value / factor
            if limit.minimum:
                # The interval's floor in days, as whole weeks the browser can offer.
                field.widget.attrs["min"] = f"{math.ceil(bound):g}"
            else:
                field.widget.attrs["max"] = f"{bound:g}"

    @staticmethod
    def _range_help(rng: SourcedRange) -> str:
        if rng.known:
            return f"Protocol: {format_range(rng)}."
        return f"No sourced range: {rng.unsourced} Recorded as clinician-set."

    @staticmethod
    def initial_for(plan: TreatmentPlan) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "sessions_planned": plan.sessions_planned,
            "interval_weeks": plan.interval_weeks,
            "start_date": plan.start_date,
        }
        for zone, depth in (plan.depths or {}).items():
            initial[depth_key(zone)] = depth
        for deviation in plan.deviations or []:
            reason = deviation.get("reason", "")
            if reason and reason != CLINICIAN_SET:
                initial[f"{deviation['field']}_reason"] = reason
        return initial

    def value_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        rows = [
            (self["sessions_planned"], self["sessions_planned_reason"]),
            (self["interval_weeks"], self["interval_weeks_reason"]),
        ]
        rows += [(self[depth_key(z)], self[f"{depth_key(z)}_reason"]) for z, _ in self.zones]
        return rows

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys = ["sessions_planned", "interval_weeks"] + [depth_key(z) for z, _ in self.zones]
        return {
            "sessions_planned": data["sessions_planned"],
            "interval_weeks": data["interval_weeks"],
            "start_date": data.get("start_date"),
            "depths": {z: data.get(depth_key(z)) for z, _ in self.zones},
            "reasons": {k: data.get(f"{k}_reason", "") for k in keys},
        }

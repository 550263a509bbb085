"""Forms of the treatments pages. Choices and guidance come from the protocol."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from needlechart.accounts.models import CLINICAL_ROLES, User
from needlechart.core.dates import ClinicalDateField
from needlechart.plans.models import DeviceChoices
from needlechart.protocol import default_protocol, depth_limit
from needlechart.protocol.vocabulary import Device, Zone
from needlechart.treatments.models import (
    ENDPOINT_OTHER,
    AdverseSeverity,
    Channel,
    SessionRecord,
    SeverityChoices,
    SymptomChoices,
)
from needlechart.treatments.services import adverse_event_types, amendable_fields
from needlechart.treatments.values import parse_amendment, value_field, zone_ranges

YES_NO = [("yes", "Yes"), ("no", "No")]


def _date_field(
    label: str, *, required: bool = True, help_text: str = "", past: bool = True
) -> forms.DateField:
    """A clinical date; `past` (the default here) for what has already happened."""
    return ClinicalDateField(past=past, label=label, required=required, help_text=help_text)


def _text(label: str, *, max_length: int = 200, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required)


def _area(label: str, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# ---------------------------------------------------------------- day-of re-screen


class RescreenForm(forms.Form):
    """One yes/no per checklist question; the clinician's reason to proceed if blocked."""

    confirm_backdated = forms.BooleanField(
        label="The date is right: this session was done on that earlier day",
        required=False,
    )
    proceed_reason = forms.CharField(
        label="Reason for proceeding despite the day-of verdict",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Clinicians only; recorded on the session.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes: list[str] = []
        for item in default_protocol().document.charting.day_of_checklist:
            self.codes.append(item.code)
            self.fields[item.code] = forms.ChoiceField(
                label=item.question, choices=YES_NO, widget=forms.RadioSelect
            )
        # The reason box reads best after the questions.
        self.order_fields([*self.codes, "proceed_reason", "confirm_backdated"])

    def answers(self) -> dict[str, bool]:
        return {code: self.cleaned_data[code] == "yes" for code in self.codes}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[c] for c in self.codes]


# ---------------------------------------------------------------- the record


def clinical_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=[str(r) for r in CLINICAL_ROLES])


class PractitionerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_display_name()} ({obj.get_role_display()})"


class SessionForm(forms.Form):
    """The draft's values. The record's own fields come from `values.value_field` (the same
    fields parse an amendment); `session_update` runs `values.check_values` on the result."""

    practitioner = PractitionerChoiceField(queryset=User.objects.none(), label="Practitioner")
    device = forms.ChoiceField(label="Device", choices=DeviceChoices.choices)
    glide_product_other = _text("Other glide product (name)")
    endpoint = forms.ChoiceField(label="Endpoint reached", required=False)
    endpoint_other = _text("Other endpoint")
    confirm_backdated = forms.BooleanField(
        label="The date is right: this session was done on that earlier day",
        required=False,
    )

    def __init__(self, *args: Any, session: SessionRecord, **kwargs: Any) -> None:
        charting = default_protocol().document.charting
        if "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(session)
        super().__init__(*args, **kwargs)
        self.session = session
        for key in (
            "performed_on",
            "cartridge_lot",
            "cartridge_expiry",
            "passes",
            "glide_product",
            "anaesthetic",
            "immediate_reactions",
            "notes",
        ):
            self.fields[key] = value_field(key)
        practitioner = self.fields["practitioner"]
        assert isinstance(practitioner, forms.ModelChoiceField)
        practitioner.queryset = clinical_staff()
        self.fields["endpoint"].choices = [  # type: ignore[attr-defined]
            ("", "Not recorded"),
            *[(e.text, e.text) for e in charting.endpoints],
            (ENDPOINT_OTHER, "Other"),
        ]
        self.fields["passes"].help_text = charting.passes.text
        self.zones: list[tuple[str, str]] = []
        for zone in zone_ranges(session.plan):
            key = f"depth_{zone}"
            self.fields[key] = value_field(key, plan=session.plan)
            self.fields[f"{key}_reason"] = forms.CharField(
                label=f"Reason (depth, {zone})",
                required=False,
                max_length=500,
                help_text="Needed when the depth is outside the protocol's range.",
            )
            self.zones.append((zone, key))
        self.order_fields(
            [
                "performed_on",
                "practitioner",
                "device",
                "cartridge_lot",
                "cartridge_expiry",
                *[k for _, key in self.zones for k in (key, f"{key}_reason")],
                "passes",
                "glide_product",
                "glide_product_other",
                "anaesthetic",
                "endpoint",
                "endpoint_other",
                "immediate_reactions",
                "notes",
                "confirm_backdated",
            ]
        )

    @staticmethod
    def initial_for(session: SessionRecord) -> dict[str, Any]:
        endpoints = {e.text for e in default_protocol().document.charting.endpoints}
        endpoint, endpoint_other = "", ""
        if session.endpoint_reached in endpoints:
            endpoint = session.endpoint_reached
        elif session.endpoint_reached:
            endpoint, endpoint_other = ENDPOINT_OTHER, session.endpoint_reached
        initial: dict[str, Any] = {
            "performed_on": session.performed_on,
            "practitioner": session.practitioner_id,
            "device": session.device,
            "cartridge_lot": session.cartridge_lot,
            "cartridge_expiry": session.cartridge_expiry,
            "passes": session.passes,
            "glide_product": session.glide_product,
            "glide_product_other": session.glide_product_other,
            "anaesthetic": session.anaesthetic,
            "endpoint": endpoint,
            "endpoint_other": endpoint_other,
            "immediate_reactions": session.immediate_reactions,
            "notes": session.notes,
        }
        for zone, depth in (session.depths or {}).items():
            initial[f"depth_{zone}"] = depth
        for zone, reason in (session.depth_reasons or {}).items():
            initial[f"depth_{zone}_reason"] = reason
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("endpoint") == ENDPOINT_OTHER and not data.get("endpoint_other"):
            self.add_error("endpoint_other", "Describe the endpoint reached.")
        return data

    def depth_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[key], self[f"{key}_reason"]) for _, key in self.zones]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        endpoint = data.get("endpoint") or ""
        if endpoint == ENDPOINT_OTHER:
            endpoint = data.get("endpoint_other", "")
        return {
            "performed_on": data["performed_on"],
            "practitioner": data["practitioner"],
            "device": data["device"],
            "cartridge_lot": data["cartridge_lot"],
            "cartridge_expiry": data["cartridge_expiry"],
            "depths": {zone: data.get(key) for zone, key in self.zones},
            "depth_reasons": {zone: data.get(f"{key}_reason", "") for zone, key in self.zones},
            "passes": data["passes"],
            "glide_product": data["glide_product"],
            "glide_product_other": data.get("glide_product_other", ""),
            "anaesthetic": data.get("anaesthetic", ""),
            "endpoint_reached": endpoint,
            "immediate_reactions": data.get("immediate_reactions", ""),
            "notes": data.get("notes", ""),
            "confirm_backdated": bool(data.get("confirm_backdated")),
        }


class AmendForm(forms.Form):
    field = forms.ChoiceField(label="Field to correct")
    new_value = forms.CharField(
        label="Corrected value",
        max_length=5000,
        help_text="Typed as on the draft form: dates YYYY-MM-DD or DD/MM/YYYY; depths in mm; "
        "a glide product by its name (any other name is recorded as “Other”).",
    )
    reason = forms.CharField(
        label="Reason for the correction", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, session: SessionRecord, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["field"].choices = [  # type: ignore[attr-defined]
            ("", "Choose…"),
            *amendable_fields(session).items(),
        ]
        # The depth limits beside the box, seen before a corrected depth is typed.
        limits = [
            f"{zone} {depth_limit(session.device, zone).describe().lower()}"
            for zone in (session.depths or {})
            if zone in Zone._value2member_map_ and session.device in Device._value2member_map_
        ]
        if limits:
            self.fields["new_value"].help_text = (
                f"{self.fields['new_value'].help_text} Depth limits: {'; '.join(limits)} "
                "(no reason can pass them)."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key, text = data.get("field"), data.get("new_value")
        if key and text is not None:
            # The draft form's own field parses it (the service parses it the same way and
            # then runs every check of the draft form on the record as corrected).
            try:
                parse_amendment(key, text, plan=self.session.plan)
            except forms.ValidationError as exc:
                self.add_error("new_value", exc.messages)
        return data


# ---------------------------------------------------------------- symptoms


class SessionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: SessionRecord) -> str:
        return f"Session {obj.session_number} on {obj.performed_on:%d %b %Y}"


class SymptomReportForm(forms.Form):
    session = SessionChoiceField(queryset=SessionRecord.objects.none(), label="Session")
    symptom = forms.ChoiceField(label="Symptom", choices=SymptomChoices.choices)
    severity = forms.ChoiceField(
        label="Severity", choices=SeverityChoices.choices, widget=forms.RadioSelect
    )
    worsening = forms.BooleanField(label="Getting worse rather than better", required=False)
    reported_on = _date_field("Reported on")
    days_since_session = forms.IntegerField(
        label="Days since the session",
        required=False,
        min_value=0,
        max_value=3650,
        help_text="Leave blank to count from the session date to the report date.",
    )
    channel = forms.ChoiceField(label="Reported by", choices=Channel.choices)

    def __init__(
        self,
        *args: Any,
        sessions: QuerySet[SessionRecord],
        today: date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sessions
        self.fields["reported_on"].initial = today or timezone.localdate()


class ResolveForm(forms.Form):
    resolution_note = forms.CharField(
        label="Resolution note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was done: advice given, review booked, treatment started.",
    )


# ---------------------------------------------------------------- adverse events


class AdverseEventForm(forms.Form):
    event_type = forms.ChoiceField(label="Type")
    event_type_other = _text("Description (if Other)")
    severity = forms.ChoiceField(label="Severity", choices=AdverseSeverity.choices)
    onset_on = _date_field("Onset")
    session = SessionChoiceField(
        queryset=SessionRecord.objects.none(),
        label="Linked session",
        required=False,
        help_text="The device and cartridge lot are copied from the session.",
    )
    actions_taken = _area("Actions taken")
    outcome = _area("Outcome so far")

    def __init__(self, *args: Any, sessions: QuerySet[SessionRecord], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = [  # type: ignore[attr-defined]
            ("", "Choose…"),
            *adverse_event_types().items(),
        ]
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sessions


class AdverseUpdateForm(forms.Form):
    note = _area("Follow-up note", required=True)
    outcome = _area("Outcome (replaces the current one if given)")
    resolve = forms.BooleanField(label="The event has resolved", required=False)
    resolved_on = _date_field("Resolved on", required=False, help_text="Blank: today.")

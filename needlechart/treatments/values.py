"""The values of a session record and their ONE validation.

The draft form (`session_update`) and an amendment of a signed record (`session_amend`) both
run `check_values` on the record's values — for an amendment, on the values in force with the
correction applied — so a correction can never store what the draft form would refuse
(cartridge expiry, glide product list, depth ranges and limits, date formats and plausibility).
Typed input comes through `value_field`, the same Django field the draft form shows, so a
date or a depth typed into an amendment is parsed exactly as on the draft form.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError

from needlechart.accounts.models import CLINICAL_ROLES
from needlechart.accounts.permissions import has_role
from needlechart.core import dates
from needlechart.core.dates import ClinicalDateField
from needlechart.core.limits import limit_error, with_limit
from needlechart.plans.services import format_range
from needlechart.protocol import default_protocol, depth_limit, within_protocol
from needlechart.protocol.results import SourcedRange
from needlechart.protocol.vocabulary import Device
from needlechart.treatments.models import GLIDE_OTHER

if TYPE_CHECKING:
    from needlechart.plans.models import TreatmentPlan
    from needlechart.treatments.models import SessionRecord

REQUIRED = "This field is required."
LOT_MAX = 64
LOT_TOO_LONG = f"A lot number has at most {LOT_MAX} characters."
CARTRIDGE_EXPIRED = (
    "This cartridge expired on {expiry:%d %b %Y}, before the session date "
    "({session:%d %b %Y}): use an in-date cartridge."
)
DEPTH_REQUIRED = "Enter the needle depth used in this zone."
DEPTH_POSITIVE = "Enter a depth above 0 mm."
DEPTH_REASON_REQUIRED = (
    "This depth is outside the protocol's range for this zone ({recommended}): give a reason."
)
UNKNOWN_ZONE = "Not a zone of this plan: {zones}."
PASSES_MIN = "Enter at least 1 pass."
GLIDE_UNKNOWN = "Choose a glide product from the list, or Other."
GLIDE_OTHER_REQUIRED = "Name the product used."
DEVICE_NOT_CONSENTED = "The consent covers the {device} device; another device needs a new consent."
PRACTITIONER_NOT_CLINICAL = "The practitioner must be an active clinician or aesthetician."
GLIDE_OTHER_PREFIX = "Other: "
TEXT_MAX = 200
TEXT_TOO_LONG = f"At most {TEXT_MAX} characters."

# Input bounds of the depth box (a typing guard, not a clinical figure: the protocol's
# absolute limit is checked in `check_values`).
DEPTH_MAX_DIGITS = 4
DEPTH_DECIMALS = 2


# ---------------------------------------------------------------- protocol look-ups


def zone_ranges(plan: TreatmentPlan) -> dict[str, SourcedRange]:
    """The protocol's depth range per zone of the plan, from its recommendation."""
    return {d.zone.value: d.depth_mm for d in plan.engine_plan().depths}


def glide_codes() -> list[str]:
    return [p.code for p in default_protocol().document.charting.glide_products]


def glide_choices() -> list[tuple[str, str]]:
    products = default_protocol().document.charting.glide_products
    return [
        ("", "Choose…"),
        *[(p.code, p.label) for p in products],
        (GLIDE_OTHER, "Other (not listed by the protocol)"),
    ]


# ---------------------------------------------------------------- one field per value


def value_field(key: str, *, plan: TreatmentPlan | None = None) -> forms.Field:
    """The form field of a record value: the draft form shows it, and an amendment's typed
    value is parsed by it. `depth_<zone>` needs the plan (for its help text)."""
    if key == "performed_on":
        return ClinicalDateField(past=True, label="Session date")
    if key == "cartridge_expiry":
        return ClinicalDateField(label="Cartridge expiry")
    if key == "cartridge_lot":
        return forms.CharField(
            label="Cartridge lot",
            max_length=LOT_MAX,
            help_text="As printed on the cartridge packaging; used for recalls.",
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        )
    if key == "passes":
        return forms.IntegerField(
            label="Passes",
            min_value=1,
            max_value=999,
            error_messages={"min_value": PASSES_MIN},
            widget=forms.NumberInput(attrs={"min": 1, "step": 1, "inputmode": "numeric"}),
        )
    if key.startswith("depth_"):
        zone = key.removeprefix("depth_")
        help_text = ""
        attrs: dict[str, Any] = {"min": 0, "step": "0.05"}
        if plan is not None:
            rng = zone_ranges(plan).get(zone)
            planned = (plan.depths or {}).get(zone)
            help_text = f"Protocol: {format_range(rng)}." if rng is not None else ""
            if planned is not None:
                help_text += f" Plan: {planned:g} mm."
            # The absolute limit beside the field, so it is seen before anything is typed.
            limit = depth_limit(plan.device, zone)
            help_text = with_limit(help_text.strip(), limit)
            attrs["max"] = f"{limit.value:g}"
        return forms.DecimalField(
            label=f"Needle depth, {zone} (mm)",
            max_digits=DEPTH_MAX_DIGITS,
            decimal_places=DEPTH_DECIMALS,
            help_text=help_text.strip(),
            widget=forms.NumberInput(attrs=attrs),
        )
    if key == "glide_product":
        return forms.ChoiceField(label="Glide product", choices=glide_choices())
    if key in ("anaesthetic", "endpoint_reached"):
        label = "Topical anaesthetic" if key == "anaesthetic" else "Endpoint reached"
        return forms.CharField(label=label, max_length=TEXT_MAX, required=False)
    if key in ("immediate_reactions", "notes"):
        label = "Immediate reactions" if key == "immediate_reactions" else "Notes"
        return forms.CharField(
            label=label,
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    raise KeyError(key)


# ---------------------------------------------------------------- the one validation


def decimal_or_none(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def depth_value(number: Decimal) -> float | int:
    as_float = float(number)
    return int(as_float) if as_float == int(as_float) else as_float


def _device_or(device: str, fallback: str) -> str:
    """The charted device if it is one the protocol knows (else the plan's, whose limit the
    consent check will hold the record to anyway)."""
    return device if device in Device._value2member_map_ else fallback


def _check_depths(
    record: SessionRecord,
    device: str,
    depths: Mapping[str, Any],
    reasons: Mapping[str, str],
    errors: dict[str, Any],
) -> tuple[dict[str, float | int], dict[str, str]]:
    ranges = zone_ranges(record.plan)
    unknown = set(depths) - set(ranges)
    if unknown:
        errors["depths"] = UNKNOWN_ZONE.format(zones=", ".join(sorted(unknown)))
    clean: dict[str, float | int] = {}
    clean_reasons: dict[str, str] = {}
    for zone, rng in ranges.items():
        key = f"depth_{zone}"
        number = decimal_or_none(depths.get(zone))
        if number is None:
            errors[key] = DEPTH_REQUIRED
            continue
        if number <= 0:
            errors[key] = DEPTH_POSITIVE
            continue
        value = depth_value(number)
        limit = depth_limit(_device_or(device, record.plan.device), zone)
        if limit.exceeded_by(float(value)):
            errors[key] = limit_error(limit, float(value))  # no reason can pass it
            continue
        clean[zone] = value
        reason = (reasons.get(zone) or "").strip()
        if within_protocol(float(value), rng) is False and not reason:
            errors[f"{key}_reason"] = DEPTH_REASON_REQUIRED.format(recommended=format_range(rng))
        if reason:
            clean_reasons[zone] = reason
    return clean, clean_reasons


def check_values(  # noqa: C901 - one check per charted field, each with its message
    *, record: SessionRecord, values: Mapping[str, Any], today: date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(clean values, errors keyed by field) for a record's values.

    `values` has every value `session_update` takes: performed_on, practitioner, device,
    cartridge_lot, cartridge_expiry, depths, depth_reasons, passes, glide_product,
    glide_product_other. The record must come with its plan, consent and patient."""
    performed_on: date = values["performed_on"]
    errors: dict[str, Any] = dates.date_errors(
        {"performed_on": performed_on}, born=record.patient.date_of_birth, today=today, past=True
    )
    practitioner = values["practitioner"]
    if not has_role(practitioner, CLINICAL_ROLES):
        errors["practitioner"] = PRACTITIONER_NOT_CLINICAL
    device = values["device"]
    if record.consent.device and device != record.consent.device:
        errors["device"] = DEVICE_NOT_CONSENTED.format(device=record.consent.device)
    lot = (values["cartridge_lot"] or "").strip()
    if not lot:
        errors["cartridge_lot"] = REQUIRED
    elif len(lot) > LOT_MAX:
        errors["cartridge_lot"] = LOT_TOO_LONG
    expiry: date | None = values["cartridge_expiry"]
    if expiry is None:
        errors["cartridge_expiry"] = REQUIRED
    elif problem := dates.date_problem(expiry):
        errors["cartridge_expiry"] = problem
    elif expiry < performed_on:
        errors["cartridge_expiry"] = CARTRIDGE_EXPIRED.format(expiry=expiry, session=performed_on)
    depths, reasons = _check_depths(
        record, device, values["depths"] or {}, values.get("depth_reasons") or {}, errors
    )
    passes = values["passes"]
    if passes is None:
        errors["passes"] = REQUIRED
    elif passes < 1:
        errors["passes"] = PASSES_MIN
    glide = values["glide_product"]
    glide_other = (values.get("glide_product_other") or "").strip()
    if glide != GLIDE_OTHER and glide not in glide_codes():
        errors["glide_product"] = GLIDE_UNKNOWN
    elif glide == GLIDE_OTHER and not glide_other:
        errors["glide_product_other"] = GLIDE_OTHER_REQUIRED
    for key in ("anaesthetic", "endpoint_reached"):
        if len((values.get(key) or "").strip()) > TEXT_MAX:
            errors[key] = TEXT_TOO_LONG
    clean = {
        "performed_on": performed_on,
        "practitioner": practitioner,
        "device": device,
        "cartridge_lot": lot,
        "cartridge_expiry": expiry,
        "depths": depths,
        "depth_reasons": reasons,
        "passes": passes,
        "glide_product": glide,
        "glide_product_other": glide_other if glide == GLIDE_OTHER else "",
    }
    return clean, errors


# ---------------------------------------------------------------- amendments


def record_values(record: SessionRecord) -> dict[str, Any]:
    """The record's values as signed, in `check_values`' shape."""
    return {
        "performed_on": record.performed_on,
        "practitioner": record.practitioner,
        "device": record.device,
        "cartridge_lot": record.cartridge_lot,
        "cartridge_expiry": record.cartridge_expiry,
        "depths": dict(record.depths or {}),
        "depth_reasons": dict(record.depth_reasons or {}),
        "passes": record.passes,
        "glide_product": record.glide_product,
        "glide_product_other": record.glide_product_other,
        "anaesthetic": record.anaesthetic,
        "endpoint_reached": record.endpoint_reached,
        "immediate_reactions": record.immediate_reactions,
        "notes": record.notes,
    }


def parse_amendment(key: str, text: str, *, plan: TreatmentPlan) -> tuple[Any, str]:
    """(typed value, normalised text to store) for an amendment's typed value, parsed by the
    draft form's own field. A glide product is a listed product (code or name) or, for
    anything else, "Other: <name>" (the glide warning applies, as on the draft form)."""
    text = (text or "").strip()
    if key == "glide_product":
        if not text:
            raise ValidationError(REQUIRED)
        products = default_protocol().document.charting.glide_products
        for product in products:
            if text.lower() in (product.code.lower(), product.label.lower()):
                return (product.code, ""), product.code
        name = text.removeprefix(GLIDE_OTHER_PREFIX).strip()
        if text.lower() == GLIDE_OTHER or not name:
            raise ValidationError(GLIDE_OTHER_REQUIRED)
        if len(name) > TEXT_MAX:
            raise ValidationError(TEXT_TOO_LONG)
        return (GLIDE_OTHER, name), f"{GLIDE_OTHER_PREFIX}{name}"
    field = value_field(key, plan=plan)
    if key in ("cartridge_lot", "cartridge_expiry", "passes") or key.startswith("depth_"):
        field.required = True
    value = field.clean(text)
    if isinstance(value, date):
        return value, value.isoformat()
    if isinstance(value, Decimal):
        number = depth_value(value)
        return number, str(number)
    if value is None:
        return None, ""
    return value, str(value)


def apply_amendment(values: dict[str, Any], key: str, value: Any, *, reason: str = "") -> None:
    """Put a typed amendment value into `check_values`' shape. A corrected depth takes the
    amendment's reason as its reason (it is the clinician's account of the value)."""
    if key.startswith("depth_"):
        zone = key.removeprefix("depth_")
        values["depths"] = {**values["depths"], zone: value}
        values["depth_reasons"] = {**values["depth_reasons"], zone: reason.strip()}
    elif key == "glide_product":
        values["glide_product"], values["glide_product_other"] = value
    else:
        values[key] = value


def values_in_force(record: SessionRecord) -> dict[str, Any]:
    """The record's values with every amendment applied in order (the latest per field wins).
    An amendment that no longer parses (stored under older rules) is shown but skipped here."""
    values = record_values(record)
    for amendment in record.amendments.all():  # ordered by creation (model Meta)
        try:
            typed, _ = parse_amendment(amendment.field, amendment.new_value, plan=record.plan)
        except (ValidationError, KeyError):
            continue
        apply_amendment(values, amendment.field, typed, reason=amendment.reason)
    return values


def lot_in_force(record: SessionRecord) -> str:
    """The cartridge lot after amendments (what a recall and an adverse event must use)."""
    lot = record.cartridge_lot
    for amendment in record.amendments.all():
        if amendment.field == "cartridge_lot" and amendment.new_value.strip():
            lot = amendment.new_value.strip()
    return lot

"""The consent document: built from an approved plan and the protocol, stored as plain text.

The stored text is what the patient reads and signs, and what is hashed. It is a small,
line-based format so the same text renders as readable HTML on screen and in the PDF:

    # Title                    a heading of the document
    ## Section                 a section heading
    - Title: text              a list item (bold title when it has one)
    Key: value                 a fact line (only in the "facts" block after the title)
    anything else              a paragraph (blank lines separate blocks)

Clinical wording (procedure, effects, risks, alternatives, photographs) comes from the
protocol; only the plan's own values and the declaration are written here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from needlechart.patients.models import Patient
from needlechart.plans.models import DeviceChoices, TreatmentPlan
from needlechart.protocol.charting import consent_risks
from needlechart.protocol.loader import Protocol, default_protocol
from needlechart.protocol.patient import precautions_for_patient
from needlechart.protocol.vocabulary import Device

TITLE = "Consent to microneedling for acne scars"
PHOTO_CLINICAL_CHOICE = "Photographs may be kept in my clinical record."
PHOTO_MARKETING_CHOICE = "Photographs may be used, without my name, for teaching or marketing."
DECLARATION = (
    "I have read this information and had the chance to ask questions. I understand the "
    "procedure, its expected effects, its risks and the alternatives, and I agree to the "
    "course of treatment described above. I can withdraw my consent at any time, including "
    "between sessions, without giving a reason."
)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_zones(plan: TreatmentPlan) -> list[str]:
    """The zones a plan treats, sorted: the consent and the validity check compare these."""
    return sorted((plan.depths or {}).keys())


def device_label(device: str) -> str:
    try:
        return str(DeviceChoices(device).label)
    except ValueError:
        return device.replace("_", " ")


def _item(title: str, text: str) -> str:
    return f"- {title}: {' '.join(text.split())}"


def _para(text: str) -> str:
    return " ".join(text.split())


def _section(title: str, paragraphs: list[str]) -> list[str]:
    """A section of paragraphs (none: no section). Paragraphs, not list items: a list item's
    text before ": " would be read as its title."""
    if not paragraphs:
        return []
    return [f"## {title}", "", *(line for text in paragraphs for line in (text, ""))]


def consent_text(*, plan: TreatmentPlan, patient: Patient, protocol: Protocol | None = None) -> str:
    """The full consent text for this plan (deterministic for the same plan and protocol)."""
    protocol = protocol or default_protocol()
    consent = protocol.document.consent
    device = Device(plan.device)
    zones = plan_zones(plan)
    ref = protocol.ref
    sessions = (
        f"{plan.sessions_planned}"
        if plan.sessions_planned is not None
        else "to be agreed with your clinician"
    )
    course = f"{sessions}"
    if plan.interval_weeks:
        course += f", about {plan.interval_weeks} weeks apart"
    # The plan's precautions in the patient's words, device-specific ones (RF burns, the
    # pen's labelled age) only for the device this consent covers.
    care = precautions_for_patient(plan.engine_plan(), device=device, protocol=protocol)
    lines: list[str] = [
        f"# {TITLE}",
        "",
        f"Clinic: {settings.CLINIC_NAME}",
        f"Patient: {patient.full_name}",
        f"Date of birth: {patient.date_of_birth:%d %B %Y}",
        f"Treatment plan: #{plan.pk}",
        f"Protocol: {ref.id} {ref.version}",
        "",
        "## The procedure",
        "",
        _para(consent.procedure.text),
        "",
        "## Your planned treatment",
        "",
        _item("Device", device_label(device.value)),
        _item("Areas treated", ", ".join(z.replace("_", " ") for z in zones) or "none"),
        _item("Number of sessions", course),
        "",
        "## Expected effects and how long they usually last",
        "",
        *(_item(e.title, e.text) for e in consent.expected_effects),
        "",
        "## Risks",
        "",
        *(_item(r.title, r.text) for r in consent_risks(device, protocol=protocol)),
        "",
        *_section("Taking care of you", [_para(text) for text in care]),
        "## Alternatives",
        "",
        *(_item(a.title, a.text) for a in consent.alternatives),
        "",
        "## Photographs",
        "",
        _para(consent.photo_consent),
        "",
        "You make two separate choices, recorded with your signature:",
        "",
        _item("Clinical record", PHOTO_CLINICAL_CHOICE),
        _item("Teaching or marketing", PHOTO_MARKETING_CHOICE),
        "",
        "## Declaration",
        "",
        DECLARATION,
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- rendering


@dataclass
class Block:
    kind: str  # "h1", "h2", "facts", "list", "p"
    lines: list[str] = field(default_factory=list)


def _blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    current: Block | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            current = None
            continue
        if line.startswith("## "):
            blocks.append(Block("h2", [line[3:]]))
            current = None
        elif line.startswith("# "):
            blocks.append(Block("h1", [line[2:]]))
            current = None
        elif line.startswith("- "):
            if current is None or current.kind != "list":
                current = Block("list")
                blocks.append(current)
            current.lines.append(line[2:])
        elif ": " in line and blocks and blocks[-1].kind in ("h1", "facts") and current is None:
            current = Block("facts", [line])
            blocks.append(current)
        elif current is not None and current.kind == "facts" and ": " in line:
            current.lines.append(line)
        else:
            current = Block("p", [line])
            blocks.append(current)
            current = None
    return blocks


def _titled(line: str) -> SafeString:
    title, sep, rest = line.partition(": ")
    if not sep:
        return format_html("{}", line)
    return format_html("<strong>{}:</strong> {}", title, rest)


def render_consent_html(text: str, *, heading_offset: int = 0) -> SafeString:
    """The stored text as plain, escaped HTML (headings, paragraphs, lists, facts)."""
    h1 = f"h{1 + heading_offset}"
    h2 = f"h{2 + heading_offset}"
    parts: list[str] = []
    for block in _blocks(text):
        if block.kind == "h1":
            parts.append(format_html(f"<{h1}>{{}}</{h1}>", block.lines[0]))
        elif block.kind == "h2":
            parts.append(format_html(f"<{h2}>{{}}</{h2}>", block.lines[0]))
        elif block.kind == "list":
            items = format_html_join("", "<li>{}</li>", ((_titled(li),) for li in block.lines))
            parts.append(format_html("<ul>{}</ul>", items))
        elif block.kind == "facts":
            rows = format_html_join(
                "",
                "<div><dt>{}</dt><dd>{}</dd></div>",
                (tuple(li.split(": ", 1)) for li in block.lines),
            )
            parts.append(format_html('<dl class="facts consent-facts">{}</dl>', rows))
        else:
            parts.append(format_html("<p>{}</p>", block.lines[0]))
    return mark_safe("\n".join(parts))  # every part was built by format_html

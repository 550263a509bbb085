"""HTML template -> PDF bytes with xhtml2pdf, shared by every printed document.

Nothing is ever fetched while rendering: images (the logo, signatures, photographs, the
progress chart) are embedded as data URLs, and any other link resolves to nothing.

It lives in `core` because a clinic app prints too (the signed consent, in `consents`) and a
clinic app never imports an edge such as `documents` (README, "Architecture").
"""

from __future__ import annotations

import base64
import importlib
import io
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

LOGO = Path(__file__).resolve().parent / "static" / "core" / "logo.png"
_EMBEDDABLE = ("data:image/png;base64,", "data:image/jpeg;base64,")


class PdfError(RuntimeError):
    """xhtml2pdf reported errors while rendering."""


def no_fetch(uri: str, rel: str) -> str:
    """Only inline images may be embedded: never fetch files or URLs."""
    return uri if uri.startswith(_EMBEDDABLE) else ""


def data_url(content: bytes, content_type: str = "image/png") -> str:
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"


@cache
def logo_data_url() -> str:
    return data_url(LOGO.read_bytes())


def clinic_context() -> dict[str, Any]:
    """What the document base template prints in every page's header and footer."""
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_address": settings.CLINIC_ADDRESS,
        "clinic_phone": settings.CLINIC_PHONE,
        "logo": logo_data_url(),
    }


def html_to_pdf(html: str) -> bytes:
    # Imported by name: xhtml2pdf ships no type information (and loads reportlab, so lazily).
    pisa = importlib.import_module("xhtml2pdf.pisa")
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", link_callback=no_fetch)
    if result.err:
        raise PdfError(f"PDF rendering failed with {result.err} error(s)")
    return out.getvalue()


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a template into PDF bytes, with the clinic's header and footer values
    (`documents/base_pdf.html` prints them)."""
    return html_to_pdf(render_to_string(template_name, {**clinic_context(), **context}))

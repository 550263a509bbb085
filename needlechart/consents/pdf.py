"""The signed consent as a PDF, rendered by xhtml2pdf from an HTML template."""

from __future__ import annotations

import importlib
import io
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from needlechart.consents.document import render_consent_html
from needlechart.consents.models import Consent


class PdfError(RuntimeError):
    """xhtml2pdf reported errors while rendering."""


def _no_fetch(uri: str, rel: str) -> str:
    """Only inline data (the signatures) may be embedded: never fetch files or URLs."""
    return uri if uri.startswith("data:image/png;base64,") else ""


def consent_pdf_context(consent: Consent) -> dict[str, Any]:
    return {
        "consent": consent,
        "patient": consent.patient,
        "body": render_consent_html(consent.text, heading_offset=1),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_address": settings.CLINIC_ADDRESS,
        "clinic_phone": settings.CLINIC_PHONE,
    }


def consent_pdf(consent: Consent) -> bytes:
    # Imported by name: xhtml2pdf ships no type information (and loads reportlab, so lazily).
    pisa = importlib.import_module("xhtml2pdf.pisa")
    html = render_to_string("consents/consent_pdf.html", consent_pdf_context(consent))
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", link_callback=_no_fetch)
    if result.err:
        raise PdfError(f"PDF rendering failed with {result.err} error(s)")
    return out.getvalue()

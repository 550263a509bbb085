"""The signed consent as a PDF, rendered by xhtml2pdf from an HTML template."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from needlechart.consents.document import render_consent_html
from needlechart.consents.models import Consent
from needlechart.documents.render import PdfError, html_to_pdf

__all__ = ["PdfError", "consent_pdf", "consent_pdf_context"]


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
    html = render_to_string("consents/consent_pdf.html", consent_pdf_context(consent))
    return html_to_pdf(html)

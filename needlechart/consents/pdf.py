"""The signed consent as a PDF, rendered by the shared xhtml2pdf renderer (`core.pdf`)."""

from __future__ import annotations

from typing import Any

from needlechart.consents.document import render_consent_html
from needlechart.consents.models import Consent
from needlechart.core.pdf import render_pdf


def consent_pdf_context(consent: Consent) -> dict[str, Any]:
    return {
        "consent": consent,
        "patient": consent.patient,
        "body": render_consent_html(consent.text, heading_offset=1),
    }


def consent_pdf(consent: Consent) -> bytes:
    """The clinic's name, address and phone come with the renderer's context."""
    return render_pdf("consents/consent_pdf.html", consent_pdf_context(consent))

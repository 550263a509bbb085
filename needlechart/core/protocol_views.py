"""The protocol in force, readable by clinical staff: every rule, number and source."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from needlechart.accounts.permissions import clinical_required
from needlechart.protocol import default_protocol


@clinical_required
def protocol_reference(request: HttpRequest) -> HttpResponse:
    protocol = default_protocol()
    document = protocol.document
    return render(
        request,
        "core/protocol.html",
        {
            "ref": protocol.ref,
            "meta": document.protocol,
            "rules": document.screening_rules,
            "precautions": document.precautions,
            "planning": document.planning,
            "grading": document.grading,
            "aftercare": document.aftercare,
            "sources": sorted(document.sources.items()),
        },
    )

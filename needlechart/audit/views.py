from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from needlechart.accounts.permissions import admin_required
from needlechart.audit.forms import AuditFilterForm
from needlechart.audit.models import AuditEvent
from needlechart.audit.selectors import audit_event_list
from needlechart.core.pagination import paginate, querystring_without_page

PER_PAGE = 50


@admin_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    # An invalid filter shows its error and an empty list rather than everything.
    events = (
        audit_event_list(filters=form.cleaned_data)
        if form.is_bound and form.is_valid()
        else audit_event_list(filters={})
        if not form.is_bound
        else AuditEvent.objects.none()
    )
    page = paginate(request, events, PER_PAGE)
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "querystring": querystring_without_page(request)},
    )

"""Site-wide views: the dashboard and the error pages."""

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from needlechart.accounts.permissions import staff_required
from needlechart.core.dashboard import panels_for


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    hour = timezone.localtime().hour
    greeting = "Good morning" if hour < 12 else "Good afternoon" if hour < 18 else "Good evening"
    return render(
        request, "core/dashboard.html", {"panels": panels_for(request), "greeting": greeting}
    )


@require_safe
def favicon(request: HttpRequest) -> HttpResponseBase:
    """Browsers ask for /favicon.ico where a page names no icon (PDFs, JSON, the API docs);
    the icon itself is a static file, served wherever static files are."""
    return redirect(static("favicon.ico"), permanent=True)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors beyond the minimum: the error may come from one of them.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render({}), status=500)

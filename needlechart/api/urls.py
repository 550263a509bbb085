from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from needlechart.api.api import api
from needlechart.api.errors import METHOD_NOT_ALLOWED, NOT_FOUND, error_body

app_name = "api"


@csrf_exempt  # it changes nothing; a POST to a wrong address deserves a 404, not a CSRF page
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/ answers in the API's error shape, not the HTML 404."""
    return JsonResponse(error_body("not_found", NOT_FOUND), status=404)


def _json_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    # ninja answers a wrong method with a plain-text 405 outside its exception handlers.
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allow = response.get("Allow", "")
            response = JsonResponse(
                error_body("method_not_allowed", METHOD_NOT_ALLOWED), status=405
            )
            response["Allow"] = allow
        return response

    return wrapped


v1_patterns, v1_app_name, v1_namespace = api.urls
for pattern in v1_patterns:
    if isinstance(pattern, URLPattern):
        pattern.callback = _json_405(pattern.callback)

urlpatterns = [
    path("v1/", (v1_patterns, v1_app_name, v1_namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]

"""One error shape for every error the API returns:

    {"error": {"code": "...", "message": "...", "fields": {"field.path": ["msg", ...]}}}

`fields` is empty when the error is not about a particular field; `__all__` holds errors
about the input as a whole. Handlers are registered on the NinjaAPI in `api.py`.
"""

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from needlechart.core.limits import LIMIT_EXCEEDED, is_limit_error
from needlechart.protocol import GradingError

logger = logging.getLogger(__name__)

WHOLE_INPUT = "__all__"

INVALID_INPUT = "The input is not valid; see fields."
NOT_AUTHENTICATED = "Sign in, or send 'Authorization: Bearer <token>'."
PERMISSION_DENIED = "Your role does not give access to this."
NOT_FOUND = "Not found."
METHOD_NOT_ALLOWED = "This address does not accept that HTTP method."
MALFORMED_BODY = "The request body is not valid JSON."
CSRF_FAILED = "CSRF check failed: send the X-CSRFToken header with a session request."
SERVER_ERROR = "Something went wrong on our side; it has been logged."

# ninja's own HttpError messages, by status, mapped to our codes.
_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "throttled",
}


class ApiError(Exception):
    """Raise from an endpoint for an error with its own code, status and extra data."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}


def error_body(
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def field_path(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """pydantic's loc as "scars.counts.ice_pick" / "zones[2]"; "" for the input as a whole."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or "[" in str(part):
            continue  # validator wrappers and union branches, not places in the input
        else:
            out += ("." if out else "") + str(part)
    return out


def _strip_ninja_prefix(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # ninja prefixes the source ("body", "query", "path") and, for a body, the parameter
    # name the endpoint gave it; neither is part of what the client sent.
    if not loc:
        return loc
    source, rest = loc[0], tuple(loc[1:])
    if source == "body" and rest:
        rest = rest[1:]
    return rest


def _message(error: dict[str, Any]) -> str:
    msg = str(error.get("msg", "Invalid value."))
    # pydantic prefixes messages of validators that raise ValueError; the prefix is noise.
    return msg.removeprefix("Value error, ")


def fields_from_pydantic(errors: list[dict[str, Any]], *, ninja: bool) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if ninja:
            loc = _strip_ninja_prefix(loc)
        path = field_path(loc) or WHOLE_INPUT
        fields.setdefault(path, []).append(_message(error))
    return fields


def _respond(
    api: NinjaAPI, request: HttpRequest, status: int, body: dict[str, Any]
) -> HttpResponse:
    return api.create_response(request, body, status=status)


def install_error_handlers(api: NinjaAPI) -> None:  # noqa: C901 - one small handler per error type, kept together
    """Replace ninja's defaults so every error, ours or the framework's, has one shape."""

    @api.exception_handler(NinjaValidationError)
    def ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = fields_from_pydantic(list(exc.errors), ninja=True)
        return _respond(api, request, 422, error_body("invalid", INVALID_INPUT, fields))

    @api.exception_handler(GradingError)
    def grading_error(request: HttpRequest, exc: GradingError) -> HttpResponse:
        fields = {"scars.quantitative_counts": [str(exc)]}
        return _respond(api, request, 422, error_body("invalid", INVALID_INPUT, fields))

    @api.exception_handler(DjangoValidationError)
    def django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        # A value beyond an absolute limit is unprocessable whatever else is wrong: 422.
        limit = is_limit_error(exc)
        if hasattr(exc, "error_dict"):
            fields = {
                (WHOLE_INPUT if name == NON_FIELD_ERRORS else name): list(messages)
                for name, messages in exc.message_dict.items()
            }
        else:
            fields = {WHOLE_INPUT: list(exc.messages)} if exc.messages else {}
        messages = [m for ms in fields.values() for m in ms]
        message = messages[0] if len(messages) == 1 else INVALID_INPUT
        if limit:
            return _respond(api, request, 422, error_body(LIMIT_EXCEEDED, message, fields))
        return _respond(api, request, 400, error_body("invalid", message, fields))

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = _respond(api, request, 401, error_body("not_authenticated", NOT_AUTHENTICATED))
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or PERMISSION_DENIED
        return _respond(api, request, 403, error_body("permission_denied", message))

    @api.exception_handler(Http404)
    def http_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _respond(api, request, 404, error_body("not_found", str(exc) or NOT_FOUND))

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        # The model's own message names the lookup; a client only needs "not found".
        return _respond(api, request, 404, error_body("not_found", NOT_FOUND))

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        body = error_body(exc.code, exc.message, exc.fields, **exc.extra)
        return _respond(api, request, exc.status, body)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        text = str(exc)
        if status == 400 and text.startswith("Cannot parse request body"):
            body = error_body("malformed_body", MALFORMED_BODY)
        elif status == 403 and "CSRF" in text:
            body = error_body("csrf_failed", CSRF_FAILED)
        else:
            body = error_body(_HTTP_CODES.get(status, "error"), text)
        return _respond(api, request, status, body)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A bug, not a client error: log it with the traceback, answer in the same shape.
        logger.exception("Unhandled error in API %s %s", request.method, request.path)
        return _respond(api, request, 500, error_body("server_error", SERVER_ERROR))

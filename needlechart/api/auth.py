"""Who is calling: an API token (`Authorization: Bearer <secret>`) or the Django session.

The token is tried first so a script with a token never meets the session's CSRF check;
a browser with a session cookie must send the CSRF token on unsafe methods (ninja's
SessionAuth checks it). Neither → 401 in the API's error shape.
"""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from needlechart.accounts.models import User
from needlechart.api.services import api_token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token.strip())
        if user is not None:
            # Services and the audit trail read request.user like they do for web views.
            request.user = user
        return user


def _signed_in(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return None


class StaffSessionAuth(SessionAuth):
    """The signed-in web session (CSRF-checked on unsafe methods)."""

    def __call__(self, request: HttpRequest) -> User | None:
        # ninja checks CSRF before it looks at the session, so a caller with no credentials
        # at all (curl, a script without its token) got 403 "CSRF" instead of 401. CSRF
        # protects a signed-in session; without one there is nothing to protect.
        if _signed_in(request) is None:
            return None
        user = super().__call__(request)
        return user if isinstance(user, User) else None

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return _signed_in(request)


api_auth = [TokenAuth(), StaffSessionAuth()]


def current_user(request: HttpRequest) -> User:
    """The authenticated caller; every endpoint sits behind `api_auth`."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user

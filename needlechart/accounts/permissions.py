"""View decorators enforcing roles. Templates only hide; these refuse."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from needlechart.accounts.models import Role, User

type View = Callable[..., HttpResponse]


def acting_user(request: HttpRequest) -> User:
    """The signed-in staff member, typed for the services. Views call it after the role
    decorators have run, so an anonymous user here is a programming error."""
    assert isinstance(request.user, User)
    return request.user


def role_required(*roles: Role | str) -> Callable[[View], View]:
    """Require sign-in (redirect to login) and one of `roles` (else 403 page)."""
    allowed = {str(r) for r in roles}

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "role", None) not in allowed:
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def clinical_required(view: View) -> View:
    """Shorthand for the roles that may read clinical sections."""
    return role_required(Role.CLINICIAN, Role.AESTHETICIAN)(view)

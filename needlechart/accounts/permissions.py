"""Who may do what: one helper per role, used by views, services, selectors and the API.

Templates only hide; these refuse. Every check here also refuses a deactivated account, so
an old session, an API token or a task acting for a user who has left cannot read or change
anything, whichever door it comes through. Apps keep their own wording for a refusal by
passing `message`; the defaults are the generic ones.
"""

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from needlechart.accounts.models import CLINICAL_ROLES, Role, User

type View = Callable[..., HttpResponse]

# Everyone on the clinic's staff (the portal's patients are not users).
STAFF_ROLES = frozenset(Role)
NOT_STAFF = "Your role does not give access to this page."
NOT_CLINICAL = "Your role does not give access to clinical records."
CLINICIAN_ONLY = "Only a clinician can do this."
ADMIN_ONLY = "Only the clinic admin can do this."


def acting_user(request: HttpRequest) -> User:
    """The signed-in staff member, typed for the services. Views call it after the role
    decorators have run, so an anonymous user here is a programming error."""
    assert isinstance(request.user, User)
    return request.user


def has_role(user: object, roles: Collection[Role | str]) -> bool:
    """Whether `user` is an active staff account with one of `roles` (False for anonymous)."""
    return isinstance(user, User) and user.is_active and user.role in {str(r) for r in roles}


def require_role(user: object, roles: Collection[Role | str], message: str) -> None:
    if not has_role(user, roles):
        raise PermissionDenied(message)


def require_staff(user: object, message: str = NOT_STAFF) -> None:
    """Any active staff member: the register, the diary, messages, pre-screen requests."""
    require_role(user, STAFF_ROLES, message)


def require_clinical(user: object, message: str = NOT_CLINICAL) -> None:
    """Clinicians and aestheticians: histories, screenings, plans, session notes, photos."""
    require_role(user, CLINICAL_ROLES, message)


def require_clinician(user: object, message: str = CLINICIAN_ONLY) -> None:
    """Clinicians only: approvals, countersignatures, resolving symptoms."""
    require_role(user, {Role.CLINICIAN}, message)


def require_clinic_admin(user: object, message: str = ADMIN_ONLY) -> None:
    """The clinic admin only: opening hours, the audit trail."""
    require_role(user, {Role.ADMIN}, message)


def role_required(*roles: Role | str) -> Callable[[View], View]:
    """Require sign-in (redirect to login) and an active account with one of `roles`
    (else the 403 page)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_role(request.user, roles, NOT_STAFF)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def staff_required(view: View) -> View:
    """Any staff role (front desk and admin included)."""
    return role_required(*STAFF_ROLES)(view)


def clinical_required(view: View) -> View:
    """Shorthand for the roles that may read clinical sections."""
    return role_required(*CLINICAL_ROLES)(view)


def admin_required(view: View) -> View:
    """The clinic admin only."""
    return role_required(Role.ADMIN)(view)

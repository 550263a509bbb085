"""State changes of API tokens. Each: keyword-only, validates, one transaction, audited."""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import User
from needlechart.api.models import ApiToken, hash_secret
from needlechart.audit.services import audit_record

SECRET_PREFIX = "nc_"
# last_used_at is written at most this often per token, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)

NAME_REQUIRED = "Give the token a name."
NAME_TAKEN = "This user already has a live token with that name."
USER_INACTIVE = "This user is deactivated."
ALREADY_REVOKED = "This token is already revoked."


@transaction.atomic
def api_token_create(*, user: User, name: str, by: User | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret. The secret is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": NAME_REQUIRED})
    if not user.is_active:
        raise ValidationError({"user": USER_INACTIVE})
    if ApiToken.objects.active().filter(user=user, name=name).exists():
        raise ValidationError({"name": NAME_TAKEN})
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=hash_secret(secret))
    token.full_clean(exclude=["token_hash"])
    token.save()
    audit_record(actor=by, action="api_token.create", obj=token, detail={"user": user.username})
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None = None) -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise ValidationError(ALREADY_REVOKED)
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    token.revoked_at = locked.revoked_at
    audit_record(
        actor=by, action="api_token.revoke", obj=locked, detail={"user": locked.user.username}
    )
    return locked


def api_token_user(secret: str) -> User | None:
    """The active user a live token belongs to, or None. Records when the token was used."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(token_hash=hash_secret(secret))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

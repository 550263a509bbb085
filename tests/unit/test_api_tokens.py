"""API tokens: services, hashing and the api_token command."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from needlechart.accounts.models import User
from needlechart.api.models import ApiToken, hash_secret
from needlechart.api.services import (
    ALREADY_REVOKED,
    NAME_REQUIRED,
    NAME_TAKEN,
    SECRET_PREFIX,
    api_token_create,
    api_token_revoke,
    api_token_user,
)
from needlechart.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_create_returns_secret_once_and_stores_its_hash(clinician: User) -> None:
    token, secret = api_token_create(user=clinician, name="sync")
    assert secret.startswith(SECRET_PREFIX) and len(secret) > 40
    assert token.token_hash == hash_secret(secret)
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert AuditEvent.objects.filter(action="api_token.create", object_id=str(token.pk)).exists()


def test_secrets_differ(clinician: User) -> None:
    _, one = api_token_create(user=clinician, name="one")
    _, two = api_token_create(user=clinician, name="two")
    assert one != two


@pytest.mark.parametrize(("name", "message"), [("", NAME_REQUIRED), ("   ", NAME_REQUIRED)])
def test_create_needs_a_name(clinician: User, name: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        api_token_create(user=clinician, name=name)
    assert exc.value.message_dict == {"name": [message]}


def test_live_names_are_unique_per_user(clinician: User, aesthetician: User) -> None:
    token, _ = api_token_create(user=clinician, name="sync")
    with pytest.raises(ValidationError) as exc:
        api_token_create(user=clinician, name="sync")
    assert exc.value.message_dict == {"name": [NAME_TAKEN]}
    api_token_create(user=aesthetician, name="sync")  # another user's name is theirs
    api_token_revoke(token=token)
    api_token_create(user=clinician, name="sync")  # a revoked token frees its name


def test_revoke_is_final_and_audited(clinician: User) -> None:
    token, secret = api_token_create(user=clinician, name="sync")
    assert api_token_user(secret) == clinician
    api_token_revoke(token=token, by=clinician)
    assert token.is_revoked
    assert api_token_user(secret) is None
    with pytest.raises(ValidationError, match=ALREADY_REVOKED):
        api_token_revoke(token=token)
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.actor_id == clinician.pk


@pytest.mark.parametrize("secret", ["", "nc_", "wrong", "nc_" + "a" * 500])
def test_unknown_secrets_find_no_user(clinician: User, secret: str) -> None:
    api_token_create(user=clinician, name="sync")
    assert api_token_user(secret) is None


def test_last_used_is_written_at_most_once_a_minute(clinician: User) -> None:
    token, secret = api_token_create(user=clinician, name="sync")
    api_token_user(secret)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api_token_user(secret)
    token.refresh_from_db()
    assert token.last_used_at == first


def test_command_create_list_revoke(clinician: User) -> None:
    out, err = StringIO(), StringIO()
    call_command("api_token", "create", "--user", "clin", "--name", "sync", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert "cannot be shown again" in err.getvalue()
    assert api_token_user(secret) == clinician

    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert "clin\tsync\tlive" in listing.getvalue()
    assert secret not in listing.getvalue()

    call_command("api_token", "revoke", "--user", "clin", "--name", "sync", stdout=StringIO())
    assert api_token_user(secret) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--user", "ghost", "--name", "x"], "No user named 'ghost'"),
        (["create", "--user", "clin", "--name", " "], NAME_REQUIRED),
        (["revoke", "--user", "clin", "--name", "absent"], "no live token named 'absent'"),
    ],
)
def test_command_errors(clinician: User, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("api_token", *args, stdout=StringIO(), stderr=StringIO())

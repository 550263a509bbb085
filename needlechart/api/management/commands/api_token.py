"""manage.py api_token create|revoke --user USERNAME --name NAME; manage.py api_token list."""

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from needlechart.accounts.models import User
from needlechart.api.models import ApiToken
from needlechart.api.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, revoke or list API tokens. A new token's secret is printed once only."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print its secret once.")
        create.add_argument("--user", required=True, help="Username the token acts as.")
        create.add_argument("--name", required=True, help="What the token is for.")
        revoke = sub.add_parser("revoke", help="Revoke a live token.")
        revoke.add_argument("--user", required=True)
        revoke.add_argument("--name", required=True)
        listing = sub.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("--user", help="Only this user's tokens.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(self._user(options["user"]), options["name"])
        elif action == "revoke":
            self._revoke(self._user(options["user"]), options["name"])
        else:
            self._list(options.get("user"))

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named '{username}'.") from None

    def _create(self, user: User, name: str) -> None:
        try:
            token, secret = api_token_create(user=user, name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(
            f"Token '{token.name}' for {user.username} (role {user.role}) created. "
            "Copy the secret now: it is not stored and cannot be shown again."
        )
        self.stdout.write(secret)

    def _revoke(self, user: User, name: str) -> None:
        token = ApiToken.objects.active().filter(user=user, name=name.strip()).first()
        if token is None:
            raise CommandError(f"{user.username} has no live token named '{name}'.")
        api_token_revoke(token=token)
        self.stdout.write(f"Token '{token.name}' for {user.username} revoked.")

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "name", "id")
        if username:
            tokens = tokens.filter(user__username=username)
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.is_revoked else "live"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.user.username}\t{token.name}\t{state}\t"
                f"created {token.created_at:%Y-%m-%d %H:%M}\tlast used {used}"
            )

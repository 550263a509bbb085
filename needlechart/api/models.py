"""API tokens: a named secret per user, stored only as its SHA-256 hash."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q


def hash_secret(secret: str) -> str:
    """The stored form of a token secret. The secret itself is shown once and never kept.

    A plain SHA-256 (no salt, no slow hash) is enough: the secret is 256 random bits, not a
    password a person chose, so there is nothing to brute-force from the hash.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'booking sync'.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "name", "id"]
        constraints = [
            # Names identify a token when revoking it, so they are unique among live tokens.
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="api_token_unique_live_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

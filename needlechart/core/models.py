"""Abstract bases shared by every app's models."""

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class ClinicalRecord(TimeStampedModel):
    """A row of the clinical record: always knows who created it.

    PROTECT because a user who wrote clinical records must be deactivated, never deleted:
    the record has to keep naming its author.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


class ProtocolStamped(models.Model):
    """A decision the engine made: the exact protocol it used, so it can be reproduced."""

    protocol_id = models.CharField(max_length=100, editable=False)
    protocol_version = models.CharField(max_length=50, editable=False)
    protocol_hash = models.CharField(max_length=128, editable=False)

    class Meta:
        abstract = True

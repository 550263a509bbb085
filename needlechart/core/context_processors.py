from typing import Any

from django.conf import settings
from django.http import HttpRequest


def clinic(request: HttpRequest) -> dict[str, Any]:
    """Expose the clinic's display name to every template."""
    return {"clinic_name": settings.CLINIC_NAME}

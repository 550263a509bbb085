"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging

CLIENT_ERROR_LIMIT = 500  # statuses below this are the client's doing, not a fault


class ClientErrorsWithoutTraceback(logging.Filter):
    """Django logs a refused request (403 PermissionDenied, 400 bad upload) with the
    exception's traceback, so every front-desk click on a clinical link looked like a crash
    in the log. Keep the one-line warning (who was refused where stays visible) and drop
    the traceback; a 5xx keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < CLIENT_ERROR_LIMIT and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True

"""Abuse protection for the public pre-screen: a salted IP hash, a signed form timestamp and a
per-IP rate limit kept in Django's cache. The raw IP address is never stored."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from needlechart.audit.context import client_ip

TOKEN_SALT = "needlechart.prescreen.request"
# The limits are settings (NEEDLECHART_PRESCREEN_* in .env.example).


def ip_hash(request: HttpRequest) -> str:
    """sha256 of the client IP and the secret key: stable per client, useless to anyone else."""
    ip = client_ip(request) or "unknown"
    return hashlib.sha256(f"{ip}|{settings.SECRET_KEY}".encode()).hexdigest()


def make_token(answers: dict[str, Any], *, now: float | None = None) -> str:
    """The answers and the moment the request form was rendered, signed (not encrypted: the
    person's own answers, sent back to the same person)."""
    issued = int(now if now is not None else time.time())
    return signing.dumps({"a": answers, "t": issued}, salt=TOKEN_SALT, compress=True)


def read_token(token: str) -> tuple[dict[str, Any], int]:
    """(answers, issued_at). Raises signing.BadSignature (also for an expired or odd token)."""
    payload = signing.loads(
        token,
        salt=TOKEN_SALT,
        max_age=settings.PRESCREEN_TOKEN_MAX_AGE_SECONDS,
    )
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("a"), dict)
        or not isinstance(payload.get("t"), int)
    ):
        raise signing.BadSignature("unexpected token payload")
    return payload["a"], payload["t"]


def filled_too_fast(issued_at: int, *, now: float | None = None) -> bool:
    elapsed = (now if now is not None else time.time()) - issued_at
    return elapsed < settings.PRESCREEN_MIN_FILL_SECONDS


def _key(hashed_ip: str) -> str:
    return f"prescreen:requests:{hashed_ip}"


def rate_limited(hashed_ip: str) -> bool:
    """Has this client used up its requests for the current window? (Reads only.)"""
    count = cache.get(_key(hashed_ip), 0)
    return int(count) >= settings.PRESCREEN_RATE_LIMIT


def count_request(hashed_ip: str) -> None:
    """One more request in this client's window (the window starts at its first request)."""
    key = _key(hashed_ip)
    window = settings.PRESCREEN_RATE_WINDOW_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)

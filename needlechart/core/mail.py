"""E-mail backends for development: the console and a folder of .eml files, written so a
person can copy a link out of them.

Python's e-mail package folds a body with a line longer than 78 characters into
quoted-printable: a sign-in link of ~80 characters came out as `...AAAA=` + newline +
`A/`, and a link copied from the console or the .eml file did not work. RFC 5322 allows
lines up to 998 characters (78 is only a recommendation), so these backends build each
message with that limit: a body whose lines fit is written as it is (7bit or 8bit), and
only a longer line still gets encoded. SMTP is unchanged: mail clients decode what they
receive.
"""

from __future__ import annotations

import email.policy
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as DjangoFileBackend

RFC5322_LINE_LIMIT = 998  # characters per line, excluding CRLF (RFC 5322 section 2.1.1)
READABLE = email.policy.default.clone(max_line_length=RFC5322_LINE_LIMIT)


def readable_bytes(message: EmailMessage) -> bytes:
    """The message as bytes, its text body unfolded when its lines allow."""
    return message.message(policy=READABLE).as_bytes()


class ConsoleEmailBackend(DjangoConsoleBackend):
    def write_message(self, message: Any) -> None:
        self.stream.write(readable_bytes(message).decode("utf-8", errors="replace") + "\n")
        self.stream.write("-" * 79 + "\n")


class FileEmailBackend(DjangoFileBackend):
    def write_message(self, message: Any) -> None:
        stream: Any = self.stream  # opened in binary mode ("ab"); typed as text upstream
        stream.write(readable_bytes(message) + b"\n")
        stream.write(b"-" * 79 + b"\n")

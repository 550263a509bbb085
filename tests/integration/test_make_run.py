"""`make run` as a newcomer runs it: the demo logins stay on screen.

Once, the background worker started beside the server printed its start-up and every demo
reminder e-mail to the same terminal, some 200 lines, right after the login table. This
test runs the real `make run` (own port, own database, worker log in a temporary folder),
waits until the server answers and the worker has sent the demo's due messages, and reads
the terminal output as the user would see it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from needlechart.demo.seed import DEMO_PASSWORD, DEMO_STAFF

ROOT = Path(__file__).resolve().parents[2]
REQUEST_LINE = re.compile(r'"(GET|HEAD|POST) /')
WORKER_OUTPUT = ("Subject:", "Task id=", "Starting worker", "Enqueued", "Content-Type:")
# Lines the server itself prints after the logins (reloader, checks, banner, warning).
SERVER_START_UP_LINES = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(check: object, what: str, seconds: float, output: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} within {seconds:.0f} s; terminal:\n{output.read_text()[-3000:]}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def test_make_run_keeps_the_demo_logins_in_view(tmp_path: Path) -> None:
    port = free_port()
    terminal = tmp_path / "terminal.txt"
    worker_log = tmp_path / "worker.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EMAIL_", "DJANGO_SETTINGS", "NEEDLECHART_", "PYTEST"))
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.sqlite3'}",
        "NEEDLECHART_MEDIA_ROOT": str(tmp_path / "media"),
    }
    with terminal.open("w") as out:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}", f"WORKER_LOG={worker_log}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, ended below as Ctrl-C would
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answers(f"{base}/accounts/login/"), "the server answering", 240, terminal)
        wait_for(
            lambda: worker_log.exists() and "state=SUCCESSFUL" in worker_log.read_text(),
            "the worker's first run of send_due_messages",
            120,
            terminal,
        )
        # `make run` serves static files: the icon is there (via /favicon.ico's redirect).
        with urllib.request.urlopen(f"{base}/favicon.ico", timeout=5) as icon:
            assert icon.headers["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
        time.sleep(1)
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=30)

    lines = terminal.read_text().splitlines()
    for staff in DEMO_STAFF:
        assert any(line.split()[:2] == [staff.username, DEMO_PASSWORD] for line in lines if line)
    sign_in = next(i for i, line in enumerate(lines) if "Sign in at" in line)
    assert lines[sign_in].strip() == f"Sign in at {base}/accounts/login/"
    after = [line for line in lines[sign_in + 1 :] if not REQUEST_LINE.search(line)]
    assert len(after) <= SERVER_START_UP_LINES, "\n".join(after)
    assert not [line for line in after if line.lstrip().startswith(WORKER_OUTPUT)]
    # The worker's output is kept, in its log, and the terminal says where.
    assert any(str(worker_log) in line for line in after)
    logged = worker_log.read_text()
    assert "Starting worker" in logged and "Subject:" in logged

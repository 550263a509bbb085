"""Shared fixtures: staff personas, signed-in clients, a browser for e2e tests.

Personas (one per role): `clinician`, `aesthetician`, `front_desk`, `admin_user`;
signed-in clients: `clinician_client`, `aesthetician_client`, `front_desk_client`,
`admin_client_` (pytest-django already owns `admin_client` for a superuser).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from needlechart.accounts.models import Role, User
from needlechart.patients.models import Patient
from needlechart.patients.services import patient_register

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "test-password-1"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


# ---------------------------------------------------------------- guardrails


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip `postgres` tests on SQLite, unless CI demands PostgreSQL (then fail loudly)."""
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis"))
    if _flag("NEEDLECHART_REQUIRE_POSTGRES") and not on_postgres:
        raise pytest.UsageError("NEEDLECHART_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# ---------------------------------------------------------------- personas


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(username: str, role: Role, **extra: Any) -> User:
        return User.objects.create_user(
            username=username,
            password=PASSWORD,
            role=role,
            email=extra.pop("email", f"{username}@example.org"),
            **extra,
        )

    return make


@pytest.fixture
def clinician(make_user: Callable[..., User]) -> User:
    return make_user("clin", Role.CLINICIAN, display_name="Dr Test Clinician")


@pytest.fixture
def aesthetician(make_user: Callable[..., User]) -> User:
    return make_user("aest", Role.AESTHETICIAN, display_name="Test Aesthetician")


@pytest.fixture
def front_desk(make_user: Callable[..., User]) -> User:
    return make_user("desk", Role.FRONT_DESK, display_name="Test Front Desk")


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    """A clinic admin (role), not a Django superuser. Overrides pytest-django's fixture."""
    return make_user("clinicadmin", Role.ADMIN, display_name="Test Clinic Admin")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clinician_client(clinician: User) -> Client:
    return _client_for(clinician)


@pytest.fixture
def aesthetician_client(aesthetician: User) -> Client:
    return _client_for(aesthetician)


@pytest.fixture
def front_desk_client(front_desk: User) -> Client:
    return _client_for(front_desk)


@pytest.fixture
def admin_client_(admin_user: User) -> Client:
    return _client_for(admin_user)


# ---------------------------------------------------------------- photos


@pytest.fixture
def photo_storage(settings: Any, tmp_path: Path) -> Path:
    """Clinical photos stored under this test's tmp_path (returns the folder); modules of
    photo tests use it on every test with `pytest.mark.usefixtures("photo_storage")`."""
    from tests.factories.imaging import use_temp_photo_storage

    return use_temp_photo_storage(settings, tmp_path)


# ---------------------------------------------------------------- patients


@pytest.fixture
def make_patient(front_desk: User) -> Callable[..., Patient]:
    """Register a patient through the service (so it is audited like real data)."""
    counter = itertools.count(1)

    def make(*, by: User | None = None, **overrides: Any) -> Patient:
        n = next(counter)
        data: dict[str, Any] = {
            "given_name": f"Given{n}",
            "family_name": f"Family{n}",
            "date_of_birth": date(1990, 1, 1 + n % 28),
            "phone": f"07700 9{n:05d}",
            "email": f"p{n}@example.org",
        }
        data.update(overrides)
        return patient_register(by=by or front_desk, **data)

    return make


@pytest.fixture
def patient(make_patient: Callable[..., Patient]) -> Patient:
    return make_patient(
        given_name="Olivia",
        family_name="Bennett",
        date_of_birth=date(1996, 3, 14),
        phone="07700 900123",
        email="olivia@example.org",
    )


# ---------------------------------------------------------------- browser (e2e)


@pytest.fixture(scope="module")
def _browser() -> Iterator[Any]:
    """One Chromium per browser-test module. Module, not session, scope: while Playwright's
    event loop runs, Django keys database connections by context and leaks them, so it must
    stop before the other tests run (PostgreSQL then refuses to drop the test database)."""
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if _flag("NEEDLECHART_REQUIRE_BROWSER"):
            pytest.fail(f"NEEDLECHART_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; Django's ORM would then
    # refuse to be called from the test ("async context"). The test thread only drives the
    # browser and sets up data, so allowing it is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_page(_browser: Any) -> Iterator[Page]:
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)  # generous: CI shares two cores with the server
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def screenshot(browser_page: Page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """Save a full-page screenshot to test-output/screenshots/<test>-<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        browser_page.screenshot(path=str(path), full_page=True)
        return path

    return take

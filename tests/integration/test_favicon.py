"""The site has an icon: linked from every page, at /favicon.ico for everything else (PDFs,
JSON, the API docs), served as a static file and collected for production."""

from __future__ import annotations

import io
import re
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.test import Client
from PIL import Image

if TYPE_CHECKING:
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ICON_LINK = re.compile(r'<link rel="icon" href="([^"]+)"')


def icon_hrefs(html: str) -> list[str]:
    return ICON_LINK.findall(html)


def assert_icon(content_type: str, body: bytes) -> None:
    if content_type.startswith("image/svg+xml"):
        root = ElementTree.fromstring(body)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert root.get("viewBox") == "0 0 32 32"
        return
    assert content_type in {"image/x-icon", "image/vnd.microsoft.icon"}, content_type
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "ICO"
        assert {(16, 16), (32, 32)} <= set(image.info["sizes"])


def test_pages_link_the_icon(client: Client, clinician_client: Client) -> None:
    for page in (client.get("/accounts/login/"), clinician_client.get("/")):
        assert page.status_code == 200
        assert icon_hrefs(page.content.decode()) == ["/static/favicon.ico", "/static/favicon.svg"]
    # The error pages too (403 extends the base page; 500 stands alone).
    assert icon_hrefs(Client().get("/no-such-page/").content.decode())
    assert "/static/favicon.svg" in (ROOT / "templates" / "500.html").read_text()


def test_favicon_ico_points_at_the_static_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"
    assert client.post("/favicon.ico").status_code == 405


def test_the_icon_is_served_and_is_an_icon(live_server: LiveServer) -> None:
    """Through a real server that serves static files as `make run`'s runserver does."""
    with urllib.request.urlopen(f"{live_server.url}/accounts/login/") as page:
        hrefs = icon_hrefs(page.read().decode())
    for url in ["/favicon.ico", *hrefs]:
        with urllib.request.urlopen(f"{live_server.url}{url}") as response:  # follows the 301
            assert response.status == 200, url
            assert_icon(response.headers["Content-Type"], response.read())


def test_collectstatic_collects_the_icon(settings: Any, tmp_path: Path) -> None:
    """Production serves STATIC_ROOT from the web server in front (see the README)."""
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    for name in ("favicon.ico", "favicon.svg"):
        assert (tmp_path / "static" / name).stat().st_size > 100

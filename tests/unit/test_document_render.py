"""documents: the shared renderer (no fetching, logo, A4), the chart PNG, photo pairing and
the aftercare warning signs read from the protocol."""

from __future__ import annotations

import importlib
import io
from datetime import date
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from needlechart.core.pdf import html_to_pdf, logo_data_url, no_fetch, render_pdf
from needlechart.documents.chart_png import SCALE, chart_png
from needlechart.documents.content import photo_pairs
from needlechart.imaging.models import Photo, PhotoView
from needlechart.outcomes.chart import progress_chart
from needlechart.outcomes.selectors import Progress, ProgressPoint, SessionMark

# Loaded by name: pypdfium2 ships no type information.
pdfium: Any = importlib.import_module("pypdfium2")


def test_no_fetch_allows_only_inline_images() -> None:
    assert no_fetch("data:image/png;base64,AAAA", "") == "data:image/png;base64,AAAA"
    assert no_fetch("data:image/jpeg;base64,AAAA", "") == "data:image/jpeg;base64,AAAA"
    for uri in ["http://example.org/x.png", "/etc/passwd", "file:///etc/passwd", "x.png"]:
        assert no_fetch(uri, "") == ""


def test_logo_is_an_embedded_png() -> None:
    url = logo_data_url()
    assert url.startswith("data:image/png;base64,")


def test_external_images_are_not_fetched_and_pdf_still_renders() -> None:
    content = html_to_pdf(
        '<html><body><p>Hello</p><img src="http://127.0.0.1:9/x.png"></body></html>'
    )
    assert content.startswith(b"%PDF")
    assert "Hello" in PdfReader(io.BytesIO(content)).pages[0].extract_text()


@pytest.mark.django_db
def test_base_template_is_a4_with_header_and_page_numbers() -> None:
    from needlechart.patients.models import Patient

    patient = Patient(given_name="Ada", family_name="Lovelace", date_of_birth=date(1990, 12, 10))
    content = render_pdf(
        "documents/base_pdf.html",
        {"patient": patient, "document_title": "Test document", "printed_on": date(2030, 1, 2)},
    )
    reader = PdfReader(io.BytesIO(content))
    text = reader.pages[0].extract_text()
    assert "Ada Lovelace" in text and "10 Dec 1990" in text
    assert "Page 1 of 1" in text and "Test document" in text
    document = pdfium.PdfDocument(content)
    width, height = document[0].get_size()
    assert height / width == pytest.approx(297 / 210, rel=0.01)
    document.close()


def _progress() -> Progress:
    return Progress(
        points=[
            ProgressPoint(1, date(2030, 1, 1), "baseline", "Baseline", 20, 3, True),
            ProgressPoint(2, date(2030, 6, 1), "follow_up", "Follow-up", 10, 2, False, rating=7),
        ],
        sessions=[SessionMark(1, date(2030, 2, 1)), SessionMark(2, date(2030, 3, 1))],
        quantitative_label="UNVERIFIED test table",
        quantitative_verified=False,
        grade_levels={1: "Macular", 2: "Mild", 3: "Moderate", 4: "Severe"},
    )


def test_chart_png_draws_the_outcomes_geometry() -> None:
    chart = progress_chart(_progress())
    png = chart_png(chart)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (chart.frame.width * SCALE, chart.frame.height * SCALE)
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 10  # text, lines, points — not a blank canvas
    teal = sum(n for n, rgb in colours if rgb == (15, 110, 110))
    assert teal > 100  # the plotted lines and points


def _photo(pk: int, view: str, on: date, zone: str = "") -> Photo:
    return Photo(pk=pk, view=view, taken_on=on, zone=zone)


def test_photo_pairs_earliest_and_latest_of_each_view() -> None:
    photos = [
        _photo(1, PhotoView.LEFT_45, date(2030, 1, 1)),
        _photo(2, PhotoView.FRONT, date(2030, 1, 1)),
        _photo(3, PhotoView.FRONT, date(2030, 3, 1)),
        _photo(4, PhotoView.FRONT, date(2030, 6, 1)),
        _photo(5, PhotoView.LEFT_45, date(2030, 6, 1)),
        _photo(6, PhotoView.RIGHT_90, date(2030, 6, 1)),  # one visit only: no pair
        _photo(7, PhotoView.CLOSE_UP, date(2030, 1, 1), zone="cheeks"),
        _photo(8, PhotoView.CLOSE_UP, date(2030, 6, 1), zone="forehead"),  # other zone
    ]
    pairs = photo_pairs(photos)
    assert [(a.pk, b.pk) for a, b in pairs] == [(2, 4), (1, 5)]

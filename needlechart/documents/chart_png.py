"""The progress chart as a PNG for the PDF report (xhtml2pdf cannot draw inline SVG).

Draws the very geometry `needlechart.outcomes.chart.progress_chart` lays out for the web page
(the same panels, ticks, points and session lines), with Pillow, at twice the size for print.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from needlechart.outcomes.chart import Chart

SCALE = 2
FONT_FILES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
]
INK = (26, 26, 26)
MUTED = (100, 100, 100)
GRID = (225, 225, 225)
AXIS = (120, 120, 120)
LINE = (15, 110, 110)
SESSION = (180, 120, 30)

type Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int) -> Font:
    for path in FONT_FILES:
        if path.exists():
            return ImageFont.truetype(str(path), size * SCALE)
    return ImageFont.load_default(size=size * SCALE)


def _s(value: str | float) -> float:
    return float(value) * SCALE


def _text(
    draw: ImageDraw.ImageDraw,
    x: float,
    y: float,
    text: str,
    *,
    size: int = 13,
    anchor: str = "ls",
    fill: tuple[int, int, int] = INK,
) -> None:
    draw.text((x, y), text, font=_font(size), anchor=anchor, fill=fill)


def _dashed_vline(
    draw: ImageDraw.ImageDraw, x: float, y0: float, y1: float, *, dash: float = 8
) -> None:
    y = y0
    while y < y1:
        draw.line([(x, y), (x, min(y + dash, y1))], fill=SESSION, width=SCALE)
        y += dash * 2


def chart_png(chart: Chart) -> bytes:
    """PNG bytes of a non-empty chart."""
    plot = chart.frame
    width, height = plot.width * SCALE, plot.height * SCALE
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    left, right = _s(plot.left), _s(plot.right)
    plot_top, plot_bottom = _s(plot.top), _s(plot.bottom)

    for session in chart.sessions:
        x = _s(session.x)
        _dashed_vline(draw, x, plot_top, plot_bottom)
        _text(draw, x, plot_top - 6 * SCALE, session.label, size=12, anchor="ms", fill=SESSION)

    for panel in chart.panels:
        top, bottom = _s(panel.top), _s(panel.bottom)
        _text(draw, left, _s(panel.title_y), panel.title, size=13)
        for tick in panel.ticks:
            y = _s(tick.pos)
            draw.line([(left, y), (right, y)], fill=GRID, width=SCALE)
            _text(draw, left - 6 * SCALE, y, tick.label, size=12, anchor="rm")
        draw.line([(left, top), (left, bottom)], fill=AXIS, width=SCALE)
        draw.line([(left, bottom), (right, bottom)], fill=AXIS, width=SCALE)
        if panel.path:
            points = [p.split(",") for p in panel.path.split()]
            draw.line([(_s(x), _s(y)) for x, y in points], fill=LINE, width=2 * SCALE)
        radius = 5 * SCALE
        for point in panel.points:
            x, y = _s(point.x), _s(point.y)
            box = [(x - radius, y - radius), (x + radius, y + radius)]
            if point.filled:
                draw.ellipse(box, fill=LINE, outline=LINE, width=SCALE)
            else:
                draw.ellipse(box, fill="white", outline=LINE, width=2 * SCALE)
        if panel.empty_text:
            _text(
                draw,
                right - 6 * SCALE,
                bottom - 8 * SCALE,
                panel.empty_text,
                size=12,
                anchor="rs",
                fill=MUTED,
            )

    tick_y, label_y = _s(plot.axis_tick_y), _s(plot.axis_label_y)
    for tick in chart.x_ticks:
        x = _s(tick.pos)
        draw.line([(x, plot_bottom), (x, tick_y)], fill=AXIS, width=SCALE)
        _text(draw, x, label_y, tick.label, size=12, anchor="ms")

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()

"""The shared pieces of the inline SVG charts (pure)."""

from datetime import date

from needlechart.core.charts import ChartPoint, Line, even_steps, frame, scale, short_date


def test_scale_maps_ends_and_inverts_for_y() -> None:
    x = scale(0, 10, 100, 200)
    assert (x(0), x(5), x(10)) == (100, 150, 200)
    y = scale(0, 4, 300, 100)  # bottom first: a larger value is drawn higher
    assert y(4) < y(0) and y(2) == 200
    flat = scale(3, 3, 0, 50)  # no span: no division by zero
    assert flat(3) == 0


def test_even_steps() -> None:
    assert even_steps(10, 6) == [0, 2, 4, 6, 8, 10]
    assert even_steps(2, 8) == [0, 1, 2]  # never more steps than whole numbers
    assert even_steps(0, 6) == [0]


def test_line_path_needs_two_points() -> None:
    one = ChartPoint(x="1.0", y="2.0", title="a")
    assert Line(points=[one]).path == ""
    assert Line(points=[one, one]).path == "1.0,2.0 1.0,2.0"


def test_frame_is_formatted() -> None:
    plot = frame(left=60, right=20, top=30, bottom=290, axis_height=44)
    assert (plot.width, plot.height) == (720, 334)
    assert (plot.left, plot.right, plot.top, plot.bottom) == ("60.0", "700.0", "30.0", "290.0")
    assert float(plot.bottom) < float(plot.axis_tick_y) < float(plot.axis_label_y)


def test_short_date() -> None:
    assert short_date(date(2030, 1, 8)) == "8 Jan 2030"

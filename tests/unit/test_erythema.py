"""The erythema index on synthetic images (no Django)."""

from __future__ import annotations

import math

import pytest
from PIL import Image

from needlechart.imaging.erythema import channel_means, erythema_index, validate_box


def _image(colour: tuple[int, int, int], size: tuple[int, int] = (40, 30)) -> Image.Image:
    return Image.new("RGB", size, colour)


def test_red_region_scores_higher_than_grey_region() -> None:
    image = _image((128, 128, 128))
    image.paste((220, 60, 60), (0, 0, 20, 30))  # left half reddish
    red = erythema_index(image, (0, 0, 20, 30))
    grey = erythema_index(image, (20, 0, 20, 30))
    assert red > grey
    assert grey == pytest.approx(0.0)
    assert red == pytest.approx(100 * math.log10(220 / 60))


def test_equal_red_and_green_is_zero() -> None:
    assert erythema_index(_image((90, 90, 10)), (5, 5, 10, 10)) == pytest.approx(0.0)


def test_greener_region_is_negative() -> None:
    assert erythema_index(_image((50, 100, 50)), (0, 0, 40, 30)) < 0


def test_black_channel_is_clamped_not_infinite() -> None:
    value = erythema_index(_image((200, 0, 0)), (0, 0, 10, 10))
    assert value == pytest.approx(100 * math.log10(200 / 1))
    assert erythema_index(_image((0, 0, 0)), (0, 0, 10, 10)) == pytest.approx(0.0)


def test_non_rgb_images_are_converted() -> None:
    grey = Image.new("L", (10, 10), 77)
    assert erythema_index(grey, (0, 0, 10, 10)) == pytest.approx(0.0)
    rgba = Image.new("RGBA", (10, 10), (200, 100, 100, 255))
    assert erythema_index(rgba, (0, 0, 10, 10)) == pytest.approx(100 * math.log10(2))


def test_means_cover_only_the_region() -> None:
    image = _image((0, 0, 0))
    image.paste((100, 50, 0), (10, 10, 20, 20))
    assert channel_means(image, (10, 10, 10, 10)) == pytest.approx((100.0, 50.0))


@pytest.mark.parametrize(
    ("box", "message"),
    [
        ((0, 0, 0, 10), "positive width and height"),
        ((0, 0, 10, -1), "positive width and height"),
        ((-1, 0, 10, 10), "start inside the image"),
        ((35, 0, 10, 10), "beyond the image"),
        ((0, 25, 10, 10), "beyond the image"),
        ((100, 100, 5, 5), "beyond the image"),
    ],
)
def test_box_outside_or_empty_is_rejected(box: tuple[int, int, int, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        erythema_index(_image((10, 10, 10)), box)


def test_whole_image_box_is_allowed() -> None:
    validate_box((40, 30), (0, 0, 40, 30))


def test_malformed_box_is_rejected() -> None:
    with pytest.raises(ValueError, match="four whole numbers"):
        validate_box((40, 30), ("a", 0, 1, 1))  # type: ignore[arg-type]

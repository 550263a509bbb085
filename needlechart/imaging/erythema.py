"""Erythema index of a rectangular region of a photo (pure: Pillow only, no Django).

EI = 100 x log10(mean R / mean G): the log ratio of red to green reflectance (method cited
under the protocol's source key `E1`, which is UNVERIFIED — recalled, not from the project's
clinical reference). It is a relative measure for following one patient's redness between
photos taken the same way; it is not a diagnostic threshold, so no cut-off lives here.
"""

from __future__ import annotations

import math

from PIL import Image, ImageStat

SOURCE_KEY = "E1"
# A channel mean below 1 (a black region) would make the ratio undefined or infinite.
MIN_CHANNEL_MEAN = 1.0

type Box = tuple[int, int, int, int]  # x, y, width, height in image pixels


def validate_box(size: tuple[int, int], box: Box) -> None:
    """Raise ValueError unless `box` (x, y, width, height) has positive area inside `size`."""
    try:
        x, y, w, h = (int(v) for v in box)
    except (TypeError, ValueError):
        raise ValueError("The region must be four whole numbers: x, y, width, height.") from None
    image_w, image_h = size
    if w <= 0 or h <= 0:
        raise ValueError("The region must have a positive width and height.")
    if x < 0 or y < 0:
        raise ValueError("The region must start inside the image (x and y at least 0).")
    if x + w > image_w or y + h > image_h:
        raise ValueError(
            f"The region ({x}, {y}, {w}x{h}) goes beyond the image ({image_w}x{image_h} pixels)."
        )


def channel_means(image: Image.Image, box: Box) -> tuple[float, float]:
    """Mean red and green (0-255) over the region, after converting to RGB."""
    validate_box(image.size, box)
    x, y, w, h = box
    region = image.convert("RGB").crop((x, y, x + w, y + h))
    red, green, _blue = ImageStat.Stat(region).mean
    return float(red), float(green)


def erythema_index(image: Image.Image, box: Box) -> float:
    """EI = 100 x log10(mean R / mean G) over `box` (x, y, width, height).

    Means are clamped to at least 1 so a black channel gives a finite number. Raises
    ValueError for a region outside the image or without area.
    """
    red, green = channel_means(image, box)
    red = max(red, MIN_CHANNEL_MEAN)
    green = max(green, MIN_CHANNEL_MEAN)
    return 100.0 * math.log10(red / green)

"""The rectangle to measure, in image pixels (a drag on the photo fills the same fields)."""

from __future__ import annotations

from typing import Any

from django import forms

from needlechart.imaging.models import RednessMeasurement

MAX_PIXELS = 100_000  # larger than any photo the upload accepts; stops absurd integers early


class RednessForm(forms.Form):
    x = forms.IntegerField(label="x (from the left)", min_value=0, max_value=MAX_PIXELS)
    y = forms.IntegerField(label="y (from the top)", min_value=0, max_value=MAX_PIXELS)
    width = forms.IntegerField(label="Width", min_value=1, max_value=MAX_PIXELS)
    height = forms.IntegerField(label="Height", min_value=1, max_value=MAX_PIXELS)
    label = forms.CharField(
        label="Region",
        required=False,
        max_length=RednessMeasurement._meta.get_field("label").max_length,
        help_text="Optional, e.g. “left cheek”, so the same region can be followed.",
    )

    def __init__(self, *args: Any, photo_size: tuple[int, int] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if photo_size is not None:
            w, h = photo_size
            self.fields["x"].help_text = f"Pixels, 0 to {w - 1}."
            self.fields["y"].help_text = f"Pixels, 0 to {h - 1}."
            for name in ("x", "width"):
                self.fields[name].widget.attrs["max"] = w if name == "width" else w - 1
            for name in ("y", "height"):
                self.fields[name].widget.attrs["max"] = h if name == "height" else h - 1

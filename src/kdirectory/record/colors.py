"""Colours of a brand site and their contrast, as WCAG 2.x measures it.

A colour is written ``#rrggbb`` (or ``#rgb``). :func:`contrast_ratio` is WCAG 2.x's
contrast ratio of two colours, from their relative luminance; text needs at least
:data:`MIN_TEXT_CONTRAST` against its background (success criterion 1.4.3, level AA).
:func:`shade_that_passes` finds the nearest shade of a colour, along its HLS lightness, that
reaches a ratio against another colour: what a message suggests instead of a colour that
fails.

No kdirectory import: ``record/config.py`` reads ``[brand] colors`` with it.
"""

from __future__ import annotations

import colorsys
import re
from typing import Literal

MIN_TEXT_CONTRAST = 4.5
"""WCAG 2.x level AA for normal text (1.4.3)."""
WHITE = "#ffffff"
DARK_TEXT = "#1d2327"
"""The theme's dark text colour (``--ink`` in ``templates/assets/site.css``)."""

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_LIGHTNESS_STEP = 0.001


class ColorError(ValueError):
    """Text that is not a colour of the form ``#rrggbb`` or ``#rgb``."""


def parse_hex(text: str) -> str:
    """``text`` as a lowercase ``#rrggbb`` (``#0B5`` -> ``#00bb55``).

    Raises:
        ColorError: ``text`` is not ``#rrggbb`` or ``#rgb``.
    """
    value = text.strip()
    if not _HEX.fullmatch(value):
        shown = value.encode("unicode_escape").decode("ascii")
        msg = f'"{shown:.40}" is not a colour; write it as #rrggbb (e.g. "#0b5563") or #rgb'
        raise ColorError(msg)
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits}"


def _rgb(color: str) -> tuple[int, int, int]:
    digits = parse_hex(color)[1:]
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _channel(value: int) -> float:
    """One sRGB channel (0-255) as linear light, per the WCAG 2.x definition."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of ``color``: 0 for black, 1 for white."""
    r, g, b = _rgb(color)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two colours, from 1 (the same) to 21 (black on white);
    the order does not matter. Compare it unrounded: 4.48 does not pass 4.5."""
    la, lb = relative_luminance(a), relative_luminance(b)
    lighter, darker = max(la, lb), min(la, lb)
    return (lighter + 0.05) / (darker + 0.05)


def format_ratio(ratio: float) -> str:
    """A ratio as messages show it, ``4.48:1``: to two decimals, except that a ratio under
    :data:`MIN_TEXT_CONTRAST` is never shown as reaching it (4.499 is ``4.49:1``)."""
    shown = round(ratio, 2)
    if ratio < MIN_TEXT_CONTRAST <= shown:
        shown = int(ratio * 100) / 100
    return f"{shown:.2f}:1"


def _with_lightness(color: str, lightness: float) -> str:
    r, g, b = _rgb(color)
    hue, _, saturation = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
    nr, ng, nb = colorsys.hls_to_rgb(hue, min(max(lightness, 0.0), 1.0), saturation)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (nr, ng, nb))


def _lightness(color: str) -> float:
    r, g, b = _rgb(color)
    return colorsys.rgb_to_hls(r / 255, g / 255, b / 255)[1]


def shade_that_passes(
    color: str,
    against: str,
    direction: Literal["darker", "lighter"],
    minimum: float = MIN_TEXT_CONTRAST,
) -> str | None:
    """The nearest shade of ``color`` (same hue and saturation, its lightness moved in
    ``direction``) whose contrast with ``against`` reaches ``minimum``; ``color`` itself
    when it already does, ``None`` when no shade that way does (white text on a lighter
    colour)."""
    if contrast_ratio(color, against) >= minimum:
        return parse_hex(color)
    start = _lightness(color)
    step = -_LIGHTNESS_STEP if direction == "darker" else _LIGHTNESS_STEP
    lightness = start
    while 0.0 <= lightness <= 1.0:
        lightness += step
        shade = _with_lightness(color, lightness)
        if contrast_ratio(shade, against) >= minimum:
            return shade
    return None


def text_color_on(background: str, dark: str = DARK_TEXT) -> str | None:
    """The text colour to write on ``background``: white when it reaches
    :data:`MIN_TEXT_CONTRAST`, else ``dark`` when that does, else ``None``."""
    for text in (WHITE, dark):
        if contrast_ratio(background, text) >= MIN_TEXT_CONTRAST:
            return text
    return None


def nearest_passing_background(background: str, dark: str = DARK_TEXT) -> str | None:
    """The shade of ``background`` nearest in lightness on which white or ``dark`` text
    reaches :data:`MIN_TEXT_CONTRAST`: darker for white text, lighter for dark text,
    whichever moves the lightness less."""
    candidates = [
        shade
        for shade in (
            shade_that_passes(background, WHITE, "darker"),
            shade_that_passes(background, dark, "lighter"),
        )
        if shade is not None
    ]
    if not candidates:
        return None
    start = _lightness(background)
    return min(candidates, key=lambda shade: abs(_lightness(shade) - start))

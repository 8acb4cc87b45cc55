"""The colour maths of brand sites: WCAG 2.x relative luminance and contrast ratios against
published values, and the shades suggested in place of a colour that fails."""

from __future__ import annotations

import re

import pytest

from kdirectory.record.colors import (
    DARK_TEXT,
    MIN_TEXT_CONTRAST,
    WHITE,
    ColorError,
    contrast_ratio,
    format_ratio,
    nearest_passing_background,
    parse_hex,
    relative_luminance,
    shade_that_passes,
    text_color_on,
)
from tests.helpers import REPO


@pytest.mark.parametrize(
    ("color", "against", "ratio"),
    [
        ("#000000", "#ffffff", "21.00:1"),
        ("#ffffff", "#ffffff", "1.00:1"),
        ("#777777", "#ffffff", "4.48:1"),  # the grey that famously just fails AA
        ("#767676", "#ffffff", "4.54:1"),  # the lightest grey that passes
        ("#595959", "#ffffff", "7.00:1"),  # AAA
        ("#0000ff", "#ffffff", "8.59:1"),
        ("#ff0000", "#ffffff", "4.00:1"),  # 3.998: fails, though it rounds to 4.00
        ("#ffffff", "#777777", "4.48:1"),  # the order does not matter
    ],
)
def test_contrast_ratios_match_published_wcag_values(color: str, against: str, ratio: str) -> None:
    assert format_ratio(contrast_ratio(color, against)) == ratio


def test_relative_luminance_runs_from_black_to_white() -> None:
    assert relative_luminance("#000000") == 0.0
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    assert relative_luminance("#808080") == pytest.approx(0.2158605, abs=1e-6)


def test_a_ratio_under_the_threshold_never_reads_as_reaching_it() -> None:
    assert contrast_ratio("#777777", WHITE) < MIN_TEXT_CONTRAST
    assert format_ratio(4.4999) == "4.49:1"
    assert format_ratio(4.5) == "4.50:1"


@pytest.mark.parametrize(
    ("text", "color"),
    [("#0B5563", "#0b5563"), ("#abc", "#aabbcc"), (" #FFF ", "#ffffff")],
)
def test_colours_are_read_as_lowercase_six_digit_hex(text: str, color: str) -> None:
    assert parse_hex(text) == color


@pytest.mark.parametrize("text", ["0b5563", "#0b556", "#gggggg", "teal", "#0b5563ff", ""])
def test_anything_else_is_no_colour(text: str) -> None:
    with pytest.raises(ColorError, match="write it as #rrggbb"):
        parse_hex(text)


def test_text_on_a_background_is_white_when_it_passes_else_dark() -> None:
    assert text_color_on("#0b5563") == WHITE
    assert text_color_on("#ff8800") == DARK_TEXT  # white reaches 2.39:1, dark text 6.64:1
    assert text_color_on("#777777") is None  # neither: 4.48:1 and 3.55:1


@pytest.mark.parametrize(
    ("color", "against", "direction"),
    [
        ("#777777", WHITE, "darker"),
        ("#ff8800", WHITE, "darker"),
        ("#3b82f6", WHITE, "darker"),
        ("#00ff00", WHITE, "darker"),
        ("#c2410c", DARK_TEXT, "lighter"),
        ("#0b5563", DARK_TEXT, "lighter"),
    ],
)
def test_a_suggested_shade_passes(color: str, against: str, direction: str) -> None:
    assert contrast_ratio(color, against) < MIN_TEXT_CONTRAST
    shade = shade_that_passes(color, against, "darker" if direction == "darker" else "lighter")
    assert shade is not None and re.fullmatch(r"#[0-9a-f]{6}", shade)
    assert contrast_ratio(shade, against) >= MIN_TEXT_CONTRAST
    moved = relative_luminance(shade) - relative_luminance(color)
    assert moved < 0 if direction == "darker" else moved > 0


def test_the_suggested_shade_is_the_nearest_that_passes() -> None:
    assert shade_that_passes("#777777", WHITE, "darker") == "#767676"
    assert shade_that_passes("#888888", DARK_TEXT, "lighter") == "#898989"


def test_a_colour_that_passes_is_its_own_shade() -> None:
    assert shade_that_passes("#0b5563", WHITE, "darker") == "#0b5563"


def test_white_text_gets_no_lighter_shade() -> None:
    assert shade_that_passes("#777777", WHITE, "lighter") is None


def test_the_nearest_passing_background_is_the_smaller_move_in_lightness() -> None:
    assert nearest_passing_background("#777777") == "#767676"  # one step darker, for white
    assert nearest_passing_background("#888888") == "#898989"  # one step lighter, for dark
    for color in ("#777777", "#888888", "#3b82f6", "#8a8a00"):
        shade = nearest_passing_background(color)
        assert shade is not None and text_color_on(shade) is not None


def test_the_dark_text_is_the_themes() -> None:
    css = (REPO / "templates" / "assets" / "site.css").read_text(encoding="utf-8")
    assert f"--ink:{DARK_TEXT}" in css

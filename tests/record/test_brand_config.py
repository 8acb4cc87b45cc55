"""``[site] kind`` and ``[brand]`` in kdirectory.toml: what a brand site's settings hold, and
every way they are refused (each message naming the file, the line, the key and the fix)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kdirectory.exceptions import ConfigError
from kdirectory.record.colors import MIN_TEXT_CONTRAST, WHITE, contrast_ratio, text_color_on
from kdirectory.record.config import SiteConfig, load_config
from tests.helpers import ProjectFactory
from tests.record.images import HTML, JPEG, PNG, SVG, WEBP, put

BRAND_CONFIG = """\
[site]
kind = "brand"
name = "Harbor Ketamine Care"
base_url = "https://harborketamine.example"

[brand]
name = "Harbor Ketamine Care"
url = "https://harborketamine.example"
phone = "(619) 555-0100"
booking_url = "https://harborketamine.example/book"
logo = "assets/logo.svg"
colors = { primary = "#0b5563", accent = "#c2410c" }
"""


def brand_project(
    make_project: ProjectFactory, config: str = BRAND_CONFIG, logo: bytes | None = SVG
) -> Path:
    root = make_project(config=config)
    if logo is not None:
        put(root, "assets/logo.svg", logo)
    return root


def config_error(root: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return str(caught.value)


def test_a_brand_sites_settings(make_project: ProjectFactory) -> None:
    config = load_config(brand_project(make_project))
    assert config.site.kind == "brand"
    brand = config.brand
    assert brand is not None
    assert brand.name == "Harbor Ketamine Care"
    assert brand.url == "https://harborketamine.example"
    assert brand.phone is not None and brand.phone.e164 == "+16195550100"
    assert brand.phone.national == "(619) 555-0100"
    assert brand.booking_url == "https://harborketamine.example/book"
    assert brand.logo == "assets/logo.svg"
    assert (brand.colors.primary, brand.colors.accent) == ("#0b5563", "#c2410c")
    assert brand.colors.on_primary == WHITE
    dumped = config.model_dump(mode="json")["brand"]
    assert dumped["phone"] == "+16195550100"
    assert dumped["colors"]["on_primary"] == WHITE


def test_only_name_and_url_are_required(make_project: ProjectFactory) -> None:
    root = make_project(
        config='[site]\nkind = "brand"\n[brand]\nname = "Harbor"\nurl = "https://h.example"\n'
    )
    brand = load_config(root).brand
    assert brand is not None
    assert (brand.phone, brand.booking_url, brand.logo) == (None, None, None)
    assert (brand.colors.primary, brand.colors.on_primary) == (None, None)


def test_a_directory_is_the_default_kind_and_has_no_brand(make_project: ProjectFactory) -> None:
    config = load_config(make_project(config='[site]\nname = "A directory"\n'))
    assert (config.site.kind, config.brand) == ("directory", None)
    assert SiteConfig().site.kind == "directory"


def test_a_brand_site_needs_a_brand_table(make_project: ProjectFactory) -> None:
    root = make_project(config='[site]\nkind = "brand"\nname = "Harbor"\n')
    message = config_error(root)
    assert message.startswith(f"{root / 'kdirectory.toml'}: brand: ")
    assert '[site] kind = "brand" needs a [brand] table' in message
    assert 'name = "…" and url = "https://…"' in message


def test_a_directory_refuses_a_brand_table(make_project: ProjectFactory) -> None:
    root = make_project(config='[site]\nname = "D"\n\n[brand]\nname = "H"\nurl = "https://h.ex"\n')
    message = config_error(root)
    assert message.startswith(
        f"{root / 'kdirectory.toml'}: brand (line 4): a [brand] table is only"
    )
    assert 'set kind = "brand" under [site]' in message
    assert "or remove the [brand] table" in message


def test_an_unknown_kind_is_refused(make_project: ProjectFactory) -> None:
    root = make_project(config='[site]\nkind = "chain"\n')
    assert (
        "kdirectory.toml: site.kind (line 2): Input should be 'directory' or 'brand'"
        in config_error(root)
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '"(619) 555-0100"',
            '"(619) 555-01"',
            ': brand.phone (line 9): "(619) 555-01" is not a valid US phone number',
        ),
        (
            '"(619) 555-0100"',
            "6195550100",
            ": brand.phone (line 9): must be a phone number in quotes",
        ),
        (
            '\nurl = "https://harborketamine.example"',
            '\nurl = "ftp://harborketamine.example"',
            ': brand.url (line 8): "ftp://harborketamine.example" must start with https://',
        ),
        (
            '"https://harborketamine.example/book"',
            '"javascript:alert(1)"',
            ': brand.booking_url (line 10): "javascript:alert(1)" must start with https://',
        ),
        (
            '"https://harborketamine.example/book"',
            '"https://user:pw@harborketamine.example/book"',
            ": brand.booking_url (line 10): ",
        ),
        ('name = "Harbor Ketamine Care"\nurl', 'name = ""\nurl', ": brand.name (line 7): "),
        ('"#0b5563"', '"teal"', ': brand.colors.primary (line 12): "teal" is not a colour'),
        ("colors = {", 'fonts = "x"\ncolors = {', ": brand.fonts (line 12): Extra inputs"),
    ],
)
def test_a_bad_brand_setting_names_its_line_and_key(
    make_project: ProjectFactory, old: str, new: str, expected: str
) -> None:
    assert old in BRAND_CONFIG
    root = brand_project(make_project, BRAND_CONFIG.replace(old, new, 1))
    assert f"{root / 'kdirectory.toml'}{expected}" in config_error(root)


def test_a_primary_colour_no_text_can_be_read_on_is_an_error_with_a_shade(
    make_project: ProjectFactory,
) -> None:
    root = brand_project(make_project, BRAND_CONFIG.replace("#0b5563", "#777777"))
    message = config_error(root)
    assert ": brand.colors.primary (line 12): " in message
    assert "neither white text (4.48:1) nor the theme's dark text #1d2327 (3.55:1)" in message
    assert 'the nearest that passes is "#767676"' in message
    assert text_color_on("#767676") == WHITE


@pytest.mark.parametrize("primary", ["#3b82f6", "#8a8a00", "#a855f7", "#ef4444", "#808080"])
def test_the_suggested_primary_passes(make_project: ProjectFactory, primary: str) -> None:
    root = brand_project(make_project, BRAND_CONFIG.replace("#0b5563", primary))
    message = config_error(root)
    shade = message.split('the nearest that passes is "', 1)[1][:7]
    assert text_color_on(shade) is not None
    passing = brand_project(make_project, BRAND_CONFIG.replace("#0b5563", shade))
    brand = load_config(passing).brand
    assert brand is not None and brand.colors.primary == shade


def test_a_light_primary_gets_dark_text(make_project: ProjectFactory) -> None:
    root = brand_project(make_project, BRAND_CONFIG.replace("#0b5563", "#FF8800"))
    brand = load_config(root).brand
    assert brand is not None
    assert (brand.colors.primary, brand.colors.on_primary) == ("#ff8800", "#1d2327")


def test_an_accent_too_light_for_links_is_an_error_with_a_darker_shade(
    make_project: ProjectFactory,
) -> None:
    root = brand_project(make_project, BRAND_CONFIG.replace("#c2410c", "#f97316"))
    message = config_error(root)
    assert (
        ': brand.colors.accent (line 12): "#f97316" colours links on white, but reaches only '
        in (message)
    )
    shade = message.split('use a darker shade such as "', 1)[1][:7]
    assert contrast_ratio(shade, WHITE) >= MIN_TEXT_CONTRAST
    assert load_config(brand_project(make_project, BRAND_CONFIG.replace("#c2410c", shade)))


def test_colours_in_a_table_of_their_own(make_project: ProjectFactory) -> None:
    config = BRAND_CONFIG.replace(
        'colors = { primary = "#0b5563", accent = "#c2410c" }\n',
        '\n[brand.colors]\nprimary = "#0b5563"\naccent = "#fb923c"\n',
    )
    root = brand_project(make_project, config)
    assert f"{root / 'kdirectory.toml'}: brand.colors.accent (line 15): " in config_error(root)


# --- the logo ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [("logo.svg", SVG), ("logo.png", PNG), ("logo.jpg", JPEG), ("logo.webp", WEBP)],
)
def test_a_logo_is_an_image_in_the_project(
    make_project: ProjectFactory, name: str, content: bytes
) -> None:
    root = brand_project(make_project, BRAND_CONFIG.replace("logo.svg", name), logo=None)
    put(root, f"assets/{name}", content)
    brand = load_config(root).brand
    assert brand is not None and brand.logo == f"assets/{name}"


@pytest.mark.parametrize(
    ("logo", "content", "expected"),
    [
        ("assets/logo.svg", None, '"assets/logo.svg" does not exist in the project'),
        ("assets/logo.svg", HTML, '"assets/logo.svg" is no image by its content'),
        ("assets/logo.svg", b"", '"assets/logo.svg" is no image by its content'),
        ("assets/logo.svg", PNG, "holds a PNG image but its name does not end in .png"),
        ("../logo.svg", None, '"../logo.svg" climbs out of the project with ".."'),
        ("/etc/passwd", None, '"/etc/passwd" is an absolute path, not one in the project'),
        ("assets", None, '"assets" is not a file'),
    ],
)
def test_a_bad_logo_names_the_file_and_the_key(
    make_project: ProjectFactory, logo: str, content: bytes | None, expected: str
) -> None:
    root = brand_project(make_project, BRAND_CONFIG.replace("assets/logo.svg", logo), logo=content)
    (root / "assets").mkdir(exist_ok=True)
    message = config_error(root)
    assert message.startswith(f"{root / 'kdirectory.toml'}: brand.logo (line 11): ")
    assert expected in message


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_logo_linked_from_outside_the_project_is_refused(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    outside = put(tmp_path, "elsewhere/logo.svg", SVG)
    root = brand_project(make_project, logo=None)
    (root / "assets").mkdir()
    (root / "assets" / "logo.svg").symlink_to(outside)
    assert "is a link that leads out of the project" in config_error(root)


def test_a_logo_linked_inside_the_project_is_read(make_project: ProjectFactory) -> None:
    root = brand_project(make_project, logo=None)
    put(root, "brand/logo.svg", SVG)
    (root / "assets").mkdir()
    (root / "assets" / "logo.svg").symlink_to(root / "brand" / "logo.svg")
    assert load_config(root).brand is not None


def test_a_huge_logo_is_refused(make_project: ProjectFactory) -> None:
    root = brand_project(make_project, logo=SVG + b" " * 2_100_000)
    assert "is 2.1 MB; at most 2 MB (export a smaller version of the image)" in config_error(root)

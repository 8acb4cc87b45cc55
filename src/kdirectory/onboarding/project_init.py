"""``kdirectory init``: a new site project that validates and builds at once.

The project is written into a temporary folder beside the target and renamed into place,
so an interrupted ``init`` leaves nothing half-made, and ``init`` never writes into a folder
that already holds files.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kdirectory.exceptions import KdirectoryError, ProjectExistsError
from kdirectory.onboarding.records import SCHEMA_FILE
from kdirectory.record.config import CONFIG_NAME, SiteKind
from kdirectory.record.json_schema import schema_text
from kdirectory.record.validate import CLINICS_DIR

EXAMPLE_RECORD_NAME = "example-ketamine-clinic.yaml"

CONFIG_TEXT = """\
# kdirectory site settings. Every section is optional; these are the ones to set first.

[site]
name = "Ketamine Therapy Directory"        # shown in page titles and in the JSON-LD
base_url = "https://directory.example"     # where the site will be served: canonical URLs
                                           # and sitemaps are absolute, so set it before
                                           # you deploy (or pass --base-url to build)
language = "en-US"

[review]
# The medical reviewer shown on every health page and in the JSON-LD (reviewedBy,
# lastReviewed). Fill these in once a clinician has reviewed the site's health content.
# reviewed_by = "Jane Doe, MD, Psychiatry"
# last_reviewed = 2026-11-01

[geocoder]
provider = "offline"      # the embedded US ZIP/city gazetteer: no network, town-level
# provider = "nominatim"  # street-level; needs a user agent that says who you are:
# user_agent = "my-agency-directory/1.0 (ops@agency.example)"

[build]
out = "site"              # the folder `kdirectory build` writes (git-ignored)
"""

EXAMPLE_RECORD = """\
# yaml-language-server: $schema=../../clinic.schema.json
# An example clinic, made up by `kdirectory init` so the project validates and builds at
# once. Its phone number is a fictional 555-01xx number. Replace it with a real clinic
# (or delete this file) before you publish: add clinics with `kdirectory new`, import a
# spreadsheet with `kdirectory import clinics.csv`, or copy this file and edit it.
# Every field is described in clinic.schema.json; editors with the YAML extension check
# the file as you type.
name: Example Ketamine Clinic
url: https://clinic.example/
phone: "(760) 555-0123"         # any common US format; extensions allowed ("ext. 12")
address:
  street: 1200 N Main St        # leave street out for a clinic without a visitable office
  unit: Suite 210
  city: Escondido
  region: CA                    # 2-letter code or full state name
  postal_code: "92025"          # quote ZIP codes: a leading zero would be lost
hours:                          # quote times: YAML reads 10:00 as the number 600
  monday: ["09:00-12:00", "13:00-17:00"]
  tuesday: "09:00-17:00"
  wednesday: "09:00-17:00"
  thursday: "09:00-17:00"
  friday: "09:00-15:00"
  saturday: closed
  sunday: closed
conditions: [depression, treatment-resistant-depression, ptsd]
therapies: [iv-ketamine-infusion, ketamine-assisted-psychotherapy]
accepting_new_patients: true
payment: [cash, credit-card, hsa-fsa]
languages: [en, es]
description: |
  This is an example record. Describe the clinic in its own words here: who it treats,
  how a first visit works, and how patients are monitored during treatment.
"""

BRAND_NAME = "Example Ketamine Care"
"""The made-up clinic group of a new brand project; its records and [brand] name agree."""

BRAND_CONFIG_TEXT = f"""\
# kdirectory site settings for a brand site: one clinic group's own website. Every section
# but [brand] is optional; these are the ones to set first.

[site]
kind = "brand"                             # a brand site; "directory" lists many clinics
name = "{BRAND_NAME}"             # shown in page titles and in the JSON-LD
base_url = "https://brand.example"         # where the site will be served: canonical URLs
                                           # and sitemaps are absolute, so set it before
                                           # you deploy (or pass --base-url to build)
language = "en-US"

[brand]
# The clinic group the site is for. Every record in data/clinics/ must give this name as
# its `brand:` (kdirectory validate says which do not).
name = "{BRAND_NAME}"
url = "https://brand.example"              # the group's own website
# phone = "(760) 555-0100"                 # the main line; each location keeps its own
# booking_url = "https://brand.example/book"   # where patients book online
# logo = "assets/logo.svg"                 # an SVG, PNG, JPEG or WebP file in this folder
# Colours: `primary` is the background of buttons, `accent` the colour of links on white.
# Text must reach a contrast of 4.5:1 on them (WCAG 2.x, level AA): kdirectory validate
# refuses a colour that fails and suggests the nearest shade that passes.
# colors = {{ primary = "#0b5563", accent = "#c2410c" }}

[review]
# The medical reviewer shown on every health page and in the JSON-LD (reviewedBy,
# lastReviewed). Fill these in once a clinician has reviewed the site's health content.
# reviewed_by = "Jane Doe, MD, Psychiatry"
# last_reviewed = 2026-11-01

[geocoder]
provider = "offline"      # the embedded US ZIP/city gazetteer: no network, town-level
# provider = "nominatim"  # street-level; needs a user agent that says who you are:
# user_agent = "my-agency-site/1.0 (ops@agency.example)"

[build]
out = "site"              # the folder `kdirectory build` writes (git-ignored)
"""

GITIGNORE = """\
# kdirectory: build output, caches and import leftovers
/site/
.kdirectory/
rejected.csv
"""


_BRAND_HEADER = f"""\
# yaml-language-server: $schema=../../clinic.schema.json
# An example location of {BRAND_NAME}, made up by `kdirectory init` so the project
# validates and builds at once. Its phone number is a fictional 555-01xx number. Replace it
# with one of the group's real locations (or delete this file) before you publish: add
# locations with `kdirectory new`, import a spreadsheet with `kdirectory import
# clinics.csv`, or copy this file and edit it. Every record gives the brand's name as its
# `brand:`. Every field is described in clinic.schema.json; editors with the YAML
# extension check the file as you type.
name: {BRAND_NAME} Escondido
brand: {BRAND_NAME}         # the [brand] name of kdirectory.toml
url: https://brand.example/
booking_url: https://booking.example/example-ketamine-care  # where patients book online
"""


def _brand_record() -> str:
    """The example record of a brand project: the directory's example clinic, as one of the
    brand's locations with an online booking page."""
    _, _, fields = EXAMPLE_RECORD.partition("url: https://clinic.example/\n")
    return _BRAND_HEADER + fields


@dataclass(frozen=True)
class InitResult:
    """The new project and the files written into it (relative to the project)."""

    root: Path
    files: list[str]


def project_files(kind: SiteKind = "directory") -> dict[str, str]:
    """Every file of a new project of ``kind``, by its path relative to the project folder:
    a brand site's settings hold a ``[brand]`` table, and its example record is the
    brand's."""
    editor_settings = {
        "yaml.schemas": {f"./{SCHEMA_FILE}": ["data/clinics/*.yaml", "data/clinics/*.yml"]},
        "json.schemas": [{"fileMatch": ["/data/clinics/*.json"], "url": f"./{SCHEMA_FILE}"}],
    }
    brand = kind == "brand"
    return {
        CONFIG_NAME: BRAND_CONFIG_TEXT if brand else CONFIG_TEXT,
        (CLINICS_DIR / EXAMPLE_RECORD_NAME).as_posix(): _brand_record()
        if brand
        else EXAMPLE_RECORD,
        ".gitignore": GITIGNORE,
        SCHEMA_FILE: schema_text(),
        ".vscode/settings.json": json.dumps(editor_settings, indent=2) + "\n",
    }


def init_project(target: Path | str, kind: SiteKind = "directory") -> InitResult:
    """Create a site project of ``kind`` (a directory, or a clinic group's brand site) in
    ``target``, which must not exist yet or be empty.

    Raises:
        ProjectExistsError: ``target`` is a file or a folder that is not empty, or a file
            stands where a folder of its path should be (``a-file/sub``).
        KdirectoryError: the folder cannot be created (permissions, a full disk).
    """
    root = Path(target)
    _refuse_existing(root)
    files = project_files(kind)
    if root.is_dir():  # empty (checked): fill it in place, so `init .` works in it
        _fill_in_place(root, files)
    else:
        _create_whole(root, files)
    return InitResult(root=root, files=sorted(files))


def _write_all(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _fill_in_place(root: Path, files: dict[str, str]) -> None:
    """Write the project into the empty folder ``root``; on failure empty it again."""
    try:
        _write_all(root, files)
    except BaseException as exc:
        for entry in root.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise KdirectoryError(f"cannot write in {root}: {exc.strerror}") from None
        raise


def _create_whole(root: Path, files: dict[str, str]) -> None:
    """Write the project into a staging folder beside ``root``, then rename it into place,
    so ``root`` appears complete or not at all."""
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", dir=root.parent))
    except OSError as exc:
        raise KdirectoryError(f"cannot create {root}: {exc.strerror}") from None
    try:
        _write_all(staging, files)
        staging.chmod(0o777 & ~_umask())
        _refuse_existing(root)  # nothing appeared there while we wrote
        staging.rename(root)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise KdirectoryError(f"cannot create {root}: {exc.strerror}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _refuse_existing(root: Path) -> None:
    if root.is_file():
        raise ProjectExistsError(f"{root} is a file; give the name of a new folder for the project")
    if root.is_symlink() and not root.exists():
        raise ProjectExistsError(
            f"{root} is a link to nothing; give the name of a new folder for the project"
        )
    blocking = _file_above(root)
    if blocking is not None:
        kind = "a link to nothing" if not blocking.exists() else "a file"
        raise ProjectExistsError(
            f"cannot create {root}: {blocking} is {kind}, not a folder, so nothing can be "
            f"created inside it; give a path whose folders are folders (or move {blocking} "
            "out of the way)"
        )
    if root.is_dir():
        entries = sorted(p.name for p in root.iterdir())
        if entries:
            shown = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
            raise ProjectExistsError(
                f"{root} is not empty (it holds {shown}); kdirectory init only creates a "
                "project in a new or empty folder, so nothing was changed. Choose a new "
                "folder name."
            )


def _file_above(root: Path) -> Path | None:
    """The nearest existing parent of ``root`` when it is not a folder (a file, or a link
    to nothing, named where a folder of the path should be), else ``None``."""
    for parent in root.parents:
        if parent.is_symlink() and not parent.exists():
            return parent
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

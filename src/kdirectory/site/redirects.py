"""Stable URLs across builds: what each page is, so that the next build into the same folder
can tell where a page went, and the redirects from the paths pages have left.

Every page has an identity that does not depend on its path (:func:`identities`): a clinic
page is the record it came from (its record file, relative to the project; for a clinic made
in Python, its slug), a state page its code, a city page its state and its name (case
folded), a condition or a guide page its slug, and the home page is the home page. The
site's manifest keeps the identity of every published path and the redirects kept so far,
and each build works out the next redirects from them (:func:`next_redirects`):

- a path the last build published and this one does not gets a redirect when its page is
  published at a new path (a clinic's slug changed; a condition whose old slug is now one of
  its aliases);
- a redirect kept from before follows its page to wherever that page is now, so chains
  collapse: A→B, then B→C, gives A→C and B→C;
- a path that is published again loses its redirect, and a redirect whose page is gone is
  dropped: a redirect never leads to a path that is not published, nor to another redirect,
  so there are no loops.

A page that is gone with no successor gets no redirect: a removed clinic is an honest 404.
Neither does a city page that vanished because its clinics moved away: its state page lists
other clinics under another heading, which is not the same content, and sending readers
there would be a soft 404. Redirects are kept build after build until they are pruned
(:func:`prune_redirects`, ``kdirectory redirects --prune``).

The build writes each redirect twice (:func:`redirect_files`): a line of ``_redirects`` for
the hosts that read it, and a small page at the old path (``templates/redirect.html``) with a
canonical link, an immediate refresh and a link for people, for every other host.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kdirectory._output import MANIFEST, REDIRECTS
from kdirectory.exceptions import KdirectoryError, SiteNotFoundError
from kdirectory.record import vocabulary
from kdirectory.record.config import CONFIG_NAME, load_config
from kdirectory.site import urls
from kdirectory.site.publish import read_manifest, rewrite_manifest

if TYPE_CHECKING:
    from kdirectory.site.model import SiteModel
    from kdirectory.site.plan import Guide

Identity = tuple[str, ...]
"""What a page is, whatever its path: ``("clinic", "record", "data/clinics/harbor.yaml")``,
``("clinic", "slug", "harbor")`` (a clinic made in Python), ``("state", "CA")``,
``("city", "CA", "escondido")``, ``("condition", "ptsd")``, ``("guide", "safety")``,
``("home",)``."""

STATUS = "301"
"""The status of every line of ``_redirects``: moved permanently."""
_PAGE_PATH = re.compile(r"/(?:[A-Za-z0-9][A-Za-z0-9._~-]*/)*")
_LONGEST = 2048


@dataclass(frozen=True)
class History:
    """What the last build recorded in the manifest: the identity of each path it published,
    and the redirects it kept (old path -> new path)."""

    pages: dict[str, Identity]
    redirects: dict[str, str]


def is_page_path(text: str) -> bool:
    """``/``, ``/ca/escondido/``: a path of a page the build can redirect from or to."""
    return len(text) <= _LONGEST and _PAGE_PATH.fullmatch(text) is not None


def clinic_identity(slug: str, record_file: str | None) -> Identity:
    """A clinic page is its record file, or for a clinic made in Python its slug."""
    return ("clinic", "record", record_file) if record_file else ("clinic", "slug", slug)


def identities(
    model: SiteModel, guides: Iterable[Guide], records: Mapping[str, str]
) -> dict[str, Identity]:
    """The identity of every page path the site can have: ``records`` names the record file
    of each clinic read from one (by slug)."""
    found: dict[str, Identity] = {urls.HOME: ("home",)}
    for code, state in model.states.items():
        found[state.path] = ("state", code)
    for city in model.cities.values():
        found[city.path] = ("city", city.region, city.name.casefold())
    for slug in model.clinics:
        found[urls.clinic(slug)] = clinic_identity(slug, records.get(slug))
    for slug in vocabulary.conditions():
        found[urls.condition(slug)] = ("condition", slug)
    for guide in guides:
        found[guide.path] = ("guide", guide.slug)
    return found


def read_history(manifest: Mapping[str, Any]) -> History:
    """The pages and redirects a manifest records; entries that are not well formed (a
    manifest edited by hand, or one written before pages were recorded) are left out."""
    pages: dict[str, Identity] = {}
    recorded = manifest.get("pages")
    if isinstance(recorded, dict):
        for path, identity in recorded.items():
            if (
                isinstance(path, str)
                and is_page_path(path)
                and isinstance(identity, list)
                and identity
                and all(isinstance(part, str) for part in identity)
            ):
                pages[path] = _current(tuple(identity))
    redirects: dict[str, str] = {}
    kept = manifest.get("redirects")
    if isinstance(kept, dict):
        for source, target in kept.items():
            if (
                isinstance(source, str)
                and isinstance(target, str)
                and is_page_path(source)
                and is_page_path(target)
                and source != target
            ):
                redirects[source] = target
    return History(pages, redirects)


def _current(identity: Identity) -> Identity:
    """An identity as this version of the vocabulary names it: a condition renamed with its
    old slug kept as an alias is the same condition."""
    if len(identity) == 2 and identity[0] == "condition":
        return ("condition", vocabulary.resolve("condition", identity[1]) or identity[1])
    return identity


def next_redirects(
    last: Mapping[str, Identity], kept: Mapping[str, str], now: Mapping[str, Identity]
) -> dict[str, str]:
    """The redirects of a build that publishes ``now`` (path -> identity), after one that
    published ``last`` and kept the redirects ``kept`` (old path -> new path).

    Every redirect leads from a path not published now to a path published now, where the
    page it followed is; see the module's description for the rules.
    """
    counts = Counter(now.values())
    where = {identity: path for path, identity in now.items() if counts[identity] == 1}
    found: dict[str, str] = {}

    def follow(source: str, identity: Identity) -> None:
        target = where.get(identity)
        if source not in now and target is not None:
            found[source] = target

    for source, target in kept.items():
        identity = last.get(target)
        if identity is not None:
            follow(source, identity)
        elif target in now and source not in now:  # the last build did not say what it was
            found[source] = target
    for path, identity in last.items():
        if path not in now:
            follow(path, identity)
    return dict(sorted(found.items()))


def manifest_entries(pages: Mapping[str, Identity], redirects: Mapping[str, str]) -> dict[str, Any]:
    """What a build records in the manifest for the next one: ``pages`` and ``redirects``."""
    return {
        "pages": {path: list(identity) for path, identity in sorted(pages.items())},
        "redirects": dict(sorted(redirects.items())),
    }


def stub_name(path: str) -> str:
    """The file of the page at ``path``: ``/clinics/old/`` -> ``clinics/old/index.html``."""
    return path.lstrip("/") + "index.html"


def redirects_file(redirects: Mapping[str, str], base_path: str = "") -> str:
    """``_redirects``: one ``/old/path/ /new/path/ 301`` a line, sorted, each path with the
    path of ``base_url`` (``base_path``) in front."""
    return "".join(
        f"{base_path}{source} {base_path}{target} {STATUS}\n"
        for source, target in sorted(redirects.items())
    )


def redirect_files(
    redirects: Mapping[str, str], base_path: str, page: Callable[[str, str], str]
) -> dict[str, bytes]:
    """Every file the redirects need: ``_redirects`` and, at each old path, the page that
    ``page(old path, new path)`` renders. Nothing when there is no redirect."""
    if not redirects:
        return {}
    files = {
        stub_name(source): page(source, target).encode("utf-8")
        for source, target in sorted(redirects.items())
    }
    files[REDIRECTS] = redirects_file(redirects, base_path).encode("utf-8")
    return files


# --- kdirectory redirects ----------------------------------------------------------------------


def find_site(path: Path | str) -> Path:
    """The built site ``path`` names: the folder itself when it holds a manifest, else the
    ``[build] out`` folder of the site project there."""
    folder = Path(path)
    if not (folder / MANIFEST).is_file() and (folder / CONFIG_NAME).is_file():
        return folder / load_config(folder).build.out
    return folder


def list_redirects(site: Path | str) -> dict[str, str]:
    """The redirects the next build of ``site`` writes (old path -> new path), sorted.

    Raises:
        SiteNotFoundError: ``site`` is not a folder kdirectory built.
    """
    return read_history(_manifest_of(Path(site))).redirects


def prune_redirects(site: Path | str, paths: Sequence[str] | None) -> dict[str, str]:
    """Forget the redirects from ``paths`` (every redirect when None): the manifest is
    rewritten at once, and the next build no longer writes them. Returns those pruned.

    A path may be given as listed (``/clinics/old-name/``) or without its slashes.

    Raises:
        SiteNotFoundError: ``site`` is not a folder kdirectory built.
        KdirectoryError: a path has no redirect (nothing is pruned then), or the manifest
            could not be rewritten.
    """
    folder = Path(site)
    _manifest_of(folder)
    wanted = None if paths is None else [_as_page_path(path) for path in paths]
    pruned: dict[str, str] = {}

    def edit(manifest: dict[str, Any]) -> dict[str, Any]:
        redirects = read_history(manifest).redirects
        chosen = list(redirects) if wanted is None else wanted
        unknown = [path for path in chosen if path not in redirects]
        if unknown:
            raise KdirectoryError(
                f"no redirect from {', '.join(unknown)} in {folder} "
                f"(`kdirectory redirects {folder}` lists the {len(redirects)} there are); "
                "nothing was pruned"
            )
        pruned.update((path, redirects[path]) for path in sorted(chosen))
        kept = {path: target for path, target in redirects.items() if path not in pruned}
        return {**manifest, "redirects": dict(sorted(kept.items()))}

    rewrite_manifest(folder, edit)
    return pruned


def _manifest_of(site: Path) -> dict[str, Any]:
    manifest = read_manifest(site)
    if manifest is None:
        raise SiteNotFoundError(
            f"{site} has no {MANIFEST}: it is not a site kdirectory built; build it first, "
            "or name the output folder of kdirectory build (or the project that builds it)"
        )
    return manifest


def _as_page_path(text: str) -> str:
    path = text.strip()
    path = path.removesuffix("index.html")
    if not path.startswith("/"):
        path = "/" + path
    if not path.endswith("/"):
        path += "/"
    return path

"""A site project in memory: its settings, and its clinics each with the file it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kdirectory.record.config import SiteConfig
from kdirectory.record.source import SourceRecord
from kdirectory.report import Problem, Report

if TYPE_CHECKING:
    from collections.abc import Iterable

    from kdirectory.record.model import Clinic

Checks = tuple[list[Problem], list[Problem]]
"""The problems of :func:`kdirectory.record.rules.timeless_checks`: those before and those
after the dated ones."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One clinic of a directory and the record file it was read from, if any."""

    clinic: Clinic
    source: SourceRecord | None = None
    """``None`` for a clinic made in Python."""

    @property
    def file(self) -> str:
        """How problems name this clinic: its record file, or ``<clinic "Name">``."""
        if self.source is not None:
            return self.source.display_path
        return f'<clinic "{self.clinic.name}">'

    def where(self, root: Path) -> SourceRecord:
        """The record file, or for a clinic made in Python a stand-in with no lines that
        names the clinic, so that problems about it read like any other."""
        if self.source is not None:
            return self.source
        return SourceRecord(path=root / self.file, display_path=self.file, data=None)


T = TypeVar("T")
_Kept = dict[int, tuple["Clinic", SourceRecord, T]]
"""What loading found about each clinic read from a file, by the clinic's id, with the
clinic and the file, to tell the very clinic it was found for from one made since."""


def _keep(kept: _Kept[T], entry: Entry, value: T) -> None:
    if entry.source is not None:
        kept[id(entry.clinic)] = (entry.clinic, entry.source, value)


def _kept(kept: _Kept[T], entry: Entry) -> T | None:
    found = kept.get(id(entry.clinic))
    if found is None or found[0] is not entry.clinic or found[1] is not entry.source:
        return None
    return found[2]


@dataclass
class Directory:
    """A site project as loaded: settings, the clinics that passed the model with their
    sources, and every problem found while loading.

    Clinics may also be made in Python and added with :meth:`add`: they validate, build and
    can be written to YAML (:func:`kdirectory.write_record`) like clinics read from files.
    """

    root: Path
    config: SiteConfig
    entries: list[Entry] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    notices: list[str] = field(default_factory=list)
    """What loading has to say that is no problem of the records: a record cache set aside,
    renewed or done without (:mod:`kdirectory.record.cache`)."""
    _checks: _Kept[Checks] = field(default_factory=dict, init=False, repr=False, compare=False)
    _digests: _Kept[bytes] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def of(
        cls, clinics: Iterable[Clinic], *, root: Path | str = ".", config: SiteConfig | None = None
    ) -> Directory:
        """A directory of clinics made in Python, with default settings unless given."""
        directory = cls(root=Path(root), config=config or SiteConfig())
        for clinic in clinics:
            directory.add(clinic)
        return directory

    @property
    def clinics(self) -> tuple[Clinic, ...]:
        """Every clinic, in the order added; use :meth:`add` to add one."""
        return tuple(entry.clinic for entry in self.entries)

    def add(self, clinic: Clinic, source: SourceRecord | None = None) -> None:
        """Add ``clinic``, read from ``source`` (a record file) or made in Python."""
        self.entries.append(Entry(clinic, source))

    def remember_checks(self, entry: Entry, checks: Checks) -> None:
        """Keep the problems of :func:`~kdirectory.record.rules.timeless_checks` that loading
        found for ``entry``, so that validating does not look for them again."""
        _keep(self._checks, entry, checks)

    def remembered_checks(self, entry: Entry) -> Checks | None:
        """What :meth:`remember_checks` kept for ``entry``; ``None`` when it kept nothing for
        this very clinic and file (a clinic added or replaced since loading)."""
        return _kept(self._checks, entry)

    def remember_digest(self, entry: Entry, digest: bytes) -> None:
        """Keep the digest of the bytes ``entry``'s record file held when it was read: its
        clinic is made from them (and the settings, kdirectory's code and the slugs of the
        other clinics), so a digest of the site's inputs can take them for the clinic."""
        _keep(self._digests, entry, digest)

    def remembered_digest(self, entry: Entry) -> bytes | None:
        """What :meth:`remember_digest` kept for ``entry``; ``None`` when it kept nothing for
        this very clinic and file (a clinic added or replaced since loading)."""
        return _kept(self._digests, entry)

"""A site project in memory: its settings, and its clinics each with the file it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kdirectory.record.config import SiteConfig
from kdirectory.record.source import SourceRecord
from kdirectory.report import Report

if TYPE_CHECKING:
    from collections.abc import Iterable

    from kdirectory.record.model import Clinic


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

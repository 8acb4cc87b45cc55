"""A site project in memory: its settings, its clinics, and the file each clinic came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kdirectory.record.read import SourceRecord
from kdirectory.report import Report

if TYPE_CHECKING:
    from kdirectory.config import SiteConfig
    from kdirectory.record.model import Clinic


@dataclass
class Directory:
    """A site project as loaded: settings, the clinics that passed the model, their sources,
    and every problem found while loading.

    Clinics may also be made in Python and added with :meth:`add` (or appended to
    ``clinics``): they validate and build like clinics read from files, and their problems
    name them as ``<clinic "Name">``.
    """

    root: Path
    config: SiteConfig
    clinics: list[Clinic] = field(default_factory=list)
    sources: dict[int, SourceRecord] = field(default_factory=dict)
    """The file of each clinic read from one, by the clinic object's identity."""
    report: Report = field(default_factory=Report)

    def add(self, clinic: Clinic, source: SourceRecord | None = None) -> None:
        """Add ``clinic``, read from ``source`` (a record file) or made in Python."""
        self.clinics.append(clinic)
        if source is not None:
            self.sources[id(clinic)] = source

    def source_of(self, clinic: Clinic) -> SourceRecord:
        """The file a clinic came from; for a clinic made in Python, a stand-in with no
        lines that names the clinic."""
        found = self.sources.get(id(clinic))
        if found is not None:
            return found
        label = f'<clinic "{clinic.name}">'
        return SourceRecord(path=self.root / label, display_path=label, data=None)

"""Find and read clinic record files (YAML or JSON), each into a :class:`SourceRecord`.

A project's records are the files of ``data/clinics/`` named like one. Each is read as
bytes and decoded, and what is not a readable record file inside the project is refused
with a message, never a traceback: a link that leads out of the project, nowhere or back
to itself, a folder or a named pipe named like a record, a file over
:data:`MAX_RECORD_BYTES`, a binary file, text that is not UTF-8. The text is then parsed
by :mod:`kdirectory.record.parse`, imported when a file is first parsed: finding and
reading the files, as a run whose result was kept does, takes no YAML reader nor model.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from kdirectory.exceptions import ProjectNotFoundError
from kdirectory.record.source import SourceRecord
from kdirectory.report import Problem

CLINICS_DIR = Path("data") / "clinics"
"""The folder of a project's record files."""
RECORD_SUFFIXES = (".yaml", ".yml", ".json")
MAX_RECORD_BYTES = 1_000_000
"""A clinic record is a few kilobytes; anything over a megabyte is the wrong file."""


def find_record_files(folder: Path) -> list[Path]:
    """Every entry of ``folder`` named like a record (not recursive), sorted by name;
    dotfiles are skipped.

    Entries that are not readable record files (a folder named ``x.yaml``, a link that
    leads nowhere or loops, a named pipe) are listed too, so that :func:`read_record` says
    what is wrong with each instead of the clinic silently going missing.
    """
    return [path for path, _ in _record_entries(folder)]


def _record_entries(folder: Path) -> list[tuple[Path, bool]]:
    """:func:`find_record_files`, each with whether it may be a link: known from the
    folder's listing, where the system gives it, without asking about each file."""
    if not folder.is_dir():
        return []
    with os.scandir(folder) as listing:
        entries = [
            (entry.name, _maybe_link(entry))
            for entry in listing
            if entry.name.lower().endswith(RECORD_SUFFIXES) and not entry.name.startswith(".")
        ]
    # Sorted as the paths would be (names compared as the system compares them).
    entries.sort(key=lambda entry: os.path.normcase(entry[0]))
    return [(folder / name, link) for name, link in entries]


def _maybe_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:  # gone meanwhile: reading it says so
        return True


@dataclass(frozen=True, slots=True)
class FileRead:
    """One record file of a project as read, not yet parsed."""

    path: Path
    source: SourceRecord
    """Named as problems name it; with a problem when the file could not be read."""
    raw: bytes | None
    """The file's bytes; ``None`` when it is not a readable record file of the project."""
    digest: bytes | None
    """The SHA-256 of ``raw``."""


@dataclass(frozen=True)
class ProjectFiles:
    """Every record file of the project at ``root`` as read: what loading parses and checks,
    and what says whether anything changed since a result was kept."""

    root: Path
    reader: RecordReader
    files: list[FileRead]


def read_project(root: Path) -> ProjectFiles:
    """Read every record file of ``data/clinics/`` under ``root``, in order, without parsing.

    Raises:
        ProjectNotFoundError: ``root`` has no ``data/clinics`` folder.
    """
    folder = root / CLINICS_DIR
    if not folder.is_dir():
        raise ProjectNotFoundError(
            f"{root}: no {CLINICS_DIR.as_posix()}/ folder here; run kdirectory in a site "
            "project (see `kdirectory init --help`)"
        )
    reader = RecordReader(root)
    prefix = CLINICS_DIR.as_posix() + "/"
    files = []
    for path, maybe_link in _record_entries(folder):
        source, raw = reader.read_bytes(path, prefix + path.name, maybe_link=maybe_link)
        digest = None if raw is None else hashlib.sha256(raw).digest()
        files.append(FileRead(path, source, raw, digest))
    return ProjectFiles(root, reader, files)


def read_record(
    path: Path, display_path: str | None = None, *, root: Path | None = None
) -> SourceRecord:
    """Read one record file. Never raises for bad content: problems are collected instead.

    ``root`` is the project the file must stay inside (see :class:`RecordReader`); by
    default the folder above ``data/clinics/`` when the file is in one, else the file's own
    folder.
    """
    return RecordReader(root or _default_root(path)).read(path, display_path)


def _default_root(path: Path) -> Path:
    folder = path.parent
    if folder.name == "clinics" and folder.parent.name == "data":
        return folder.parent.parent
    return folder


class RecordReader:
    """Reads the record files of one project, refusing every file outside it.

    A record that is a link (or sits in a linked folder) leading out of ``root`` is refused
    unread, since ``ln -s /etc/shadow x.yaml`` would otherwise print the file's lines as
    "unknown field" errors; a link that leads nowhere or loops, a folder named like a
    record and a named pipe each get a message too. The project and its folders are
    resolved once, not once per file.
    """

    def __init__(self, root: Path) -> None:
        self.project = root.resolve()
        self._folders: dict[str, tuple[Path, bool]] = {}  # folder -> resolved, inside

    def read(self, path: Path, display_path: str | None = None) -> SourceRecord:
        """Read one record file (see :func:`read_record`)."""
        record, raw = self.read_bytes(path, display_path)
        if raw is not None:
            self.parse(record, raw)
        return record

    def read_bytes(
        self, path: Path, display_path: str | None = None, *, maybe_link: bool = True
    ) -> tuple[SourceRecord, bytes | None]:
        """The record of one file, not yet parsed, and the file's bytes; ``None`` (with a
        problem in the record) for what is not a readable record file inside the project.
        :meth:`parse` then fills the record in. ``maybe_link=False``: the folder's listing
        said the file is no link (were it one by now, it is not opened through it)."""
        record = SourceRecord(path=path, display_path=display_path or str(path), data=None)
        target = self._target(path, record, maybe_link=maybe_link)
        if target is None:
            return record, None
        return record, _read_bytes(target, record, path.suffix)

    def parse(self, record: SourceRecord, raw: bytes) -> None:
        """Decode ``raw``, the bytes of ``record``'s file, and parse them into its data and
        lines, or its problems."""
        self.parse_bytes(record, raw)

    @staticmethod
    def parse_bytes(record: SourceRecord, raw: bytes) -> None:
        """:meth:`parse`, which needs no project (the file was read already)."""
        path = record.path
        text = _decode(raw, record)
        if text is None:
            return
        if not text.strip():
            record.problems.append(
                record.problem(
                    (),
                    "the file is empty",
                    "write one clinic record here or delete the file",
                    rule="file.empty",
                )
            )
            return
        from kdirectory.record import parse  # noqa: PLC0415 - the models; see the module

        if path.suffix.lower() == ".json":
            parse.parse_json(text, record)
        else:
            parse.parse_yaml(text, record)

    def _target(self, path: Path, record: SourceRecord, *, maybe_link: bool) -> Path | None:
        """The file inside the project that ``path`` is or leads to; ``None``, with a
        problem, when it is a link that leads nowhere, loops or leads out of the project."""
        link = _link_text(path) if maybe_link else None
        if link is None:
            parent = os.path.dirname(path)  # noqa: PTH120 - a string: once a file, it adds up
            known = self._folders.get(parent)
            if known is None:
                folder = path.parent.resolve()
                known = self._folders[parent] = (folder, folder.is_relative_to(self.project))
            folder, inside = known
            if inside:  # a file (not a link) in a folder inside the project
                return path
            target = folder / path.name
        else:
            try:
                target = path.resolve(strict=True)
            except FileNotFoundError:
                record.problems.append(
                    record.problem(
                        (),
                        f"is a link to {link}, which does not exist",
                        "point the link at a record file, or delete it",
                        rule="file.dangling_link",
                    )
                )
                return None
            except (RuntimeError, OSError) as exc:  # a loop: RuntimeError before Python 3.13
                if isinstance(exc, OSError) and exc.errno != errno.ELOOP:
                    record.problems.append(_unreadable(record, exc))
                    return None
                record.problems.append(
                    record.problem(
                        (),
                        f"is a link to {link}, which leads back to itself (a link loop)",
                        "replace the link with the record file itself",
                        rule="file.link_loop",
                    )
                )
                return None
        if not target.is_relative_to(self.project):
            how = f"is a link to {link}" if link else "is reached through a linked folder"
            shown = "" if link == str(target) else f" (that is {target})"
            record.problems.append(
                record.problem(
                    (),
                    f"{how}{shown}, outside the project; it was not read",
                    "copy the record into data/clinics/ instead of linking to it",
                    rule="file.outside_project",
                )
            )
            return None
        return target


def _link_text(path: Path) -> str | None:
    """Where the link ``path`` points, as written in the link; ``None`` when not a link."""
    try:
        return str(path.readlink()) if os.path.islink(path) else None  # noqa: PTH114 - fast
    except OSError:  # pragma: no cover - it stopped being a link in between
        return None


def _read_bytes(target: Path, record: SourceRecord, suffix: str) -> bytes | None:
    """The bytes of the regular file ``target``, at most :data:`MAX_RECORD_BYTES`; ``None``,
    with a problem, for a folder, a pipe or a device, or a file too large. Opened without
    following a link (``target`` is resolved) and without waiting (a named pipe)."""
    try:
        descriptor = os.open(target, _OPEN_FLAGS)
        try:
            info = os.fstat(descriptor)
            if stat.S_ISDIR(info.st_mode):
                record.problems.append(_folder(record, suffix))
                return None
            if not stat.S_ISREG(info.st_mode):
                record.problems.append(
                    record.problem(
                        (),
                        "is not a regular file (a named pipe, socket or device)",
                        "replace it with a plain .yaml or .json file",
                        rule="file.not_regular",
                    )
                )
                return None
            if info.st_size > MAX_RECORD_BYTES:
                record.problems.append(_too_large(record, info.st_size))
                return None
            raw = _read_up_to(descriptor, info.st_size + 1)
            if len(raw) > info.st_size:  # pragma: no cover - it grew while being read
                raw += _read_up_to(descriptor, MAX_RECORD_BYTES + 1 - len(raw))
        finally:
            os.close(descriptor)
    except IsADirectoryError:  # pragma: no cover - where folders cannot be opened
        record.problems.append(_folder(record, suffix))
        return None
    except OSError as exc:
        record.problems.append(_unreadable(record, exc))
        return None
    if len(raw) > MAX_RECORD_BYTES:  # pragma: no cover - it grew while being read
        record.problems.append(_too_large(record, len(raw)))
        return None
    return raw


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _read_up_to(descriptor: int, size: int) -> bytes:
    """At most ``size`` bytes from the open file, fewer only at its end."""
    chunks: list[bytes] = []
    while size > 0:
        chunk = os.read(descriptor, size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _folder(record: SourceRecord, suffix: str) -> Problem:
    return record.problem(
        (),
        "is a folder, not a record file; records inside it are not read",
        f"rename the folder so its name does not end in {suffix}, and keep one clinic per "
        "file directly in data/clinics/",
        rule="file.folder",
    )


def _unreadable(record: SourceRecord, exc: OSError) -> Problem:
    return record.problem((), f"cannot be read: {exc.strerror}", rule="file.unreadable")


def _too_large(record: SourceRecord, size: int) -> Problem:
    return record.problem(
        (),
        f"the file is {size / 1_000_000:.1f} MB; a clinic record is a few kilobytes",
        "is this the right file? One clinic per file, at most 1 MB",
        rule="file.too_large",
    )


def _decode(raw: bytes, record: SourceRecord) -> str | None:
    if b"\x00" in raw[:8192]:
        record.problems.append(
            record.problem(
                (),
                "is a binary file, not a YAML or JSON text record",
                "save the record as plain text (UTF-8)",
                rule="file.binary",
            )
        )
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        record.problems.append(
            Problem(
                file=record.display_path,
                line=line,
                field="",
                message=f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                fix="save the file as UTF-8; spreadsheets often export Windows-1252",
                rule="file.encoding",
            )
        )
        return None
